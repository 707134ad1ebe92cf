#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# source.sh - the few kernel source files the project builds with.
#
# Downloads Debian's linux-source-6.12 once and extracts only the kselftest
# headers (kselftest_harness.h, kselftest.h, ...), checkpatch and its data
# files, the YNL tools and the netlink specs into $DLEASE_CACHE/linux-src/.
# They are used from there and never copied into the repository.
#
# Prints one shell-evalable line:
#   LINUX_SRC=<dir>   ($LINUX_SRC/tools/testing/selftests/kselftest_harness.h)
set -euo pipefail

# shellcheck source=tests/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

package=linux-source-6.12
base=$DLEASE_CACHE/linux-src
src=$base/$package
stamp=$base/.complete
members=(
	'*/tools/testing/selftests/kselftest*'
	'*/scripts/checkpatch.pl'
	'*/scripts/spelling.txt'
	'*/scripts/const_structs.checkpatch'
	'*/tools/net/ynl/*'
	'*/Documentation/netlink/*'
)

if [[ ! -e $stamp ]]; then
	need_cmd apt-get apt
	need_cmd dpkg-deb dpkg
	need_cmd xz xz-utils
	need_cmd flock util-linux
	mkdir -p "$base"
	exec 9>"$base/.lock"
	flock 9
fi
if [[ ! -e $stamp ]]; then
	start=$SECONDS
	apt_depends "$package" . >/dev/null # refreshes apt lists if needed
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	apt_download "$tmp" "$package" ||
		die "apt-get download $package failed"
	rm -rf "$src"
	# keep only what we need
	unpack_linux_source "$tmp"/"$package"_*.deb "$base" \
		--wildcards "${members[@]}" ||
		die "extracting $package failed"
	[[ -f $src/tools/testing/selftests/kselftest_harness.h ]] ||
		die "$package has no kselftest_harness.h at the expected place"
	touch "$stamp"
	note "$package extracted in $((SECONDS - start)) s"
fi
printf 'LINUX_SRC=%q\n' "$src"
