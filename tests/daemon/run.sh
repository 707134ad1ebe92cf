#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of dleased (no VM): configuration rejections and key
# file checks, then a 3-daemon cluster on 127.0.0.1. Prints
# "dleased: N passed, N failed" last; exits non-zero on any failure.
#
#   run.sh BUILD_DIR      (BUILD_DIR holds dleased and dleased-forge)
set -u

dir=$(dirname "$0")
build=$1
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in config_test.py cluster_test.py; do
	[ -f "$dir/$t" ] || continue
	timeout 300 python3 "$dir/$t" "$build/dleased" "$build/dleased-forge" \
		>"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $t exit status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "dleased: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
