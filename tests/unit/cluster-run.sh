#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs the cluster test suites for tools/dleased/cluster.mk and prints
# "cluster: N passed, N failed" last; exits non-zero on any failure.
#
#   cluster-run.sh unit BIN...
#   cluster-run.sh sim DLSIM SEEDS JOBS
#   cluster-run.sh mutation DLSIM-MUTANT...
#   cluster-run.sh fuzz FUZZER CORPUS SECONDS WORKDIR
#   cluster-run.sh all "UNIT_BINS" DLSIM SEEDS JOBS "MUTANTS" FUZZER CORPUS \
#                      SECONDS WORKDIR
set -u

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# count TAP results of the output in $log
count_tap() {
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	echo "# $1: $p passed, $f failed"
}

one() {
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $1"
	else
		failed=$((failed + 1))
		echo "not ok - $1"
	fi
}

run_unit() {
	for bin in "$@"; do
		"$bin" >"$log" 2>&1
		rc=$?
		cat "$log"
		count_tap "$(basename "$bin")"
		[ $rc -eq 0 ] || grep -q '^not ok ' "$log" ||
			one "$(basename "$bin") exit status $rc" 1
	done
}

run_sim() {
	"$1" "$2" "$3" >"$log" 2>&1
	rc=$?
	cat "$log"
	count_tap "simulator seeds $2"
	[ $rc -eq 0 ] || grep -q '^not ok ' "$log" ||
		one "simulator exit status $rc" 1
}

run_mutation() {
	for bin in "$@"; do
		name=$(basename "$bin")
		"$bin" --expect-fail 1-60 2 >"$log" 2>&1
		rc=$?
		grep -m1 '^# VIOLATION' "$log"
		one "$name: the checker catches the broken protocol" $rc
	done
}

run_fuzz() {
	mkdir -p "$4"
	"$1" -max_total_time="$3" -print_final_stats=1 "$4" "$2" \
		>"$log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' \
		"$log"
	[ $rc -eq 0 ] || tail -40 "$log"
	one "fuzz $(basename "$1") for $3 s: no crash, leak or UB" $rc
}

mode=$1
shift
case $mode in
unit)	run_unit "$@" ;;
sim)	run_sim "$@" ;;
mutation) run_mutation "$@" ;;
fuzz)	run_fuzz "$@" ;;
all)
	# shellcheck disable=SC2086
	run_unit $1
	run_sim "$2" "$3" "$4"
	# shellcheck disable=SC2086
	run_mutation $5
	run_fuzz "$6" "$7" "$8" "$9"
	;;
*)	echo "usage: $0 unit|sim|mutation|fuzz|all ..." >&2; exit 2 ;;
esac
echo "cluster: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
