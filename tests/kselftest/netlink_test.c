// SPDX-License-Identifier: GPL-2.0
/*
 * The "dlease" generic netlink family: policies and their extended ACKs,
 * admin permissions, revoke, dumps (complete, consistent, per netns),
 * events that match the sessions' own, statistics and tracepoints.
 */
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "dlease_util.h"
#include "nl_util.h"
#include "kselftest_harness.h"

#define USER_PARAM "/sys/module/dlease/parameters/max_per_user"
#define TRACEFS "/sys/kernel/tracing"

FIXTURE(nl) {
	struct nl nl;
	int fd;
	struct dlease_info info;	/* limits to restore at teardown */
	unsigned int user_max;
};

static int config_set(struct nl *nl, uint32_t per_session, uint32_t waiters);

FIXTURE_SETUP(nl)
{
	self->user_max = 0;
	self->fd = dl_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_INFO, &self->info));
	ASSERT_EQ(0, nl_open(&self->nl)) TH_LOG("family %s not found",
						DLEASE_FAMILY_NAME);
}

FIXTURE_TEARDOWN(nl)
{
	struct nl_msg m;

	/* Put back every limit a test may have changed. */
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_CONFIG_SET, 0);
	nl_put_u32(&m, DLEASE_A_CONFIG_MAX_PER_SESSION,
		   self->info.max_per_session);
	nl_put_u32(&m, DLEASE_A_CONFIG_MAX_WAITERS, self->info.max_waiters);
	nl_put_u32(&m, DLEASE_A_CONFIG_MAX_EVENTS, self->info.max_events);
	nl_put_u64(&m, DLEASE_A_CONFIG_TTL_MIN, self->info.ttl_min_ns);
	nl_put_u64(&m, DLEASE_A_CONFIG_TTL_MAX, self->info.ttl_max_ns);
	nl_talk(&self->nl, &m, NULL, NULL);
	if (self->user_max)
		dl_write_uint(USER_PARAM, self->user_max);
	close(self->nl.fd);
	close(self->fd);
}

static int config_set(struct nl *nl, uint32_t per_session, uint32_t waiters)
{
	struct nl_msg m;

	nl_msg_init(&m, nl->family, DLEASE_CMD_CONFIG_SET, 0);
	if (per_session)
		nl_put_u32(&m, DLEASE_A_CONFIG_MAX_PER_SESSION, per_session);
	if (waiters)
		nl_put_u32(&m, DLEASE_A_CONFIG_MAX_WAITERS, waiters);
	return nl_talk(nl, &m, NULL, NULL);
}

static int revoke_name(struct nl *nl, const char *name, uint32_t *count)
{
	struct nl_reply r = { 0 };
	struct nl_msg m;
	int err;

	nl_msg_init(&m, nl->family, DLEASE_CMD_REVOKE, 0);
	nl_put(&m, DLEASE_A_REVOKE_NAME, name, strlen(name));
	err = nl_talk(nl, &m, nl_reply_cb, &r);
	if (!err && count)
		*count = r.tb[DLEASE_A_REVOKE_COUNT] ?
			 nl_u32(r.tb[DLEASE_A_REVOKE_COUNT]) : ~0U;
	return err;
}

static int revoke_id(struct nl *nl, uint64_t session, uint64_t id)
{
	struct nl_msg m;

	nl_msg_init(&m, nl->family, DLEASE_CMD_REVOKE, 0);
	nl_put_u64(&m, DLEASE_A_REVOKE_SESSION, session);
	nl_put_u64(&m, DLEASE_A_REVOKE_ID, id);
	return nl_talk(nl, &m, NULL, NULL);
}

/* Runs @fn(@arg) in a child as user nobody, with no capability left. */
static int as_nobody(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		_exit(fn(arg));
	}
	return dl_wait_child(pid);
}

TEST_F(nl, config_get_matches_info)
{
	struct nl_reply r = { 0 };
	struct nl_msg m;

	nl_msg_init(&m, self->nl.family, DLEASE_CMD_CONFIG_GET, 0);
	ASSERT_EQ(0, nl_talk(&self->nl, &m, nl_reply_cb, &r));
	ASSERT_NE(NULL, r.tb[DLEASE_A_CONFIG_MAX_PER_SESSION]);
	EXPECT_EQ(self->info.max_per_session,
		  nl_u32(r.tb[DLEASE_A_CONFIG_MAX_PER_SESSION]));
	EXPECT_EQ(self->info.max_holders,
		  nl_u32(r.tb[DLEASE_A_CONFIG_MAX_HOLDERS]));
	EXPECT_EQ(self->info.max_waiters,
		  nl_u32(r.tb[DLEASE_A_CONFIG_MAX_WAITERS]));
	EXPECT_EQ(self->info.ttl_min_ns,
		  nl_u64(r.tb[DLEASE_A_CONFIG_TTL_MIN]));
	EXPECT_EQ(self->info.ttl_max_ns,
		  nl_u64(r.tb[DLEASE_A_CONFIG_TTL_MAX]));
	EXPECT_EQ(self->info.grace_max_ns,
		  nl_u64(r.tb[DLEASE_A_CONFIG_GRACE_MAX]));
	EXPECT_EQ(self->info.max_per_user,
		  nl_u32(r.tb[DLEASE_A_CONFIG_MAX_PER_USER]));

	/* It takes no attribute at all. */
	nl_put_u32(&m, DLEASE_A_CONFIG_MAX_WAITERS, 5);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.bad_attr);
}

TEST_F(nl, config_set_applies_and_is_checked)
{
	struct dlease_info info;
	struct nl_reply r = { 0 };
	struct nl_msg m;

	nl_msg_init(&m, self->nl.family, DLEASE_CMD_CONFIG_SET, 0);
	nl_put_u32(&m, DLEASE_A_CONFIG_MAX_WAITERS, 7);
	nl_put_u64(&m, DLEASE_A_CONFIG_TTL_MIN, 2 * MS);
	ASSERT_EQ(0, nl_talk(&self->nl, &m, nl_reply_cb, &r));
	EXPECT_EQ(7, nl_u32(r.tb[DLEASE_A_CONFIG_MAX_WAITERS]));
	ASSERT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_INFO, &info));
	EXPECT_EQ(7, info.max_waiters);
	EXPECT_EQ(2 * MS, info.ttl_min_ns);
	EXPECT_EQ(self->info.max_per_session, info.max_per_session);

	/* ttl-min above ttl-max: refused, nothing changed. */
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_CONFIG_SET, 0);
	nl_put_u32(&m, DLEASE_A_CONFIG_MAX_WAITERS, 9);
	nl_put_u64(&m, DLEASE_A_CONFIG_TTL_MIN, self->info.ttl_max_ns + 1);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_STREQ("ttl-min would exceed ttl-max", self->nl.extack);
	EXPECT_NE(0, self->nl.bad_attr);
	ASSERT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_INFO, &info));
	EXPECT_EQ(7, info.max_waiters);

	/* Out of the policy's range: ERANGE, the netlink core's errno. */
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_CONFIG_SET, 0);
	nl_put_u32(&m, DLEASE_A_CONFIG_MAX_EVENTS, 3);
	EXPECT_EQ(-ERANGE, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.bad_attr);
	EXPECT_STREQ("integer out of range", self->nl.extack);
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_CONFIG_SET, 0);
	nl_put_u32(&m, DLEASE_A_CONFIG_MAX_PER_SESSION, 0);
	EXPECT_EQ(-ERANGE, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.bad_attr);
	/* Wrong size, unknown attribute, read-only attribute. */
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_CONFIG_SET, 0);
	nl_put_u32(&m, DLEASE_A_CONFIG_TTL_MAX, 5);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.bad_attr);
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_CONFIG_SET, 0);
	nl_put_u32(&m, 30, 5);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.extack[0]);
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_CONFIG_SET, 0);
	nl_put_u32(&m, DLEASE_A_CONFIG_MAX_PER_USER, 5);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	ASSERT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_INFO, &info));
	EXPECT_EQ(self->info.max_per_user, info.max_per_user);
}

static int admin_ops(void *arg)
{
	struct nl nl;
	struct nl_msg m;

	(void)arg;
	if (nl_open(&nl))
		return 1;
	nl_msg_init(&m, nl.family, DLEASE_CMD_CONFIG_SET, 0);
	nl_put_u32(&m, DLEASE_A_CONFIG_MAX_WAITERS, 3);
	if (nl_talk(&nl, &m, NULL, NULL) != -EPERM)
		return 2;
	if (revoke_name(&nl, "nl-perm", NULL) != -EPERM)
		return 3;
	if (revoke_id(&nl, 1, 1) != -EPERM)
		return 4;
	/* Reading is for everyone. */
	nl_msg_init(&m, nl.family, DLEASE_CMD_CONFIG_GET, 0);
	if (nl_talk(&nl, &m, NULL, NULL))
		return 5;
	nl_msg_init(&m, nl.family, DLEASE_CMD_STATS_GET, 0);
	if (nl_talk(&nl, &m, NULL, NULL))
		return 6;
	return 0;
}

TEST_F(nl, admin_ops_need_cap_net_admin)
{
	struct dlease_acquire a;

	ASSERT_EQ(0, dl_try(self->fd, "nl-perm", &a));
	EXPECT_EQ(0, as_nobody(admin_ops, NULL));
	EXPECT_EQ(0, dl_renew(self->fd, a.lease_id, 0, NULL));
}

TEST_F(nl, revoke_by_name_hands_over)
{
	struct dlease_acquire h, w;
	struct dlease_event ev;
	int other = dl_open();
	uint32_t count;

	ASSERT_EQ(0, dl_try(self->fd, "nl-revoke", &h));
	ASSERT_EQ(0, dl_async(other, "nl-revoke", DLEASE_MODE_EXCLUSIVE, &w));
	ASSERT_EQ(0, revoke_name(&self->nl, "nl-revoke", &count));
	EXPECT_EQ(1, count);
	ASSERT_EQ(0, dl_event(self->fd, &ev, 1000));
	if (ev.type == DLEASE_EV_BREAK)
		ASSERT_EQ(0, dl_event(self->fd, &ev, 1000));
	EXPECT_EQ(DLEASE_EV_REVOKED, ev.type);
	EXPECT_EQ(h.lease_id, ev.lease_id);
	EXPECT_EQ(h.token, ev.token);
	EXPECT_EQ(-ESTALE, dl_renew(self->fd, h.lease_id, 0, NULL));
	ASSERT_EQ(0, dl_event(other, &ev, 1000));
	EXPECT_EQ(DLEASE_EV_GRANTED, ev.type);
	EXPECT_LT(h.token, ev.token);
	/* Nothing under that name any more: revoke of the waiter's lease. */
	ASSERT_EQ(0, revoke_name(&self->nl, "nl-revoke", &count));
	EXPECT_EQ(1, count);
	EXPECT_EQ(-ENOENT, revoke_name(&self->nl, "nl-revoke", &count));
	close(other);
}

TEST_F(nl, revoke_by_id)
{
	struct dlease_acquire h, w;
	struct dlease_event ev;
	struct dlease_info oi;
	int other = dl_open();

	ASSERT_EQ(0, dl_ioctl(other, DLEASE_IOC_INFO, &oi));
	EXPECT_NE(self->info.session_id, oi.session_id);
	ASSERT_EQ(0, dl_try(self->fd, "nl-revid", &h));
	ASSERT_EQ(0, dl_async(other, "nl-revid", DLEASE_MODE_SHARED, &w));
	EXPECT_EQ(-EBUSY, revoke_id(&self->nl, oi.session_id, w.lease_id));
	EXPECT_STREQ("a waiting request cannot be revoked", self->nl.extack);
	EXPECT_EQ(0, revoke_id(&self->nl, self->info.session_id, h.lease_id));
	ASSERT_EQ(0, dl_event(other, &ev, 1000));
	EXPECT_EQ(DLEASE_EV_GRANTED, ev.type);
	EXPECT_EQ(-ESTALE, revoke_id(&self->nl, self->info.session_id,
				     h.lease_id));
	EXPECT_EQ(-ENOENT, revoke_id(&self->nl, self->info.session_id,
				     h.lease_id + 100));
	EXPECT_EQ(-ENOENT, revoke_id(&self->nl, 1ULL << 60, 1));
	close(other);
}

TEST_F(nl, revoke_rejects_bad_requests)
{
	char longname[DLEASE_NAME_MAX + 1];
	struct nl_msg m;

	nl_msg_init(&m, self->nl.family, DLEASE_CMD_REVOKE, 0);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_STREQ("a name, or a session and an id, is required",
		     self->nl.extack);
	nl_put_u64(&m, DLEASE_A_REVOKE_SESSION, 1);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	nl_put(&m, DLEASE_A_REVOKE_NAME, "x", 1);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_STREQ("give a name, or a session and an id, not both",
		     self->nl.extack);
	EXPECT_NE(0, self->nl.bad_attr);

	nl_msg_init(&m, self->nl.family, DLEASE_CMD_REVOKE, 0);
	nl_put(&m, DLEASE_A_REVOKE_NAME, "a\0b", 3);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_STREQ("name contains a NUL byte", self->nl.extack);
	EXPECT_NE(0, self->nl.bad_attr);

	/* Name length outside 1..255: the policy's ERANGE. */
	memset(longname, 'n', sizeof(longname));
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_REVOKE, 0);
	nl_put(&m, DLEASE_A_REVOKE_NAME, longname, sizeof(longname));
	EXPECT_EQ(-ERANGE, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.bad_attr);
	EXPECT_NE(0, self->nl.extack[0]);
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_REVOKE, 0);
	nl_put(&m, DLEASE_A_REVOKE_NAME, "", 0);
	EXPECT_EQ(-ERANGE, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.bad_attr);
	EXPECT_EQ(-ENOENT, revoke_name(&self->nl, "nl-nobody-holds", NULL));
	EXPECT_STREQ("no such lease", self->nl.extack);
}

TEST_F(nl, lease_get_one)
{
	struct dlease_acquire a;
	struct nl_reply r = { 0 };
	struct nl_msg m;
	char comm[16] = { 0 };

	ASSERT_EQ(0, dl_acquire(self->fd, "nl-get", DLEASE_MODE_SHARED,
				DLEASE_ACQ_TRY, 5 * SEC, SEC, 0, &a));
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_LEASE_GET, 0);
	nl_put_u64(&m, DLEASE_A_LEASE_SESSION, self->info.session_id);
	nl_put_u64(&m, DLEASE_A_LEASE_ID, a.lease_id);
	ASSERT_EQ(0, nl_talk(&self->nl, &m, nl_reply_cb, &r));
	ASSERT_NE(NULL, r.tb[DLEASE_A_LEASE_NAME]);
	EXPECT_EQ(6, nl_attr_len(r.tb[DLEASE_A_LEASE_NAME]));
	EXPECT_EQ(0, memcmp("nl-get", nl_attr_data(r.tb[DLEASE_A_LEASE_NAME]),
			    6));
	EXPECT_EQ(a.token, nl_u64(r.tb[DLEASE_A_LEASE_TOKEN]));
	EXPECT_EQ(a.expires_ns, nl_u64(r.tb[DLEASE_A_LEASE_EXPIRES]));
	EXPECT_EQ(DLEASE_MODE_SHARED, nl_u32(r.tb[DLEASE_A_LEASE_MODE]));
	EXPECT_EQ(DLEASE_STATE_HELD, nl_u32(r.tb[DLEASE_A_LEASE_STATE]));
	EXPECT_EQ(getpid(), nl_u32(r.tb[DLEASE_A_LEASE_PID]));
	EXPECT_EQ(5 * SEC, nl_u64(r.tb[DLEASE_A_LEASE_TTL]));
	EXPECT_EQ(SEC, nl_u64(r.tb[DLEASE_A_LEASE_GRACE]));
	EXPECT_GE(5 * SEC, nl_u64(r.tb[DLEASE_A_LEASE_TIME_LEFT]));
	EXPECT_LT(0, nl_u64(r.tb[DLEASE_A_LEASE_TIME_LEFT]));
	ASSERT_NE(NULL, r.tb[DLEASE_A_LEASE_COMM]);
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm, 0, 0, 0));
	EXPECT_STREQ(comm, (char *)nl_attr_data(r.tb[DLEASE_A_LEASE_COMM]));

	/* Checks: what is missing, misplaced or unknown. */
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_LEASE_GET, 0);
	nl_put_u64(&m, DLEASE_A_LEASE_SESSION, self->info.session_id);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_STREQ("session and id are required", self->nl.extack);
	nl_put_u64(&m, DLEASE_A_LEASE_ID, a.lease_id);
	nl_put(&m, DLEASE_A_LEASE_NAME, "nl-get", 6);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_STREQ("name selects leases of a dump only", self->nl.extack);
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_LEASE_GET, 0);
	nl_put_u64(&m, DLEASE_A_LEASE_SESSION, 1ULL << 60);
	nl_put_u64(&m, DLEASE_A_LEASE_ID, a.lease_id);
	EXPECT_EQ(-ENOENT, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_STREQ("no such session", self->nl.extack);
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_LEASE_GET, 0);
	nl_put_u64(&m, DLEASE_A_LEASE_SESSION, self->info.session_id);
	nl_put_u32(&m, DLEASE_A_LEASE_ID, 1);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.bad_attr);
	nl_msg_init(&m, self->nl.family, DLEASE_CMD_LEASE_GET, 0);
	nl_put_u32(&m, DLEASE_A_LEASE_MODE, 1);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	EXPECT_NE(0, self->nl.bad_attr);
}

/* What a dump of leases saw. */
struct seen {
	uint64_t session;
	unsigned int total, mine, waiters;
	uint32_t position[8];
	uint64_t *ids;		/* ids of @session seen, or NULL */
	unsigned int max_ids;
};

static int dump_cb(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[NL_MAX_ATTRS];
	struct seen *s = arg;
	uint64_t id;

	nl_parse_msg(nlh, tb);
	if (!tb[DLEASE_A_LEASE_SESSION] || !tb[DLEASE_A_LEASE_ID] ||
	    !tb[DLEASE_A_LEASE_NAME] || !tb[DLEASE_A_LEASE_STATE])
		return -EPROTO;
	s->total++;
	if (nl_u32(tb[DLEASE_A_LEASE_STATE]) == DLEASE_STATE_WAITING &&
	    s->waiters < 8)
		s->position[s->waiters++] =
			nl_u32(tb[DLEASE_A_LEASE_POSITION]);
	if (nl_u64(tb[DLEASE_A_LEASE_SESSION]) != s->session)
		return 0;
	s->mine++;
	id = nl_u64(tb[DLEASE_A_LEASE_ID]);
	if (s->ids && s->mine <= s->max_ids)
		s->ids[s->mine - 1] = id;
	return 0;
}

static int dump(struct nl *nl, const char *name, struct seen *s)
{
	struct nl_msg m;

	nl_msg_init(&m, nl->family, DLEASE_CMD_LEASE_GET, NLM_F_DUMP);
	if (name)
		nl_put(&m, DLEASE_A_LEASE_NAME, name, strlen(name));
	s->total = s->mine = s->waiters = 0;
	return nl_talk(nl, &m, dump_cb, s);
}

TEST_F(nl, dump_of_one_name_with_its_queue)
{
	struct seen s = { .session = self->info.session_id };
	struct dlease_acquire h, w;
	int other = dl_open();
	struct nl_msg m;

	ASSERT_EQ(0, dl_try(self->fd, "nl-dump1", &h));
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, dl_async(other, "nl-dump1", DLEASE_MODE_SHARED,
				      &w));
	ASSERT_EQ(0, dl_try(self->fd, "nl-dump1-other", &h));
	ASSERT_EQ(0, dump(&self->nl, "nl-dump1", &s));
	EXPECT_EQ(4, s.total);
	EXPECT_EQ(1, s.mine);
	ASSERT_EQ(3, s.waiters);
	EXPECT_EQ(0, s.position[0]);
	EXPECT_EQ(1, s.position[1]);
	EXPECT_EQ(2, s.position[2]);
	EXPECT_FALSE(self->nl.dump_intr);
	ASSERT_EQ(0, dump(&self->nl, "nl-no-such-name", &s));
	EXPECT_EQ(0, s.total);

	nl_msg_init(&m, self->nl.family, DLEASE_CMD_LEASE_GET, NLM_F_DUMP);
	nl_put_u64(&m, DLEASE_A_LEASE_SESSION, 1);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &m, NULL, NULL));
	/* 6.1 does not pass on the message of a dump's start callback. */
	if (self->nl.extack[0])
		EXPECT_STREQ("session and id select one lease: use do",
			     self->nl.extack);
	close(other);
}

/* 100,000 leases: the dump has each exactly once. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned int count_dups(uint64_t *ids, unsigned int n)
{
	unsigned int dups = 0;

	qsort(ids, n, sizeof(*ids), cmp_u64);
	for (unsigned int i = 1; i < n; i++)
		dups += ids[i] == ids[i - 1];
	return dups;
}

TEST_F_TIMEOUT(nl, dump_of_100000_leases_is_complete, 600)
{
	const unsigned int n = 100000;
	struct seen s = { .session = self->info.session_id };
	struct dlease_acquire a;
	uint64_t t0, t_acq, t_dump;
	char name[32];

	self->user_max = dl_read_uint(USER_PARAM);
	ASSERT_LT(0, self->user_max);
	ASSERT_EQ(0, dl_write_uint(USER_PARAM, 2 * n));
	ASSERT_EQ(0, config_set(&self->nl, n, 0));
	t0 = now_ns();
	for (unsigned int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "nl-100k-%u", i);
		ASSERT_EQ(0, dl_acquire(self->fd, name, i % 3 ?
					DLEASE_MODE_EXCLUSIVE :
					DLEASE_MODE_SHARED, DLEASE_ACQ_TRY,
					3600 * SEC, 0, 0, &a));
	}
	t_acq = now_ns() - t0;
	s.max_ids = n + 1;
	s.ids = calloc(s.max_ids, sizeof(*s.ids));
	ASSERT_NE(NULL, s.ids);
	/*
	 * A dump that overlaps a resize of the table (the table grows in
	 * the background after so many inserts) says so: retry, as
	 * clients do, until one is consistent.
	 */
	for (int tries = 0; tries < 10; tries++) {
		t0 = now_ns();
		ASSERT_EQ(0, dump(&self->nl, NULL, &s));
		t_dump = now_ns() - t0;
		TH_LOG("%u leases: acquired in %llu ms, dumped in %llu ms%s",
		       n, (unsigned long long)(t_acq / MS),
		       (unsigned long long)(t_dump / MS),
		       self->nl.dump_intr ? " (interrupted)" : "");
		if (!self->nl.dump_intr)
			break;
		dl_sleep_ms(100);
	}
	EXPECT_FALSE(self->nl.dump_intr);
	EXPECT_EQ(n, s.mine);
	EXPECT_EQ(0, count_dups(s.ids, s.mine < n ? s.mine : n));
	free(s.ids);
}

static int change_forever(void)
{
	struct dlease_acquire a;
	int fd = dl_open();
	char name[32];

	for (unsigned int i = 0;; i++) {
		snprintf(name, sizeof(name), "nl-churn-%u", i % 64);
		if (!dl_try(fd, name, &a))
			dl_release(fd, a.lease_id);
	}
	return 0;
}

/* Dumps that race changes say so; a quiet table dumps clean. */
TEST_F(nl, dump_marks_interrupted_under_churn)
{
	struct seen s = { .session = ~0ULL };
	struct dlease_acquire a;
	char name[32];
	bool intr = false;
	pid_t pid;

	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "nl-churn-base-%d", i);
		ASSERT_EQ(0, dl_try(self->fd, name, &a));
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(change_forever());
	dl_sleep_ms(20);
	for (int i = 0; i < 50 && !intr; i++) {
		ASSERT_EQ(0, dump(&self->nl, NULL, &s));
		intr = self->nl.dump_intr;
	}
	kill(pid, SIGKILL);
	dl_wait_child(pid);
	EXPECT_TRUE(intr);
	ASSERT_EQ(0, dump(&self->nl, NULL, &s));
	EXPECT_FALSE(self->nl.dump_intr);
	EXPECT_LE(1000, s.total);
}

/* Events reach the group in order and match the session's own events. */
TEST_F(nl, events_match_the_sessions_events)
{
	struct dlease_acquire h, w;
	struct dlease_event ev;
	struct nlattr *tb[NL_MAX_ATTRS];
	struct dlease_info wi;
	int other = dl_open();
	struct {
		uint32_t type;
		uint64_t session, id;
	} want[7];
	int i;

	ASSERT_EQ(0, nl_subscribe(&self->nl));
	ASSERT_EQ(0, dl_ioctl(other, DLEASE_IOC_INFO, &wi));
	ASSERT_EQ(0, dl_async(self->fd, "nl-ev", DLEASE_MODE_EXCLUSIVE, &h));
	ASSERT_EQ(0, dl_async(other, "nl-ev", DLEASE_MODE_EXCLUSIVE, &w));
	ASSERT_EQ(0, dl_renew(self->fd, h.lease_id, 0, NULL));
	ASSERT_EQ(0, dl_release(self->fd, h.lease_id));
	ASSERT_EQ(0, dl_release(other, w.lease_id));

	want[0].type = DLEASE_EV_GRANTED;
	want[1].type = DLEASE_EV_QUEUED;
	want[2].type = DLEASE_EV_BREAK;
	want[3].type = DLEASE_EV_RENEWED;
	want[4].type = DLEASE_EV_RELEASED;
	want[5].type = DLEASE_EV_GRANTED;
	want[6].type = DLEASE_EV_RELEASED;
	for (i = 0; i < 7; i++) {
		bool waiter = i == 1 || i >= 5;

		want[i].session = waiter ? wi.session_id :
					   self->info.session_id;
		want[i].id = waiter ? w.lease_id : h.lease_id;
	}
	for (i = 0; i < 7; i++) {
		ASSERT_EQ(0, nl_next_ntf(&self->nl, tb, 1000)) TH_LOG("event %d", i);
		ASSERT_NE(NULL, tb[DLEASE_A_LEASE_EVENT]);
		EXPECT_EQ(want[i].type, nl_u32(tb[DLEASE_A_LEASE_EVENT]))
			TH_LOG("event %d", i);
		EXPECT_EQ(want[i].session, nl_u64(tb[DLEASE_A_LEASE_SESSION]));
		EXPECT_EQ(want[i].id, nl_u64(tb[DLEASE_A_LEASE_ID]));
		EXPECT_EQ(0, memcmp("nl-ev",
				    nl_attr_data(tb[DLEASE_A_LEASE_NAME]), 5));
		EXPECT_EQ(getpid(), nl_u32(tb[DLEASE_A_LEASE_PID]));
	}
	/* The session saw the same story for its lease: GRANTED, BREAK,
	 * RENEWED, with the same token.
	 */
	ASSERT_EQ(0, dl_event(self->fd, &ev, 100));
	EXPECT_EQ(DLEASE_EV_GRANTED, ev.type);
	EXPECT_EQ(h.token, ev.token);
	ASSERT_EQ(0, dl_event(self->fd, &ev, 100));
	EXPECT_EQ(DLEASE_EV_BREAK, ev.type);
	ASSERT_EQ(0, dl_event(self->fd, &ev, 100));
	EXPECT_EQ(DLEASE_EV_RENEWED, ev.type);
	close(other);
}

static int netns_view(void *arg)
{
	struct seen s = { .session = 0 };
	struct nlattr *tb[NL_MAX_ATTRS];
	struct dlease_acquire a;
	struct dlease_info info;
	struct nl nl;
	int fd = dl_open();
	int *sync = arg;
	char c;

	if (nl_open(&nl) || nl_subscribe(&nl) ||
	    dl_ioctl(fd, DLEASE_IOC_INFO, &info))
		return 1;
	/* Empty table here, whatever the parent holds. */
	if (dump(&nl, NULL, &s) || s.total)
		return 2;
	if (write(sync[1], "r", 1) != 1 || read(sync[0], &c, 1) != 1)
		return 3;
	/* The parent's activity meanwhile produced no event here. */
	if (nl_next_ntf(&nl, tb, 100) != -ETIMEDOUT)
		return 4;
	if (dl_try(fd, "nl-ns", &a))
		return 5;
	if (nl_next_ntf(&nl, tb, 1000) ||
	    nl_u32(tb[DLEASE_A_LEASE_EVENT]) != DLEASE_EV_GRANTED)
		return 6;
	s.session = info.session_id;
	if (dump(&nl, NULL, &s) || s.total != 1 || s.mine != 1)
		return 7;
	return 0;
}

TEST_F(nl, dumps_and_events_stay_in_their_netns)
{
	int to_child[2], to_parent[2], sync[2];
	struct seen s = { .session = self->info.session_id };
	struct dlease_acquire a;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, nl_subscribe(&self->nl));
	ASSERT_EQ(0, dl_try(self->fd, "nl-ns", &a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		sync[0] = to_child[0];
		sync[1] = to_parent[1];
		if (unshare(CLONE_NEWNET))
			_exit(100);
		_exit(netns_view(sync));
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	ASSERT_EQ(0, dl_renew(self->fd, a.lease_id, 0, NULL));
	ASSERT_EQ(1, write(to_child[1], "g", 1));
	EXPECT_EQ(0, dl_wait_child(pid));
	/* Only our own lease and event here. */
	ASSERT_EQ(0, dump(&self->nl, "nl-ns", &s));
	EXPECT_EQ(1, s.total);
	EXPECT_EQ(1, s.mine);
}

static uint64_t stat_u64(struct nl_reply *r, int attr)
{
	return r->tb[attr] ? nl_u64(r->tb[attr]) : ~0ULL;
}

static int stats_get(struct nl *nl, struct nl_reply *r, uint32_t top)
{
	struct nl_msg m;

	nl_msg_init(&m, nl->family, DLEASE_CMD_STATS_GET, 0);
	if (top)
		nl_put_u32(&m, DLEASE_A_STATS_TOP_COUNT, top);
	return nl_talk(nl, &m, nl_reply_cb, r);
}

/* The contended count of @name among the top entries, or -1. */
static int64_t top_count(struct nl_reply *r, const char *name)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->copy;
	struct nlattr *x = (struct nlattr *)((char *)NLMSG_DATA(nlh) +
					     GENL_HDRLEN);
	struct nlattr *top[NL_MAX_ATTRS];
	int len = strlen(name);

	for (; (char *)x < (char *)nlh + nlh->nlmsg_len; x = nl_attr_next(x)) {
		if ((x->nla_type & NLA_TYPE_MASK) != DLEASE_A_STATS_TOP)
			continue;
		nl_parse_nest(x, top);
		if (top[DLEASE_A_TOP_NAME] && top[DLEASE_A_TOP_CONTENDED] &&
		    nl_attr_len(top[DLEASE_A_TOP_NAME]) == len &&
		    !memcmp(nl_attr_data(top[DLEASE_A_TOP_NAME]), name, len))
			return (int64_t)nl_u64(top[DLEASE_A_TOP_CONTENDED]);
	}
	return -1;
}

TEST_F(nl, stats_count_what_happens)
{
	static struct nl_reply before, after;
	struct dlease_acquire h, w;
	struct nlattr *a;
	struct dlease_event ev;
	int other = dl_open(), i;
	uint64_t buckets = 0;

	ASSERT_EQ(0, stats_get(&self->nl, &before, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, dl_try(self->fd, "nl-hot", &h));
		ASSERT_EQ(0, dl_async(other, "nl-hot", DLEASE_MODE_EXCLUSIVE,
				      &w));
		ASSERT_EQ(0, dl_release(self->fd, h.lease_id));
		ASSERT_EQ(0, dl_event(other, &ev, 1000));
		ASSERT_EQ(0, dl_release(other, w.lease_id));
	}
	ASSERT_EQ(0, dl_try(self->fd, "nl-hot", &h));
	EXPECT_EQ(-ETIMEDOUT, dl_acquire(other, "nl-hot",
					 DLEASE_MODE_EXCLUSIVE, 0, SEC, 0,
					 MS, &w));
	ASSERT_EQ(0, stats_get(&self->nl, &after, 32));

	EXPECT_EQ(8, stat_u64(&after, DLEASE_A_STATS_ACQUIRES) -
		     stat_u64(&before, DLEASE_A_STATS_ACQUIRES));
	EXPECT_EQ(7, stat_u64(&after, DLEASE_A_STATS_GRANTS) -
		     stat_u64(&before, DLEASE_A_STATS_GRANTS));
	EXPECT_EQ(3, stat_u64(&after, DLEASE_A_STATS_CONTENDED_GRANTS) -
		     stat_u64(&before, DLEASE_A_STATS_CONTENDED_GRANTS));
	EXPECT_EQ(1, stat_u64(&after, DLEASE_A_STATS_TIMEOUTS) -
		     stat_u64(&before, DLEASE_A_STATS_TIMEOUTS));
	EXPECT_EQ(7, stat_u64(&after, DLEASE_A_STATS_RELEASES) -
		     stat_u64(&before, DLEASE_A_STATS_RELEASES));
	EXPECT_LE(1, nl_u32(after.tb[DLEASE_A_STATS_SESSIONS]));
	EXPECT_LE(1, nl_u32(after.tb[DLEASE_A_STATS_RESOURCES]));

	/* Every grant is in the wait histogram. */
	ASSERT_NE(NULL, after.tb[DLEASE_A_STATS_WAIT_HIST]);
	a = after.tb[DLEASE_A_STATS_WAIT_HIST];
	for (struct nlattr *b = nl_attr_data(a);
	     (char *)b < (char *)a + a->nla_len; b = nl_attr_next(b)) {
		if (b->nla_type == DLEASE_A_HIST_BUCKET)
			buckets += nl_u64(b);
	}
	EXPECT_EQ(stat_u64(&after, DLEASE_A_STATS_GRANTS), buckets);

	/* nl-hot is among the most contended, with 3 or more. */
	ASSERT_NE(NULL, after.tb[DLEASE_A_STATS_TOP]);
	EXPECT_LE(3, top_count(&after, "nl-hot"));

	/* Out of the policy's range: ERANGE, the netlink core's errno. */
	EXPECT_EQ(-ERANGE, stats_get(&self->nl, &after, 33));
	EXPECT_STREQ("integer out of range", self->nl.extack);
	EXPECT_NE(0, self->nl.bad_attr);
	close(other);
}

static int read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
	return 0;
}

TEST_F(nl, tracepoints_for_every_transition)
{
	static const char *const events[] = {
		"queued", "granted", "renewed", "late", "expired", "revoked",
		"break", "wait", "released",
	};
	struct dlease_acquire a;
	char path[128], buf[65536];
	struct stat st;

	if (stat(TRACEFS "/events/dlease", &st))
		SKIP(return, "no tracefs at " TRACEFS);
	for (size_t i = 0; i < ARRAY_SIZE(events); i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/dlease/dlease_%s",
			 events[i]);
		EXPECT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
	}
	/* the cluster's wait carries where the request stands */
	ASSERT_EQ(0, read_file(TRACEFS "/events/dlease/dlease_wait/format",
			       buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "u32 place;"));
	EXPECT_NE(NULL, strstr(buf, "u64 wait_until_ns;"));
	ASSERT_EQ(0, dl_write_uint(TRACEFS "/events/dlease/dlease_granted/enable",
				1));
	ASSERT_EQ(0, dl_write_uint(TRACEFS "/tracing_on", 1));
	ASSERT_EQ(0, dl_try(self->fd, "nl-traced", &a));
	dl_write_uint(TRACEFS "/events/dlease/dlease_granted/enable", 0);
	ASSERT_EQ(0, read_file(TRACEFS "/trace", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "dlease_granted"));
	EXPECT_NE(NULL, strstr(buf, "name=nl-traced mode=exclusive"));
}

TEST_HARNESS_MAIN
