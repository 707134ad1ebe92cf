// SPDX-License-Identifier: GPL-2.0
/*
 * Fair queueing: strict FIFO, shared batches at the head, no writer
 * starvation, blocking waits that time out or are interrupted without
 * disturbing the others, and wake-ups of exactly the granted waiters.
 */
#include "dlease_util.h"
#include "kselftest_harness.h"

#define NSESS 8

FIXTURE(queue) {
	int fd[NSESS];
};

FIXTURE_SETUP(queue)
{
	for (int i = 0; i < NSESS; i++) {
		self->fd[i] = dl_open();
		ASSERT_LE(0, self->fd[i]);
	}
}

FIXTURE_TEARDOWN(queue)
{
	for (int i = 0; i < NSESS; i++)
		close(self->fd[i]);
}

/* Whether session @fd has an event of @type for @id within @ms. */
static int got(int fd, uint32_t type, uint64_t id, int ms)
{
	struct dlease_event ev;

	while (dl_event(fd, &ev, ms) == 0) {
		if (ev.type == type && ev.lease_id == id)
			return 1;
	}
	return 0;
}

static int held(int fd, uint64_t id)
{
	struct dlease_query q;

	return dl_query(fd, id, &q) == 0 && q.state == DLEASE_STATE_HELD;
}

/*
 * Eight processes queue one after another behind a holder; each reports
 * when it gets the lease.  Grants must follow arrival order exactly.
 */
TEST_F(queue, fifo_order_of_eight_blocked_processes)
{
	struct dlease_acquire h;
	pid_t pid[NSESS];
	int pipefd[2], order[NSESS], i;

	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(0, dl_try(self->fd[0], "q-fifo", &h));
	for (i = 0; i < NSESS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			struct dlease_acquire a;
			int fd = dl_open();
			char c = (char)i;

			if (dl_acquire(fd, "q-fifo", DLEASE_MODE_EXCLUSIVE, 0,
				       10 * SEC, 0, 0, &a))
				_exit(1);
			if (write(pipefd[1], &c, 1) != 1)
				_exit(2);
			dl_sleep_ms(5);
			_exit(dl_release(fd, a.lease_id) ? 3 : 0);
		}
		/* The next one only once this one is queued. */
		ASSERT_EQ(i + 1, dl_wait_waiters(self->fd[0], h.lease_id,
						 i + 1));
	}
	ASSERT_EQ(0, dl_release(self->fd[0], h.lease_id));
	for (i = 0; i < NSESS; i++) {
		char c;

		ASSERT_EQ(1, read(pipefd[0], &c, 1));
		order[i] = c;
	}
	for (i = 0; i < NSESS; i++) {
		EXPECT_EQ(i, order[i]);
		EXPECT_EQ(0, dl_wait_child(pid[i]));
	}
}

/* S1 S2 X S3 behind an exclusive holder: S1 and S2 together, then X. */
TEST_F(queue, shared_batch_at_head_granted_together)
{
	struct dlease_acquire h, s1, s2, x, s3;
	int *fd = self->fd;

	ASSERT_EQ(0, dl_try(fd[0], "q-batch", &h));
	ASSERT_EQ(0, dl_async(fd[1], "q-batch", DLEASE_MODE_SHARED, &s1));
	ASSERT_EQ(0, dl_async(fd[2], "q-batch", DLEASE_MODE_SHARED, &s2));
	ASSERT_EQ(0, dl_async(fd[3], "q-batch", DLEASE_MODE_EXCLUSIVE, &x));
	ASSERT_EQ(0, dl_async(fd[4], "q-batch", DLEASE_MODE_SHARED, &s3));
	ASSERT_EQ(4, dl_waiters(fd[0], h.lease_id));

	ASSERT_EQ(0, dl_release(fd[0], h.lease_id));
	EXPECT_TRUE(got(fd[1], DLEASE_EV_GRANTED, s1.lease_id, 1000));
	EXPECT_TRUE(got(fd[2], DLEASE_EV_GRANTED, s2.lease_id, 1000));
	EXPECT_TRUE(held(fd[1], s1.lease_id));
	EXPECT_TRUE(held(fd[2], s2.lease_id));
	EXPECT_FALSE(held(fd[3], x.lease_id));
	EXPECT_FALSE(held(fd[4], s3.lease_id));
	EXPECT_EQ(2, dl_waiters(fd[1], s1.lease_id));

	ASSERT_EQ(0, dl_release(fd[1], s1.lease_id));
	EXPECT_FALSE(held(fd[3], x.lease_id));
	ASSERT_EQ(0, dl_release(fd[2], s2.lease_id));
	EXPECT_TRUE(got(fd[3], DLEASE_EV_GRANTED, x.lease_id, 1000));
	EXPECT_FALSE(held(fd[4], s3.lease_id));
	ASSERT_EQ(0, dl_release(fd[3], x.lease_id));
	EXPECT_TRUE(got(fd[4], DLEASE_EV_GRANTED, s3.lease_id, 1000));
}

/* A queued writer blocks later readers, even while readers hold. */
TEST_F(queue, writer_not_starved_by_readers)
{
	struct dlease_acquire r1, w, r2, r3;
	int *fd = self->fd;

	ASSERT_EQ(0, dl_acquire(fd[0], "q-starve", DLEASE_MODE_SHARED,
				DLEASE_ACQ_TRY, 10 * SEC, 0, 0, &r1));
	ASSERT_EQ(0, dl_async(fd[1], "q-starve", DLEASE_MODE_EXCLUSIVE, &w));
	EXPECT_EQ(DLEASE_STATE_WAITING, w.state);
	/* A stream of readers: none may pass the writer. */
	for (int i = 0; i < 20; i++)
		EXPECT_EQ(-EAGAIN, dl_acquire(fd[2], "q-starve",
					      DLEASE_MODE_SHARED,
					      DLEASE_ACQ_TRY, SEC, 0, 0, &r2));
	ASSERT_EQ(0, dl_async(fd[2], "q-starve", DLEASE_MODE_SHARED, &r2));
	EXPECT_EQ(DLEASE_STATE_WAITING, r2.state);
	ASSERT_EQ(0, dl_release(fd[0], r1.lease_id));
	EXPECT_TRUE(got(fd[1], DLEASE_EV_GRANTED, w.lease_id, 1000));
	EXPECT_FALSE(held(fd[2], r2.lease_id));
	ASSERT_EQ(0, dl_async(fd[3], "q-starve", DLEASE_MODE_SHARED, &r3));
	ASSERT_EQ(0, dl_release(fd[1], w.lease_id));
	EXPECT_TRUE(got(fd[2], DLEASE_EV_GRANTED, r2.lease_id, 1000));
	EXPECT_TRUE(got(fd[3], DLEASE_EV_GRANTED, r3.lease_id, 1000));
}

TEST_F(queue, blocking_relative_timeout_etimedout)
{
	struct dlease_acquire h, a;
	uint64_t t0, dt;

	ASSERT_EQ(0, dl_try(self->fd[0], "q-tmo", &h));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, dl_acquire(self->fd[1], "q-tmo",
					 DLEASE_MODE_EXCLUSIVE, 0, SEC, 0,
					 50 * MS, &a));
	dt = now_ns() - t0;
	EXPECT_LE(50 * MS, dt);
	EXPECT_GT(2 * SEC * dl_scale(), dt);
	EXPECT_EQ(0, dl_waiters(self->fd[0], h.lease_id));
}

TEST_F(queue, blocking_absolute_deadline)
{
	struct dlease_acquire h, a;
	uint64_t t0 = now_ns();

	ASSERT_EQ(0, dl_try(self->fd[0], "q-abs", &h));
	/* A deadline in the past times out at once. */
	EXPECT_EQ(-ETIMEDOUT, dl_acquire(self->fd[1], "q-abs",
					 DLEASE_MODE_EXCLUSIVE,
					 DLEASE_ACQ_ABSTIME, SEC, 0, 1, &a));
	EXPECT_EQ(-ETIMEDOUT, dl_acquire(self->fd[1], "q-abs",
					 DLEASE_MODE_EXCLUSIVE,
					 DLEASE_ACQ_ABSTIME, SEC, 0,
					 t0 + 30 * MS, &a));
	EXPECT_LE(t0 + 30 * MS, now_ns());
	EXPECT_EQ(0, dl_waiters(self->fd[0], h.lease_id));
}

/* A blocked waiter is granted as soon as the holder lets go. */
TEST_F(queue, blocking_waiter_granted_on_release)
{
	struct dlease_acquire h, a;
	pid_t pid;

	ASSERT_EQ(0, dl_try(self->fd[0], "q-block", &h));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = dl_open();

		if (dl_acquire(fd, "q-block", DLEASE_MODE_EXCLUSIVE, 0,
			       10 * SEC, 0, 0, &a))
			_exit(1);
		_exit(a.token > h.token && a.state == DLEASE_STATE_HELD ?
		      0 : 2);
	}
	ASSERT_EQ(1, dl_wait_waiters(self->fd[0], h.lease_id, 1));
	ASSERT_EQ(0, dl_release(self->fd[0], h.lease_id));
	EXPECT_EQ(0, dl_wait_child(pid));
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * A waiter in the middle of the queue is interrupted (or times out): it
 * leaves, and the waiters before and after it keep their order.
 */
static void leave_middle(struct __test_metadata *_metadata, int *fd,
			 const char *name, int use_signal)
{
	struct dlease_acquire h, first, last;
	int status;
	pid_t pid;

	ASSERT_EQ(0, dl_try(fd[0], name, &h));
	ASSERT_EQ(0, dl_async(fd[1], name, DLEASE_MODE_EXCLUSIVE, &first));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct sigaction sa = { .sa_handler = on_usr1 };
		struct dlease_acquire a;
		int err;

		sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
		err = dl_acquire(dl_open(), name, DLEASE_MODE_EXCLUSIVE, 0,
				 SEC, 0, use_signal ? 30 * SEC : 200 * MS, &a);
		if (err != (use_signal ? -EINTR : -ETIMEDOUT))
			_exit(1);
		/* EINTR leaves the time that was left in timeout_ns. */
		_exit(!use_signal || (a.timeout_ns > 0 &&
				      a.timeout_ns < 30 * SEC) ? 0 : 2);
	}
	ASSERT_EQ(2, dl_wait_waiters(fd[0], h.lease_id, 2));
	ASSERT_EQ(0, dl_async(fd[2], name, DLEASE_MODE_EXCLUSIVE, &last));
	ASSERT_EQ(3, dl_waiters(fd[0], h.lease_id));
	if (use_signal)
		kill(pid, SIGUSR1);
	status = dl_wait_child(pid);
	EXPECT_EQ(0, status);
	EXPECT_EQ(2, dl_waiters(fd[0], h.lease_id));
	ASSERT_EQ(0, dl_release(fd[0], h.lease_id));
	EXPECT_TRUE(got(fd[1], DLEASE_EV_GRANTED, first.lease_id, 1000));
	EXPECT_FALSE(held(fd[2], last.lease_id));
	ASSERT_EQ(0, dl_release(fd[1], first.lease_id));
	EXPECT_TRUE(got(fd[2], DLEASE_EV_GRANTED, last.lease_id, 1000));
}

TEST_F(queue, signal_leaves_queue_intact)
{
	leave_middle(_metadata, self->fd, "q-sig", 1);
}

TEST_F(queue, timeout_leaves_queue_intact)
{
	leave_middle(_metadata, self->fd, "q-tmo-mid", 0);
}

/* With no timeout and SA_RESTART, a signal does not end the wait. */
TEST_F(queue, signal_with_restart_keeps_waiting)
{
	struct dlease_acquire h;
	pid_t pid;

	ASSERT_EQ(0, dl_try(self->fd[0], "q-restart", &h));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct sigaction sa = {
			.sa_handler = on_usr1, .sa_flags = SA_RESTART,
		};
		struct dlease_acquire a;

		sigaction(SIGUSR1, &sa, NULL);
		_exit(dl_acquire(dl_open(), "q-restart", DLEASE_MODE_EXCLUSIVE,
				 0, SEC, 0, 0, &a) ? 1 : 0);
	}
	ASSERT_EQ(1, dl_wait_waiters(self->fd[0], h.lease_id, 1));
	kill(pid, SIGUSR1);
	dl_sleep_ms(50);
	/* Restarted: queued again, still waiting. */
	EXPECT_EQ(1, dl_wait_waiters(self->fd[0], h.lease_id, 1));
	ASSERT_EQ(0, dl_release(self->fd[0], h.lease_id));
	EXPECT_EQ(0, dl_wait_child(pid));
}

/* A timeout too large for the kernel's clock means no limit. */
TEST_F(queue, huge_timeouts_mean_no_limit)
{
	struct dlease_acquire h;
	pid_t pid;

	ASSERT_EQ(0, dl_try(self->fd[0], "q-huge", &h));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct dlease_acquire a;
		int fd = dl_open();

		if (dl_acquire(fd, "q-huge", DLEASE_MODE_SHARED, 0, SEC, 0,
			       UINT64_MAX, &a))
			_exit(1);
		_exit(dl_acquire(fd, "q-huge", DLEASE_MODE_SHARED,
				 DLEASE_ACQ_ABSTIME, SEC, 0, UINT64_MAX, &a) ?
		      2 : 0);
	}
	ASSERT_EQ(1, dl_wait_waiters(self->fd[0], h.lease_id, 1));
	dl_sleep_ms(50);
	EXPECT_EQ(1, dl_waiters(self->fd[0], h.lease_id));
	ASSERT_EQ(0, dl_release(self->fd[0], h.lease_id));
	EXPECT_EQ(0, dl_wait_child(pid));
}

/* At most max_holders share a resource; the next one waits its turn. */
TEST_F(queue, holders_cap_makes_shared_requests_wait)
{
	struct dlease_info info;
	struct dlease_acquire a, first, w;
	struct dlease_event ev;
	unsigned int i;
	int fd = dl_open();

	ASSERT_EQ(0, dl_ioctl(fd, DLEASE_IOC_INFO, &info));
	ASSERT_GE(info.max_per_session, info.max_holders);
	for (i = 0; i < info.max_holders; i++)
		ASSERT_EQ(0, dl_acquire(fd, "q-cap", DLEASE_MODE_SHARED,
					DLEASE_ACQ_TRY, 10 * SEC, 0, 0,
					i ? &a : &first));
	EXPECT_EQ(-EAGAIN, dl_acquire(self->fd[1], "q-cap", DLEASE_MODE_SHARED,
				      DLEASE_ACQ_TRY, SEC, 0, 0, &w));
	ASSERT_EQ(0, dl_async(self->fd[1], "q-cap", DLEASE_MODE_SHARED, &w));
	EXPECT_EQ(DLEASE_STATE_WAITING, w.state);
	ASSERT_EQ(0, dl_release(fd, first.lease_id));
	ASSERT_EQ(0, dl_event(self->fd[1], &ev, 1000));
	EXPECT_EQ(DLEASE_EV_GRANTED, ev.type);
	EXPECT_EQ(w.lease_id, ev.lease_id);
	close(fd);
}

/* A fatal signal ends a blocked wait and the queue moves on. */
TEST_F(queue, sigkill_of_blocked_waiter)
{
	struct dlease_acquire h, next;
	pid_t pid;

	ASSERT_EQ(0, dl_try(self->fd[0], "q-kill", &h));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct dlease_acquire a;

		dl_acquire(dl_open(), "q-kill", DLEASE_MODE_EXCLUSIVE, 0, SEC,
			   0, 0, &a);
		_exit(1);
	}
	ASSERT_EQ(1, dl_wait_waiters(self->fd[0], h.lease_id, 1));
	ASSERT_EQ(0, dl_async(self->fd[1], "q-kill", DLEASE_MODE_EXCLUSIVE,
			      &next));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, dl_wait_child(pid));
	EXPECT_EQ(1, dl_waiters(self->fd[0], h.lease_id));
	ASSERT_EQ(0, dl_release(self->fd[0], h.lease_id));
	EXPECT_TRUE(got(self->fd[1], DLEASE_EV_GRANTED, next.lease_id, 1000));
}

/*
 * Readers hold; a writer waits at the head with readers behind it.  When
 * the writer gives up, the readers behind it can run and are granted.
 */
TEST_F(queue, head_writer_leaving_unblocks_readers)
{
	struct dlease_acquire r, w, r2;
	int *fd = self->fd;

	ASSERT_EQ(0, dl_acquire(fd[0], "q-head", DLEASE_MODE_SHARED,
				DLEASE_ACQ_TRY, 10 * SEC, 0, 0, &r));
	ASSERT_EQ(0, dl_async(fd[1], "q-head", DLEASE_MODE_EXCLUSIVE, &w));
	ASSERT_EQ(0, dl_async(fd[2], "q-head", DLEASE_MODE_SHARED, &r2));
	EXPECT_FALSE(held(fd[2], r2.lease_id));
	ASSERT_EQ(0, dl_release(fd[1], w.lease_id));	/* cancel */
	EXPECT_TRUE(got(fd[2], DLEASE_EV_GRANTED, r2.lease_id, 1000));
	EXPECT_TRUE(held(fd[0], r.lease_id));
}

/* An async request granted at once still reports GRANTED. */
TEST_F(queue, async_granted_at_once_reports_event)
{
	struct dlease_acquire a;
	struct dlease_event ev;

	ASSERT_EQ(0, dl_async(self->fd[0], "q-async", DLEASE_MODE_EXCLUSIVE,
			      &a));
	EXPECT_EQ(DLEASE_STATE_HELD, a.state);
	ASSERT_EQ(0, dl_event(self->fd[0], &ev, 1000));
	EXPECT_EQ(DLEASE_EV_GRANTED, ev.type);
	EXPECT_EQ(a.lease_id, ev.lease_id);
	EXPECT_EQ(a.token, ev.token);
	EXPECT_EQ(a.expires_ns, ev.expires_ns);
	EXPECT_EQ(0xc0ffee, ev.cookie);
}

/* Every holder hears of the queue behind it; BREAKs merge while unread. */
TEST_F(queue, break_event_when_someone_queues)
{
	struct dlease_acquire h1, h2, w1, w2;
	struct dlease_event ev;
	int *fd = self->fd;

	ASSERT_EQ(0, dl_acquire(fd[0], "q-break", DLEASE_MODE_SHARED,
				DLEASE_ACQ_TRY, 10 * SEC, 0, 0, &h1));
	ASSERT_EQ(0, dl_acquire(fd[1], "q-break", DLEASE_MODE_SHARED,
				DLEASE_ACQ_TRY, 10 * SEC, 0, 0, &h2));
	ASSERT_EQ(0, dl_async(fd[2], "q-break", DLEASE_MODE_EXCLUSIVE, &w1));
	ASSERT_EQ(0, dl_async(fd[3], "q-break", DLEASE_MODE_EXCLUSIVE, &w2));
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, dl_event(fd[i], &ev, 1000));
		EXPECT_EQ(DLEASE_EV_BREAK, ev.type);
		EXPECT_EQ(i ? h2.lease_id : h1.lease_id, ev.lease_id);
		EXPECT_EQ(2, ev.count);		/* merged: one record */
		EXPECT_EQ(-ETIMEDOUT, dl_event(fd[i], &ev, 20));
	}
	/* The waiters themselves hear nothing. */
	EXPECT_EQ(-ETIMEDOUT, dl_event(fd[3], &ev, 20));
}

/* A new holder with waiters behind it is told at once. */
TEST_F(queue, break_event_for_granted_waiter_with_queue)
{
	struct dlease_acquire h, w1, w2;
	struct dlease_event ev;
	int *fd = self->fd;

	ASSERT_EQ(0, dl_try(fd[0], "q-break2", &h));
	ASSERT_EQ(0, dl_async(fd[1], "q-break2", DLEASE_MODE_EXCLUSIVE, &w1));
	ASSERT_EQ(0, dl_async(fd[2], "q-break2", DLEASE_MODE_EXCLUSIVE, &w2));
	ASSERT_EQ(0, dl_release(fd[0], h.lease_id));
	ASSERT_EQ(0, dl_event(fd[1], &ev, 1000));
	EXPECT_EQ(DLEASE_EV_GRANTED, ev.type);
	ASSERT_EQ(0, dl_event(fd[1], &ev, 1000));
	EXPECT_EQ(DLEASE_EV_BREAK, ev.type);
	EXPECT_EQ(w1.lease_id, ev.lease_id);
	EXPECT_EQ(1, ev.count);
}

TEST_HARNESS_MAIN
