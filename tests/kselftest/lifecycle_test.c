// SPDX-License-Identifier: GPL-2.0
/*
 * The life of a lease: renewal, grace, expiry, fencing tokens, events and
 * poll, and the end of sessions (close, fork, kill -9).
 */
#include <sys/epoll.h>

#include "dlease_util.h"
#include "kselftest_harness.h"

FIXTURE(life) {
	int fd;
	int other;
};

FIXTURE_SETUP(life)
{
	self->fd = dl_open();
	self->other = dl_open();
	ASSERT_LE(0, self->fd);
	ASSERT_LE(0, self->other);
}

FIXTURE_TEARDOWN(life)
{
	close(self->fd);
	close(self->other);
}

/* Late by more than this (scaled) fails an expiry test. */
#define SLACK	(200 * MS)

static void expect_event(struct __test_metadata *_metadata, int fd,
			 uint32_t type, uint64_t id, struct dlease_event *ev)
{
	ASSERT_EQ(0, dl_event(fd, ev, 2000)) TH_LOG("no event %u", type);
	EXPECT_EQ(type, ev->type);
	EXPECT_EQ(id, ev->lease_id);
}

TEST_F(life, renew_keeps_token_and_extends)
{
	struct dlease_acquire a;
	struct dlease_renew r;
	struct dlease_event ev;

	ASSERT_EQ(0, dl_acquire(self->fd, "l-renew", DLEASE_MODE_EXCLUSIVE,
				DLEASE_ACQ_TRY, SEC, 0, 0, &a));
	dl_sleep_ms(10);
	ASSERT_EQ(0, dl_renew(self->fd, a.lease_id, 0, &r));
	EXPECT_EQ(a.token, r.token);
	EXPECT_LT(a.expires_ns, r.expires_ns);
	EXPECT_EQ(0, r.out_flags);
	ASSERT_EQ(0, dl_renew(self->fd, a.lease_id, 3 * SEC, &r));
	EXPECT_LE(now_ns() + 2 * SEC, r.expires_ns);
	expect_event(_metadata, self->fd, DLEASE_EV_RENEWED, a.lease_id, &ev);
	EXPECT_EQ(a.token, ev.token);
}

TEST_F(life, new_grant_gets_greater_token)
{
	struct dlease_acquire a, b, c;

	ASSERT_EQ(0, dl_try(self->fd, "l-token", &a));
	ASSERT_EQ(0, dl_release(self->fd, a.lease_id));
	ASSERT_EQ(0, dl_try(self->other, "l-token", &b));
	EXPECT_LT(a.token, b.token);
	ASSERT_EQ(0, dl_release(self->other, b.lease_id));
	/* The resource was dropped and made again: tokens still grow. */
	ASSERT_EQ(0, dl_try(self->fd, "l-token", &c));
	EXPECT_LT(b.token, c.token);
	EXPECT_LT(a.lease_id, c.lease_id);
}

/* TTL, then LATE at the TTL's end, then EXPIRED at the grace's end. */
TEST_F(life, grace_then_hard_expiry)
{
	struct dlease_acquire a, w, t;
	struct dlease_event ev;
	uint64_t slack = SLACK * dl_scale();

	ASSERT_EQ(0, dl_acquire(self->fd, "l-grace", DLEASE_MODE_EXCLUSIVE,
				DLEASE_ACQ_TRY, 100 * MS, 100 * MS, 0, &a));
	ASSERT_EQ(0, dl_async(self->other, "l-grace", DLEASE_MODE_EXCLUSIVE,
			      &w));
	expect_event(_metadata, self->fd, DLEASE_EV_BREAK, a.lease_id, &ev);

	expect_event(_metadata, self->fd, DLEASE_EV_LATE, a.lease_id, &ev);
	EXPECT_LE(a.expires_ns, ev.time_ns);
	EXPECT_GT(a.expires_ns + slack, ev.time_ns);
	EXPECT_EQ(a.expires_ns + 100 * MS, ev.expires_ns);
	/* Still held during grace: nobody else got it. */
	EXPECT_EQ(-EAGAIN, dl_try(self->other, "l-grace", &t));

	expect_event(_metadata, self->fd, DLEASE_EV_EXPIRED, a.lease_id, &ev);
	EXPECT_LE(a.expires_ns + 100 * MS, ev.time_ns);
	EXPECT_GT(a.expires_ns + 100 * MS + slack, ev.time_ns);
	EXPECT_EQ(a.token, ev.token);

	/* Dead: the next waiter has it, with a greater token. */
	EXPECT_EQ(-ESTALE, dl_renew(self->fd, a.lease_id, 0, NULL));
	EXPECT_EQ(-ESTALE, dl_release(self->fd, a.lease_id));
	expect_event(_metadata, self->other, DLEASE_EV_GRANTED, w.lease_id,
		     &ev);
	EXPECT_LT(a.token, ev.token);
}

TEST_F(life, expiry_without_grace)
{
	struct dlease_acquire a, b;
	struct dlease_event ev;

	ASSERT_EQ(0, dl_acquire(self->fd, "l-nograce", DLEASE_MODE_EXCLUSIVE,
				DLEASE_ACQ_TRY, 30 * MS, 0, 0, &a));
	expect_event(_metadata, self->fd, DLEASE_EV_EXPIRED, a.lease_id, &ev);
	EXPECT_LE(a.expires_ns, ev.time_ns);
	EXPECT_GT(a.expires_ns + SLACK * dl_scale(), ev.time_ns);
	EXPECT_EQ(0, dl_try(self->other, "l-nograce", &b));
	EXPECT_LT(a.token, b.token);
}

/* A renew during grace brings the lease back and says it was late. */
TEST_F(life, renew_during_grace)
{
	struct dlease_acquire a;
	struct dlease_renew r;
	struct dlease_event ev;

	ASSERT_EQ(0, dl_acquire(self->fd, "l-late", DLEASE_MODE_EXCLUSIVE,
				DLEASE_ACQ_TRY, 40 * MS, 10 * SEC, 0, &a));
	expect_event(_metadata, self->fd, DLEASE_EV_LATE, a.lease_id, &ev);
	ASSERT_EQ(0, dl_renew(self->fd, a.lease_id, SEC, &r));
	EXPECT_EQ(DLEASE_RENEW_WAS_LATE, r.out_flags);
	EXPECT_EQ(a.token, r.token);
	expect_event(_metadata, self->fd, DLEASE_EV_RENEWED, a.lease_id, &ev);
	ASSERT_EQ(0, dl_renew(self->fd, a.lease_id, SEC, &r));
	EXPECT_EQ(0, r.out_flags);
}

/* Renewing a lease often keeps it alive far past its TTL. */
TEST_F(life, renewals_outlive_ttl)
{
	struct dlease_acquire a;
	struct dlease_event ev;
	struct dlease_events mask = { .mask = 0 };

	ASSERT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_SET_EVENTS, &mask));
	ASSERT_EQ(0, dl_acquire(self->fd, "l-keep", DLEASE_MODE_EXCLUSIVE,
				DLEASE_ACQ_TRY, 200 * MS * dl_scale(), 0, 0,
				&a));
	for (int i = 0; i < 20; i++) {
		dl_sleep_ms(50);
		ASSERT_EQ(0, dl_renew(self->fd, a.lease_id, 0, NULL));
	}
	EXPECT_EQ(-ETIMEDOUT, dl_event(self->fd, &ev, 10));
}

/* poll() and epoll wake for each kind of event, and only then. */
TEST_F(life, poll_wakes_for_each_event_kind)
{
	struct epoll_event out, in = { .events = EPOLLIN };
	struct dlease_acquire a, w;
	struct dlease_event ev;
	int ep = epoll_create1(0);
	uint32_t seen = 0;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &in));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 10));
	ASSERT_EQ(0, dl_acquire(self->fd, "l-poll", DLEASE_MODE_EXCLUSIVE,
				DLEASE_ACQ_ASYNC, 60 * MS, 60 * MS, 0, &a));
	ASSERT_EQ(0, dl_async(self->other, "l-poll", DLEASE_MODE_SHARED, &w));
	ASSERT_EQ(0, dl_renew(self->fd, a.lease_id, 60 * MS, NULL));
	/* GRANTED, BREAK, RENEWED now; LATE and EXPIRED from the timer. */
	while (seen != ((1U << DLEASE_EV_GRANTED) | (1U << DLEASE_EV_BREAK) |
			(1U << DLEASE_EV_RENEWED) | (1U << DLEASE_EV_LATE) |
			(1U << DLEASE_EV_EXPIRED))) {
		ASSERT_EQ(1, epoll_wait(ep, &out, 1, 2000 * (int)dl_scale()));
		EXPECT_TRUE(out.events & EPOLLIN);
		ASSERT_EQ(sizeof(ev), read(self->fd, &ev, sizeof(ev)));
		EXPECT_EQ(a.lease_id, ev.lease_id);
		seen |= 1U << ev.type;
	}
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 10));
	close(ep);
}

/* The queue of events keeps order and counts what it could not keep. */
TEST_F(life, event_overflow_counts_losses)
{
	struct dlease_info info;
	struct dlease_acquire a;
	struct dlease_event *ev;
	uint32_t n, extra = 7, i;
	ssize_t got;

	ASSERT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_INFO, &info));
	n = info.max_events;
	ASSERT_EQ(0, dl_try(self->fd, "l-overflow", &a));
	for (i = 0; i < n + extra; i++)
		ASSERT_EQ(0, dl_renew(self->fd, a.lease_id, 0, NULL));
	ev = calloc(n + 1, sizeof(*ev));
	ASSERT_NE(NULL, ev);
	got = read(self->fd, ev, (n + 1) * sizeof(*ev));
	ASSERT_EQ((ssize_t)(n * sizeof(*ev)), got);
	for (i = 0; i + 1 < n; i++) {
		EXPECT_EQ(DLEASE_EV_RENEWED, ev[i].type);
		if (i)
			EXPECT_LE(ev[i - 1].time_ns, ev[i].time_ns);
	}
	EXPECT_EQ(DLEASE_EV_OVERFLOW, ev[n - 1].type);
	EXPECT_EQ(extra + 1, ev[n - 1].count);
	free(ev);
}

TEST_F(life, close_releases_and_hands_over)
{
	struct dlease_acquire a, b, w;
	struct dlease_event ev;
	int fd = dl_open();
	uint64_t t0;

	ASSERT_EQ(0, dl_try(fd, "l-close", &a));
	ASSERT_EQ(0, dl_try(fd, "l-close2", &b));
	ASSERT_EQ(0, dl_async(self->other, "l-close", DLEASE_MODE_EXCLUSIVE,
			      &w));
	t0 = now_ns();
	close(fd);
	expect_event(_metadata, self->other, DLEASE_EV_GRANTED, w.lease_id,
		     &ev);
	EXPECT_GT(t0 + 100 * MS * dl_scale(), ev.time_ns);
	EXPECT_EQ(0, dl_try(self->fd, "l-close2", &b));
}

/* A session shared by fork() ends with its last file reference. */
TEST_F(life, fork_shares_session_until_last_close)
{
	struct dlease_acquire a, b;
	pid_t pid;
	int fd = dl_open();

	ASSERT_EQ(0, dl_try(fd, "l-fork", &a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct dlease_query q;

		/* The child sees the same lease through the same session. */
		_exit(dl_query(fd, a.lease_id, &q) == 0 && q.token == a.token ?
		      0 : 1);
	}
	EXPECT_EQ(0, dl_wait_child(pid));
	EXPECT_EQ(-EAGAIN, dl_try(self->other, "l-fork", &b));
	close(fd);
	EXPECT_EQ(0, dl_try(self->other, "l-fork", &b));
}

/* kill -9 of a holder hands the lease over at once. */
TEST_F(life, kill9_releases_and_hands_over)
{
	struct dlease_acquire w;
	struct dlease_event ev;
	int ready[2];
	uint64_t t0;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct dlease_acquire a;

		if (dl_try(dl_open(), "l-kill", &a))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		pause();
		_exit(3);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, dl_async(self->other, "l-kill", DLEASE_MODE_EXCLUSIVE,
			      &w));
	EXPECT_EQ(DLEASE_STATE_WAITING, w.state);
	t0 = now_ns();
	kill(pid, SIGKILL);
	expect_event(_metadata, self->other, DLEASE_EV_GRANTED, w.lease_id,
		     &ev);
	EXPECT_GT(t0 + 500 * MS * dl_scale(), ev.time_ns);
	EXPECT_EQ(128 + SIGKILL, dl_wait_child(pid));
}

/* Closing a session cancels its queued requests: they never get it. */
TEST_F(life, close_cancels_waiters)
{
	struct dlease_acquire h, w, c;
	int fd = dl_open();

	ASSERT_EQ(0, dl_try(self->fd, "l-cancel", &h));
	ASSERT_EQ(0, dl_async(fd, "l-cancel", DLEASE_MODE_EXCLUSIVE, &w));
	ASSERT_EQ(1, dl_waiters(self->fd, h.lease_id));
	close(fd);
	EXPECT_EQ(0, dl_waiters(self->fd, h.lease_id));
	ASSERT_EQ(0, dl_release(self->fd, h.lease_id));
	EXPECT_EQ(0, dl_try(self->other, "l-cancel", &c));
}

TEST_HARNESS_MAIN
