/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdlease - the C API of dlease.
 *
 * Conventions
 * -----------
 * Every function that can fail returns 0 (or a count) on success and a
 * negative errno value on failure; dlease_strerror() turns it into a
 * message.  Functions that create an object return it through their last
 * argument.  All times are nanoseconds; points in time are on
 * CLOCK_MONOTONIC, like the kernel's.
 *
 * Objects
 * -------
 * struct dlease_session  an open /dev/dlease: its leases end when it is
 *                        closed or the process dies.
 * struct dlease_lease    one lease or queued request of a session, with
 *                        its name, token and expiry as last reported.
 * struct dlease_keeper   renews the held leases of one session before
 *                        they expire and reports their loss.
 * struct dlease_nl       a generic netlink socket on the "dlease" family:
 *                        lease dumps, statistics, configuration, revoke
 *                        and the multicast "events" group.
 *
 * Every object has a file descriptor for poll()/epoll and, where time
 * matters, a next-deadline call, so it fits into the caller's own event
 * loop.  The keeper can also run in a thread of its own.
 *
 * Threads: a session and its leases may be used from several threads (the
 * library locks).  Events of a session are read either by the caller or,
 * once a keeper is attached, by the keeper, never by both.
 */
#ifndef LIBDLEASE_DLEASE_H
#define LIBDLEASE_DLEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/dlease.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DLEASE_DEVICE_PATH	"/dev/" DLEASE_DEVICE_NAME

/* TTL used when struct dlease_acquire_opts.ttl_ns is 0. */
#define DLEASE_DEFAULT_TTL_NS	10000000000ULL

/* The state of a lease handle after its lease expired or was revoked. */
#define DLEASE_STATE_LOST	16

/*
 * Events made by the library, never by the kernel (struct
 * dlease_lease_event.type).
 */
enum dlease_lib_event_type {
	/* A renewal answered ESTALE without an EXPIRED/REVOKED event. */
	DLEASE_EV_LOST = 64,
	/* A renewal failed with @error; the keeper retries soon. */
	DLEASE_EV_RENEW_ERROR = 65,
};

struct dlease_session;
struct dlease_lease;
struct dlease_keeper;

/**
 * dlease_open() - open a session on /dev/dlease
 * @flags: must be 0 (no flags are defined yet)
 * @sessp: the new session
 *
 * The file descriptor is close-on-exec (leases are not passed to programs
 * the caller executes) and non-blocking.
 *
 * Return: 0; -EINVAL (unknown flag); -ENODEV (no /dev/dlease: module not
 * loaded); -EACCES; -EPROTONOSUPPORT (the module speaks another API
 * version); -ENOMEM; other errors of open(2).
 */
int dlease_open(unsigned int flags, struct dlease_session **sessp);

/**
 * dlease_close() - close a session
 * @s: the session, or NULL
 *
 * Releases every lease of the session (the kernel does it as the file is
 * closed) and frees every lease handle.  A keeper of the session must be
 * freed first.
 */
void dlease_close(struct dlease_session *s);

/**
 * dlease_fd() - the file descriptor of a session
 * @s: the session
 *
 * Readable (EPOLLIN) while events are queued; see dlease_read_event().
 * Do not read() or close() it directly.
 *
 * Return: the file descriptor.
 */
int dlease_fd(const struct dlease_session *s);

/**
 * dlease_info() - what the module supports and the limits in force
 * @s: the session
 * @info: filled in, see DLEASE_IOC_INFO
 *
 * Return: 0 or a negative errno value.
 */
int dlease_info(struct dlease_session *s, struct dlease_info *info);

/**
 * dlease_set_events() - choose the event types the kernel queues
 * @s: the session
 * @mask: 1 << DLEASE_EV_* of the types wanted (DLEASE_EV_MASK_ALL: all)
 * @oldp: the previous mask, or NULL
 *
 * A new session queues DLEASE_EV_MASK_DEFAULT: every type but
 * DLEASE_EV_WAIT, which a waiting cluster request gets only if asked for.
 *
 * Return: 0; -EINVAL (a type this kernel does not know: see the
 * event_mask of dlease_info()).
 */
int dlease_set_events(struct dlease_session *s, uint32_t mask,
		      uint32_t *oldp);

/**
 * struct dlease_acquire_opts - how to ask for a lease
 * @mode: DLEASE_MODE_SHARED or DLEASE_MODE_EXCLUSIVE (0: exclusive)
 * @flags: DLEASE_ACQ_TRY, DLEASE_ACQ_ASYNC, DLEASE_ACQ_ABSTIME; none to
 *	block until granted or @timeout_ns passed; DLEASE_ACQ_CLUSTER for a
 *	lease the cluster agrees on (passed to the kernel as it is: see
 *	"Cluster leases" in <linux/dlease.h>)
 * @ttl_ns: lifetime from grant or renewal (0: DLEASE_DEFAULT_TTL_NS)
 * @grace_ns: grace period after the TTL (0: none)
 * @timeout_ns: longest blocking wait (0: no limit), or an absolute
 *	CLOCK_MONOTONIC deadline with DLEASE_ACQ_ABSTIME
 * @cookie: opaque value echoed in the lease's events
 * @reserved: must be zero
 */
struct dlease_acquire_opts {
	uint32_t mode;
	uint32_t flags;
	uint64_t ttl_ns;
	uint64_t grace_ns;
	uint64_t timeout_ns;
	uint64_t cookie;
	uint64_t reserved[4];
};

/**
 * dlease_acquire() - ask for a lease
 * @s: the session
 * @name: NUL-terminated name, 1..DLEASE_NAME_MAX bytes
 * @opts: how, or NULL for an exclusive lease of the default TTL, waiting
 *	without limit
 * @leasep: the new handle, held or (DLEASE_ACQ_ASYNC) maybe waiting
 *
 * A blocking wait ends early with -EINTR when a signal handler runs and
 * the kernel cannot restart it (relative timeout); call again to go on
 * waiting.  An asynchronous request's grant arrives as a
 * DLEASE_EV_GRANTED event, which updates the handle.
 *
 * Return: 0; -EINVAL (bad name, mode, flags or reserved field); -ERANGE
 * (TTL or grace out of the module's limits); -EAGAIN (DLEASE_ACQ_TRY and
 * held by others); -ETIMEDOUT; -EINTR; -ESTALE (granted but ended before
 * the call returned); -EDQUOT (too many leases and requests of this
 * session or user); -ENOSPC (too many waiters on the resource); -ENOMEM;
 * with DLEASE_ACQ_CLUSTER also -ENOLINK (no cluster bridge) and any error
 * the cluster denied the request with.
 */
int dlease_acquire(struct dlease_session *s, const char *name,
		   const struct dlease_acquire_opts *opts,
		   struct dlease_lease **leasep);

/**
 * dlease_renew() - extend a held lease
 * @l: the lease
 * @ttl_ns: new lifetime from now (0: the TTL it was asked with)
 * @was_late: set to whether the lease was in its grace period; may be NULL
 *
 * Keeps the fencing token.  A lost lease fails with -ESTALE and its
 * handle's state becomes DLEASE_STATE_LOST.
 *
 * Return: 0; -ESTALE (expired, revoked); -EBUSY (still waiting);
 * -ERANGE (@ttl_ns); -EINVAL.
 */
int dlease_renew(struct dlease_lease *l, uint64_t ttl_ns, bool *was_late);

/**
 * dlease_release() - give up a lease or cancel a request, free the handle
 * @l: the lease, or NULL
 *
 * The handle is freed whatever the result, and detached from its keeper
 * first.  -ESTALE only says that the lease had already ended.
 *
 * Return: 0; -ESTALE (the lease was already gone); -EINVAL.
 */
int dlease_release(struct dlease_lease *l);

/**
 * struct dlease_lease_status - what DLEASE_IOC_QUERY reports of a lease
 * @state: DLEASE_STATE_WAITING, _HELD or _LATE
 * @mode: DLEASE_MODE_*
 * @waiters: requests queued on the resource
 * @holders: leases held on the resource
 * @token: fencing token (0 while waiting)
 * @expires_ns: end of the TTL (0 while waiting)
 * @deadline_ns: end of the grace period (0 while waiting)
 * @ttl_ns: TTL asked for
 * @grace_ns: grace period asked for
 * @cookie: the cookie given at acquire
 */
struct dlease_lease_status {
	uint32_t state;
	uint32_t mode;
	uint32_t waiters;
	uint32_t holders;
	uint64_t token;
	uint64_t expires_ns;
	uint64_t deadline_ns;
	uint64_t ttl_ns;
	uint64_t grace_ns;
	uint64_t cookie;
};

/**
 * dlease_query() - ask the kernel for the state of a lease
 * @l: the lease
 * @st: filled in
 *
 * Also refreshes the handle.  A lost lease fails with -ESTALE and its
 * handle's state becomes DLEASE_STATE_LOST.
 *
 * Return: 0; -ESTALE; -EINVAL.
 */
int dlease_query(struct dlease_lease *l, struct dlease_lease_status *st);

/**
 * dlease_lease_name() - the name of a lease
 * @l: the lease
 *
 * Return: the NUL-terminated name, valid as long as the handle.
 */
const char *dlease_lease_name(const struct dlease_lease *l);

/**
 * dlease_lease_id() - the kernel's id of a lease within its session
 * @l: the lease
 *
 * Return: the id (never 0).
 */
uint64_t dlease_lease_id(const struct dlease_lease *l);

/**
 * dlease_lease_token() - the fencing token of a lease
 * @l: the lease
 *
 * Pass it along with every write the lease protects; a store that has
 * seen a greater token must refuse the write.
 *
 * Return: the token, or 0 while the request is still waiting.
 */
uint64_t dlease_lease_token(const struct dlease_lease *l);

/**
 * dlease_lease_expires() - end of the TTL as last reported
 * @l: the lease
 *
 * Return: CLOCK_MONOTONIC time in ns, 0 while waiting.
 */
uint64_t dlease_lease_expires(const struct dlease_lease *l);

/**
 * dlease_lease_state() - the state of a lease as last reported
 * @l: the lease
 *
 * Return: DLEASE_STATE_WAITING, _HELD, _LATE or DLEASE_STATE_LOST.
 */
uint32_t dlease_lease_state(const struct dlease_lease *l);

/**
 * dlease_lease_mode() - the mode of a lease
 * @l: the lease
 *
 * Return: DLEASE_MODE_SHARED or DLEASE_MODE_EXCLUSIVE.
 */
uint32_t dlease_lease_mode(const struct dlease_lease *l);

/**
 * dlease_lease_ttl() - the TTL a lease was asked with
 * @l: the lease
 *
 * Return: the TTL in ns.
 */
uint64_t dlease_lease_ttl(const struct dlease_lease *l);

/**
 * dlease_lease_cookie() - the cookie given at acquire
 * @l: the lease
 *
 * Return: the cookie.
 */
uint64_t dlease_lease_cookie(const struct dlease_lease *l);

/**
 * struct dlease_lease_event - one decoded event
 * @type: DLEASE_EV_* of the kernel, or enum dlease_lib_event_type
 * @count: BREAK: waiters queued on the resource; OVERFLOW: events lost;
 *	WAIT: place in the cluster's line (1: next)
 * @error: DLEASE_EV_RENEW_ERROR: the negative errno value; else 0
 * @lease: the handle of the lease in this session, or NULL (OVERFLOW,
 *	or a lease released meanwhile)
 * @lease_id: the lease's id
 * @token: the lease's fencing token
 * @cookie: the cookie given at acquire
 * @time_ns: CLOCK_MONOTONIC time of the event
 * @expires_ns: GRANTED, RENEWED: end of the TTL; LATE: end of the grace
 *	period; WAIT: when the cluster expects to grant it; others: 0
 */
struct dlease_lease_event {
	uint32_t type;
	uint32_t count;
	int error;
	struct dlease_lease *lease;
	uint64_t lease_id;
	uint64_t token;
	uint64_t cookie;
	uint64_t time_ns;
	uint64_t expires_ns;
};

/**
 * dlease_read_event() - read the next event of a session
 * @s: the session
 * @ev: the decoded event
 * @timeout_ms: longest wait (-1: no limit, 0: do not wait)
 *
 * Updates the lease handle the event is about (state, token, expiry)
 * before returning it.  Events come in the order they happened.
 *
 * Return: 0; -EAGAIN (no event within @timeout_ms); -EINTR; -EBADMSG (a
 * record the library does not understand: module newer than the library).
 */
int dlease_read_event(struct dlease_session *s, struct dlease_lease_event *ev,
		      int timeout_ms);

/**
 * dlease_event_decode() - decode one raw event record
 * @buf: the bytes read from a session
 * @len: how many
 * @ev: decoded; @ev->lease is left NULL
 *
 * Return: the size of the record consumed; -EMSGSIZE (@len shorter than a
 * record); -EBADMSG (unknown type).
 */
int dlease_event_decode(const void *buf, size_t len,
			struct dlease_lease_event *ev);

/**
 * dlease_event_is_loss() - does an event say that the lease is gone?
 * @ev: the event
 *
 * Return: true for EXPIRED, REVOKED and LOST.
 */
bool dlease_event_is_loss(const struct dlease_lease_event *ev);

/**
 * dlease_event_name() - the name of an event type
 * @type: DLEASE_EV_* or enum dlease_lib_event_type
 *
 * Return: a lower-case name ("granted", "expired", ...), or "unknown".
 */
const char *dlease_event_name(uint32_t type);

/**
 * dlease_state_name() - the name of a lease state
 * @state: DLEASE_STATE_*
 *
 * Return: "waiting", "held", "late", "lost" or "unknown".
 */
const char *dlease_state_name(uint32_t state);

/**
 * dlease_mode_name() - the name of a lease mode
 * @mode: DLEASE_MODE_*
 *
 * Return: "shared", "exclusive" or "unknown".
 */
const char *dlease_mode_name(uint32_t mode);

/**
 * dlease_strerror() - what an error of this library means
 * @err: a negative (or positive) errno value returned by the library
 *
 * Return: a constant message worded for leases where the errno has a
 * dlease meaning, else the C library's description.
 */
const char *dlease_strerror(int err);

/**
 * dlease_now() - the current CLOCK_MONOTONIC time
 *
 * Return: nanoseconds.
 */
uint64_t dlease_now(void);

/**
 * dlease_duration_parse() - parse a duration such as "850ms" or "1m30s"
 * @str: one or more decimal numbers, each with a unit (ns, us, ms, s,
 *	m, h); a lone number without unit means seconds
 * @ns: the duration in nanoseconds
 *
 * Return: 0; -EINVAL (not a duration); -ERANGE (does not fit 64 bits).
 */
int dlease_duration_parse(const char *str, uint64_t *ns);

/**
 * dlease_duration_format() - print a duration for humans
 * @ns: the duration in nanoseconds, may be negative
 * @buf: where to write
 * @size: size of @buf; 16 bytes always suffice
 *
 * Uses the largest unit that keeps the value at least 1 and at most 3
 * significant digits: "850ms", "12s", "1.5s", "2m30s", "3h20m".
 *
 * Return: @buf.
 */
char *dlease_duration_format(int64_t ns, char *buf, size_t size);

/* Room for any dlease_duration_format() result. */
#define DLEASE_DURATION_MAX	16

/**
 * struct dlease_keeper_opts - how a keeper works
 * @notify: called for every event of the session, for every loss
 *	(EXPIRED, REVOKED or LOST, once per lease) and for renewal errors;
 *	in the keeper's thread if it runs one.  It may release leases and
 *	add or remove them; it must not free or stop the keeper.
 * @arg: passed to @notify
 * @divisor: renew when 1/@divisor of the TTL has passed (0: 3); the
 *	keeper renews sooner on its own when renewals are slow or late
 * @reserved: must be zero
 */
struct dlease_keeper_opts {
	void (*notify)(struct dlease_keeper *k,
		       const struct dlease_lease_event *ev, void *arg);
	void *arg;
	uint32_t divisor;
	uint32_t reserved0;
	uint64_t reserved[4];
};

/**
 * dlease_keeper_new() - make a keeper for the leases of a session
 * @s: the session; from now on the keeper reads its events
 * @opts: callbacks and tuning, or NULL
 * @kp: the new keeper
 *
 * Return: 0; -EINVAL (bad option, or the session has a keeper); -ENOMEM;
 * -EMFILE/-ENFILE (no file descriptor for the keeper's timer).
 */
int dlease_keeper_new(struct dlease_session *s,
		      const struct dlease_keeper_opts *opts,
		      struct dlease_keeper **kp);

/**
 * dlease_keeper_free() - stop a keeper and free it
 * @k: the keeper, or NULL
 *
 * Stops its thread if it has one.  Leases stay held until released or
 * expired.
 */
void dlease_keeper_free(struct dlease_keeper *k);

/**
 * dlease_keeper_add() - let a keeper renew a lease
 * @k: the keeper
 * @l: a lease of the keeper's session, held or waiting
 *
 * A waiting lease is renewed from its grant on.
 *
 * Return: 0; -EINVAL (other session, or kept already); -ESTALE (lost).
 */
int dlease_keeper_add(struct dlease_keeper *k, struct dlease_lease *l);

/**
 * dlease_keeper_remove() - stop renewing a lease
 * @k: the keeper
 * @l: the lease
 *
 * Once this returns the keeper does not touch @l any more.
 *
 * Return: 0; -ENOENT (not kept by @k).
 */
int dlease_keeper_remove(struct dlease_keeper *k, struct dlease_lease *l);

/**
 * dlease_keeper_fd() - a file descriptor for the caller's event loop
 * @k: the keeper
 *
 * Readable when the keeper has work: a renewal is due or the session has
 * events.  Call dlease_keeper_dispatch() then.
 *
 * Return: the file descriptor (an epoll instance).
 */
int dlease_keeper_fd(const struct dlease_keeper *k);

/**
 * dlease_keeper_next_deadline() - when the keeper next has to renew
 * @k: the keeper
 *
 * For loops that keep their own timers: call dlease_keeper_dispatch() at
 * that time at the latest, and when dlease_fd() of the session is
 * readable.
 *
 * Return: CLOCK_MONOTONIC time in ns, or UINT64_MAX if nothing is due.
 */
uint64_t dlease_keeper_next_deadline(struct dlease_keeper *k);

/**
 * dlease_keeper_timeout_ms() - dlease_keeper_next_deadline() for poll()
 * @k: the keeper
 *
 * Return: milliseconds from now until the next deadline, rounded up; 0
 * if due; -1 if nothing is due.
 */
int dlease_keeper_timeout_ms(struct dlease_keeper *k);

/**
 * dlease_keeper_dispatch() - do what is due, never sleeping
 * @k: the keeper
 *
 * Renews the leases whose renewal is due, reads the session's events and
 * calls @notify of struct dlease_keeper_opts for each.
 *
 * Return: the number of leases found lost; -EINVAL (the keeper's thread
 * runs); other negative errno values of reading events.
 */
int dlease_keeper_dispatch(struct dlease_keeper *k);

/**
 * dlease_keeper_start() - run the keeper in a thread of its own
 * @k: the keeper
 *
 * Return: 0; -EALREADY (runs already); errors of pthread_create().
 */
int dlease_keeper_start(struct dlease_keeper *k);

/**
 * dlease_keeper_stop() - stop the keeper's thread
 * @k: the keeper
 *
 * Must not be called from @notify.
 *
 * Return: 0; -ESRCH (no thread runs).
 */
int dlease_keeper_stop(struct dlease_keeper *k);

/*
 * Netlink: the "dlease" generic netlink family
 * --------------------------------------------
 * Requests apply to the network namespace of the calling thread at
 * dlease_nl_open().  Every request asks for an ACK with extended ACK
 * messages; when the kernel rejects one, the call returns its errno and
 * dlease_nl_extack() gives the kernel's message.
 */
struct dlease_nl;

/**
 * dlease_nl_open() - a netlink socket on the "dlease" family
 * @nlp: the new handle
 *
 * Return: 0; -EOPNOTSUPP (no such family: module not loaded or too old);
 * -ENOMEM; errors of socket(2).
 */
int dlease_nl_open(struct dlease_nl **nlp);

/**
 * dlease_nl_close() - close a netlink handle
 * @nl: the handle, or NULL
 */
void dlease_nl_close(struct dlease_nl *nl);

/**
 * dlease_nl_extack() - the kernel's message about the last failure
 * @nl: the handle
 *
 * Return: the extended ACK message of the last failed request, or "".
 */
const char *dlease_nl_extack(const struct dlease_nl *nl);

/**
 * struct dlease_nl_lease - one lease or queued request, as dumped
 * @name: the resource's name, NUL-terminated (names hold no NUL)
 * @comm: command name of the process that asked for it
 * @session: id of its session in the network namespace
 * @id: its id within the session
 * @token: fencing token (0 while waiting)
 * @ttl_ns: TTL asked for
 * @grace_ns: grace period asked for
 * @expires_ns: end of the TTL (0 while waiting)
 * @time_left_ns: until the end of the TTL when dumped (0 if passed)
 * @waited_ns: how long it waited (so far, while waiting)
 * @held_for_ns: how long it has been held
 * @mode: DLEASE_MODE_*
 * @state: DLEASE_STATE_*
 * @pid: process that asked for it, in the reader's pid namespace
 * @position: place in the queue, 0 for its head (waiting requests)
 * @holders: leases held on the resource
 * @waiters: requests queued on the resource
 */
struct dlease_nl_lease {
	char name[DLEASE_NAME_MAX + 1];
	char comm[16];
	uint64_t session;
	uint64_t id;
	uint64_t token;
	uint64_t ttl_ns;
	uint64_t grace_ns;
	uint64_t expires_ns;
	uint64_t time_left_ns;
	uint64_t waited_ns;
	uint64_t held_for_ns;
	uint32_t mode;
	uint32_t state;
	uint32_t pid;
	uint32_t position;
	uint32_t holders;
	uint32_t waiters;
};

/**
 * dlease_nl_leases() - dump the leases and queued requests
 * @nl: the handle
 * @name: only those of this resource, or NULL for all
 * @leasesp: a malloc()ed array the caller frees, NULL if none
 * @countp: its length
 *
 * A dump that the kernel marks inconsistent (NLM_F_DUMP_INTR: the table
 * changed while it ran) is retried, so the result is one consistent
 * view.
 *
 * Return: 0; -EAGAIN (still inconsistent after several tries); -EINVAL
 * (see dlease_nl_extack()); -ENOMEM; -EPROTO.
 */
int dlease_nl_leases(struct dlease_nl *nl, const char *name,
		     struct dlease_nl_lease **leasesp, size_t *countp);

/**
 * dlease_nl_lease_get() - one lease by session and id
 * @nl: the handle
 * @session: session id (struct dlease_info.session_id of its opener)
 * @id: lease id within the session
 * @lease: filled in
 *
 * Return: 0; -ENOENT (no such lease); -EINVAL; -EPROTO.
 */
int dlease_nl_lease_get(struct dlease_nl *nl, uint64_t session, uint64_t id,
			struct dlease_nl_lease *lease);

#define DLEASE_NL_HIST_MAX	64
#define DLEASE_NL_TOP_MAX	32

/**
 * struct dlease_nl_top - one of the most contended resources
 * @name: its name, NUL-terminated
 * @contended: grants that had to wait (an upper estimate)
 * @waiters: requests queued on it now
 */
struct dlease_nl_top {
	char name[DLEASE_NAME_MAX + 1];
	uint64_t contended;
	uint32_t waiters;
};

/**
 * struct dlease_nl_stats - counters and histograms of a network namespace
 * @acquires: acquire requests
 * @grants: leases granted
 * @contended_grants: grants that had to wait
 * @timeouts: waits that timed out
 * @interrupts: waits interrupted by signals
 * @expiries: leases expired
 * @revocations: leases revoked by an administrator
 * @renewals: renewals
 * @late_renewals: renewals during the grace period
 * @quota_hits: requests refused by a limit
 * @releases: leases released and requests cancelled
 * @resources: resources in the table now
 * @sessions: open sessions now
 * @wait_hist: log2 histogram of wait times: bucket i counts 2^i..2^(i+1) ns
 * @wait_buckets: buckets used in @wait_hist
 * @hold_hist: log2 histogram of hold times
 * @hold_buckets: buckets used in @hold_hist
 * @top: most contended resources, most first
 * @ntop: entries in @top
 */
struct dlease_nl_stats {
	uint64_t acquires;
	uint64_t grants;
	uint64_t contended_grants;
	uint64_t timeouts;
	uint64_t interrupts;
	uint64_t expiries;
	uint64_t revocations;
	uint64_t renewals;
	uint64_t late_renewals;
	uint64_t quota_hits;
	uint64_t releases;
	uint32_t resources;
	uint32_t sessions;
	uint64_t wait_hist[DLEASE_NL_HIST_MAX];
	uint32_t wait_buckets;
	uint32_t hold_buckets;
	uint64_t hold_hist[DLEASE_NL_HIST_MAX];
	struct dlease_nl_top top[DLEASE_NL_TOP_MAX];
	uint32_t ntop;
};

/**
 * dlease_nl_stats() - get the statistics
 * @nl: the handle
 * @top_count: how many of the most contended resources (1..32; 0: the
 *	kernel's default)
 * @st: filled in
 *
 * Return: 0; -ERANGE (@top_count, see dlease_nl_extack()); -EPROTO.
 */
int dlease_nl_stats(struct dlease_nl *nl, uint32_t top_count,
		    struct dlease_nl_stats *st);

/* struct dlease_nl_config.set: which fields to change */
#define DLEASE_CFG_MAX_PER_SESSION	(1U << 0)
#define DLEASE_CFG_MAX_HOLDERS		(1U << 1)
#define DLEASE_CFG_MAX_WAITERS		(1U << 2)
#define DLEASE_CFG_MAX_EVENTS		(1U << 3)
#define DLEASE_CFG_TTL_MIN		(1U << 4)
#define DLEASE_CFG_TTL_MAX		(1U << 5)
#define DLEASE_CFG_GRACE_MAX		(1U << 6)
#define DLEASE_CFG_MAX_PER_USER		(1U << 7)	/* read only */

/**
 * struct dlease_nl_config - limits of a network namespace
 * @set: DLEASE_CFG_* of the fields to change (dlease_nl_config_set());
 *	of the fields the kernel reported (dlease_nl_config_get())
 * @max_per_session: leases + waiters of one session
 * @max_holders: leases held at once on one resource
 * @max_waiters: waiters queued on one resource
 * @max_events: event queue length of new sessions
 * @max_per_user: leases + waiters of one user (module parameter)
 * @ttl_min_ns: smallest TTL
 * @ttl_max_ns: largest TTL
 * @grace_max_ns: largest grace period
 */
struct dlease_nl_config {
	uint32_t set;
	uint32_t max_per_session;
	uint32_t max_holders;
	uint32_t max_waiters;
	uint32_t max_events;
	uint32_t max_per_user;
	uint64_t ttl_min_ns;
	uint64_t ttl_max_ns;
	uint64_t grace_max_ns;
};

/**
 * dlease_nl_config_get() - get the limits in force
 * @nl: the handle
 * @cfg: filled in
 *
 * Return: 0; -EPROTO.
 */
int dlease_nl_config_get(struct dlease_nl *nl, struct dlease_nl_config *cfg);

/**
 * dlease_nl_config_set() - change limits
 * @nl: the handle
 * @cfg: the values; @cfg->set says which
 * @out: all limits after the change, or NULL
 *
 * Return: 0; -EPERM (needs CAP_NET_ADMIN); -EINVAL, -ERANGE (see
 * dlease_nl_extack()); -EPROTO.
 */
int dlease_nl_config_set(struct dlease_nl *nl,
			 const struct dlease_nl_config *cfg,
			 struct dlease_nl_config *out);

/**
 * dlease_nl_revoke() - revoke leases
 * @nl: the handle
 * @name: every holder of this resource; or NULL and @session, @id
 * @session: with @id: one lease
 * @id: lease id within @session
 * @countp: how many leases were revoked; may be NULL
 *
 * Return: 0; -EPERM (needs CAP_NET_ADMIN); -ENOENT (nothing held by that
 * name or id); -EINVAL, -ERANGE (see dlease_nl_extack()).
 */
int dlease_nl_revoke(struct dlease_nl *nl, const char *name,
		     uint64_t session, uint64_t id, uint32_t *countp);

/**
 * struct dlease_nl_event - one lease transition from the events group
 * @type: DLEASE_EV_* (QUEUED and RELEASED included)
 * @name: the resource, NUL-terminated
 * @time_ns: CLOCK_MONOTONIC time of the transition
 * @session: session id of the lease
 * @id: lease id within the session
 * @token: its fencing token
 * @expires_ns: end of the TTL (or grace, for LATE), if any; for WAIT,
 *	when the cluster expects to grant the request
 * @mode: DLEASE_MODE_*
 * @pid: its process, in the pid namespace of the session's opener
 * @waiters: requests queued on the resource
 * @cluster_place: WAIT (and later events of the waiting request): its
 *	place in the cluster's line, 1 for next; else 0
 */
struct dlease_nl_event {
	uint32_t type;
	char name[DLEASE_NAME_MAX + 1];
	uint64_t time_ns;
	uint64_t session;
	uint64_t id;
	uint64_t token;
	uint64_t expires_ns;
	uint32_t mode;
	uint32_t pid;
	uint32_t waiters;
	uint32_t cluster_place;	/* in what was tail padding: same size */
};

/**
 * dlease_nl_subscribe() - join the "events" multicast group
 * @nl: the handle
 *
 * Events come on a socket of their own: see dlease_nl_event_fd().
 *
 * Return: 0; -EOPNOTSUPP (no such group); errors of the socket.
 */
int dlease_nl_subscribe(struct dlease_nl *nl);

/**
 * dlease_nl_event_fd() - the file descriptor events arrive on
 * @nl: a subscribed handle
 *
 * Return: the fd (non-blocking), or -EBADF if not subscribed.
 */
int dlease_nl_event_fd(const struct dlease_nl *nl);

/**
 * dlease_nl_read_event() - the next lease transition
 * @nl: a subscribed handle
 * @ev: filled in
 * @timeout_ms: longest wait (-1: no limit, 0: do not wait)
 *
 * Return: 0; -EAGAIN (none within @timeout_ms); -ENOBUFS (the socket
 * overflowed: events were lost; reading goes on after them); -EBADF (not
 * subscribed); -EINTR; -EPROTO.
 */
int dlease_nl_read_event(struct dlease_nl *nl, struct dlease_nl_event *ev,
			 int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* LIBDLEASE_DLEASE_H */
