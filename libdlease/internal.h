/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdlease internals shared by its files and its unit tests; nothing
 * here is exported from the shared library.
 */
#ifndef LIBDLEASE_INTERNAL_H
#define LIBDLEASE_INTERNAL_H

#include <pthread.h>

#include "dlease.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * struct renew_sched - when the keeper renews one lease, and what it has
 * learnt about renewals of it.  Pure data, driven by schedule.c.
 * @ttl_ns: the lease's TTL
 * @expires_ns: end of the TTL as last reported
 * @due_ns: next renewal; UINT64_MAX while not scheduled
 * @divisor: renew after ttl / divisor; grows when renewals are late
 * @base_divisor: what @divisor returns to after clean renewals
 * @delay_ns: worst recent delay of a renewal (wake-up lateness plus the
 *	time the call took), decaying
 * @clean: renewals in a row that were neither late nor slow
 * @failures: renewals in a row that failed with a transient error
 */
struct renew_sched {
	uint64_t ttl_ns;
	uint64_t expires_ns;
	uint64_t due_ns;
	uint32_t divisor;
	uint32_t base_divisor;
	uint64_t delay_ns;
	uint32_t clean;
	uint32_t failures;
};

#define SCHED_DIVISOR_DEFAULT	3
#define SCHED_DIVISOR_MAX	32
/* Clean renewals before the divisor halves back toward its base. */
#define SCHED_CLEAN_TO_RELAX	8
/* Time left at a renewal must be at least this many times the delay. */
#define SCHED_DELAY_FACTOR	4

void dl_sched_init(struct renew_sched *rs, uint32_t divisor, uint64_t ttl_ns);
void dl_sched_granted(struct renew_sched *rs, uint64_t now, uint64_t expires);
void dl_sched_renewed(struct renew_sched *rs, uint64_t started, uint64_t now,
		   uint64_t expires, bool was_late);
void dl_sched_late(struct renew_sched *rs, uint64_t now);
void dl_sched_failed(struct renew_sched *rs, uint64_t now);
void dl_sched_stop(struct renew_sched *rs);

struct dlease_lease {
	struct dlease_session *session;
	struct dlease_lease *prev, *next;	/* in session->leases */
	struct dlease_keeper *keeper;
	struct dlease_lease *kprev, *knext;	/* in keeper->leases */
	struct renew_sched sched;
	bool loss_told;
	uint64_t id;
	uint64_t token;
	uint64_t expires_ns;
	uint64_t ttl_ns;
	uint64_t grace_ns;
	uint64_t cookie;
	uint32_t state;
	uint32_t mode;
	char name[];
};

#define SESSION_RBUF	16

struct dlease_session {
	int fd;
	pthread_mutex_t lock;		/* leases, handle fields, rbuf */
	struct dlease_lease *leases;
	struct dlease_keeper *keeper;
	struct dlease_event rbuf[SESSION_RBUF];
	unsigned int rhead, rcount;
};

/*
 * struct keeper_ops - the clock and the renew call of a keeper, replaced
 * by unit tests with a fake clock and fake renewals.
 */
struct keeper_ops {
	uint64_t (*now)(void *ctx);
	int (*renew)(void *ctx, struct dlease_lease *l, bool *was_late);
};

struct dlease_session *dl_session_from_fd(int fd);
struct dlease_lease *dl_lease_new(struct dlease_session *s, const char *name,
			       size_t len);
void dl_lease_apply_event(struct dlease_lease *l,
		       const struct dlease_lease_event *ev);
void dl_lease_unlink(struct dlease_lease *l);
void dl_keeper_detach(struct dlease_lease *l);
void dl_keeper_set_ops(struct dlease_keeper *k, const struct keeper_ops *ops,
		    void *ctx);

#endif /* LIBDLEASE_INTERNAL_H */
