#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build the 6.12 debug kernel (KASAN, lockdep, kmemleak,
# DEBUG_OBJECTS, DEBUG_LIST, sleep-in-atomic checks) for the VM suite.
#
# Debian's linux-source-6.12 is downloaded with 'apt-get download' and
# unpacked whole into $DLEASE_CACHE/debug/src/; the kernel is configured
# as x86_64_defconfig + kvm_guest.config + tests/vm/debug.config and built
# out of tree in $DLEASE_CACHE/debug/build/, which is also the KDIR that
# out-of-tree modules build against (Module.symvers included). Its few
# modules are installed into $DLEASE_CACHE/debug/root/lib/modules/.
#
# The kernel is rebuilt only when the fragment, the source package's
# version or this script's build steps change: a hash of the three is
# kept in $DLEASE_CACHE/debug/.stamp. A build takes ~15 minutes on 2 cores.
#
# Prints shell-evalable lines, as kernel.sh does:
#   KVER=<kver> KDIR=<build dir> VMLINUZ=<bzImage> MODDIR=<lib/modules/kver>
#   VMLINUX=<ELF vmlinux with a PVH entry, or empty>
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"

package=linux-source-6.12
fragment=$here/debug.config
base=$DLEASE_CACHE/debug
src=$base/src
out=$base/build
modroot=$base/root
# Changing how the kernel is built below? Bump this to force a rebuild.
build_steps=1

print_vars() {
	local kver
	kver=$(<"$base/kver")
	printf 'KVER=%q\n' "$kver"
	printf 'KDIR=%q\n' "$out"
	printf 'VMLINUZ=%q\n' "$out/arch/x86/boot/bzImage"
	printf 'MODDIR=%q\n' "$modroot/lib/modules/$kver"
	if readelf -nW "$out/vmlinux" 2>/dev/null | grep -q 'Xen.*(0x00000012)'; then
		printf 'VMLINUX=%q\n' "$out/vmlinux"
	else
		echo "VMLINUX="
	fi
}

# source_version: the version of $package apt would download.
source_version() {
	local v
	v=$(apt-cache show --no-all-versions "$package" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1)
	if [[ -z $v ]]; then
		apt_depends "$package" . >/dev/null # refreshes apt lists once
		v=$(apt-cache show --no-all-versions "$package" 2>/dev/null |
			sed -n 's/^Version: //p' | head -n1)
	fi
	[[ -n $v ]] || die "apt knows no $package"
	printf '%s\n' "$v"
}

need_cmd apt-cache apt
need_file "$fragment" "(the repository's tests/vm/debug.config)"
version=$(source_version)
stamp=$( (printf 'steps %s\n%s %s\n' "$build_steps" "$package" "$version" &&
	cat "$fragment") | sha256sum | cut -d' ' -f1)

if [[ -f $base/.stamp && $(<"$base/.stamp") == "$stamp" ]]; then
	print_vars
	exit 0
fi

need_cmd dpkg-deb dpkg
need_cmd xz xz-utils
need_cmd flock util-linux
need_cmd make make
need_cmd gcc gcc
need_cmd bc bc
need_cmd flex flex
need_cmd bison bison
need_cmd perl perl
need_cmd depmod kmod
need_cmd readelf binutils
need_file /usr/include/openssl/ssl.h libssl-dev
need_file /usr/include/libelf.h libelf-dev

mkdir -p "$base"
exec 9>"$base/.lock"
flock 9
# Another run may have built it while we waited for the lock.
if [[ -f $base/.stamp && $(<"$base/.stamp") == "$stamp" ]]; then
	print_vars
	exit 0
fi
rm -f "$base/.stamp"
start=$SECONDS

# --- the full source, once per package version ------------------------------

if [[ ! -f $src/.version || $(<"$src/.version") != "$version" ]]; then
	note "fetching and unpacking $package $version"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	apt_download "$tmp" "$package=$version" ||
		die "apt-get download $package=$version failed"
	rm -rf "$src" "$src.new" "$out"
	mkdir -p "$src.new"
	unpack_linux_source "$tmp"/"$package"_*.deb "$src.new" \
		--strip-components=1 || die "unpacking $package failed"
	rm -rf "$tmp"
	trap - EXIT
	[[ -f $src.new/Makefile && -f $src.new/scripts/kconfig/merge_config.sh ]] ||
		die "$package does not hold a kernel tree"
	echo "$version" >"$src.new/.version"
	mv "$src.new" "$src"
	note "$package unpacked in $((SECONDS - start)) s"
fi

# --- configure: defconfig + kvm_guest.config + debug.config -----------------

kmake=(make -C "$src" O="$out" ARCH=x86_64)
mkdir -p "$out"
"${kmake[@]}" -s x86_64_defconfig >&2
guest_frag=$(find "$src/kernel/configs" "$src/arch/x86/configs" \
	-name kvm_guest.config 2>/dev/null | head -n1)
[[ -n $guest_frag ]] || die "no kvm_guest.config in $package"
(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" \
	"$out/.config" "$guest_frag" "$fragment" >/dev/null) ||
	die "merge_config.sh failed"
"${kmake[@]}" -s olddefconfig >&2

# Every line of the fragment must have survived Kconfig's dependencies.
missing=$(grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$fragment" |
	while IFS= read -r line; do
		if [[ $line == '#'* ]]; then
			sym=${line#\# } sym=${sym%% *}
			grep -q "^$sym=" "$out/.config" && echo "$line"
		else
			grep -qxF -- "$line" "$out/.config" || echo "$line"
		fi
	done || true)
[[ -z $missing ]] || die "not in the final .config (Kconfig dependencies?):
$missing"

# --- build -------------------------------------------------------------------

note "building the debug kernel in $out (~15 min on 2 cores, log: $base/build.log)"
build_start=$SECONDS
if ! "${kmake[@]}" -j"$(nproc)" all >"$base/build.log" 2>&1; then
	tail -n 40 "$base/build.log" >&2
	die "kernel build failed, see $base/build.log"
fi
kver=$("${kmake[@]}" -s kernelrelease)
rm -rf "$modroot"
"${kmake[@]}" -s INSTALL_MOD_PATH="$modroot" INSTALL_MOD_STRIP=1 \
	modules_install >>"$base/build.log" 2>&1 || die "modules_install failed"
mkdir -p "$modroot/lib/modules/$kver"
echo "$kver" >"$base/kver"
note "debug kernel $kver built in $((SECONDS - build_start)) s"

# An out-of-tree module must build against KDIR, with symbol versions.
check=$(mktemp -d)
cat >"$check/probe.c" <<'EOF'
#include <linux/module.h>
#include <linux/slab.h>
static int __init probe_init(void) { kfree(kmalloc(8, GFP_KERNEL)); return 0; }
module_init(probe_init);
MODULE_LICENSE("GPL");
EOF
echo 'obj-m := probe.o' >"$check/Kbuild"
if ! make -s -C "$out" M="$check" modules >"$check/log" 2>&1 ||
	[[ ! -f $check/probe.ko ]] || grep -q WARNING "$check/log"; then
	cat "$check/log" >&2
	rm -rf "$check"
	die "building a test module against $out failed"
fi
rm -rf "$check"

echo "$stamp" >"$base/.stamp"
note "debug kernel ready in $((SECONDS - start)) s"
print_vars
