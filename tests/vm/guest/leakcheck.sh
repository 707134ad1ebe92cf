#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# leakcheck.sh COMMAND... - run COMMAND inside the VM under kmemleak.
#
# For the debug kernel (booted with kmemleak=on, debugfs mounted by /init).
# Leaks that exist before COMMAND (boot time) are scanned for and set
# aside with 'clear'; then COMMAND runs and kmemleak scans twice: an
# object is reported only once it is old enough (5 s) and its contents
# did not change since the previous scan. Reports are printed as kmemleak
# writes them ("unreferenced object 0x..."), which checklog.sh fails the
# run on; a leak also makes the exit status 1. Exits with COMMAND's status
# otherwise.
set -u

kmemleak=/sys/kernel/debug/kmemleak

fail() {
	echo "leakcheck.sh: FAIL: $*"
	exit 1
}

scan() {
	echo scan >"$kmemleak" || fail "kmemleak scan failed (disabled itself?)"
}

[ -w "$kmemleak" ] ||
	fail "no $kmemleak: kernel without DEBUG_KMEMLEAK or booted kmemleak=off"

start=$(cut -d. -f1 /proc/uptime)
scan
scan
echo clear >"$kmemleak" || fail "kmemleak clear failed"
echo "# kmemleak: boot-time objects set aside in $(($(cut -d. -f1 /proc/uptime) - start)) s"

"$@"
rc=$?

start=$(cut -d. -f1 /proc/uptime)
sleep 5
scan
scan
leaks=$(cat "$kmemleak")
count=$(printf '%s\n' "$leaks" | grep -c '^unreferenced object')
echo "# kmemleak: $count leak(s) after the tests, scans took $(($(cut -d. -f1 /proc/uptime) - start)) s"
if [ "$count" -ne 0 ]; then
	printf '%s\n' "$leaks"
	rc=1
fi
exit $rc
