#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checklog.sh [-s SERIES] LOGFILE - judge the console log of a VM run.
#
# The run fails unless /init's exit marker is there with status 0, and it
# fails on any kernel problem report, on any taint beyond O (out-of-tree
# module) and E (unsigned module), and on KTAP/TAP results that are
# 'not ok' or do not add up to their plan. Prints the reasons on stderr
# and, last, one summary line on stdout:
#
#   vm(SERIES): N passed, N failed[, N skipped]
#
# Counts come from kselftest '# Totals:' lines when there are any, else
# from the outermost TAP results, else the run counts as one test. A run
# that fails for any reason never reports '0 failed'.
#
# This is the one place that knows what a bad kernel log looks like; run
# it on the log of any kernel run (a debug kernel's included).
set -euo pipefail

# Extended regexes; a line matching one of them fails the run...
VM_LOG_BAD=(
	'WARNING:'
	'BUG:'
	'kernel BUG at'
	'Oops'
	'Kernel panic'
	'inconsistent lock state'
	'possible circular locking'
	'possible recursive locking'
	'suspicious RCU usage'
	'KASAN'
	'UBSAN'
	'unreferenced object 0x'
	'suspected memory leak'
	'list_(add|del) corruption'
	'list_add double add'
	'INFO: trying to register non-static key'
	'kmemleak: .*(disabled|Cannot allocate|Failed to create)'
	'ODEBUG'
	'sleeping function called from invalid context'
	'general protection fault'
	'stack-protector'
	'hung_task'
	'blocked for more than [0-9]+ seconds'
	'RCU stall'
	'detected stalls? on CPU'
	'unregister_netdevice: waiting for'
	'Slab cache still has objects'
	'Objects remaining'
)
# ...unless it also matches one of these (debug kernels announce
# themselves with such lines).
VM_LOG_BENIGN=(
	'KASAN: KernelAddressSanitizer initialized'
	'kmemleak: Kernel memory leak detector initialized'
)
# Taint letters by bit (kernel/panic.c); O and E are expected.
VM_TAINT_LETTERS=PFSRMBUDAWCIOELKXTNJ
VM_TAINT_OK_MASK=$(((1 << 12) | (1 << 13)))
VM_EXIT_MARKER='DLEASE-VM-EXIT: '
VM_TAINT_MARKER='DLEASE-VM-TAINT: '

series=vm
while getopts s: opt; do
	case $opt in
	s) series=$OPTARG ;;
	*) echo "usage: ${0##*/} [-s SERIES] LOGFILE" >&2 && exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[[ $# -eq 1 && -r $1 ]] || {
	echo "usage: ${0##*/} [-s SERIES] LOGFILE" >&2
	exit 2
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
tr -d '\r' <"$1" >"$log"
problems=0

problem() {
	printf 'vm(%s): FAIL: %s\n' "$series" "$*" >&2
	problems=$((problems + 1))
}

# 1. Exit marker: the last one wins (a payload could print its own).
rc=$(sed -n "s/^.*$VM_EXIT_MARKER\([0-9]\{1,3\}\)\$/\1/p" "$log" | tail -n1)
if [[ -z $rc ]]; then
	problem "no '${VM_EXIT_MARKER% }' marker: the VM died, hung or timed out"
elif [[ $rc -ne 0 ]]; then
	problem "the test command exited with status $rc"
fi

# 2. Kernel problem reports.
bad=$(printf '%s\n' "${VM_LOG_BAD[@]}")
benign=$(printf '%s\n' "${VM_LOG_BENIGN[@]}")
hits=$(grep -E -e "$bad" "$log" | grep -v -E -e "$benign" || true)
if [[ -n $hits ]]; then
	problem "kernel reported problems:"
	printf '%s\n' "$hits" | head -n 20 | sed 's/^/    /' >&2
fi

# 3. Taint: in oops/WARN headers ("Tainted: G        W  OE  6.1.0-...")
# and in the value /init reads from /proc/sys/kernel/tainted at the end.
taints=$(sed -n 's/^.*Tainted: \([A-Z ]*\).*$/\1/p' "$log" |
	tr -d ' \nG' | fold -w1 | sort -u | grep -v '^[OE]$' | tr -d '\n' || true)
[[ -z $taints ]] || problem "kernel tainted with flags '$taints' (only O, E expected)"
taint=$(sed -n "s/^.*$VM_TAINT_MARKER\([0-9]*\)\$/\1/p" "$log" | tail -n1)
if [[ -n $taint ]] && ((taint & ~VM_TAINT_OK_MASK)); then
	flags=
	for ((bit = 0; bit < ${#VM_TAINT_LETTERS}; bit++)); do
		((taint & (1 << bit))) && flags+=${VM_TAINT_LETTERS:bit:1}
	done
	problem "kernel taint $taint ('$flags'): only O, E expected"
fi

# 4. KTAP/TAP. The prefix (indentation and '# ' nesting of kselftest
# runners) tells the levels apart; each plan must match the number of
# results at its own level. 'not ok ... # SKIP|TODO' is no failure.
read -r ktap pass fail skip notok plan_bad < <(awk '
function finish(p) {
	if (p in plan && plan[p] != nres[p]) {
		printf "plan 1..%d at level \"%s\" but %d results\n", \
			plan[p], p, nres[p] > "/dev/stderr"
		planbad++
	}
	delete plan[p]
	nres[p] = 0
}
{
	match($0, /^[ \t#]*/)
	p = substr($0, 1, RLENGTH)
	rest = substr($0, RLENGTH + 1)
}
rest ~ /^K?TAP version [0-9]+/ { ktap = 1; finish(p); next }
rest ~ /^1\.\.[0-9]+/ {
	n = substr(rest, 4) + 0
	if (p in plan) {
		finish(p)
	} else if (nres[p] > 0) {
		plan[p] = n
		finish(p)
		next
	}
	plan[p] = n
	nres[p] = 0
	next
}
rest ~ /^(not )?ok( |$)/ {
	nres[p]++
	directive = rest ~ /#[ \t]*(SKIP|skip|TODO|todo)/
	isnot = rest ~ /^not /
	if (isnot && !directive) {
		print "not ok: " $0 > "/dev/stderr"
		notok++
	}
	if (!hasdepth || length(p) < length(depth)) {
		hasdepth = 1; depth = p; tp = tf = ts = 0
	}
	if (p == depth) {
		if (rest ~ /#[ \t]*(SKIP|skip)/) ts++
		else if (isnot && !directive) tf++
		else tp++
	}
	next
}
rest ~ /^Totals: pass:[0-9]+ fail:[0-9]+/ {
	if (!totals || length(p) < length(tdepth)) {
		tdepth = p; sp = sf = ss = 0
	}
	if (p != tdepth) next
	for (i = 2; i <= NF; i++) {
		split($i, kv, ":")
		if (kv[1] == "pass" || kv[1] == "xfail") sp += kv[2]
		else if (kv[1] == "fail" || kv[1] == "error" || kv[1] == "xpass") sf += kv[2]
		else if (kv[1] == "skip") ss += kv[2]
	}
	totals = 1
}
END {
	for (p in plan) finish(p)
	if (totals) print ktap + 0, sp, sf, ss, notok + 0, planbad + 0
	else print ktap + 0, tp + 0, tf + 0, ts + 0, notok + 0, planbad + 0
}' "$log")

if [[ $ktap -eq 1 || $pass -gt 0 || $fail -gt 0 ]]; then
	[[ $notok -eq 0 ]] || problem "$notok KTAP result(s) not ok"
	[[ $plan_bad -eq 0 ]] || problem "$plan_bad KTAP plan(s) not matched (a test crashed or hung?)"
	# A failed run must never read '0 failed'.
	if [[ $problems -gt 0 && $fail -eq 0 ]]; then
		fail=1
	fi
else
	pass=$((problems == 0)) fail=$((problems > 0)) skip=0
fi

summary="vm($series): $pass passed, $fail failed"
[[ $skip -eq 0 ]] || summary+=", $skip skipped"
echo "$summary"
[[ $problems -eq 0 ]]
