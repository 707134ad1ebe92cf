#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# cluster-demo.sh - the cluster act of `make demo`, in the VM: three hosts
# (network namespaces with 5 ms of netem delay each way), each with its
# own dleased registered as the kernel bridge of its namespace. A lease
# moves between them in the order they asked, with a fencing token that
# only grows; then the holding host's dleased is killed, its kernel ends
# the lease (fail closed), and the lease moves on. The story is told from
# the kernels' own events (`dleasectl watch --json` in every host).
# Exits non-zero if the story does not happen as told.
set -u

D=/tmp/dlc-demo
PLAN=0
SUITE=demo
. ./lib.sh

T0=0

# timeline NAME: the kernels' events of NAME, time relative to T0, the
# renewals counted rather than listed
timeline() {
	events "$1" 1 2 3 | awk -v t0="$T0" '
	$3 == "renewed" { renewals[$2]++; next }
	{
		printf "    %+8.3f s  host %s  %-8s", ($1 - t0) / 1e9, $2, $3
		if ($3 == "granted" || $3 == "renewed")
			printf "  token %s, until %+.3f s", $4, ($5 - t0) / 1e9
		printf "\n"
	}
	END {
		for (h in renewals)
			printf "    (host %s renewed its lease %d times)\n", h, renewals[h]
	}'
}

die() {
	echo "cluster demo: $*" >&2
	exit 1
}

trap cleanup EXIT
rm -rf "$D" && mkdir -p "$D/pids" && head -c 32 /dev/urandom > "$D/key" &&
	chmod 600 "$D/key" || die "cannot set up $D"

echo
echo "=== The cluster act: three hosts, one lease ==="
net_up 3 || die "network setup failed"
for h in 1 2 3; do
	netem "$h" delay 5ms || die "netem failed"
done
cluster_up 3 7 || die "a dleased did not start"
echo "hosts h1, h2, h3: network namespaces, 5 ms delay on each link end,"
echo "each with its own dleased (the kernel bridge of its namespace)."
echo "They wait out the restart silence (max-time + 2 epsilon) first."
$IP netns exec h1 ./dleasectl run --cluster --ttl 1s --wait 30s warm-up -- true ||
	die "no grant after the restart silence"
echo
T0=$(now_ns)

echo "h1 takes lease 'db' and works for 1 s; h2 asks 0.3 s later, h3 0.6 s"
echo "later (dleasectl run --cluster db -- CMD; CMD sees DLEASE_TOKEN):"
for h in 1 2 3; do
	$IP netns exec "h$h" ./dleasectl run --cluster --ttl 1s --wait 30s \
		db -- sh -c "echo \"    h$h: working with fencing token \$DLEASE_TOKEN\"; sleep 1" &
	sleep 0.3
done
for h in 1 2 3; do
	wait_event db "$h" released 1 30 || die "h$h never got the lease"
done
echo "What the three kernels recorded:"
timeline db
bad=$(check_holds db 3 1 2 3)
[ -z "$bad" ] || die "$bad"
order=$(events db 1 2 3 | awk '$3 == "granted" { printf "%s", $2 }')
[ "$order" = 123 ] || die "granted in the order $order, not 123"
echo "One holder at a time, in the order they asked, tokens rising."
echo

echo "Now h1 takes lease 'job' for a long job and h2 waits; then h1's dleased is"
echo "killed (kill -9). h1's kernel can no longer renew: it ends the lease"
echo "at the cluster's expiry less epsilon and the margin, and the others"
echo "grant it only after the cluster's expiry plus epsilon."
T0=$(now_ns)
$IP netns exec h1 ./dleasectl run --cluster --ttl 1s --wait 30s job -- \
	sh -c 'echo "    h1: long job with token $DLEASE_TOKEN"; sleep 60' &
wait_event job 1 granted 1 10 || die "h1 was not granted 'job'"
$IP netns exec h2 ./dleasectl run --cluster --ttl 1s --wait 30s job -- \
	sh -c 'echo "    h2: took over with token $DLEASE_TOKEN"' &
sleep 1.5
kill -9 "$(cat "$D/pids/dleased1")"
rm -f "$D/pids/dleased1"
kill_at=$(now_ns)
echo "    $(awk -v t="$kill_at" -v t0="$T0" 'BEGIN { printf "%+8.3f s", (t - t0) / 1e9 }')  kill -9 of h1's dleased"
wait_event job 2 released 1 15 || die "h2 never got 'job'"
echo "What the kernels recorded:"
timeline job
lost=$(events job 1 | awk '$3 == "expired" || $3 == "revoked" { print $1; exit }')
got=$(first job 2 granted)
[ -n "$lost" ] && [ -n "$got" ] && [ "$got" -gt "$lost" ] ||
	die "h2 granted at ${got:-never}, h1 lost it at ${lost:-never}"
echo "h1 lost the lease $(( (lost - kill_at) / 1000000 )) ms after its daemon died;"
echo "h2 was granted $(( (got - lost) / 1000000 )) ms after that, with a larger token."
echo
echo "=== end of the cluster act ==="
