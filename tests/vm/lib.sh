# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers shared by the VM harness scripts. Sourced, never run.
#
# Everything the harness downloads or unpacks lives under $DLEASE_CACHE
# (default ~/.cache/dlease): never in the repository, never in the host's
# /boot or /lib/modules.

DLEASE_CACHE=${DLEASE_CACHE:-$HOME/.cache/dlease}
VM_PROG=${0##*/}

die() {
	printf '%s: error: %s\n' "$VM_PROG" "$*" >&2
	exit 1
}

note() {
	printf '%s: %s\n' "$VM_PROG" "$*" >&2
}

# need_cmd COMMAND PACKAGE: fail with the Debian package to install.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found: apt-get install $2"
}

# need_file PATH PACKAGE: same, for a file a package ships.
need_file() {
	[[ -e $1 ]] || die "'$1' not found: apt-get install $2"
}

# apt_depends PACKAGE PATTERN: print the first dependency of PACKAGE that
# matches the extended regex PATTERN. Refreshes the package lists once
# when apt knows nothing yet (fresh machine, no 'apt-get update' run).
apt_depends() {
	local out
	out=$(apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: //p' | grep -E -m1 "$2" || true)
	if [[ -z $out && -z ${VM_APT_UPDATED:-} ]]; then
		note "apt-cache does not know $1, running apt-get update"
		apt-get update -qq >&2 || die "apt-get update failed"
		VM_APT_UPDATED=1
		apt_depends "$@"
		return
	fi
	[[ -n $out ]] || die "no dependency of $1 matches '$2'"
	printf '%s\n' "$out"
}

# apt_download DIR PACKAGE...: 'apt-get download' the packages into the
# directory DIR; non-zero if that fails.
apt_download() {
	local dir=$1
	shift
	# _apt must be able to write here, or apt warns and downloads as root.
	chmod 0755 "$dir"
	chown _apt "$dir" 2>/dev/null || true
	(cd "$dir" && apt-get download -q "$@" >&2)
}

# unpack_linux_source DEB DIR TAR-ARGS...: the kernel tree that Debian's
# linux-source package DEB holds as one tarball, streamed out and
# unpacked into DIR with 'tar -xJ TAR-ARGS' (members to keep,
# --strip-components...). Non-zero if any step fails.
unpack_linux_source() {
	local deb=$1 dir=$2
	shift 2
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards '*/linux-source-*.tar.xz' |
		tar -xJ -C "$dir" "$@"
}

# apt_fetch_into DIR PACKAGE...: 'apt-get download' the packages in a
# temporary directory and 'dpkg-deb -x' all of them into DIR.
apt_fetch_into() {
	local dest=$1 tmp deb
	shift
	tmp=$(mktemp -d)
	if ! apt_download "$tmp" "$@"; then
		rm -rf "$tmp"
		die "apt-get download $* failed"
	fi
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$dest" || {
			rm -rf "$tmp"
			die "dpkg-deb -x $deb failed"
		}
	done
	rm -rf "$tmp"
}
