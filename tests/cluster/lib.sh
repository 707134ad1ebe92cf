# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - hosts, network, daemons and the kernel's record for the
# multi-host tests (cluster_netns_test, chaos_test), sourced by them from
# the payload directory in the VM. POSIX sh for busybox.
#
# The sourcing script sets, before sourcing:
#   D      its work directory (key, configurations, state, logs, pids/)
#   PLAN   the number of KTAP results it prints
#   SUITE  the prefix of its results ("cluster", "chaos")
# and may set LEASE_MAX_TIME, LEASE_EPSILON, LEASE_MSG_TIMEOUT (the
# [lease] section of every daemon's configuration).
#
# Host i is the network namespace "hi" at 10.9.i.2, behind 10.9.i.1 on the
# root namespace's "vi": a routed star. Every process the tests start in
# the background has its pid in $D/pids/, so cleanup can end it.

IP=/sbin/ip
TC=/sbin/tc
PORT=7411
: "${LEASE_MAX_TIME:=2s}"
: "${LEASE_EPSILON:=100ms}"
: "${LEASE_MSG_TIMEOUT:=250ms}"
# the namespaces made so far, for cleanup
NETNS=
n=0
pass=0
fail=0

say() { echo "# $*"; }

# result RC DESCRIPTION [WHAT WENT WRONG]: one KTAP line.
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok $n - $SUITE: $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $SUITE: $2"
		[ -n "${3:-}" ] && echo "$3" | sed 's/^/# /'
	fi
}

finish() {
	while [ "$n" -lt "$PLAN" ]; do
		result 1 "not reached (an earlier step failed)"
	done
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
	exit 0
}

now_ns() {
	awk '/^now at/ { print $3; exit }' /proc/timer_list
}

hosts() {
	i=1
	while [ "$i" -le "$1" ]; do
		echo "$i"
		i=$((i + 1))
	done
}

cleanup() {
	for f in "$D"/pids/*; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	sleep 0.2
	for ns in $NETNS; do
		$IP netns del "$ns" 2>/dev/null
	done
}

# --- the network ------------------------------------------------------------

# link_up NS DEV NET: namespace NS at 10.9.NET.2 behind 10.9.NET.1 on the
# root namespace's DEV.
link_up() {
	$IP netns add "$1" || return 1
	NETNS="$NETNS $1"
	$IP link add "$2" type veth peer name eth0 netns "$1" &&
	$IP addr add "10.9.$3.1/24" dev "$2" &&
	$IP link set "$2" up &&
	$IP -n "$1" addr add "10.9.$3.2/24" dev eth0 &&
	$IP -n "$1" link set eth0 up &&
	$IP -n "$1" link set lo up &&
	$IP -n "$1" route add default via "10.9.$3.1"
}

# net_up N: hosts h1..hN.
net_up() {
	echo 1 > /proc/sys/net/ipv4/ip_forward
	for h in $(hosts "$1"); do
		link_up "h$h" "v$h" "$h" || return 1
	done
}

# netem H ARGS: netem on both ends of host H's link ("off" removes it).
netem() {
	h=$1
	shift
	if [ "$1" = off ]; then
		$TC qdisc del dev "v$h" root 2>/dev/null
		$TC -n "h$h" qdisc del dev eth0 root 2>/dev/null
		return 0
	fi
	$TC qdisc replace dev "v$h" root netem "$@" &&
	$TC -n "h$h" qdisc replace dev eth0 root netem "$@"
}

# --- the daemons ------------------------------------------------------------

# conf N H CLUSTER: the configuration of host H in an N-host cluster.
conf() {
	cat <<-EOF
	[node]
	id = $2
	cluster = $3
	listen = 10.9.$2.2:$PORT
	key-file = $D/key
	state-directory = $D/h$2
	control-socket = $D/h$2/control
	kernel-bridge = yes
	[peers]
	EOF
	for p in $(hosts "$1"); do
		[ "$p" = "$2" ] || echo "$p = 10.9.$p.2:$PORT"
	done
	cat <<-EOF
	[lease]
	max-time = $LEASE_MAX_TIME
	epsilon = $LEASE_EPSILON
	message-timeout = $LEASE_MSG_TIMEOUT
	EOF
}

# start H: start host H's daemon and, once, its event watcher.
start() {
	$IP netns exec "h$1" ./dleased -c "$D/h$1.conf" \
		2>>"$D/h$1/log" &
	echo $! > "$D/pids/dleased$1"
	i=0
	until ./dleasectl cluster --socket "$D/h$1/control" >/dev/null 2>&1
	do
		i=$((i + 1))
		[ "$i" -gt 100 ] && return 1
		sleep 0.05
	done
	i=0
	until ./dleasectl cluster --socket "$D/h$1/control" --json |
		grep -q '"kernel-bridge":{"state":"registered"'
	do
		i=$((i + 1))
		[ "$i" -gt 100 ] && return 1
		sleep 0.05
	done
	[ -f "$D/pids/watch$1" ] && return 0
	$IP netns exec "h$1" ./dleasectl watch --json >> "$D/h$1/ev" &
	echo $! > "$D/pids/watch$1"
}

# cluster_up N CLUSTER: fresh state, configurations and daemons.
cluster_up() {
	for h in $(hosts "$1"); do
		rm -rf "$D/h$h" && mkdir -p "$D/h$h" &&
		conf "$1" "$h" "$2" > "$D/h$h.conf" && start "$h" || return 1
	done
}

stop_all() {
	for f in "$D"/pids/*; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
	sleep 0.3
}

# --- the record -------------------------------------------------------------

# events NAME HOSTS...: "time host event token expires session/id" of
# NAME, by time.
events() {
	name=$1
	shift
	for h in "$@"; do
		awk -v h="$h" -v name="$name" '
		function f(k,	v) {
			if (!match($0, "\"" k "\":\"?[^,\"}]*"))
				return ""
			v = substr($0, RSTART, RLENGTH)
			sub(/^"[^"]*":"?/, "", v)
			return v
		}
		f("name") == name {
			print f("time_ns"), h, f("event"), f("token"),
			      f("expires_ns"), f("session") "/" f("id")
		}' "$D/h$h/ev"
	done | sort -n
}

# wait_event NAME HOST EVENT COUNT SECONDS: until HOST saw COUNT of them.
wait_event() {
	i=0
	while [ "$(events "$1" "$2" | grep -c " $3 ")" -lt "$4" ]; do
		i=$((i + 1))
		[ "$i" -gt $(($5 * 20)) ] && return 1
		sleep 0.05
	done
}

# first NAME HOST EVENT: the time of the first such event ("" if none).
first() {
	events "$1" "$2" | awk -v e="$3" '$3 == e { print $1; exit }'
}

# holds NAME HOSTS...: the holds as "start end host token", by start; a
# hold ends with released, expired or revoked of the same lease (end 0:
# never ended).
holds() {
	events "$@" | awk '
	{ l = $2 " " $6 }
	$3 == "granted" { start[l] = $1; host[l] = $2; tok[l] = $4 }
	($3 == "released" || $3 == "expired" || $3 == "revoked") &&
	start[l] != "" {
		print start[l], $1, $2, tok[l]
		start[l] = ""
	}
	END {
		for (l in start)
			if (start[l] != "")
				print start[l], 0, host[l], tok[l]
	}' | sort -n
}

# check_holds NAME COUNT HOSTS...: COUNT holds (any number if COUNT is
# 0), one at a time, tokens rising; prints what is wrong, if anything.
check_holds() {
	name=$1
	count=$2
	shift 2
	holds "$name" "$@" | awk -v want="$count" '
	{
		if (NR > 1 && $1 < end)
			print "hold of host " $3 " began before the last ended: " \
			      last " / " $0
		if (NR > 1 && $4 + 0 <= tok + 0)
			print "token " $4 " not above " tok ": " last " / " $0
		end = $2; tok = $4; last = $0
		if ($2 == 0)
			print "hold of host " $3 " never ended: " $0
	}
	END { if (want && NR != want) print NR " holds, expected " want }'
}

tokens_max() {
	holds "$@" | awk '$4 + 0 > m { m = $4 + 0 } END { print m + 0 }'
}
