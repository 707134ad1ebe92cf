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

. "$(dirname "$0")/../tap.sh"

run_unit() {
	for bin in "$@"; do
		tap_run "$(basename "$bin")" "$bin"
	done
}

run_sim() {
	tap_run "simulator seeds $2" "$1" "$2" "$3"
}

run_mutation() {
	for bin in "$@"; do
		name=$(basename "$bin")
		"$bin" --expect-fail 1-60 2 >"$tap_log" 2>&1
		rc=$?
		grep -m1 '^# VIOLATION' "$tap_log"
		tap_one "$name: the checker catches the broken protocol" $rc
	done
}

run_fuzz() {
	mkdir -p "$4"
	"$1" -max_total_time="$3" -print_final_stats=1 "$4" "$2" \
		>"$tap_log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' \
		"$tap_log"
	[ $rc -eq 0 ] || tail -40 "$tap_log"
	tap_one "fuzz $(basename "$1") for $3 s: no crash, leak or UB" $rc
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
tap_total cluster
