// SPDX-License-Identifier: GPL-2.0
/*
 * Cluster leases through the bridge: the test plays the bridge (dleased)
 * on a raw generic netlink socket, and checks what the kernel asks, what
 * it does with the answers, and that it fails closed when the bridge goes.
 */
#include <poll.h>

#include "dlease_util.h"
#include "nl_util.h"
#include "kselftest_harness.h"

#define MARGIN	(50 * MS)	/* the default cluster-margin */

struct request {
	uint64_t req;
	uint32_t op;
	char name[256];
	uint64_t ttl;
	bool try;
};

FIXTURE(cl) {
	struct nl bridge;	/* the fake dleased */
	struct nl admin;
	int fd;
};

FIXTURE_SETUP(cl)
{
	struct nl_msg m;

	self->fd = dl_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, nl_open(&self->admin));
	ASSERT_EQ(0, nl_open(&self->bridge));
	nl_msg_init(&m, self->bridge.family, DLEASE_CMD_BRIDGE_REGISTER, 0);
	ASSERT_EQ(0, nl_talk(&self->bridge, &m, NULL, NULL))
		TH_LOG("register: %s", self->bridge.extack);
}

/* Sets the namespace's bridge-timeout (config-set, needs admin). */
static int set_bridge_timeout(struct nl *admin, uint64_t ns)
{
	struct nl_msg m;

	nl_msg_init(&m, admin->family, DLEASE_CMD_CONFIG_SET, 0);
	nl_put_u64(&m, DLEASE_A_CONFIG_BRIDGE_TIMEOUT, ns);
	return nl_talk(admin, &m, NULL, NULL);
}

FIXTURE_TEARDOWN(cl)
{
	set_bridge_timeout(&self->admin, SEC);
	close(self->bridge.fd);
	close(self->admin.fd);
	close(self->fd);
}

/* The next request the kernel sends the bridge, within @ms (scaled). */
static int next_request(struct nl *nl, struct request *r, int ms)
{
	struct pollfd p = { .fd = nl->fd, .events = POLLIN };
	struct nlattr *tb[NL_MAX_ATTRS];
	struct nlmsghdr *nlh;
	int n;

	for (;;) {
		n = nl_unstash(nl, nl->buf);
		if (!n) {
			if (poll(&p, 1, ms * (int)dl_scale()) != 1)
				return -ETIMEDOUT;
			n = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
			if (n < 0)
				return -errno;
		}
		nlh = (struct nlmsghdr *)nl->buf;
		if (!NLMSG_OK(nlh, n) || nlh->nlmsg_type != nl->family)
			continue;
		nl_parse_msg(nlh, tb);
		if (!tb[DLEASE_A_BRIDGE_REQ] || !tb[DLEASE_A_BRIDGE_OP])
			return -EPROTO;
		memset(r, 0, sizeof(*r));
		r->req = nl_u64(tb[DLEASE_A_BRIDGE_REQ]);
		r->op = nl_u32(tb[DLEASE_A_BRIDGE_OP]);
		memcpy(r->name, nl_attr_data(tb[DLEASE_A_BRIDGE_NAME]),
		       nl_attr_len(tb[DLEASE_A_BRIDGE_NAME]));
		r->ttl = nl_u64(tb[DLEASE_A_BRIDGE_TTL]);
		r->try = tb[DLEASE_A_BRIDGE_TRY] != NULL;
		return 0;
	}
}

static int answer(struct nl *nl, uint64_t req, uint32_t result,
		  uint64_t token, uint64_t expires, uint32_t error)
{
	struct nl_msg m;

	nl_msg_init(&m, nl->family, DLEASE_CMD_BRIDGE_ANSWER, 0);
	nl_put_u64(&m, DLEASE_A_BRIDGE_REQ, req);
	nl_put_u32(&m, DLEASE_A_BRIDGE_RESULT, result);
	if (token)
		nl_put_u64(&m, DLEASE_A_BRIDGE_TOKEN, token);
	if (expires)
		nl_put_u64(&m, DLEASE_A_BRIDGE_EXPIRES, expires);
	if (error)
		nl_put_u32(&m, DLEASE_A_BRIDGE_ERROR, error);
	return nl_talk(nl, &m, NULL, NULL);
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	dl_wait_child(pid);
}

/* Closes every descriptor a child inherited but @keep and @keep2. */
static void close_inherited(int keep, int keep2)
{
	for (int fd = 3; fd < 1024; fd++)
		if (fd != keep && fd != keep2)
			close(fd);
}

/*
 * Blocking cluster acquire in a child, on the session @fd (the test's too:
 * a session is the open file) or, if @fd < 0, on a session of its own; its
 * outcome comes back in a pipe.  The child then holds what it got until it
 * is killed.  It closes what it inherited first: a copy of the bridge
 * socket would keep the bridge alive.
 */
struct outcome {
	int err;
	struct dlease_acquire a;
};

static pid_t acquire_on(int fd, const char *name, uint32_t flags,
			uint64_t timeout, int *rfd)
{
	struct outcome o;
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid) {
		close(p[1]);
		*rfd = p[0];
		return pid;
	}
	close_inherited(p[1], fd);
	if (fd < 0)
		fd = dl_open();
	o.err = dl_acquire(fd, name, DLEASE_MODE_EXCLUSIVE,
			   DLEASE_ACQ_CLUSTER | flags, 5 * SEC, 0, timeout, &o.a);
	if (write(p[1], &o, sizeof(o)) != sizeof(o))
		_exit(2);
	for (;;)
		pause();
}

static pid_t acquire_in_child(const char *name, uint32_t flags,
			      uint64_t timeout, int *rfd)
{
	return acquire_on(-1, name, flags, timeout, rfd);
}

static int outcome_of(int rfd, struct outcome *o, int ms)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };

	if (poll(&p, 1, ms * (int)dl_scale()) != 1)
		return -ETIMEDOUT;
	return read(rfd, o, sizeof(*o)) == sizeof(*o) ? 0 : -EIO;
}

/* Denies @req with @error; returns what its acquirer got, or -errno. */
static int denied(struct nl *nl, uint64_t req, uint32_t error, int rfd)
{
	struct outcome o;
	int err = answer(nl, req, DLEASE_BRIDGE_RESULT_DENY, 0, 0, error);

	if (!err)
		err = outcome_of(rfd, &o, 2000);
	return err ? err : o.err;
}

TEST_F(cl, rejects_what_a_cluster_lease_cannot_be)
{
	struct dlease_acquire a;

	EXPECT_EQ(-EINVAL, dl_acquire(self->fd, "c-bad", DLEASE_MODE_SHARED,
				      DLEASE_ACQ_CLUSTER, SEC, 0, 0, &a));
	EXPECT_EQ(-EINVAL, dl_acquire(self->fd, "c-bad", DLEASE_MODE_EXCLUSIVE,
				      DLEASE_ACQ_CLUSTER | DLEASE_ACQ_ASYNC,
				      SEC, 0, 0, &a));
	EXPECT_EQ(-EINVAL, dl_acquire(self->fd, "c-bad", DLEASE_MODE_EXCLUSIVE,
				      DLEASE_ACQ_CLUSTER, SEC, MS, 0, &a));
}

TEST_F(cl, one_bridge_at_a_time_and_only_it_answers)
{
	struct nl other;
	struct nl_msg m;

	ASSERT_EQ(0, nl_open(&other));
	nl_msg_init(&m, other.family, DLEASE_CMD_BRIDGE_REGISTER, 0);
	EXPECT_EQ(-EBUSY, nl_talk(&other, &m, NULL, NULL));
	EXPECT_STREQ("a bridge is registered in this namespace", other.extack);
	EXPECT_EQ(-EPERM, answer(&other, 1, DLEASE_BRIDGE_RESULT_DENY, 0, 0,
				 EAGAIN));
	EXPECT_STREQ("not the bridge of this namespace", other.extack);
	/* The bridge itself: checked and refused for what it says. */
	EXPECT_EQ(-ENOENT, answer(&self->bridge, 1U << 31,
				  DLEASE_BRIDGE_RESULT_DENY, 0, 0, EAGAIN));
	EXPECT_STREQ("no such request", self->bridge.extack);
	EXPECT_EQ(-EINVAL, answer(&self->bridge, 1, DLEASE_BRIDGE_RESULT_GRANT,
				  0, 0, 0));
	EXPECT_STREQ("a grant needs a token", self->bridge.extack);
	EXPECT_EQ(-ERANGE, answer(&self->bridge, 1, 9, 0, 0, 0));
	EXPECT_EQ(-ERANGE, answer(&self->bridge, 1, DLEASE_BRIDGE_RESULT_DENY,
				  0, 0, 512));
	{
		struct nl_msg m;

		nl_msg_init(&m, self->bridge.family, DLEASE_CMD_BRIDGE_ANSWER,
			    0);
		nl_put_u64(&m, DLEASE_A_BRIDGE_REQ, 1);
		nl_put_u32(&m, DLEASE_A_BRIDGE_RESULT,
			   DLEASE_BRIDGE_RESULT_GRANT);
		nl_put_u64(&m, DLEASE_A_BRIDGE_TOKEN, 0);
		nl_put_u64(&m, DLEASE_A_BRIDGE_EXPIRES, 1);
		EXPECT_EQ(-ERANGE, nl_talk(&self->bridge, &m, NULL, NULL));
	}
	close(other.fd);
}

static int register_as_nobody(void *arg)
{
	struct nl nl;
	struct nl_msg m;

	(void)arg;
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 100;
	if (nl_open(&nl))
		return 1;
	nl_msg_init(&m, nl.family, DLEASE_CMD_BRIDGE_REGISTER, 0);
	return nl_talk(&nl, &m, NULL, NULL) == -EPERM ? 0 : 2;
}

TEST_F(cl, registering_needs_cap_net_admin)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(register_as_nobody(NULL));
	EXPECT_EQ(0, dl_wait_child(pid));
}

TEST_F(cl, grant_carries_the_cluster_token_and_expiry)
{
	struct outcome o;
	struct request r;
	uint64_t expires;
	int rfd;
	pid_t pid;

	pid = acquire_in_child("c-grant", 0, 0, &rfd);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	EXPECT_EQ(DLEASE_BRIDGE_OP_ACQUIRE, r.op);
	EXPECT_STREQ("c-grant", r.name);
	EXPECT_EQ(5 * SEC, r.ttl);
	EXPECT_FALSE(r.try);
	expires = now_ns() + 2 * SEC;
	ASSERT_EQ(0, answer(&self->bridge, r.req, DLEASE_BRIDGE_RESULT_GRANT,
			    1000, expires, 0));
	ASSERT_EQ(0, outcome_of(rfd, &o, 2000));
	EXPECT_EQ(0, o.err);
	EXPECT_EQ(1000, o.a.token);
	/* Never later than the cluster's expiry less the margin. */
	EXPECT_EQ(expires - MARGIN, o.a.expires_ns);
	/* A second grant for it is refused: it is not waiting any more. */
	EXPECT_EQ(-ESTALE, answer(&self->bridge, r.req,
				  DLEASE_BRIDGE_RESULT_GRANT, 1001, expires, 0));
	close(rfd);
	stop(pid);
	/* Its session closed: the bridge is told to release. */
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	EXPECT_EQ(DLEASE_BRIDGE_OP_RELEASE, r.op);
}

/*
 * A grant that ends before the margin is of no use: the blocked acquirer
 * fails at once with ETIMEDOUT (it used to sleep on until a signal).
 */
TEST_F(cl, grant_too_late_fails_the_acquirer_at_once)
{
	struct outcome o;
	struct request r;
	int rfd;
	pid_t pid;

	pid = acquire_in_child("c-late", 0, 0, &rfd);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	ASSERT_EQ(0, answer(&self->bridge, r.req, DLEASE_BRIDGE_RESULT_GRANT,
			    7, now_ns() + MARGIN / 2, 0));
	ASSERT_EQ(0, outcome_of(rfd, &o, 2000));
	EXPECT_EQ(-ETIMEDOUT, o.err);
	close(rfd);
	stop(pid);
}

/* Only the head of the local queue is forwarded, one at a time. */
TEST_F(cl, only_the_head_is_forwarded)
{
	struct outcome o;
	struct request r, r2;
	int rfd[3], i;
	pid_t pid[3];

	for (i = 0; i < 3; i++) {
		pid[i] = acquire_in_child("c-head", 0, 0, &rfd[i]);
		ASSERT_LE(0, pid[i]);
		dl_sleep_ms(30);
	}
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	EXPECT_EQ(DLEASE_BRIDGE_OP_ACQUIRE, r.op);
	EXPECT_EQ(-ETIMEDOUT, next_request(&self->bridge, &r2, 200));
	ASSERT_EQ(0, answer(&self->bridge, r.req, DLEASE_BRIDGE_RESULT_GRANT,
			    7, now_ns() + 5 * SEC, 0));
	ASSERT_EQ(0, outcome_of(rfd[0], &o, 2000));
	EXPECT_EQ(7, o.a.token);
	/* Still held locally: nothing more is asked. */
	EXPECT_EQ(-ETIMEDOUT, next_request(&self->bridge, &r2, 200));
	close(rfd[0]);
	stop(pid[0]);
	/* Released: the bridge hears the release, then the next acquire. */
	ASSERT_EQ(0, next_request(&self->bridge, &r2, 2000));
	EXPECT_EQ(DLEASE_BRIDGE_OP_RELEASE, r2.op);
	EXPECT_EQ(r.req, r2.req);
	ASSERT_EQ(0, next_request(&self->bridge, &r2, 2000));
	EXPECT_EQ(DLEASE_BRIDGE_OP_ACQUIRE, r2.op);
	EXPECT_NE(r.req, r2.req);
	/* Denied: the waiter hears why, and the last one is forwarded. */
	EXPECT_EQ(-EDQUOT, denied(&self->bridge, r2.req, EDQUOT, rfd[1]));
	ASSERT_EQ(0, next_request(&self->bridge, &r2, 2000));
	EXPECT_EQ(DLEASE_BRIDGE_OP_ACQUIRE, r2.op);
	for (i = 1; i < 3; i++) {
		close(rfd[i]);
		stop(pid[i]);
	}
}

TEST_F(cl, try_asks_once_and_waits_a_bounded_time)
{
	struct dlease_acquire a;
	struct request r;
	uint64_t t0;
	int rfd;
	pid_t pid;

	ASSERT_EQ(0, set_bridge_timeout(&self->admin, 100 * MS));

	/* Denied at once by the cluster. */
	pid = acquire_in_child("c-try", DLEASE_ACQ_TRY, 0, &rfd);
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	EXPECT_TRUE(r.try);
	EXPECT_EQ(-EAGAIN, denied(&self->bridge, r.req, EAGAIN, rfd));
	close(rfd);
	stop(pid);

	/* No answer: ETIMEDOUT after bridge-timeout, and a cancel. */
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, dl_acquire(self->fd, "c-try",
					 DLEASE_MODE_EXCLUSIVE,
					 DLEASE_ACQ_CLUSTER | DLEASE_ACQ_TRY,
					 SEC, 0, 0, &a));
	EXPECT_LE(t0 + 100 * MS, now_ns());
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	EXPECT_EQ(DLEASE_BRIDGE_OP_ACQUIRE, r.op);
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	EXPECT_EQ(DLEASE_BRIDGE_OP_RELEASE, r.op);
	/* The late answer finds nothing to grant. */
	EXPECT_EQ(-ENOENT, answer(&self->bridge, r.req,
				  DLEASE_BRIDGE_RESULT_GRANT, 9,
				  now_ns() + SEC, 0));
}

/*
 * A bridge that answers by itself, in a child sharing the bridge socket:
 * grants every acquire (token 500, 501, ... expiring @life ns later) and
 * answers renewals as @renew says (0: not at all).  With @brk it sends a
 * BREAK (count 2) after each grant.
 */
static pid_t auto_bridge(struct nl *bridge, uint64_t life, uint32_t renew,
			 bool brk)
{
	pid_t pid = fork();
	struct request r;
	uint64_t token = 500;

	if (pid)
		return pid;
	close_inherited(bridge->fd, -1);
	for (;;) {
		if (next_request(bridge, &r, 60000))
			_exit(1);
		if (r.op == DLEASE_BRIDGE_OP_ACQUIRE) {
			answer(bridge, r.req, DLEASE_BRIDGE_RESULT_GRANT,
			       token++, now_ns() + life, 0);
			if (brk) {
				struct nl_msg m;

				nl_msg_init(&m, bridge->family,
					    DLEASE_CMD_BRIDGE_ANSWER, 0);
				nl_put_u64(&m, DLEASE_A_BRIDGE_REQ, r.req);
				nl_put_u32(&m, DLEASE_A_BRIDGE_RESULT,
					   DLEASE_BRIDGE_RESULT_BREAK);
				nl_put_u32(&m, DLEASE_A_BRIDGE_COUNT, 2);
				nl_talk(bridge, &m, NULL, NULL);
			}
		} else if (r.op == DLEASE_BRIDGE_OP_RENEW && renew) {
			answer(bridge, r.req, renew, 0,
			       renew == DLEASE_BRIDGE_RESULT_RENEWED ?
			       now_ns() + life : 0, 0);
		}
	}
}

static int take(int fd, const char *name, struct dlease_acquire *a)
{
	return dl_acquire(fd, name, DLEASE_MODE_EXCLUSIVE, DLEASE_ACQ_CLUSTER,
			  10 * SEC, 0, 5 * SEC, a);
}

TEST_F(cl, renewal_goes_through_the_bridge)
{
	pid_t br = auto_bridge(&self->bridge, 3 * SEC,
			       DLEASE_BRIDGE_RESULT_RENEWED, false);
	struct dlease_acquire a, local;
	struct dlease_event ev;
	struct dlease_renew r;

	ASSERT_LE(0, br);
	/* A local lease of the same name is another resource. */
	ASSERT_EQ(0, dl_try(self->fd, "c-renew", &local));
	ASSERT_EQ(0, take(self->fd, "c-renew", &a));
	EXPECT_LE(500, a.token);
	EXPECT_GE(now_ns() + 3 * SEC - MARGIN, a.expires_ns);
	dl_sleep_ms(20);
	ASSERT_EQ(0, dl_renew(self->fd, a.lease_id, 0, &r));
	EXPECT_EQ(a.token, r.token);
	EXPECT_LT(a.expires_ns, r.expires_ns);
	EXPECT_GE(now_ns() + 3 * SEC - MARGIN, r.expires_ns);
	ASSERT_EQ(0, dl_event(self->fd, &ev, 1000));
	EXPECT_EQ(DLEASE_EV_RENEWED, ev.type);
	EXPECT_EQ(r.expires_ns, ev.expires_ns);
	stop(br);
}

TEST_F(cl, renewal_without_answer_times_out_and_changes_nothing)
{
	pid_t br = auto_bridge(&self->bridge, 3 * SEC, 0, false);
	struct dlease_acquire a;
	struct dlease_query q;
	uint64_t t0;

	ASSERT_LE(0, br);
	ASSERT_EQ(0, set_bridge_timeout(&self->admin, 100 * MS));
	ASSERT_EQ(0, take(self->fd, "c-silent", &a));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, dl_renew(self->fd, a.lease_id, 0, NULL));
	EXPECT_LE(t0 + 100 * MS, now_ns());
	ASSERT_EQ(0, dl_query(self->fd, a.lease_id, &q));
	EXPECT_EQ(DLEASE_STATE_HELD, q.state);
	EXPECT_EQ(a.expires_ns, q.expires_ns);
	stop(br);
}

/* A renewal under way when the lease runs out ends with it: ESTALE. */
TEST_F(cl, renewal_ends_with_the_lease)
{
	pid_t br = auto_bridge(&self->bridge, 400 * MS, 0, false);
	struct dlease_acquire a;
	uint64_t t0;

	ASSERT_LE(0, br);
	ASSERT_EQ(0, set_bridge_timeout(&self->admin, 30 * SEC));
	ASSERT_EQ(0, take(self->fd, "c-runout", &a));
	t0 = now_ns();
	EXPECT_EQ(-ESTALE, dl_renew(self->fd, a.lease_id, 0, NULL));
	/* Woken when the lease expired, not after the bridge timeout. */
	EXPECT_LE(a.expires_ns, now_ns());
	EXPECT_GT(t0 + 5 * SEC, now_ns());
	stop(br);
}

TEST_F(cl, a_lease_the_cluster_loses_is_revoked)
{
	pid_t br = auto_bridge(&self->bridge, 3 * SEC,
			       DLEASE_BRIDGE_RESULT_LOST, false);
	struct dlease_acquire a;
	struct dlease_event ev;

	ASSERT_LE(0, br);
	ASSERT_EQ(0, take(self->fd, "c-lost", &a));
	EXPECT_EQ(-ESTALE, dl_renew(self->fd, a.lease_id, 0, NULL));
	ASSERT_EQ(0, dl_event(self->fd, &ev, 1000));
	EXPECT_EQ(DLEASE_EV_REVOKED, ev.type);
	EXPECT_EQ(a.lease_id, ev.lease_id);
	EXPECT_EQ(-ESTALE, dl_release(self->fd, a.lease_id));
	stop(br);
}

TEST_F(cl, break_from_the_cluster_reaches_the_holder)
{
	pid_t br = auto_bridge(&self->bridge, 3 * SEC, 0, true);
	struct dlease_acquire a;
	struct dlease_event ev;

	ASSERT_LE(0, br);
	ASSERT_EQ(0, take(self->fd, "c-break", &a));
	ASSERT_EQ(0, dl_event(self->fd, &ev, 1000));
	EXPECT_EQ(DLEASE_EV_BREAK, ev.type);
	EXPECT_EQ(a.lease_id, ev.lease_id);
	EXPECT_EQ(2, ev.count);
	stop(br);
}

/*
 * The bridge dies: a forwarded request fails with ENOLINK, a held lease
 * cannot be renewed and expires at its local deadline (fail closed), and
 * whoever queued behind it fails with ENOLINK when its turn comes.
 */
TEST_F(cl, losing_the_bridge_fails_closed)
{
	pid_t br = auto_bridge(&self->bridge, 600 * MS, 0, false);
	struct dlease_acquire a;
	struct dlease_event ev;
	struct outcome o1, o2;
	struct request r;
	int rfd1, rfd2;
	pid_t p1, p2;

	ASSERT_LE(0, br);
	ASSERT_EQ(0, take(self->fd, "c-gone", &a));
	EXPECT_GE(now_ns() + 600 * MS - MARGIN, a.expires_ns);
	/* One waits behind it locally, one is forwarded for another name. */
	p1 = acquire_in_child("c-gone", 0, 0, &rfd1);
	ASSERT_LE(0, p1);
	ASSERT_EQ(1, dl_wait_waiters(self->fd, a.lease_id, 1));
	stop(br);
	p2 = acquire_in_child("c-gone-2", 0, 0, &rfd2);
	ASSERT_LE(0, p2);
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	EXPECT_EQ(DLEASE_BRIDGE_OP_ACQUIRE, r.op);
	close(self->bridge.fd);		/* the last reference: it is gone */
	self->bridge.fd = -1;

	ASSERT_EQ(0, outcome_of(rfd2, &o2, 2000));
	EXPECT_EQ(-ENOLINK, o2.err);
	EXPECT_EQ(-ENOLINK, dl_renew(self->fd, a.lease_id, 0, NULL));
	/* Expired at its deadline, not later (after BREAK: p1 waits). */
	do {
		ASSERT_EQ(0, dl_event(self->fd, &ev, 2000));
	} while (ev.type == DLEASE_EV_BREAK);
	EXPECT_EQ(DLEASE_EV_EXPIRED, ev.type);
	EXPECT_LE(a.expires_ns, ev.time_ns);
	EXPECT_GT(a.expires_ns + 200 * MS * dl_scale(), ev.time_ns);
	ASSERT_EQ(0, outcome_of(rfd1, &o1, 2000));
	EXPECT_EQ(-ENOLINK, o1.err);
	/* And with no bridge, a new request fails at once. */
	EXPECT_EQ(-ENOLINK, take(self->fd, "c-gone-3", &a));
	close(rfd1);
	close(rfd2);
	stop(p1);
	stop(p2);
}

static int wait_answer(struct nl *nl, uint64_t req, uint32_t place,
		       uint64_t until)
{
	struct nl_msg m;

	nl_msg_init(&m, nl->family, DLEASE_CMD_BRIDGE_ANSWER, 0);
	nl_put_u64(&m, DLEASE_A_BRIDGE_REQ, req);
	nl_put_u32(&m, DLEASE_A_BRIDGE_RESULT, DLEASE_BRIDGE_RESULT_WAIT);
	nl_put_u32(&m, DLEASE_A_BRIDGE_COUNT, place);
	if (until)
		nl_put_u64(&m, DLEASE_A_BRIDGE_EXPIRES, until);
	return nl_talk(nl, &m, NULL, NULL);
}

/* A session that also queues DLEASE_EV_WAIT (not in the default mask). */
static int waiting_session(void)
{
	struct dlease_events e = { .mask = DLEASE_EV_MASK_ALL };
	int fd = dl_open();

	if (fd < 0 || dl_ioctl(fd, DLEASE_IOC_SET_EVENTS, &e) ||
	    e.mask != DLEASE_EV_MASK_DEFAULT)
		return -1;
	return fd;
}

/* The next notification of type @ev, within @ms. */
static int ntf_of(struct nl *nl, uint32_t ev, struct nlattr **tb, int ms)
{
	int err;

	do {
		err = nl_next_ntf(nl, tb, ms);
	} while (!err && nl_u32(tb[DLEASE_A_LEASE_EVENT]) != ev);
	return err;
}

/*
 * The bridge says the request waits in the cluster's line: its session
 * gets WAIT with the place and the expected time, QUERY, lease-get and
 * the events group report them, and the grant that follows is a grant
 * like any other.
 */
TEST_F(cl, wait_reaches_the_waiter)
{
	struct nlattr *tb[NL_MAX_ATTRS];
	struct nl_reply rep = { 0 };
	struct dlease_info info;
	struct dlease_event ev;
	struct dlease_query q;
	struct outcome o;
	struct request r;
	struct nl_msg m;
	uint64_t until;
	int wfd, rfd;
	pid_t pid;

	wfd = waiting_session();
	ASSERT_LE(0, wfd);
	ASSERT_EQ(0, dl_ioctl(wfd, DLEASE_IOC_INFO, &info));
	ASSERT_EQ(0, nl_subscribe(&self->admin));
	pid = acquire_on(wfd, "c-wait", 0, 0, &rfd);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	until = now_ns() + 850 * MS;
	ASSERT_EQ(0, wait_answer(&self->bridge, r.req, 2, until))
		TH_LOG("%s", self->bridge.extack);

	ASSERT_EQ(0, dl_event(wfd, &ev, 1000));
	EXPECT_EQ(DLEASE_EV_WAIT, ev.type);
	EXPECT_EQ(2, ev.count);
	EXPECT_EQ(until, ev.expires_ns);
	EXPECT_EQ(0, ev.token);
	ASSERT_NE(0, ev.lease_id);
	ASSERT_EQ(0, dl_query(wfd, ev.lease_id, &q));
	EXPECT_EQ(DLEASE_STATE_WAITING, q.state);
	EXPECT_EQ(2, q.cluster_place);
	EXPECT_EQ(until, q.wait_until_ns);

	/* Before the lease-get: nl_talk() stashes what it is not after. */
	ASSERT_EQ(0, ntf_of(&self->admin, DLEASE_EV_WAIT, tb, 1000));
	EXPECT_EQ(info.session_id, nl_u64(tb[DLEASE_A_LEASE_SESSION]));
	EXPECT_EQ(ev.lease_id, nl_u64(tb[DLEASE_A_LEASE_ID]));
	EXPECT_NE(NULL, tb[DLEASE_A_LEASE_CLUSTER]);
	ASSERT_NE(NULL, tb[DLEASE_A_LEASE_CLUSTER_PLACE]);
	EXPECT_EQ(2, nl_u32(tb[DLEASE_A_LEASE_CLUSTER_PLACE]));
	ASSERT_NE(NULL, tb[DLEASE_A_LEASE_WAIT_UNTIL]);
	EXPECT_EQ(until, nl_u64(tb[DLEASE_A_LEASE_WAIT_UNTIL]));

	nl_msg_init(&m, self->admin.family, DLEASE_CMD_LEASE_GET, 0);
	nl_put_u64(&m, DLEASE_A_LEASE_SESSION, info.session_id);
	nl_put_u64(&m, DLEASE_A_LEASE_ID, ev.lease_id);
	ASSERT_EQ(0, nl_talk(&self->admin, &m, nl_reply_cb, &rep));
	ASSERT_NE(NULL, rep.tb[DLEASE_A_LEASE_CLUSTER_PLACE]);
	EXPECT_EQ(2, nl_u32(rep.tb[DLEASE_A_LEASE_CLUSTER_PLACE]));
	ASSERT_NE(NULL, rep.tb[DLEASE_A_LEASE_WAIT_UNTIL]);
	EXPECT_EQ(until, nl_u64(rep.tb[DLEASE_A_LEASE_WAIT_UNTIL]));

	/* A WAIT does not end the request: the grant comes after it. */
	ASSERT_EQ(0, answer(&self->bridge, r.req, DLEASE_BRIDGE_RESULT_GRANT,
			    77, now_ns() + 5 * SEC, 0));
	ASSERT_EQ(0, outcome_of(rfd, &o, 2000));
	EXPECT_EQ(0, o.err);
	EXPECT_EQ(77, o.a.token);
	EXPECT_EQ(ev.lease_id, o.a.lease_id);
	ASSERT_EQ(0, dl_query(wfd, ev.lease_id, &q));
	EXPECT_EQ(DLEASE_STATE_HELD, q.state);
	EXPECT_EQ(0, q.cluster_place);
	EXPECT_EQ(0, q.wait_until_ns);
	/* Held: a late WAIT fits no pending request. */
	EXPECT_EQ(-ESTALE, wait_answer(&self->bridge, r.req, 1, until));
	EXPECT_STREQ("the request is not waiting for this answer",
		     self->bridge.extack);
	close(rfd);
	stop(pid);
	close(wfd);
}

/*
 * Unread WAITs of one request merge into the latest; WAIT is not queued
 * for a session that did not ask for it.  The id a WAIT told cancels the
 * request: the blocked acquire fails with ESTALE, the bridge hears it.
 */
TEST_F(cl, waits_merge_and_are_masked)
{
	struct dlease_events e = { .mask = DLEASE_EV_MASK_DEFAULT };
	struct dlease_event ev;
	struct dlease_query q;
	struct request r, r2;
	struct outcome o;
	uint64_t until;
	int wfd, rfd;
	pid_t pid;

	wfd = waiting_session();
	ASSERT_LE(0, wfd);
	pid = acquire_on(wfd, "c-waits", 0, 0, &rfd);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	until = now_ns() + 3 * SEC;
	ASSERT_EQ(0, wait_answer(&self->bridge, r.req, 3, until));
	ASSERT_EQ(0, wait_answer(&self->bridge, r.req, 2, until - SEC));
	ASSERT_EQ(0, wait_answer(&self->bridge, r.req, 1, until - 2 * SEC));
	ASSERT_EQ(0, dl_event(wfd, &ev, 1000));
	EXPECT_EQ(DLEASE_EV_WAIT, ev.type);
	EXPECT_EQ(1, ev.count);
	EXPECT_EQ(until - 2 * SEC, ev.expires_ns);
	EXPECT_EQ(-ETIMEDOUT, dl_event(wfd, &ev, 100));
	/* Read: the next one takes a record of its own. */
	ASSERT_EQ(0, wait_answer(&self->bridge, r.req, 1, until));
	ASSERT_EQ(0, dl_event(wfd, &ev, 1000));
	EXPECT_EQ(DLEASE_EV_WAIT, ev.type);
	EXPECT_EQ(until, ev.expires_ns);
	/* Masked: nothing queued, the place is still known. */
	ASSERT_EQ(0, dl_ioctl(wfd, DLEASE_IOC_SET_EVENTS, &e));
	EXPECT_EQ(DLEASE_EV_MASK_ALL, e.mask);
	ASSERT_EQ(0, wait_answer(&self->bridge, r.req, 4, until));
	EXPECT_EQ(-ETIMEDOUT, dl_event(wfd, &ev, 100));
	ASSERT_EQ(0, dl_query(wfd, ev.lease_id, &q));
	EXPECT_EQ(4, q.cluster_place);
	EXPECT_EQ(0, dl_release(wfd, ev.lease_id));
	ASSERT_EQ(0, outcome_of(rfd, &o, 2000));
	EXPECT_EQ(-ESTALE, o.err);
	ASSERT_EQ(0, next_request(&self->bridge, &r2, 2000));
	EXPECT_EQ(DLEASE_BRIDGE_OP_RELEASE, r2.op);
	EXPECT_EQ(r.req, r2.req);
	EXPECT_EQ(-ENOENT, wait_answer(&self->bridge, r.req, 1, until));
	close(rfd);
	stop(pid);
	close(wfd);
}

/* A WAIT that fits no request in the cluster's line is refused. */
TEST_F(cl, wait_is_checked)
{
	struct dlease_event ev;
	struct request r;
	struct nl_msg m;
	int wfd, rfd;
	pid_t pid;

	EXPECT_EQ(-ENOENT, wait_answer(&self->bridge, 1U << 31, 1,
				       now_ns() + SEC));
	EXPECT_STREQ("no such request", self->bridge.extack);
	EXPECT_EQ(-EINVAL, wait_answer(&self->bridge, 1, 1, 0));
	EXPECT_STREQ("a wait needs count and expires", self->bridge.extack);
	nl_msg_init(&m, self->bridge.family, DLEASE_CMD_BRIDGE_ANSWER, 0);
	nl_put_u64(&m, DLEASE_A_BRIDGE_REQ, 1);
	nl_put_u32(&m, DLEASE_A_BRIDGE_RESULT, DLEASE_BRIDGE_RESULT_WAIT);
	nl_put_u64(&m, DLEASE_A_BRIDGE_EXPIRES, now_ns() + SEC);
	EXPECT_EQ(-EINVAL, nl_talk(&self->bridge, &m, NULL, NULL));
	EXPECT_STREQ("a wait needs count and expires", self->bridge.extack);
	EXPECT_EQ(-EINVAL, wait_answer(&self->bridge, 1, 0, now_ns() + SEC));
	EXPECT_STREQ("places in the cluster's line start at 1",
		     self->bridge.extack);
	EXPECT_NE(0, self->bridge.bad_attr);
	nl_msg_init(&m, self->bridge.family, DLEASE_CMD_BRIDGE_ANSWER, 0);
	nl_put_u64(&m, DLEASE_A_BRIDGE_REQ, 1);
	nl_put_u32(&m, DLEASE_A_BRIDGE_RESULT, DLEASE_BRIDGE_RESULT_WAIT);
	nl_put_u32(&m, DLEASE_A_BRIDGE_COUNT, 1);
	nl_put_u64(&m, DLEASE_A_BRIDGE_EXPIRES, 0);
	EXPECT_EQ(-EINVAL, nl_talk(&self->bridge, &m, NULL, NULL));
	EXPECT_STREQ("a wait needs the expected grant time",
		     self->bridge.extack);
	EXPECT_NE(0, self->bridge.bad_attr);

	/* A TRY is never in the cluster's line. */
	wfd = waiting_session();
	ASSERT_LE(0, wfd);
	pid = acquire_on(wfd, "c-wait-try", DLEASE_ACQ_TRY, 0, &rfd);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	EXPECT_TRUE(r.try);
	EXPECT_EQ(-EINVAL, wait_answer(&self->bridge, r.req, 1,
				       now_ns() + SEC));
	EXPECT_STREQ("a try request does not wait in the cluster",
		     self->bridge.extack);
	EXPECT_NE(0, self->bridge.bad_attr);
	EXPECT_EQ(-ETIMEDOUT, dl_event(wfd, &ev, 100));
	EXPECT_EQ(-EAGAIN, denied(&self->bridge, r.req, EAGAIN, rfd));
	close(rfd);
	stop(pid);
	close(wfd);
}

/* Once the bridge is gone, its requests are too: a WAIT finds nothing. */
TEST_F(cl, wait_after_the_bridge_closed)
{
	struct request r;
	struct outcome o;
	struct nl_msg m;
	struct nl next;
	int rfd;
	pid_t pid;

	pid = acquire_in_child("c-wait-gone", 0, 0, &rfd);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, next_request(&self->bridge, &r, 2000));
	close(self->bridge.fd);
	self->bridge.fd = -1;
	ASSERT_EQ(0, outcome_of(rfd, &o, 2000));
	EXPECT_EQ(-ENOLINK, o.err);
	ASSERT_EQ(0, nl_open(&next));
	nl_msg_init(&m, next.family, DLEASE_CMD_BRIDGE_REGISTER, 0);
	ASSERT_EQ(0, nl_talk(&next, &m, NULL, NULL));
	self->bridge = next;
	EXPECT_EQ(-ENOENT, wait_answer(&self->bridge, r.req, 1,
				       now_ns() + SEC));
	close(rfd);
	stop(pid);
}

TEST_HARNESS_MAIN
