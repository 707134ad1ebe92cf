/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * dlease: leases on named resources, with fair queueing, expiry and
 * fencing tokens.
 *
 * Sessions
 * --------
 * Opening /dev/dlease creates a session.  A session belongs to the open
 * file description: it is shared by dup() and fork() and ends when the last
 * reference is closed, which releases every lease and cancels every waiter
 * of the session and grants the next waiters at once.  A session is bound
 * to the network namespace of the process that opened it; every network
 * namespace has its own lease table, so the same name in two namespaces
 * names two independent resources.
 *
 * All times are nanoseconds.  Points in time are on CLOCK_MONOTONIC.
 *
 * Names are byte strings of 1..DLEASE_NAME_MAX bytes containing no NUL
 * byte.  They are not NUL-terminated in the ioctl structures.
 *
 * Every structure is fixed-size, naturally aligned and padded to 64 bits.
 * Fields named reserved must be zero on input (EINVAL otherwise) and are
 * zeroed on output.  Unknown flags are rejected with EINVAL.  An unknown
 * ioctl command fails with ENOTTY.  Lease ids are unique within a session
 * and never reused by it.
 *
 * Leases and their states
 * -----------------------
 * A request for a lease is granted at once if the resource's wait queue is
 * empty and the request is compatible with the current holders (shared with
 * shared; exclusive with nobody).  Otherwise it joins the tail of the
 * resource's strict FIFO queue.  When holders go away, waiters are granted
 * from the head of the queue for as long as the head is compatible: a run
 * of shared waiters at the head is granted together, a queued exclusive
 * waiter blocks every later shared one (no writer starvation).  Only the
 * waiters that are granted are woken.  At most max_holders leases are held
 * on one resource at once; further shared requests wait their turn.
 *
 * A held lease lives for its TTL from its grant or last renewal.  At the
 * end of the TTL it enters its grace period (if grace_ns > 0): it is still
 * held and may be renewed, and the holder gets DLEASE_EV_LATE.  At the end
 * of the grace period it is revoked: its token is dead, the holder gets
 * DLEASE_EV_EXPIRED and the next waiters are granted.
 *
 * Every grant carries a 64-bit fencing token that is strictly greater than
 * every token granted before it for any resource of the same network
 * namespace (the counter is per namespace, so it is in particular strictly
 * increasing per resource).  A renewal keeps the token; a new grant gets a
 * new one.  Tokens start at 1; 0 means "no token".
 *
 * Lease ids are opaque 64-bit values, increasing within a session and never
 * reused by it; every request takes one, even one that fails.  An id that
 * is not live (released, expired, revoked, or the id of a request that
 * failed) and not above the last id taken is stale: DLEASE_IOC_RENEW,
 * _RELEASE and _QUERY fail with ESTALE for it and change nothing.  An id
 * above the last one taken fails with ENOENT.  A session holds at most
 * 2^20 leases and requests at once, whatever the limits say.
 *
 * Cluster leases
 * --------------
 * DLEASE_ACQ_CLUSTER asks for a lease that a cluster of hosts agrees on,
 * through the bridge daemon (dleased) registered in the caller's network
 * namespace (generic netlink, DLEASE_CMD_BRIDGE_*).  Cluster names are a
 * name space of their own: "x" with the flag and "x" without are two
 * resources.  Cluster leases are exclusive, have no grace period and are
 * not asynchronous.  The local queue works as for any lease; only its head
 * is forwarded to the bridge, and it is granted with the cluster's fencing
 * token.  A cluster lease ends locally no later than the cluster's expiry
 * less the drift margin (cluster-margin in the netlink config).
 * DLEASE_IOC_RENEW of a cluster lease waits for the cluster's answer (at
 * most bridge-timeout).  With TRY the cluster is asked once, is not queued
 * in, and the answer is waited for (at most bridge-timeout).  When the
 * bridge's socket closes, pending cluster requests fail with ENOLINK and
 * held cluster leases can no longer be renewed: they expire at their
 * deadline (fail closed).  A lease the cluster loses ends at once with
 * DLEASE_EV_REVOKED.  While the cluster's lease is held elsewhere, the
 * bridge may tell a waiting request its place in the cluster's line and
 * when it expects the grant: the request's session gets DLEASE_EV_WAIT
 * (if it asked for it) and DLEASE_IOC_QUERY reports both.  A BREAK of a
 * cluster lease says that some node waits; its count is the bridge's
 * (dleased does not count the nodes that wait and says 1).
 *
 * ioctls (all on a /dev/dlease file descriptor)
 * ---------------------------------------------
 * DLEASE_IOC_INFO (struct dlease_info, out)
 *	API version, supported flags and events, the limits in force in the
 *	caller's network namespace, and the id of the session.  Never fails
 *	on a valid pointer.
 *	Errors: EFAULT.
 *
 * DLEASE_IOC_ACQUIRE (struct dlease_acquire, in/out)
 *	Asks for a lease on name[0..name_len) in mode (DLEASE_MODE_*), living
 *	ttl_ns with a grace period of grace_ns.  One of three ways to wait:
 *	  - blocking (no DLEASE_ACQ_TRY, no DLEASE_ACQ_ASYNC): sleeps until
 *	    granted, for at most timeout_ns (0: no limit).  timeout_ns is
 *	    relative, or an absolute CLOCK_MONOTONIC deadline with
 *	    DLEASE_ACQ_ABSTIME.  The sleep is interruptible.  A waiter that
 *	    times out or is interrupted leaves the queue without changing the
 *	    order of the others and loses its place.  After a signal the call
 *	    is restarted (SA_RESTART) when restarting keeps its meaning:
 *	    without a timeout or with an absolute one.  With a relative
 *	    timeout it fails with EINTR if a signal handler ran, and
 *	    timeout_ns is then set to the time that was left (it is restarted
 *	    with that time left if no handler ran, e.g. after SIGSTOP).
 *	    Timeouts beyond what the kernel's clock can hold mean no limit.
 *	  - DLEASE_ACQ_TRY: never waits; fails with EAGAIN (== EWOULDBLOCK) if
 *	    the lease cannot be granted at once.
 *	  - DLEASE_ACQ_ASYNC: never waits; on success state tells whether the
 *	    lease was granted at once (DLEASE_STATE_HELD) or queued
 *	    (DLEASE_STATE_WAITING).  Either way its grant is reported by a
 *	    DLEASE_EV_GRANTED event.  Cancel a queued request with
 *	    DLEASE_IOC_RELEASE.  timeout_ns must be 0.
 *	cookie is echoed in every event of the lease.
 *	On success: lease_id, state, and for a held lease token and
 *	expires_ns (end of the TTL).
 *	Errors: EFAULT; EINVAL (unknown flag, non-zero reserved field, bad
 *	mode, name_len 0 or > DLEASE_NAME_MAX, NUL in the name, TRY with
 *	ASYNC, timeout_ns with TRY or ASYNC, ABSTIME without a timeout);
 *	ERANGE (ttl_ns or grace_ns outside the limits of DLEASE_IOC_INFO);
 *	EAGAIN (TRY and not grantable now); ETIMEDOUT (the timeout passed,
 *	or no answer from the bridge to a cluster TRY in time); ENOLINK
 *	(cluster: no bridge, or it went away); any errno the cluster denied
 *	the request with; EINVAL also for CLUSTER with SHARED, ASYNC or a
 *	grace period;
 *	EINTR (a signal handler ran; see above); ESTALE (granted, but the
 *	lease ended before the call could return: its TTL was shorter than
 *	the way back, or another thread released it by id, also while it
 *	waited in the cluster); EDQUOT (the
 *	session or the user holds max_per_session / max_per_user leases and
 *	waiters already); ENOSPC (max_waiters queued on this resource
 *	already); ENOMEM.
 *
 * DLEASE_IOC_RENEW (struct dlease_renew, in/out)
 *	Extends a held lease (also during its grace period) to now + ttl_ns
 *	(0: the TTL it was granted with).  Keeps the token.  Sets
 *	DLEASE_RENEW_WAS_LATE in out_flags if the lease was in its grace
 *	period.  Returns the token and the new expires_ns.
 *	Errors: EFAULT; EINVAL (flags, reserved); ERANGE (ttl_ns); ENOENT
 *	(unknown id); ESTALE (released, expired or revoked); EBUSY (the
 *	request is still waiting, not held, or a renewal of this cluster
 *	lease is already under way); cluster leases also ENOLINK (no
 *	bridge), ETIMEDOUT (no answer within bridge-timeout; the lease is
 *	unchanged), EINTR, and ESTALE if the cluster lost the lease.
 *
 * DLEASE_IOC_RELEASE (struct dlease_release, in)
 *	Gives up a held lease, or cancels a queued asynchronous request, or
 *	a waiting cluster request once the bridge told it to wait (its id is
 *	then known: from DLEASE_EV_WAIT if the session asked for it, and to
 *	lease-get, dumps and revoke either way; its blocked
 *	DLEASE_IOC_ACQUIRE then fails with ESTALE), and grants the next
 *	waiters.
 *	Errors: EFAULT; EINVAL; ENOENT; ESTALE.
 *
 * DLEASE_IOC_QUERY (struct dlease_query, in/out)
 *	Reports the state of one live lease or request of the session.  If
 *	name_ptr is non-zero, up to name_len bytes of the name are copied
 *	there; name_len is set to the full length of the name.  For a
 *	waiting cluster request that the bridge told to wait, cluster_place
 *	and wait_until_ns are those of the latest DLEASE_EV_WAIT (0 before
 *	any, and for every other lease).
 *	Errors: EFAULT; EINVAL; ENOENT; ESTALE.
 *
 * DLEASE_IOC_SET_EVENTS (struct dlease_events, in/out)
 *	Chooses which event types are queued for this session (a mask of
 *	1 << DLEASE_EV_*, at most DLEASE_EV_MASK_ALL) and returns the
 *	previous mask.  A new session queues DLEASE_EV_MASK_DEFAULT: every
 *	type but DLEASE_EV_WAIT, which came later, so that readers written
 *	before it never see a type they do not know.  DLEASE_EV_MASK_ALL
 *	grows with new types: to ask for every type, AND it with the
 *	module's DLEASE_IOC_INFO event_mask (an older module refuses bits it
 *	does not know with EINVAL).
 *	DLEASE_EV_OVERFLOW cannot be masked.
 *	Errors: EFAULT; EINVAL (unknown event bit, reserved).
 *
 * Events
 * ------
 * read() on the session returns whole struct dlease_event records (at
 * least one: a buffer smaller than one record fails with EINVAL).  It
 * blocks until an event is there unless the file is O_NONBLOCK (EAGAIN).
 * poll()/epoll report EPOLLIN | EPOLLRDNORM while events are queued.
 * Events of one session are delivered in the order they happened.
 * The queue holds max_events records; when it fills, the last slot becomes
 * a DLEASE_EV_OVERFLOW record counting the events lost after it.
 *
 *	DLEASE_EV_GRANTED	an asynchronous request was granted
 *	DLEASE_EV_RENEWED	a lease was renewed (expires_ns: new TTL end)
 *	DLEASE_EV_LATE		TTL passed, grace began (expires_ns: the hard
 *				deadline at the end of the grace period)
 *	DLEASE_EV_EXPIRED	grace passed, the lease is gone, token dead
 *	DLEASE_EV_REVOKED	an administrator revoked the lease
 *	DLEASE_EV_BREAK		someone queued behind a held lease; count is
 *				the number of waiters queued on the resource.
 *				Consecutive unread BREAK events of one lease
 *				are merged into one.
 *	DLEASE_EV_OVERFLOW	count events were lost (queue full)
 *	DLEASE_EV_WAIT		a cluster request waits for a lease held
 *				elsewhere in the cluster (only if asked for
 *				with DLEASE_IOC_SET_EVENTS); count is its
 *				place in the cluster's line (1: next),
 *				expires_ns the CLOCK_MONOTONIC time the
 *				bridge expects the grant at (an estimate:
 *				nothing happens then).  Consecutive unread
 *				WAIT events of one request are merged into
 *				one with the latest place and time.
 */
#ifndef _UAPI_LINUX_DLEASE_H
#define _UAPI_LINUX_DLEASE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define DLEASE_DEVICE_NAME	"dlease"
#define DLEASE_API_VERSION	1
#define DLEASE_NAME_MAX		255

enum dlease_mode {
	DLEASE_MODE_SHARED = 1,
	DLEASE_MODE_EXCLUSIVE = 2,
};

enum dlease_state {
	DLEASE_STATE_WAITING = 1,	/* queued, not granted yet */
	DLEASE_STATE_HELD = 2,		/* granted, within its TTL */
	DLEASE_STATE_LATE = 3,		/* granted, in its grace period */
};

/* struct dlease_acquire.flags */
#define DLEASE_ACQ_TRY		(1U << 0)
#define DLEASE_ACQ_ASYNC	(1U << 1)
#define DLEASE_ACQ_ABSTIME	(1U << 2)
#define DLEASE_ACQ_CLUSTER	(1U << 3)
#define DLEASE_ACQ_FLAGS_ALL	(DLEASE_ACQ_TRY | DLEASE_ACQ_ASYNC | \
				 DLEASE_ACQ_ABSTIME | DLEASE_ACQ_CLUSTER)

/* struct dlease_renew.out_flags */
#define DLEASE_RENEW_WAS_LATE	(1U << 0)

/*
 * Lease transitions.  A session reads GRANTED to OVERFLOW, and WAIT;
 * QUEUED and RELEASED are seen by observers only (netlink events,
 * tracepoints).
 */
enum dlease_ev {
	DLEASE_EV_GRANTED = 1,
	DLEASE_EV_RENEWED = 2,
	DLEASE_EV_LATE = 3,
	DLEASE_EV_EXPIRED = 4,
	DLEASE_EV_REVOKED = 5,
	DLEASE_EV_BREAK = 6,
	DLEASE_EV_OVERFLOW = 7,
	DLEASE_EV_QUEUED = 8,
	DLEASE_EV_RELEASED = 9,
	DLEASE_EV_WAIT = 10,
	__DLEASE_EV_MAX,
};

#define DLEASE_EV_MAX		(__DLEASE_EV_MAX - 1)
/* Every event type a session can read. */
#define DLEASE_EV_MASK_ALL	((((1U << (DLEASE_EV_OVERFLOW + 1)) - 1) & ~1U) | \
				 (1U << DLEASE_EV_WAIT))
/* The event types a new session queues: all but WAIT, which came later. */
#define DLEASE_EV_MASK_DEFAULT	(DLEASE_EV_MASK_ALL & ~(1U << DLEASE_EV_WAIT))

/**
 * struct dlease_info - what this module supports (DLEASE_IOC_INFO)
 * @api_version: DLEASE_API_VERSION of the module
 * @event_size: sizeof(struct dlease_event) of the module
 * @acquire_flags: supported DLEASE_ACQ_* flags
 * @event_mask: supported events, 1 << DLEASE_EV_*
 * @name_max: longest name in bytes
 * @max_per_session: leases + waiters one session may have
 * @max_per_user: leases + waiters of all sessions of one user
 * @max_waiters: waiters one resource may queue
 * @max_events: event queue length of a session
 * @max_holders: leases held at once on one resource
 * @ttl_min_ns: smallest TTL
 * @ttl_max_ns: largest TTL
 * @grace_max_ns: largest grace period
 * @session_id: id of this session in its network namespace, as netlink
 *	dumps and events name it (DLEASE_A_LEASE_SESSION)
 * @reserved: zero
 */
struct dlease_info {
	__u32 api_version;
	__u32 event_size;
	__u32 acquire_flags;
	__u32 event_mask;
	__u32 name_max;
	__u32 max_per_session;
	__u32 max_per_user;
	__u32 max_waiters;
	__u32 max_events;
	__u32 max_holders;
	__u64 ttl_min_ns;
	__u64 ttl_max_ns;
	__u64 grace_max_ns;
	__u64 session_id;
	__u64 reserved[3];
};

/**
 * struct dlease_acquire - ask for a lease (DLEASE_IOC_ACQUIRE)
 * @name_ptr: in: user address of the name
 * @name_len: in: length of the name in bytes
 * @mode: in: DLEASE_MODE_SHARED or DLEASE_MODE_EXCLUSIVE
 * @flags: in: DLEASE_ACQ_*
 * @state: out: DLEASE_STATE_HELD, or DLEASE_STATE_WAITING (ASYNC only)
 * @ttl_ns: in: lifetime of the lease from grant or renewal
 * @grace_ns: in: grace period after the TTL (0: none)
 * @timeout_ns: in: longest wait, see DLEASE_ACQ_ABSTIME (0: no limit)
 * @cookie: in: opaque value echoed in the lease's events
 * @lease_id: out: id of the lease in this session
 * @token: out: fencing token (held leases)
 * @expires_ns: out: CLOCK_MONOTONIC end of the TTL (held leases)
 * @reserved: zero
 */
struct dlease_acquire {
	__u64 name_ptr;
	__u32 name_len;
	__u32 mode;
	__u32 flags;
	__u32 state;
	__u64 ttl_ns;
	__u64 grace_ns;
	__u64 timeout_ns;
	__u64 cookie;
	__u64 lease_id;
	__u64 token;
	__u64 expires_ns;
	__u64 reserved[2];
};

/**
 * struct dlease_renew - extend a held lease (DLEASE_IOC_RENEW)
 * @lease_id: in: the lease
 * @ttl_ns: in: new TTL from now (0: the TTL it was granted with)
 * @flags: in: zero (no flags defined yet)
 * @out_flags: out: DLEASE_RENEW_*
 * @token: out: the lease's (unchanged) fencing token
 * @expires_ns: out: new end of the TTL
 * @reserved: zero
 */
struct dlease_renew {
	__u64 lease_id;
	__u64 ttl_ns;
	__u32 flags;
	__u32 out_flags;
	__u64 token;
	__u64 expires_ns;
	__u64 reserved[2];
};

/**
 * struct dlease_release - give up a lease or cancel a request
 * @lease_id: in: the lease or request
 * @flags: in: zero (no flags defined yet)
 * @reserved0: zero
 * @reserved: zero
 */
struct dlease_release {
	__u64 lease_id;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct dlease_query - state of one lease of the session
 * @lease_id: in: the lease or request
 * @name_ptr: in: user buffer for the name, or 0
 * @name_len: in: size of that buffer; out: length of the name
 * @flags: in: zero (no flags defined yet)
 * @state: out: DLEASE_STATE_*
 * @mode: out: DLEASE_MODE_*
 * @waiters: out: requests queued on the resource
 * @holders: out: leases held on the resource
 * @token: out: fencing token (0 while waiting)
 * @expires_ns: out: end of the TTL (0 while waiting)
 * @deadline_ns: out: end of the grace period (0 while waiting)
 * @ttl_ns: out: TTL the lease was asked with
 * @grace_ns: out: grace period the lease was asked with
 * @cookie: out: the cookie given at acquire
 * @cluster_place: in: zero; out: place in the cluster's line (1: next) of
 *	a waiting cluster request, as the bridge last said (0: not said)
 * @reserved0: zero
 * @wait_until_ns: in: zero; out: when the bridge expects that request to
 *	be granted, CLOCK_MONOTONIC (0: not said)
 */
struct dlease_query {
	__u64 lease_id;
	__u64 name_ptr;
	__u32 name_len;
	__u32 flags;
	__u32 state;
	__u32 mode;
	__u32 waiters;
	__u32 holders;
	__u64 token;
	__u64 expires_ns;
	__u64 deadline_ns;
	__u64 ttl_ns;
	__u64 grace_ns;
	__u64 cookie;
	__u32 cluster_place;
	__u32 reserved0;
	__u64 wait_until_ns;
};

/**
 * struct dlease_events - choose the events queued (DLEASE_IOC_SET_EVENTS)
 * @mask: in: new mask of 1 << DLEASE_EV_*; out: the previous mask
 * @reserved0: zero
 */
struct dlease_events {
	__u32 mask;
	__u32 reserved0;
};

/**
 * struct dlease_event - one event, as read() from a session
 * @type: DLEASE_EV_*
 * @count: BREAK: waiters queued on the resource; OVERFLOW: events lost;
 *	WAIT: place in the cluster's line (1: next)
 * @lease_id: the lease (0 for OVERFLOW)
 * @token: the lease's fencing token
 * @cookie: the cookie given at acquire
 * @time_ns: CLOCK_MONOTONIC time of the event
 * @expires_ns: GRANTED, RENEWED: end of the TTL; LATE: end of the grace
 *	period; WAIT: when the grant is expected; others: 0
 */
struct dlease_event {
	__u32 type;
	__u32 count;
	__u64 lease_id;
	__u64 token;
	__u64 cookie;
	__u64 time_ns;
	__u64 expires_ns;
};

#define DLEASE_IOC_MAGIC	0xDE
#define DLEASE_IOC_INFO		_IOR(DLEASE_IOC_MAGIC, 0x00, struct dlease_info)
#define DLEASE_IOC_ACQUIRE	_IOWR(DLEASE_IOC_MAGIC, 0x01, struct dlease_acquire)
#define DLEASE_IOC_RENEW	_IOWR(DLEASE_IOC_MAGIC, 0x02, struct dlease_renew)
#define DLEASE_IOC_RELEASE	_IOW(DLEASE_IOC_MAGIC, 0x03, struct dlease_release)
#define DLEASE_IOC_QUERY	_IOWR(DLEASE_IOC_MAGIC, 0x04, struct dlease_query)
#define DLEASE_IOC_SET_EVENTS	_IOWR(DLEASE_IOC_MAGIC, 0x05, struct dlease_events)

/*
 * Generic netlink family "dlease"
 * -------------------------------
 * Documentation/netlink/specs/dlease.yaml is the source of truth for what
 * follows: every command, attribute, check and reply is documented there,
 * and scripts/ynl-check.py fails the build if this header drifts from it.
 * In short (all per network namespace of the socket):
 *
 * DLEASE_CMD_LEASE_GET	do: one lease by session + id; dump: every lease
 *			and queued request, optionally of one name; dumps
 *			carry NLM_F_DUMP_INTR if the table changed meanwhile
 * DLEASE_CMD_STATS_GET	counters, wait/hold log2 histograms, most
 *			contended resources (DLEASE_A_STATS_TOP_COUNT)
 * DLEASE_CMD_CONFIG_GET	the limits in force
 * DLEASE_CMD_CONFIG_SET	change limits (CAP_NET_ADMIN in the netns's
 *			user namespace)
 * DLEASE_CMD_REVOKE	revoke every holder of a name, or one lease by
 *			session + id (CAP_NET_ADMIN); holders get REVOKED
 * DLEASE_CMD_BRIDGE_REGISTER	make the socket the cluster bridge of the
 *			netns (CAP_NET_ADMIN; one at a time, EBUSY)
 * DLEASE_CMD_BRIDGE_ANSWER	the bridge answers a cluster request: grant,
 *			deny, renewed, lost, break, or wait (place and
 *			expected grant time of a pending acquire)
 * DLEASE_CMD_BRIDGE_REQUEST	a cluster request, kernel to bridge socket
 * DLEASE_CMD_EVENT_NTF	a lease transition, to the "events" group; sent
 *			only while someone listens
 *
 * Every rejected request fails with EINVAL (or ERANGE, EPERM, ENOENT) and
 * an extended ACK message naming the bad attribute.
 */
#define DLEASE_FAMILY_NAME	"dlease"
#define DLEASE_FAMILY_VERSION	1
#define DLEASE_MCGRP_EVENTS	"events"

enum {
	DLEASE_A_LEASE_NAME = 1,
	DLEASE_A_LEASE_SESSION,
	DLEASE_A_LEASE_ID,
	DLEASE_A_LEASE_MODE,
	DLEASE_A_LEASE_STATE,
	DLEASE_A_LEASE_PID,
	DLEASE_A_LEASE_COMM,
	DLEASE_A_LEASE_TOKEN,
	DLEASE_A_LEASE_TTL,
	DLEASE_A_LEASE_GRACE,
	DLEASE_A_LEASE_EXPIRES,
	DLEASE_A_LEASE_TIME_LEFT,
	DLEASE_A_LEASE_WAITED,
	DLEASE_A_LEASE_HELD_FOR,
	DLEASE_A_LEASE_POSITION,
	DLEASE_A_LEASE_HOLDERS,
	DLEASE_A_LEASE_WAITERS,
	DLEASE_A_LEASE_EVENT,
	DLEASE_A_LEASE_CLUSTER,
	DLEASE_A_LEASE_TIME,
	DLEASE_A_LEASE_PAD,
	DLEASE_A_LEASE_CLUSTER_PLACE,
	DLEASE_A_LEASE_WAIT_UNTIL,

	__DLEASE_A_LEASE_MAX,
	DLEASE_A_LEASE_MAX = (__DLEASE_A_LEASE_MAX - 1)
};

enum {
	DLEASE_A_HIST_BUCKET = 1,
	DLEASE_A_HIST_PAD,

	__DLEASE_A_HIST_MAX,
	DLEASE_A_HIST_MAX = (__DLEASE_A_HIST_MAX - 1)
};

enum {
	DLEASE_A_TOP_NAME = 1,
	DLEASE_A_TOP_CONTENDED,
	DLEASE_A_TOP_WAITERS,
	DLEASE_A_TOP_PAD,

	__DLEASE_A_TOP_MAX,
	DLEASE_A_TOP_MAX = (__DLEASE_A_TOP_MAX - 1)
};

enum {
	DLEASE_A_STATS_ACQUIRES = 1,
	DLEASE_A_STATS_GRANTS,
	DLEASE_A_STATS_CONTENDED_GRANTS,
	DLEASE_A_STATS_TIMEOUTS,
	DLEASE_A_STATS_INTERRUPTS,
	DLEASE_A_STATS_EXPIRIES,
	DLEASE_A_STATS_REVOCATIONS,
	DLEASE_A_STATS_RENEWALS,
	DLEASE_A_STATS_LATE_RENEWALS,
	DLEASE_A_STATS_QUOTA_HITS,
	DLEASE_A_STATS_RELEASES,
	DLEASE_A_STATS_RESOURCES,
	DLEASE_A_STATS_SESSIONS,
	DLEASE_A_STATS_WAIT_HIST,
	DLEASE_A_STATS_HOLD_HIST,
	DLEASE_A_STATS_TOP_COUNT,
	DLEASE_A_STATS_TOP,
	DLEASE_A_STATS_PAD,

	__DLEASE_A_STATS_MAX,
	DLEASE_A_STATS_MAX = (__DLEASE_A_STATS_MAX - 1)
};

enum {
	DLEASE_A_CONFIG_MAX_PER_SESSION = 1,
	DLEASE_A_CONFIG_MAX_HOLDERS,
	DLEASE_A_CONFIG_MAX_WAITERS,
	DLEASE_A_CONFIG_MAX_EVENTS,
	DLEASE_A_CONFIG_TTL_MIN,
	DLEASE_A_CONFIG_TTL_MAX,
	DLEASE_A_CONFIG_GRACE_MAX,
	DLEASE_A_CONFIG_MAX_PER_USER,
	DLEASE_A_CONFIG_CLUSTER_MARGIN,
	DLEASE_A_CONFIG_BRIDGE_TIMEOUT,
	DLEASE_A_CONFIG_PAD,

	__DLEASE_A_CONFIG_MAX,
	DLEASE_A_CONFIG_MAX = (__DLEASE_A_CONFIG_MAX - 1)
};

enum {
	DLEASE_A_REVOKE_NAME = 1,
	DLEASE_A_REVOKE_SESSION,
	DLEASE_A_REVOKE_ID,
	DLEASE_A_REVOKE_COUNT,
	DLEASE_A_REVOKE_PAD,

	__DLEASE_A_REVOKE_MAX,
	DLEASE_A_REVOKE_MAX = (__DLEASE_A_REVOKE_MAX - 1)
};

enum dlease_bridge_op {
	DLEASE_BRIDGE_OP_ACQUIRE = 1,
	DLEASE_BRIDGE_OP_RENEW,
	DLEASE_BRIDGE_OP_RELEASE,
};

enum dlease_bridge_result {
	DLEASE_BRIDGE_RESULT_GRANT = 1,
	DLEASE_BRIDGE_RESULT_DENY,
	DLEASE_BRIDGE_RESULT_RENEWED,
	DLEASE_BRIDGE_RESULT_LOST,
	DLEASE_BRIDGE_RESULT_BREAK,
	DLEASE_BRIDGE_RESULT_WAIT,
};

enum {
	DLEASE_A_BRIDGE_REQ = 1,
	DLEASE_A_BRIDGE_OP,
	DLEASE_A_BRIDGE_NAME,
	DLEASE_A_BRIDGE_TTL,
	DLEASE_A_BRIDGE_TRY,
	DLEASE_A_BRIDGE_RESULT,
	DLEASE_A_BRIDGE_TOKEN,
	DLEASE_A_BRIDGE_EXPIRES,
	DLEASE_A_BRIDGE_ERROR,
	DLEASE_A_BRIDGE_COUNT,
	DLEASE_A_BRIDGE_PAD,

	__DLEASE_A_BRIDGE_MAX,
	DLEASE_A_BRIDGE_MAX = (__DLEASE_A_BRIDGE_MAX - 1)
};

enum {
	DLEASE_CMD_LEASE_GET = 1,
	DLEASE_CMD_STATS_GET,
	DLEASE_CMD_CONFIG_GET,
	DLEASE_CMD_CONFIG_SET,
	DLEASE_CMD_REVOKE,
	DLEASE_CMD_BRIDGE_REGISTER,
	DLEASE_CMD_BRIDGE_ANSWER,
	DLEASE_CMD_BRIDGE_REQUEST,
	DLEASE_CMD_EVENT_NTF,

	__DLEASE_CMD_MAX,
	DLEASE_CMD_MAX = (__DLEASE_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_DLEASE_H */
