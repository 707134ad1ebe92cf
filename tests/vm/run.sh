#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - run a command in a Debian kernel under QEMU (TCG) and judge it.
#
#   run.sh [-k SERIES | -K VMLINUZ -M MODDIR] [-t TIMEOUT_S] [-m MEM_MB]
#          [-a "kernel args"] [-l LOGFILE] [-x MODULE]... [-i]
#          -- PAYLOAD_DIR [COMMAND...]
#
# Builds an initramfs with static busybox, iproute2's ip and tc, the
# kernel's veth and sch_netem modules (plus -x MODULEs and all their
# dependencies) and PAYLOAD_DIR as /opt/dlease, boots it and runs COMMAND
# (its words joined, as with ssh) under 'sh -c' in /opt/dlease. The
# console log goes to stdout and to LOGFILE; checklog.sh then decides:
# exit status 0 only if COMMAND exited 0 and the kernel stayed clean.
#
# Inside the guest, busybox's shell runs its own applets first: call
# iproute2 as /sbin/ip and /sbin/tc. PATH is
# /opt/dlease:/sbin:/bin:/usr/sbin:/usr/bin and shared libraries of every
# ELF file in the payload are included (libraries found in the payload's
# lib/ or top directory stay there: LD_LIBRARY_PATH points at them).
#
# -i runs COMMAND (if any), then gives an interactive busybox shell on the
# console: no timeout, no log, no verdict; 'exit' powers off, Ctrl-A x
# kills QEMU.
#
# -k boots the series' uncompressed vmlinux through QEMU's PVH entry
# (kernel.sh); -K takes a bzImage or such an ELF vmlinux.
#
# Environment: DLEASE_CACHE (see kernel.sh), DLEASE_VM_CPU (QEMU -cpu,
# default max), DLEASE_VM_BZIMAGE=1 boots the compressed bzImage instead
# (slower; KASLR on), DLEASE_VM_KEEP=1 keeps the initramfs work directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"

usage() {
	cat >&2 <<EOF
usage: $VM_PROG [-k SERIES | -K VMLINUZ -M MODDIR] [-t TIMEOUT_S] [-m MEM_MB]
	[-a "kernel args"] [-l LOGFILE] [-x MODULE]... [-i]
	-- PAYLOAD_DIR [COMMAND...]
EOF
	exit 2
}

series='' vmlinuz='' moddir='' timeout=600 mem=1024 extra_args='' logfile=''
interactive='' modules=(veth sch_netem)
while getopts k:K:M:t:m:a:l:x:ih opt; do
	case $opt in
	k) series=$OPTARG ;;
	K) vmlinuz=$OPTARG ;;
	M) moddir=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	a) extra_args=$OPTARG ;;
	l) logfile=$OPTARG ;;
	x) modules+=("$OPTARG") ;;
	i) interactive=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[[ $# -ge 1 ]] || usage
payload=$1
shift
[[ -d $payload ]] || die "payload '$payload' is not a directory"
[[ -n $interactive || $# -gt 0 ]] || die "no COMMAND given (or use -i)"
[[ $timeout =~ ^[0-9]+$ && $mem =~ ^[0-9]+$ ]] || usage
command="$*"

need_cmd qemu-system-x86_64 qemu-system-x86
need_file /bin/busybox busybox-static
if ldd /bin/busybox >/dev/null 2>&1; then
	die "/bin/busybox is dynamically linked: apt-get install busybox-static"
fi
ip_bin=$(command -v ip || echo /sbin/ip)
tc_bin=$(command -v tc || echo /sbin/tc)
need_file "$ip_bin" iproute2
need_file "$tc_bin" iproute2
need_cmd ldd libc-bin
need_cmd xz xz-utils
need_cmd gzip gzip
need_cmd timeout coreutils
if command -v cpio >/dev/null; then
	cpio=(cpio --quiet -o -H newc -R 0:0)
else
	cpio=(/bin/busybox cpio -o -H newc)
fi

if [[ -n $vmlinuz || -n $moddir ]]; then
	[[ -f $vmlinuz && -d $moddir ]] ||
		die "-K needs a kernel image, -M its lib/modules/<kver>"
	kver=${moddir%/}
	kver=${kver##*/}
	series=${series:-$kver}
else
	series=${series:-6.1}
	KVER='' VMLINUZ='' VMLINUX='' MODDIR=''
	vars=$("$here/kernel.sh" "$series") || die "kernel.sh $series failed"
	eval "$vars"
	kver=$KVER vmlinuz=$VMLINUZ moddir=$MODDIR
	# The plain ELF boots ~3 s faster (see kernel.sh), without KASLR.
	[[ -n ${DLEASE_VM_BZIMAGE:-} || -z $VMLINUX ]] || vmlinuz=$VMLINUX
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dlease-vm.XXXXXX")
cleanup() {
	[[ -n ${DLEASE_VM_KEEP:-} ]] && note "kept $work" && return
	rm -rf "$work"
}
trap cleanup EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root}
mkdir -p "$root/opt/dlease" "$root/lib/modules/$kver"

# --- busybox, iproute2 and shared libraries --------------------------------

cp /bin/busybox "$root/bin/busybox"
while read -r applet; do
	[[ -e $root/$applet || -L $root/$applet ]] ||
		ln -s /bin/busybox "$root/$applet"
done < <(/bin/busybox --list-full)
rm -f "$root/sbin/ip" "$root/sbin/tc"
cp "$ip_bin" "$root/sbin/ip"
cp "$tc_bin" "$root/sbin/tc"
for dist in /usr/lib/x86_64-linux-gnu/tc/*.dist /usr/lib/tc/*.dist; do
	[[ -f $dist ]] || continue
	mkdir -p "$root${dist%/*}"
	cp "$dist" "$root$dist"
done

# The payload's own library directories, as on the host and in the guest.
lib_path_host="$payload/lib:$payload"
lib_path_guest=/opt/dlease/lib:/opt/dlease

# copy_libs ELF: copy the shared libraries and loader ELF needs into the
# same paths in the initramfs.
copy_libs() {
	local lib
	while read -r lib; do
		[[ -e $root$lib ]] && continue
		mkdir -p "$root${lib%/*}"
		cp -L "$lib" "$root$lib"
	done < <(LD_LIBRARY_PATH=$lib_path_host ldd "$1" 2>/dev/null |
		awk -v p="$payload" -v elf="$1" '
			$2 == "=>" && $3 == "not" {
				print "run.sh: warning: " $1 " not found for " elf > "/dev/stderr"
			}
			$2 == "=>" && $3 ~ /^\// && index($3, p) != 1 { print $3 }
			$1 ~ /^\// { print $1 }')
}

is_elf() {
	[[ $(head -c4 "$1" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]
}

copy_libs "$ip_bin"
copy_libs "$tc_bin"
cp -a "$payload/." "$root/opt/dlease/"
while IFS= read -r -d '' file; do
	is_elf "$file" && copy_libs "$file"
done < <(find "$payload" -type f -perm -u+x -print0)

# --- kernel modules ---------------------------------------------------------

# module_file NAME: the module's file in MODDIR ('-' and '_' are one).
module_file() {
	local alt=${1//_/-}
	find "$moddir" -type f \( -name "$1.ko*" -o -name "$alt.ko*" \) |
		grep -E -m1 "/($1|$alt)\.ko(\.xz|\.zst|\.gz)?$"
}

# unpack_module FILE DEST: busybox insmod cannot read compressed modules.
unpack_module() {
	case $1 in
	*.xz) xz -dc "$1" >"$2" ;;
	*.zst) need_cmd zstd zstd && zstd -qdc "$1" >"$2" ;;
	*.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}

# add_module NAME: the module after its dependencies, once.
declare -A module_done
load_order=()
add_module() {
	local name=${1//-/_} file dest dep
	[[ -z ${module_done[$name]:-} ]] || return 0
	module_done[$name]=1
	if ! file=$(module_file "$1"); then
		note "warning: module $1 not in $moddir (built in?)"
		return 0
	fi
	dest=$root/lib/modules/$kver/$name.ko
	unpack_module "$file" "$dest"
	for dep in $(tr '\0' '\n' <"$dest" | sed -n 's/^depends=//p' |
		head -n1 | tr ',' ' '); do
		add_module "$dep"
	done
	load_order+=("$name.ko")
}
for module in "${modules[@]}"; do
	add_module "$module"
done
printf '%s\n' "${load_order[@]}" >"$root/etc/dlease-modules"

# --- /etc and /init ---------------------------------------------------------

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf '127.0.0.1 localhost dlease-vm\n::1 localhost\n' >"$root/etc/hosts"
printf '%s\n' "$command" >"$root/etc/dlease-cmd"

cat >"$root/init" <<EOF
#!/bin/sh
# Generated by tests/vm/run.sh: set up the guest, run the command, report.
export PATH=/opt/dlease:/sbin:/bin:/usr/sbin:/usr/bin HOME=/root TERM=linux
export LD_LIBRARY_PATH=$lib_path_guest
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
hostname dlease-vm
/sbin/ip link set lo up
while read -r m; do
	[ -n "\$m" ] || continue
	insmod /lib/modules/$kver/\$m || echo "dlease-vm: warning: insmod \$m failed"
done </etc/dlease-modules
cd /opt/dlease
EOF
cat >>"$root/init" <<'EOF'
echo "DLEASE-VM-START"
sh -c "$(cat /etc/dlease-cmd)"
rc=$?
EOF
if [[ -n $interactive ]]; then
	cat >>"$root/init" <<'EOF'
echo "dlease-vm: command exited $rc; exit the shell to power off"
setsid cttyhack sh -l
rc=$?
EOF
fi
cat >>"$root/init" <<'EOF'
echo "DLEASE-VM-TAINT: $(cat /proc/sys/kernel/tainted)"
echo "DLEASE-VM-EXIT: $rc"
poweroff -f
echo o >/proc/sysrq-trigger
EOF
chmod 0755 "$root/init"

initrd=$work/initrd.cpio.gz
(cd "$root" && find . | "${cpio[@]}") | gzip -1 >"$initrd"
note "initramfs $(du -k "$initrd" | cut -f1) KiB, kernel $kver"

# --- boot -------------------------------------------------------------------

qemu=(qemu-system-x86_64 -accel tcg -cpu "${DLEASE_VM_CPU:-max}" -smp 2
	-m "$mem" -nodefaults -no-reboot -display none
	-kernel "$vmlinuz" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 panic_on_warn=0 printk.devkmsg=on $extra_args")

if [[ -n $interactive ]]; then
	exec "${qemu[@]}" -serial mon:stdio
fi

if [[ -z $logfile ]]; then
	logfile=$(mktemp "${TMPDIR:-/tmp}/dlease-vm-$series.XXXXXX.log")
fi
note "console log: $logfile"
# boot LOG: one boot; sets status (QEMU's exit status).
boot() {
	status=0
	# --foreground: QEMU stays in our process group and so gets Ctrl-C.
	timeout --foreground -k 5 "$timeout" "${qemu[@]}" -serial stdio \
		</dev/null | sed -u 's/\r$//' | tee "$1" || status=${PIPESTATUS[0]}
}
start=$SECONDS
boot "$logfile"
# A kernel that dies before the command starts (no DLEASE-VM-START: our
# module is not loaded yet) is booted once more: under TCG on a loaded
# host, the boot-time text patching of Debian kernels has been seen to
# trip over its own int3 ("Oops: int3" in sched_clock_cpu). The first
# log is kept next to the second.
if ! grep -q '^DLEASE-VM-START' "$logfile" &&
   grep -qE 'Oops|Kernel panic|BUG:' "$logfile"; then
	mv "$logfile" "$logfile.boot1"
	note "the kernel died before the command started (log: $logfile.boot1); booting once more"
	boot "$logfile"
fi
if [[ $status -eq 124 || $status -eq 137 ]]; then
	note "timeout: the VM did not finish within $timeout s, killed"
elif [[ $status -ne 0 ]]; then
	note "qemu exited with status $status"
fi
note "VM ran $((SECONDS - start)) s, log: $logfile"
"$here/checklog.sh" -s "$series" "$logfile" && [[ $status -eq 0 ]]
