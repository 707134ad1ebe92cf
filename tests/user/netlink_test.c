// SPDX-License-Identifier: GPL-2.0
/*
 * libdlease's netlink half against the real module: dumps match the
 * ioctl side, rejected requests carry the kernel's message, revoke is
 * seen by the holder's keeper, events arrive in order.
 */
#include <stdio.h>

#include "user_util.h"
#include "kselftest_harness.h"

FIXTURE(nl) {
	struct dlease_session *s;
	struct dlease_nl *nl;
	struct dlease_info info;
};

FIXTURE_SETUP(nl)
{
	int err;

	ASSERT_EQ(0, dlease_open(0, &self->s));
	ASSERT_EQ(0, dlease_info(self->s, &self->info));
	err = dlease_nl_open(&self->nl);
	if (err == -EOPNOTSUPP)
		SKIP(return, "no dlease netlink family");
	ASSERT_EQ(0, err);
}

FIXTURE_TEARDOWN(nl)
{
	dlease_nl_close(self->nl);
	dlease_close(self->s);
}

static struct dlease_acquire_opts opts(uint32_t flags)
{
	return (struct dlease_acquire_opts) { .flags = flags,
					      .ttl_ns = 10 * SEC };
}

static const struct dlease_nl_lease *find(const struct dlease_nl_lease *v,
					  size_t n, uint64_t session,
					  uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].session == session && v[i].id == id)
			return &v[i];
	return NULL;
}

TEST_F(nl, dump_matches_ioctl_side)
{
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY);
	const struct dlease_nl_lease *h, *w;
	struct dlease_session *other;
	struct dlease_nl_lease *v, one;
	struct dlease_info oinfo;
	struct dlease_lease *l, *q;
	size_t n;

	ASSERT_EQ(0, dlease_acquire(self->s, "n-dump", &o, &l));
	ASSERT_EQ(0, dlease_open(0, &other));
	ASSERT_EQ(0, dlease_info(other, &oinfo));
	o.flags = DLEASE_ACQ_ASYNC;
	ASSERT_EQ(0, dlease_acquire(other, "n-dump", &o, &q));
	ASSERT_EQ(0, dlease_nl_leases(self->nl, "n-dump", &v, &n));
	ASSERT_EQ(2, n);
	h = find(v, n, self->info.session_id, dlease_lease_id(l));
	w = find(v, n, oinfo.session_id, dlease_lease_id(q));
	ASSERT_NE(NULL, h);
	ASSERT_NE(NULL, w);
	EXPECT_STREQ("n-dump", h->name);
	EXPECT_EQ(dlease_lease_token(l), h->token);
	EXPECT_EQ(DLEASE_STATE_HELD, h->state);
	EXPECT_EQ(DLEASE_MODE_EXCLUSIVE, h->mode);
	EXPECT_EQ((uint32_t)getpid(), h->pid);
	EXPECT_EQ(10 * SEC, h->ttl_ns);
	EXPECT_EQ(1, h->waiters);
	EXPECT_EQ(DLEASE_STATE_WAITING, w->state);
	EXPECT_EQ(0, w->token);
	EXPECT_EQ(0, w->position);	/* the head of the queue */
	free(v);
	ASSERT_EQ(0, dlease_nl_lease_get(self->nl, self->info.session_id,
					 dlease_lease_id(l), &one));
	EXPECT_EQ(dlease_lease_token(l), one.token);
	EXPECT_EQ(-ENOENT, dlease_nl_lease_get(self->nl, self->info.session_id,
					       dlease_lease_id(l) + 1000,
					       &one));
	dlease_release(l);
	dlease_close(other);
}

TEST_F(nl, large_dump_is_complete)
{
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY);
	uint32_t want = self->info.max_per_session < 2000 ?
			self->info.max_per_session : 2000;
	struct dlease_nl_lease *v;
	struct dlease_lease *l;
	size_t n, mine = 0;
	char name[32];

	for (uint32_t i = 0; i < want; i++) {
		snprintf(name, sizeof(name), "n-big-%u", i);
		ASSERT_EQ(0, dlease_acquire(self->s, name, &o, &l));
	}
	ASSERT_EQ(0, dlease_nl_leases(self->nl, NULL, &v, &n));
	for (size_t i = 0; i < n; i++)
		mine += v[i].session == self->info.session_id;
	EXPECT_EQ(want, mine);
	free(v);
}

TEST_F(nl, rejections_carry_extack)
{
	struct dlease_nl_config c = { .set = DLEASE_CFG_TTL_MIN |
					     DLEASE_CFG_TTL_MAX,
				      .ttl_min_ns = 2 * SEC,
				      .ttl_max_ns = SEC };
	struct dlease_nl_stats *st = malloc(sizeof(*st));
	int err;

	ASSERT_NE(NULL, st);
	EXPECT_EQ(-ERANGE, dlease_nl_stats(self->nl, 33, st));
	EXPECT_NE(0, dlease_nl_extack(self->nl)[0]);
	printf("# stats top 33: %s\n", dlease_nl_extack(self->nl));
	EXPECT_EQ(-ERANGE, dlease_nl_revoke(self->nl, "", 0, 0, NULL));
	EXPECT_NE(0, dlease_nl_extack(self->nl)[0]);
	printf("# revoke '': %s\n", dlease_nl_extack(self->nl));
	err = dlease_nl_config_set(self->nl, &c, NULL);
	EXPECT_TRUE(err == -EINVAL || err == -ERANGE);
	EXPECT_NE(0, dlease_nl_extack(self->nl)[0]);
	printf("# ttl-min > ttl-max: %s\n", dlease_nl_extack(self->nl));
	EXPECT_EQ(0, dlease_nl_stats(self->nl, 4, st));
	EXPECT_EQ(0, dlease_nl_extack(self->nl)[0]);
	free(st);
}

TEST_F(nl, config_and_stats)
{
	struct dlease_nl_config c, d;
	struct dlease_nl_stats *st = malloc(sizeof(*st));
	uint64_t acquires;
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY);
	struct dlease_lease *l;

	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, dlease_nl_config_get(self->nl, &c));
	EXPECT_EQ(self->info.max_per_session, c.max_per_session);
	EXPECT_EQ(self->info.ttl_max_ns, c.ttl_max_ns);
	d = (struct dlease_nl_config) { .set = DLEASE_CFG_MAX_WAITERS,
					.max_waiters = c.max_waiters + 1 };
	ASSERT_EQ(0, dlease_nl_config_set(self->nl, &d, &d));
	EXPECT_EQ(c.max_waiters + 1, d.max_waiters);
	d = (struct dlease_nl_config) { .set = DLEASE_CFG_MAX_WAITERS,
					.max_waiters = c.max_waiters };
	ASSERT_EQ(0, dlease_nl_config_set(self->nl, &d, NULL));
	EXPECT_EQ(-EINVAL, dlease_nl_config_set(self->nl, &(struct
			dlease_nl_config){ .set = DLEASE_CFG_MAX_PER_USER },
						NULL));

	ASSERT_EQ(0, dlease_nl_stats(self->nl, 0, st));
	acquires = st->acquires;
	ASSERT_EQ(0, dlease_acquire(self->s, "n-stats", &o, &l));
	ASSERT_EQ(0, dlease_nl_stats(self->nl, 0, st));
	EXPECT_LT(acquires, st->acquires);
	EXPECT_LE(1, st->sessions);
	dlease_release(l);
	free(st);
}

static void on_loss(struct dlease_keeper *k,
		    const struct dlease_lease_event *ev, void *arg)
{
	if (dlease_event_is_loss(ev))
		*(uint32_t *)arg = ev->type;
}

/* An admin revoke: the keeper of the holder reports REVOKED at once. */
TEST_F(nl, keeper_reports_revoke)
{
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY);
	uint32_t lost = 0, count = 0;
	struct dlease_keeper_opts ko = { .notify = on_loss, .arg = &lost };
	struct dlease_keeper *k;
	struct dlease_lease *l;
	uint64_t t0;

	o.ttl_ns = 200 * MS;
	ASSERT_EQ(0, dlease_acquire(self->s, "n-revoke", &o, &l));
	ASSERT_EQ(0, dlease_keeper_new(self->s, &ko, &k));
	ASSERT_EQ(0, dlease_keeper_add(k, l));
	ASSERT_EQ(0, dlease_keeper_start(k));
	usleep(100 * 1000);
	t0 = dlease_now();
	ASSERT_EQ(0, dlease_nl_revoke(self->nl, "n-revoke", 0, 0, &count));
	EXPECT_EQ(1, count);
	while (!__atomic_load_n(&lost, __ATOMIC_ACQUIRE) &&
	       dlease_now() < t0 + SEC * scale())
		usleep(100);
	printf("# keeper told of the revoke after %llu us\n",
	       (unsigned long long)(dlease_now() - t0) / 1000);
	EXPECT_EQ(DLEASE_EV_REVOKED, lost);
	dlease_keeper_free(k);
	EXPECT_EQ(-ESTALE, dlease_release(l));
	EXPECT_EQ(-ENOENT, dlease_nl_revoke(self->nl, "n-revoke", 0, 0, NULL));
}

TEST_F(nl, events_in_order)
{
	struct dlease_acquire_opts o = opts(DLEASE_ACQ_TRY);
	static const uint32_t want[] = { DLEASE_EV_GRANTED, DLEASE_EV_RENEWED,
					 DLEASE_EV_RELEASED };
	struct dlease_nl_event ev;
	struct dlease_lease *l;
	uint64_t id, token;
	size_t i = 0;

	ASSERT_EQ(0, dlease_nl_subscribe(self->nl));
	EXPECT_LE(0, dlease_nl_event_fd(self->nl));
	ASSERT_EQ(0, dlease_acquire(self->s, "n-events", &o, &l));
	id = dlease_lease_id(l);
	token = dlease_lease_token(l);
	ASSERT_EQ(0, dlease_renew(l, 0, NULL));
	ASSERT_EQ(0, dlease_release(l));
	while (i < ARRAY_SIZE(want)) {
		ASSERT_EQ(0, dlease_nl_read_event(self->nl, &ev, 2000));
		if (strcmp(ev.name, "n-events"))
			continue;
		EXPECT_EQ(want[i], ev.type) TH_LOG("event %zu: %s", i,
						   dlease_event_name(ev.type));
		EXPECT_EQ(id, ev.id);
		EXPECT_EQ(self->info.session_id, ev.session);
		EXPECT_EQ(token, ev.token);
		i++;
	}
	EXPECT_EQ(-EAGAIN, dlease_nl_read_event(self->nl, &ev, 0));
}

TEST_HARNESS_MAIN
