#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - dleasectl at work, run by `make demo` in the VM (module
# loaded, dleasectl in the current directory).  One "window" watches
# every lease event; the other runs commands under leases.
set -u
ctl=./dleasectl
fifo=/tmp/dlease-watch

say() {
	printf '\n== %s\n' "$*"
}

mkfifo "$fifo"
sed 's/^/        [watch] /' < "$fifo" &
sedpid=$!
$ctl watch > "$fifo" &
watchpid=$!
sleep 0.3

say "1. run: a command under a lease, its fencing token in \$DLEASE_TOKEN"
$ctl run --ttl 300ms report -- sh -c \
	'echo "[run 1] writing the report with token $DLEASE_TOKEN"; sleep 1' &
first=$!
sleep 0.2

say "2. run --nonblock on a held lease: exit 75 (EX_TEMPFAIL) at once"
$ctl run --nonblock report -- true
echo "[run 2] exit $?"

say "3. run --wait: queue behind the holder, run when it is done"
$ctl run --wait 5s report -- sh -c \
	'echo "[run 3] my turn, token $DLEASE_TOKEN"'
echo "[run 3] exit $?"
wait $first
echo "[run 1] exit $? (the keeper renewed its 300ms lease for a second)"

say "4. an administrator revokes a lease: its command is stopped, exit 79"
$ctl run --ttl 2s report -- sh -c 'echo "[run 4] working"; exec sleep 30' &
victim=$!
sleep 0.3
$ctl list
$ctl revoke report
wait $victim
echo "[run 4] exit $? (79: lease lost)"

say "5. what the kernel counted"
$ctl stats --top 3

sleep 0.2
kill "$watchpid"
wait "$watchpid" 2>/dev/null
wait "$sedpid" 2>/dev/null
rm -f "$fifo"
