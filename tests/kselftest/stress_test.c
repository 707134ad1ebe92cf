// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: several processes take and give back leases on a set of names
 * thousands of times, in both modes, with blocking, try and async waits
 * and sessions closed while holding.  A shared-memory witness checks that
 * no two exclusive holders (or an exclusive and a shared one) ever
 * overlap, and that every exclusive grant's token is greater than every
 * earlier token of its name.
 */
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>

#include "dlease_util.h"
#include "kselftest_harness.h"

#define NPROC	4
#define CYCLES	2500
#define NNAMES	16

struct witness {
	int exclusive;
	int shared;
	uint64_t max_token;
	uint64_t grants;
};

struct shm {
	struct witness w[NNAMES];
	int violations;
	int errors;
};

static void atomic_max(uint64_t *p, uint64_t v)
{
	uint64_t cur = __atomic_load_n(p, __ATOMIC_SEQ_CST);

	while (cur < v && !__atomic_compare_exchange_n(p, &cur, v, false,
						       __ATOMIC_SEQ_CST,
						       __ATOMIC_SEQ_CST))
		;
}

static void hold(struct shm *shm, int n, int mode, uint64_t token)
{
	struct witness *w = &shm->w[n];

	if (mode == DLEASE_MODE_EXCLUSIVE) {
		if (__atomic_fetch_add(&w->exclusive, 1, __ATOMIC_SEQ_CST) ||
		    __atomic_load_n(&w->shared, __ATOMIC_SEQ_CST) ||
		    token <= __atomic_load_n(&w->max_token, __ATOMIC_SEQ_CST))
			__atomic_fetch_add(&shm->violations, 1,
					   __ATOMIC_SEQ_CST);
		atomic_max(&w->max_token, token);
		sched_yield();
		__atomic_fetch_sub(&w->exclusive, 1, __ATOMIC_SEQ_CST);
	} else {
		__atomic_fetch_add(&w->shared, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&w->exclusive, __ATOMIC_SEQ_CST))
			__atomic_fetch_add(&shm->violations, 1,
					   __ATOMIC_SEQ_CST);
		atomic_max(&w->max_token, token);
		sched_yield();
		__atomic_fetch_sub(&w->shared, 1, __ATOMIC_SEQ_CST);
	}
	__atomic_fetch_add(&w->grants, 1, __ATOMIC_SEQ_CST);
}

/* Takes one lease by one of the three ways; returns its id or 0. */
static uint64_t take(int fd, const char *name, int mode, unsigned int r,
		     uint64_t *token)
{
	struct dlease_acquire a;
	struct dlease_event ev;
	int err;

	switch (r % 3) {
	case 0:
		err = dl_acquire(fd, name, mode, DLEASE_ACQ_TRY, 30 * SEC, 0,
				 0, &a);
		if (err == -EAGAIN)
			return 0;
		break;
	case 1:
		err = dl_acquire(fd, name, mode, DLEASE_ACQ_ASYNC, 30 * SEC,
				 0, 0, &a);
		while (!err) {
			err = dl_event(fd, &ev, 20000);
			if (!err && ev.type == DLEASE_EV_GRANTED &&
			    ev.lease_id == a.lease_id) {
				a.token = ev.token;
				break;
			}
		}
		break;
	default:
		err = dl_acquire(fd, name, mode, 0, 30 * SEC, 0, 20 * SEC, &a);
		break;
	}
	if (err)
		return (uint64_t)-1;
	*token = a.token;
	return a.lease_id;
}

static int worker(struct shm *shm, unsigned int seed)
{
	struct dlease_events none = { .mask = 1U << DLEASE_EV_GRANTED };
	int fd = dl_open();
	char name[32];

	dl_ioctl(fd, DLEASE_IOC_SET_EVENTS, &none);
	for (int i = 0; i < CYCLES; i++) {
		unsigned int r = (unsigned int)rand_r(&seed);
		int n = (int)(r % NNAMES);
		int mode = (r >> 8) % 4 ? DLEASE_MODE_EXCLUSIVE :
					  DLEASE_MODE_SHARED;
		uint64_t id, token = 0;

		snprintf(name, sizeof(name), "stress-%d", n);
		id = take(fd, name, mode, r >> 12, &token);
		if (id == (uint64_t)-1) {
			__atomic_fetch_add(&shm->errors, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		if (!id)
			continue;
		hold(shm, n, mode, token);
		if ((r >> 16) % 50 == 0) {
			/* Let go by closing the whole session. */
			close(fd);
			fd = dl_open();
			dl_ioctl(fd, DLEASE_IOC_SET_EVENTS, &none);
		} else if (dl_release(fd, id)) {
			__atomic_fetch_add(&shm->errors, 1, __ATOMIC_SEQ_CST);
		}
	}
	close(fd);
	return 0;
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, no_overlap_and_tokens_increase, 600)
{
	struct shm *shm;
	pid_t pid[NPROC];
	uint64_t grants = 0;
	int i;

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shm);
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i])
			_exit(worker(shm, 0x5eed + (unsigned int)i));
	}
	for (i = 0; i < NPROC; i++)
		EXPECT_EQ(0, dl_wait_child(pid[i]));
	for (i = 0; i < NNAMES; i++)
		grants += shm->w[i].grants;
	TH_LOG("%d processes, %d cycles each, %llu grants", NPROC, CYCLES,
	       (unsigned long long)grants);
	EXPECT_EQ(0, shm->violations);
	EXPECT_EQ(0, shm->errors);
	EXPECT_LT(NPROC * CYCLES / 2, grants);
}

/*
 * Renewals that race the expiry timer: each renew lands about when the
 * TTL ends.  Either it wins (0, same token) or the lease is gone (ESTALE,
 * with an EXPIRED event); never anything else, never a kernel splat.  A
 * 1 ms TTL can even end before the acquire returns: ESTALE too.
 */
TEST_F_TIMEOUT(stress, renew_races_expiry, 300)
{
	struct dlease_events only = { .mask = 1U << DLEASE_EV_EXPIRED };
	int fd = dl_open(), won = 0, lost = 0;
	struct dlease_acquire a;
	struct dlease_renew r;
	struct dlease_event ev;

	ASSERT_EQ(0, dl_ioctl(fd, DLEASE_IOC_SET_EVENTS, &only));
	for (int i = 0; i < 3000; i++) {
		uint64_t grace = i % 2 ? 1 * MS : 0;
		int err;

		err = dl_acquire(fd, "stress-renew", DLEASE_MODE_EXCLUSIVE,
				 DLEASE_ACQ_TRY, MS, grace, 0, &a);
		if (!err) {
			while (now_ns() + 20000 < a.expires_ns + grace)
				;
			err = dl_renew(fd, a.lease_id, MS, &r);
		}
		/* ESTALE from acquire: it ended before the call returned. */
		if (!err) {
			won++;
			EXPECT_EQ(a.token, r.token);
			err = dl_release(fd, a.lease_id);
			EXPECT_TRUE(err == 0 || err == -ESTALE);
		} else {
			lost++;
			ASSERT_EQ(-ESTALE, err);
		}
		while (dl_event(fd, &ev, 0) == 0)
			EXPECT_EQ(DLEASE_EV_EXPIRED, ev.type);
	}
	TH_LOG("renew won %d, lost %d", won, lost);
	close(fd);
}

/*
 * Sessions closed while their leases' timers fire: the close and the
 * timers race for the same leases.
 */
TEST_F_TIMEOUT(stress, close_races_expiry, 300)
{
	char name[32];

	for (int i = 0; i < 400; i++) {
		struct dlease_acquire a;
		int fd = dl_open();

		ASSERT_LE(0, fd);
		for (int j = 0; j < 16; j++) {
			int err;

			snprintf(name, sizeof(name), "stress-close-%d", j);
			err = dl_acquire(fd, name, DLEASE_MODE_SHARED,
					 DLEASE_ACQ_TRY, MS, j % 2 ? MS : 0, 0,
					 &a);
			/* ESTALE: a 1 ms lease may end before we hear of it. */
			ASSERT_TRUE(err == 0 || err == -ESTALE);
		}
		while (now_ns() + 10000 * (i % 20) < a.expires_ns)
			;
		close(fd);
	}
}

TEST_HARNESS_MAIN
