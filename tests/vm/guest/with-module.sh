#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# with-module.sh CMD [ARGS] - inside the VM: load dlease.ko, run CMD,
# unload.  Used by `make demo` and `make bench`.
set -e
insmod ./dlease.ko
echo "# dlease $(cat /sys/module/dlease/version) on $(uname -r), $(nproc) CPUs"
rc=0
"$@" || rc=$?
rmmod dlease
exit $rc
