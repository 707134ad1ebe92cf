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
 * struct dlease_acquire_opts - how to ask for a lease
 * @mode: DLEASE_MODE_SHARED or DLEASE_MODE_EXCLUSIVE (0: exclusive)
 * @flags: DLEASE_ACQ_TRY, DLEASE_ACQ_ASYNC, DLEASE_ACQ_ABSTIME; none to
 *	block until granted or @timeout_ns passed
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
 * session or user); -ENOSPC (too many waiters on the resource); -ENOMEM.
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
 * @count: BREAK: waiters queued on the resource; OVERFLOW: events lost
 * @error: DLEASE_EV_RENEW_ERROR: the negative errno value; else 0
 * @lease: the handle of the lease in this session, or NULL (OVERFLOW,
 *	or a lease released meanwhile)
 * @lease_id: the lease's id
 * @token: the lease's fencing token
 * @cookie: the cookie given at acquire
 * @time_ns: CLOCK_MONOTONIC time of the event
 * @expires_ns: GRANTED, RENEWED: end of the TTL; LATE: end of the grace
 *	period; others: 0
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

#ifdef __cplusplus
}
#endif

#endif /* LIBDLEASE_DLEASE_H */
