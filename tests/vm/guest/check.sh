#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - the dlease kernel suite, run inside the VM from /opt/dlease.
#
# Loads dlease.ko, runs every kselftest binary (*_test) of the payload,
# checks that rmmod is refused while a session is open and that the module
# unloads cleanly once every session is closed; reports slab usage before
# loading and after unloading.
# Exits non-zero on the first failure of its own checks; test failures
# are judged from the KTAP output by the host (checklog.sh).
set -u

fail() {
	echo "check.sh: FAIL: $*"
	exit 1
}

slab_kb() {
	sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

before=$(slab_kb)
insmod ./dlease.ko ${DLEASE_MODPARAMS:-} || fail "insmod dlease.ko"
[ -c /dev/dlease ] || fail "/dev/dlease missing after insmod"
echo "# dlease $(cat /sys/module/dlease/version) on $(uname -r)"

rc=0
for t in ./*_test; do
	echo "# running $t"
	"$t" || rc=1
done

# rmmod must be refused while a session is open.
exec 3<>/dev/dlease
if rmmod dlease 2>/dev/null; then
	fail "rmmod succeeded with a session open"
fi
exec 3>&-

# A lease left behind makes kmem_cache_destroy() complain ("Slab cache
# still has objects"), which fails the run on the host.
rmmod dlease || fail "rmmod dlease with no session open"
[ -e /dev/dlease ] && fail "/dev/dlease still there after rmmod"
grep -q '^dlease_lease ' /proc/slabinfo && fail "lease cache left after rmmod"
after=$(slab_kb)
echo "# slab: ${before} kB before insmod, ${after} kB after rmmod"
exit $rc
