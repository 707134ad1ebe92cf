// SPDX-License-Identifier: GPL-2.0
/*
 * libdlease against the real module: the lease API, event decoding, and
 * the keeper keeping leases alive and reporting their loss.
 */
#include <stdio.h>
#include <sys/epoll.h>

#include "user_util.h"
#include "kselftest_harness.h"

FIXTURE(lib) {
	struct dlease_session *s;
	struct dlease_session *other;
};

FIXTURE_SETUP(lib)
{
	ASSERT_EQ(0, dlease_open(0, &self->s));
	ASSERT_EQ(0, dlease_open(0, &self->other));
}

FIXTURE_TEARDOWN(lib)
{
	dlease_close(self->s);
	dlease_close(self->other);
}

static struct dlease_acquire_opts opts(uint32_t flags, uint64_t ttl,
				       uint64_t grace)
{
	return (struct dlease_acquire_opts) {
		.mode = DLEASE_MODE_EXCLUSIVE, .flags = flags,
		.ttl_ns = ttl, .grace_ns = grace, .cookie = 0xfeed,
	};
}

TEST_F(lib, acquire_query_release)
{
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY, SEC, 0);
	struct dlease_lease_status st;
	struct dlease_lease *l, *m;
	struct dlease_info info;

	ASSERT_EQ(0, dlease_info(self->s, &info));
	EXPECT_EQ(DLEASE_API_VERSION, info.api_version);
	ASSERT_EQ(0, dlease_acquire(self->s, "u-basic", &o, &l));
	EXPECT_STREQ("u-basic", dlease_lease_name(l));
	EXPECT_EQ(DLEASE_STATE_HELD, dlease_lease_state(l));
	EXPECT_EQ(DLEASE_MODE_EXCLUSIVE, dlease_lease_mode(l));
	EXPECT_EQ(SEC, dlease_lease_ttl(l));
	EXPECT_EQ(0xfeed, dlease_lease_cookie(l));
	EXPECT_NE(0, dlease_lease_id(l));
	EXPECT_LT(0, dlease_lease_token(l));
	EXPECT_LT(dlease_now(), dlease_lease_expires(l));
	ASSERT_EQ(0, dlease_query(l, &st));
	EXPECT_EQ(dlease_lease_token(l), st.token);
	EXPECT_EQ(DLEASE_STATE_HELD, st.state);
	EXPECT_EQ(1, st.holders);

	EXPECT_EQ(-EAGAIN, dlease_acquire(self->other, "u-basic", &o, &m));
	EXPECT_STREQ("lease is held by someone else",
		     dlease_strerror(-EAGAIN));
	o.flags = 0;
	o.timeout_ns = 30 * MS;
	EXPECT_EQ(-ETIMEDOUT, dlease_acquire(self->other, "u-basic", &o, &m));
	EXPECT_EQ(0, dlease_release(l));
	o = opts(DLEASE_ACQ_TRY, SEC, 0);
	ASSERT_EQ(0, dlease_acquire(self->other, "u-basic", &o, &m));
	EXPECT_EQ(0, dlease_release(m));
}

TEST_F(lib, acquire_errors)
{
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY, SEC, 0);
	char name[DLEASE_NAME_MAX + 2];
	struct dlease_lease *l;

	EXPECT_EQ(-EINVAL, dlease_acquire(self->s, "", &o, &l));
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	EXPECT_EQ(-EINVAL, dlease_acquire(self->s, name, &o, &l));
	name[DLEASE_NAME_MAX] = 0;
	ASSERT_EQ(0, dlease_acquire(self->s, name, &o, &l));
	EXPECT_EQ(0, dlease_release(l));
	o.ttl_ns = 1;
	EXPECT_EQ(-ERANGE, dlease_acquire(self->s, "u-err", &o, &l));
	o = opts(DLEASE_ACQ_TRY | DLEASE_ACQ_ASYNC, SEC, 0);
	EXPECT_EQ(-EINVAL, dlease_acquire(self->s, "u-err", &o, &l));
	o = opts(DLEASE_ACQ_TRY, SEC, 0);
	o.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, dlease_acquire(self->s, "u-err", &o, &l));
	o = opts(0, SEC, 0);
	o.mode = 7;
	EXPECT_EQ(-EINVAL, dlease_acquire(self->s, "u-err", &o, &l));
}

TEST_F(lib, async_grant_is_decoded)
{
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY, SEC, 0);
	struct dlease_lease_event ev;
	struct dlease_lease *l, *w;
	uint64_t first;

	ASSERT_EQ(0, dlease_acquire(self->s, "u-async", &o, &l));
	first = dlease_lease_token(l);
	o.flags = DLEASE_ACQ_ASYNC;
	ASSERT_EQ(0, dlease_acquire(self->other, "u-async", &o, &w));
	EXPECT_EQ(DLEASE_STATE_WAITING, dlease_lease_state(w));
	EXPECT_EQ(0, dlease_lease_token(w));
	EXPECT_EQ(-EBUSY, dlease_renew(w, 0, NULL));

	ASSERT_EQ(0, dlease_read_event(self->s, &ev, 2000));
	EXPECT_EQ(DLEASE_EV_BREAK, ev.type);
	EXPECT_EQ(l, ev.lease);
	EXPECT_EQ(1, ev.count);
	EXPECT_EQ(-EAGAIN, dlease_read_event(self->other, &ev, 0));
	EXPECT_EQ(0, dlease_release(l));
	ASSERT_EQ(0, dlease_read_event(self->other, &ev, 2000));
	EXPECT_EQ(DLEASE_EV_GRANTED, ev.type);
	EXPECT_EQ(w, ev.lease);
	EXPECT_EQ(0xfeed, ev.cookie);
	EXPECT_LT(first, ev.token);
	EXPECT_EQ(DLEASE_STATE_HELD, dlease_lease_state(w));
	EXPECT_EQ(ev.token, dlease_lease_token(w));
	EXPECT_EQ(ev.expires_ns, dlease_lease_expires(w));
	EXPECT_EQ(0, dlease_release(w));
}

TEST_F(lib, renew_late_expired_decoded)
{
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY, 40 * MS, 60 * MS);
	struct dlease_lease_status st;
	struct dlease_lease_event ev;
	struct dlease_lease *l;
	bool late = true;

	ASSERT_EQ(0, dlease_acquire(self->s, "u-late", &o, &l));
	ASSERT_EQ(0, dlease_renew(l, 0, &late));
	EXPECT_FALSE(late);
	ASSERT_EQ(0, dlease_read_event(self->s, &ev, 2000));
	EXPECT_EQ(DLEASE_EV_RENEWED, ev.type);
	EXPECT_EQ(dlease_lease_expires(l), ev.expires_ns);
	ASSERT_EQ(0, dlease_read_event(self->s, &ev, 2000));
	EXPECT_EQ(DLEASE_EV_LATE, ev.type);
	EXPECT_EQ(DLEASE_STATE_LATE, dlease_lease_state(l));
	ASSERT_EQ(0, dlease_read_event(self->s, &ev, 2000));
	EXPECT_EQ(DLEASE_EV_EXPIRED, ev.type);
	EXPECT_TRUE(dlease_event_is_loss(&ev));
	EXPECT_EQ(DLEASE_STATE_LOST, dlease_lease_state(l));
	EXPECT_EQ(-ESTALE, dlease_renew(l, 0, NULL));
	EXPECT_EQ(-ESTALE, dlease_query(l, &st));
	EXPECT_EQ(-ESTALE, dlease_release(l));
}

/* What a keeper's notify callback saw. */
struct seen {
	int renewed;
	int lost;
	uint32_t lost_type;
	uint64_t lost_at;
	uint64_t last_renew_ns;
	uint64_t max_gap_ns;
	uint64_t min_left_ns;
	uint64_t expires_ns;
};

static void on_event(struct dlease_keeper *k,
		     const struct dlease_lease_event *ev, void *arg)
{
	struct seen *s = arg;

	if (ev->type == DLEASE_EV_RENEWED) {
		/* How close to its end did the lease come? */
		if (s->expires_ns && s->expires_ns - ev->time_ns < s->min_left_ns)
			s->min_left_ns = s->expires_ns - ev->time_ns;
		if (s->last_renew_ns &&
		    ev->time_ns - s->last_renew_ns > s->max_gap_ns)
			s->max_gap_ns = ev->time_ns - s->last_renew_ns;
		s->last_renew_ns = ev->time_ns;
		s->expires_ns = ev->expires_ns;
		s->renewed++;
	}
	if (dlease_event_is_loss(ev)) {
		s->lost++;
		s->lost_type = ev->type;
		s->lost_at = dlease_now();
	}
}

static void report(struct __test_metadata *_metadata, const char *how,
		   const struct seen *s, uint64_t ttl)
{
	char gap[DLEASE_DURATION_MAX], left[DLEASE_DURATION_MAX];
	char t[DLEASE_DURATION_MAX];

	dlease_duration_format(ttl, t, sizeof(t));
	dlease_duration_format(s->max_gap_ns, gap, sizeof(gap));
	dlease_duration_format(s->min_left_ns, left, sizeof(left));
	printf("# keeper (%s): TTL %s, %d renewals, longest gap %s, "
	       "closest to expiry %s\n", how, t, s->renewed, gap, left);
}

TEST_F(lib, keeper_thread_keeps_lease_10x_ttl)
{
	/* Long enough that a loaded TCG guest still renews in time. */
	uint64_t ttl = 300 * MS * scale();
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY, ttl, 0);
	struct seen seen = { .min_left_ns = UINT64_MAX };
	struct dlease_keeper_opts ko = { .notify = on_event, .arg = &seen };
	struct dlease_lease_status st;
	struct dlease_keeper *k;
	struct dlease_lease *l, *m;
	uint64_t token;

	ASSERT_EQ(0, dlease_acquire(self->s, "u-keep-thread", &o, &l));
	token = dlease_lease_token(l);
	ASSERT_EQ(0, dlease_keeper_new(self->s, &ko, &k));
	ASSERT_EQ(0, dlease_keeper_add(k, l));
	ASSERT_EQ(0, dlease_keeper_start(k));
	usleep(10 * ttl / 1000);
	EXPECT_EQ(0, seen.lost);
	EXPECT_EQ(-EAGAIN, dlease_acquire(self->other, "u-keep-thread", &o,
					  &m));
	ASSERT_EQ(0, dlease_keeper_stop(k));
	ASSERT_EQ(0, dlease_query(l, &st));
	EXPECT_EQ(DLEASE_STATE_HELD, st.state);
	EXPECT_EQ(token, st.token);
	EXPECT_LE(20, seen.renewed);
	EXPECT_GT(ttl, seen.max_gap_ns);
	report(_metadata, "thread", &seen, ttl);
	dlease_keeper_free(k);
	EXPECT_EQ(0, dlease_release(l));
}

/* The caller's own epoll loop: the keeper's fd and dispatch. */
TEST_F(lib, keeper_event_loop_keeps_lease_10x_ttl)
{
	/* Long enough that a loaded TCG guest still renews in time. */
	uint64_t ttl = 300 * MS * scale();
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY, ttl, 0);
	struct seen seen = { .min_left_ns = UINT64_MAX };
	struct dlease_keeper_opts ko = { .notify = on_event, .arg = &seen };
	struct epoll_event ev = { .events = EPOLLIN };
	struct dlease_keeper *k;
	struct dlease_lease *l;
	uint64_t end;
	int ep;

	ASSERT_EQ(0, dlease_acquire(self->s, "u-keep-loop", &o, &l));
	ASSERT_EQ(0, dlease_keeper_new(self->s, &ko, &k));
	ASSERT_EQ(0, dlease_keeper_add(k, l));
	EXPECT_GE(ttl / 3 / MS + 1, dlease_keeper_timeout_ms(k));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, dlease_keeper_fd(k), &ev));
	end = dlease_now() + 10 * ttl;
	while (dlease_now() < end) {
		if (epoll_wait(ep, &ev, 1, 50) == 1)
			ASSERT_LE(0, dlease_keeper_dispatch(k));
	}
	EXPECT_EQ(0, seen.lost);
	EXPECT_LE(20, seen.renewed);
	EXPECT_GT(ttl, seen.max_gap_ns);
	EXPECT_EQ(DLEASE_STATE_HELD, dlease_lease_state(l));
	report(_metadata, "event loop", &seen, ttl);
	close(ep);
	dlease_keeper_free(k);
	EXPECT_EQ(0, dlease_release(l));
}

/*
 * A keeper that cannot run (its loop stalled past TTL + grace) finds the
 * lease expired the moment it runs again, and says so once.
 */
TEST_F(lib, stalled_keeper_reports_loss)
{
	uint64_t ttl = 50 * MS * scale();
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY, ttl, ttl);
	struct seen seen = { .min_left_ns = UINT64_MAX };
	struct dlease_keeper_opts ko = { .notify = on_event, .arg = &seen };
	struct pollfd p;
	struct dlease_keeper *k;
	struct dlease_lease *l, *m;
	uint64_t resumed;

	ASSERT_EQ(0, dlease_acquire(self->s, "u-stall", &o, &l));
	ASSERT_EQ(0, dlease_keeper_new(self->s, &ko, &k));
	ASSERT_EQ(0, dlease_keeper_add(k, l));
	usleep(4 * ttl / 1000);
	p = (struct pollfd) { .fd = dlease_keeper_fd(k), .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 0));
	resumed = dlease_now();
	EXPECT_EQ(1, dlease_keeper_dispatch(k));
	EXPECT_EQ(1, seen.lost);
	EXPECT_EQ(DLEASE_EV_EXPIRED, seen.lost_type);
	EXPECT_EQ(DLEASE_STATE_LOST, dlease_lease_state(l));
	EXPECT_EQ(UINT64_MAX, dlease_keeper_next_deadline(k));
	printf("# loss reported %llu us after the keeper resumed\n",
	       (unsigned long long)(seen.lost_at - resumed) / 1000);
	EXPECT_EQ(0, dlease_keeper_dispatch(k));
	EXPECT_EQ(1, seen.lost);
	/* The next holder has it, with a greater token. */
	ASSERT_EQ(0, dlease_acquire(self->other, "u-stall", &o, &m));
	EXPECT_LT(dlease_lease_token(l), dlease_lease_token(m));
	EXPECT_EQ(0, dlease_release(m));
	dlease_keeper_free(k);
	EXPECT_EQ(-ESTALE, dlease_release(l));
}

/* Someone else releases ours by id: renewal says ESTALE, keeper: LOST. */
TEST_F(lib, keeper_thread_reports_loss_at_once)
{
	uint64_t ttl = 60 * MS * scale();
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY, ttl, 0);
	struct seen seen = { .min_left_ns = UINT64_MAX };
	struct dlease_keeper_opts ko = { .notify = on_event, .arg = &seen };
	struct dlease_keeper *k;
	struct dlease_lease *l;
	struct dlease_events mask = { .mask = 0 };
	struct dlease_release r;

	/* No events: the keeper learns of the loss only from ESTALE. */
	ASSERT_EQ(0, ioctl(dlease_fd(self->s), DLEASE_IOC_SET_EVENTS, &mask));
	ASSERT_EQ(0, dlease_acquire(self->s, "u-gone", &o, &l));
	ASSERT_EQ(0, dlease_keeper_new(self->s, &ko, &k));
	ASSERT_EQ(0, dlease_keeper_add(k, l));
	ASSERT_EQ(0, dlease_keeper_start(k));
	r = (struct dlease_release) { .lease_id = dlease_lease_id(l) };
	ASSERT_EQ(0, ioctl(dlease_fd(self->s), DLEASE_IOC_RELEASE, &r));
	usleep(ttl / 1000);
	ASSERT_EQ(0, dlease_keeper_stop(k));
	EXPECT_EQ(1, seen.lost);
	EXPECT_EQ(DLEASE_EV_LOST, seen.lost_type);
	dlease_keeper_free(k);
	EXPECT_EQ(-ESTALE, dlease_release(l));
}

TEST_HARNESS_MAIN
