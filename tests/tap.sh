# SPDX-License-Identifier: GPL-2.0
#
# tap.sh - sourced by the host-side test runners (tests/user/run-unit.sh,
# tests/daemon/run.sh, tests/unit/cluster-run.sh): run programs that print
# TAP, add up their results and end with "LABEL: N passed, N failed".
# POSIX sh. Sets passed, failed and tap_log (a scratch file, removed at
# exit).

passed=0
failed=0
tap_log=$(mktemp)
trap 'rm -f "$tap_log"' EXIT

# tap_one WHAT RC: one result of the runner's own, ok if RC is 0.
tap_one() {
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $1"
	else
		failed=$((failed + 1))
		echo "not ok - $1"
	fi
}

# tap_run WHAT CMD...: run CMD, print its output and count its "ok" and
# "not ok" lines; a non-zero exit without a failed test is one failure
# more (a crash, a timeout).
tap_run() {
	tap_what=$1
	shift
	"$@" >"$tap_log" 2>&1
	tap_rc=$?
	cat "$tap_log"
	tap_p=$(grep -c '^ok ' "$tap_log")
	tap_f=$(grep -c '^not ok ' "$tap_log")
	passed=$((passed + tap_p))
	failed=$((failed + tap_f))
	echo "# $tap_what: $tap_p passed, $tap_f failed"
	[ "$tap_rc" -eq 0 ] || [ "$tap_f" -gt 0 ] ||
		tap_one "$tap_what exit status $tap_rc" 1
}

# tap_total LABEL: the last line; fails if anything failed.
tap_total() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
