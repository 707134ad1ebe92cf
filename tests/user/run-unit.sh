#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-unit.sh BIN... - run the host-side unit tests of libdlease and
# dleasectl, print their TAP, and end with "user: N passed, N failed".
# A binary that crashes or exits non-zero without a failed test counts as
# one failure more.
passed=0
failed=0
for bin in "$@"; do
	echo "# $bin"
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $bin exited $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "user: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
