#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh [-r] SERIES - fetch a Debian kernel for the VM tests.
#
# SERIES is 6.1 (bookworm's kernel) or 6.12 (bookworm's 6.12 LTS). The
# current version is resolved through Debian's metapackages; the image,
# headers and kbuild packages are downloaded with 'apt-get download' and
# unpacked with 'dpkg-deb -x' into $DLEASE_CACHE/kernels/<kver>/. Nothing
# is installed on the host. Before the cache entry is stamped complete, a
# trivial module is built against the unpacked headers.
#
# Prints shell-evalable lines:
#   KVER=<kver> KDIR=<headers dir> VMLINUZ=<image> MODDIR=<lib/modules/kver>
#   VMLINUX=<the ELF kernel inside VMLINUZ, or empty>
# QEMU boots VMLINUX through its PVH entry point, which skips the kernel's
# self-decompression: 6.1's xz decompressor alone takes ~3 s under TCG.
#
# Once a series is cached it is reused without asking apt (no network,
# well under a second); -r re-resolves the current Debian version.
set -euo pipefail

# shellcheck source=tests/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	echo "usage: $VM_PROG [-r] 6.1|6.12" >&2
	exit 2
}

refresh=
while getopts r opt; do
	case $opt in
	r) refresh=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[[ $# -eq 1 ]] || usage
series=$1
case $series in
6.1) meta_image=linux-image-amd64 meta_headers=linux-headers-amd64 ;;
6.12) meta_image=linux-image-6.12-amd64 meta_headers=linux-headers-6.12-amd64 ;;
*) usage ;;
esac

kernels=$DLEASE_CACHE/kernels
# .complete holds this number; older entries are brought up to date
# without downloading again.
cache_format=2
series_stamp=$kernels/series-$series
mkdir -p "$kernels"

# print_vars KVER: the evalable output.
print_vars() {
	local root=$kernels/$1 moddir
	moddir=$root/lib/modules/$1
	[[ -d $moddir ]] || moddir=$root/usr/lib/modules/$1
	printf 'KVER=%q\n' "$1"
	printf 'KDIR=%q\n' "$root/usr/src/linux-headers-$1"
	printf 'VMLINUZ=%q\n' "$root/boot/vmlinuz-$1"
	printf 'MODDIR=%q\n' "$moddir"
	if [[ -f $root/boot/vmlinux-$1 ]]; then
		printf 'VMLINUX=%q\n' "$root/boot/vmlinux-$1"
	else
		echo "VMLINUX="
	fi
}

# is_current KVER: the cache entry is complete and in the current format.
is_current() {
	[[ -f $kernels/$1/.complete && $(<"$kernels/$1/.complete") == "$cache_format" ]]
}

# Fast path: no apt, no lock.
if [[ -z $refresh && -s $series_stamp ]]; then
	kver=$(<"$series_stamp")
	if is_current "$kver"; then
		print_vars "$kver"
		exit 0
	fi
fi

need_cmd apt-get apt
need_cmd dpkg-deb dpkg
need_cmd flock util-linux
need_cmd make make
need_cmd gcc gcc
need_cmd readelf binutils

# Parallel runs (selftest.sh boots several VMs) must not unpack twice.
exec 9>"$kernels/.lock"
flock 9

# verify_build KDIR: build a trivial out-of-tree module against KDIR.
verify_build() {
	local kdir=$1 dir rc=0
	dir=$(mktemp -d)
	cat >"$dir/hello.c" <<'EOF'
#include <linux/module.h>
static int __init hello_init(void) { return 0; }
static void __exit hello_exit(void) { }
module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
EOF
	echo 'obj-m := hello.o' >"$dir/Kbuild"
	make -s -C "$kdir" M="$dir" modules >"$dir/build.log" 2>&1 || rc=$?
	if [[ $rc -ne 0 || ! -f $dir/hello.ko ]]; then
		cat "$dir/build.log" >&2
		rm -rf "$dir"
		return 1
	fi
	rm -rf "$dir"
}

# extract_vmlinux VMLINUZ OUT: find the compressed ELF kernel inside the
# bzImage by its magic and unpack it; keep it only if it has a PVH entry
# note (Xen note type 18), which QEMU needs to boot it.
extract_vmlinux() {
	local tool magic off
	for tool in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		magic=${tool#*:} tool=${tool%%:*}
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "$magic" "$1" | cut -d: -f1 | head -n3); do
			# Trailing bytes after the stream make some tools complain.
			tail -c +$((off + 1)) "$1" | "$tool" -dc >"$2.tmp" 2>/dev/null || true
			if readelf -nW "$2.tmp" 2>/dev/null | grep -q 'Xen.*(0x00000012)'; then
				mv "$2.tmp" "$2"
				return 0
			fi
		done
	done
	rm -f "$2.tmp"
	return 1
}

# check_toolchain KDIR: the host tools a module build against KDIR runs.
check_toolchain() {
	local cc
	cc=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' "$1/.kernelvariables" \
		2>/dev/null || true)
	[[ -z $cc ]] || need_cmd "x86_64-linux-gnu-$cc" "$cc"
	# With vmlinux shipped, kbuild adds BTF to modules with pahole.
	if [[ -f $1/vmlinux ]] &&
		grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$1/.config"; then
		need_cmd pahole dwarves
	fi
}

image=$(apt_depends "$meta_image" '^linux-image-')
kver=${image#linux-image-}
headers=$(apt_depends "$meta_headers" '^linux-headers-')
[[ $headers == "linux-headers-$kver" ]] ||
	die "$meta_image gives $image but $meta_headers gives $headers"
common=$(apt_depends "$headers" '^linux-headers-.*-common$')
kbuild=$(apt_depends "$headers" '^linux-kbuild-')
root=$kernels/$kver

if [[ ! -e $root/.complete ]]; then
	note "fetching $image $headers $common $kbuild"
	start=$SECONDS
	rm -rf "$root"
	mkdir -p "$root"
	apt_fetch_into "$root" "$image" "$headers" "$common" "$kbuild"

	# The arch headers' Makefile includes the common one by its absolute
	# /usr/src path; point it into the cache. Other links are relative.
	makefile=$root/usr/src/linux-headers-$kver/Makefile
	[[ -f $makefile ]] || die "$makefile missing after unpack"
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$makefile"
	[[ -f $root/boot/vmlinuz-$kver ]] || die "no vmlinuz in $image"
	check_toolchain "$root/usr/src/linux-headers-$kver"

	verify_build "$root/usr/src/linux-headers-$kver" ||
		die "building a test module against $kver failed"
	touch "$root/.complete"
	note "$kver unpacked in $((SECONDS - start)) s"
fi
if ! is_current "$kver"; then
	extract_vmlinux "$root/boot/vmlinuz-$kver" "$root/boot/vmlinux-$kver" ||
		note "warning: no PVH-bootable vmlinux in vmlinuz-$kver, booting the bzImage"
	echo "$cache_format" >"$root/.complete"
fi
echo "$kver" >"$series_stamp"
print_vars "$kver"
