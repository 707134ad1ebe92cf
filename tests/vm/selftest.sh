#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftest.sh [SERIES...] - prove the VM harness tells good runs from bad.
#
# First checks checklog.sh on made-up logs (no VM), then boots each kernel
# series (default: 6.1 6.12) with four payloads, in parallel, and expects:
#   ok     'true'                          -> pass
#   exit3  'exit 3'                        -> fail: exit status
#   warn   a fake WARNING written to kmsg  -> fail: kernel problem
#   ktap   KTAP with a 'not ok', exit 0    -> fail: KTAP result
#   module insmod/rmmod of a trivial out-of-tree module built against the
#          cached headers                  -> pass (taint O and E allowed)
# Each failure must be for the expected reason, not just any.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"

series_list=("$@")
[[ ${#series_list[@]} -gt 0 ]] || series_list=(6.1 6.12)
work=$(mktemp -d "${TMPDIR:-/tmp}/dlease-vm-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

result() {
	if [[ $1 == ok ]]; then
		passed=$((passed + 1))
		echo "ok: $2"
	else
		failed=$((failed + 1))
		echo "FAILED: $2"
	fi
}

# expect_log NAME WANT_RC REASON LOG: checklog.sh on LOG exits WANT_RC and,
# when failing, names REASON.
expect_log() {
	local rc=0
	"$here/checklog.sh" -s selftest "$4" >"$work/out" 2>&1 || rc=$?
	if [[ $rc -eq $2 ]] && grep -q -e "$3" "$work/out"; then
		result ok "checklog $1"
	else
		result fail "checklog $1 (rc $rc, wanted $2 and '$3'):"
		sed 's/^/    /' "$work/out"
	fi
}

# --- checklog.sh on made-up logs ---------------------------------------------

log=$work/log
printf 'x\r\nDLEASE-VM-TAINT: 12288\r\nDLEASE-VM-EXIT: 0\r\n' >"$log"
expect_log clean-OE-taint 0 '1 passed, 0 failed' "$log"
printf 'DLEASE-VM-EXIT: 0\nDLEASE-VM-EXIT: 3\n' >"$log"
expect_log last-marker-wins 1 'status 3' "$log"
printf 'no marker\n' >"$log"
expect_log no-marker 1 'no .DLEASE-VM-EXIT' "$log"
printf '[ 1.0] KASAN: KernelAddressSanitizer initialized\nDLEASE-VM-EXIT: 0\n' >"$log"
expect_log benign-line 0 '0 failed' "$log"
printf '[ 2.0] suspicious RCU usage.\nDLEASE-VM-EXIT: 0\n' >"$log"
expect_log rcu-splat 1 'kernel reported problems' "$log"
printf 'CPU: 1 PID: 5 Comm: t Tainted: G        W  OE      6.1.0 #1\nDLEASE-VM-EXIT: 0\n' >"$log"
expect_log taint-W 1 "flags 'W'" "$log"
printf 'DLEASE-VM-TAINT: 12289\nDLEASE-VM-EXIT: 0\n' >"$log"
expect_log taint-P 1 "('POE')" "$log"
printf 'TAP version 13\n1..3\nok 1 a\nok 2 b # SKIP x\nnot ok 3 c # TODO\nDLEASE-VM-EXIT: 0\n' >"$log"
expect_log ktap-skip-todo 0 '2 passed, 0 failed, 1 skipped' "$log"
printf 'TAP version 13\n1..2\n# TAP version 13\n# 1..2\n# ok 1 a\nDLEASE-VM-EXIT: 0\n' >"$log"
expect_log ktap-short-plan 1 'plan 1..2 at level "# " but 1 results' "$log"
printf '%s\n' 'TAP version 13' '1..2' 'ok 1 a' 'ok 2 b' \
	'# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' \
	'TAP version 13' '1..1' 'ok 1 c # SKIP' \
	'# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0' \
	'DLEASE-VM-EXIT: 0' >"$log"
expect_log ktap-totals 0 '2 passed, 0 failed, 1 skipped' "$log"

# --- real boots ---------------------------------------------------------------

# build_module SERIES DIR: a trivial module for SERIES in DIR/hello.ko.
build_module() {
	local KDIR=''
	eval "$("$here/kernel.sh" "$1" | grep '^KDIR=')"
	mkdir -p "$2"
	printf '%s\n' '#include <linux/module.h>' \
		'static int __init hello_init(void) { return 0; }' \
		'static void __exit hello_exit(void) { }' \
		'module_init(hello_init);' 'module_exit(hello_exit);' \
		'MODULE_LICENSE("GPL");' >"$2/hello.c"
	echo 'obj-m := hello.o' >"$2/Kbuild"
	make -s -C "$KDIR" M="$2" modules >"$2/build.log" 2>&1 ||
		die "building hello.ko for $1 failed: $(cat "$2/build.log")"
}

mkdir -p "$work/payload"
# shellcheck disable=SC2016 # the commands are expanded in the guest
declare -A cmd=(
	[ok]='true'
	[exit3]='exit 3'
	[warn]='echo "WARNING: CPU: 0 PID: 1 at foo" >/dev/kmsg'
	[ktap]='printf "TAP version 13\n1..1\nnot ok 1 fake\n"'
	[module]='insmod hello.ko && rmmod hello && [ $(($(cat /proc/sys/kernel/tainted) & 4096)) -ne 0 ]'
)
declare -A want=(
	[ok]='1 passed, 0 failed'
	[exit3]='exited with status 3'
	[warn]='kernel reported problems'
	[ktap]='KTAP result(s) not ok'
	[module]='1 passed, 0 failed'
)
for series in "${series_list[@]}"; do
	build_module "$series" "$work/module-$series"
done
start=$SECONDS
declare -A pid
for series in "${series_list[@]}"; do
	for name in "${!cmd[@]}"; do
		payload=$work/payload
		[[ $name != module ]] || payload=$work/module-$series
		"$here/run.sh" -k "$series" -t 300 -l "$work/$series-$name.log" \
			-- "$payload" "${cmd[$name]}" \
			>"$work/$series-$name.out" 2>&1 &
		pid[$series-$name]=$!
	done
done
for series in "${series_list[@]}"; do
	for name in "${!cmd[@]}"; do
		rc=0
		wait "${pid[$series-$name]}" || rc=$?
		case $name in
		ok | module) want_rc=0 ;;
		*) want_rc=1 ;;
		esac
		if [[ $rc -eq $want_rc ]] &&
			grep -qF -e "${want[$name]}" "$work/$series-$name.out"; then
			result ok "vm $series $name"
		else
			result fail "vm $series $name (rc $rc, wanted $want_rc and '${want[$name]}'):"
			tail -n 15 "$work/$series-$name.out" | sed 's/^/    /'
		fi
	done
done
note "$(( ${#series_list[@]} * ${#cmd[@]} )) boots in $((SECONDS - start)) s"
echo "vm-selftest: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
