// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl contract of /dev/dlease: every malformed request fails with
 * its documented errno and changes nothing.
 */
#include <sys/mman.h>

#include "dlease_util.h"
#include "kselftest_harness.h"

FIXTURE(api) {
	int fd;
	struct dlease_info info;
};

FIXTURE_SETUP(api)
{
	self->fd = dl_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", DL_DEV, strerror(errno));
	ASSERT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_INFO, &self->info));
}

FIXTURE_TEARDOWN(api)
{
	close(self->fd);
}

static struct dlease_acquire good_req(const char *name)
{
	return (struct dlease_acquire) {
		.name_ptr = (uintptr_t)name,
		.name_len = (uint32_t)strlen(name),
		.mode = DLEASE_MODE_EXCLUSIVE,
		.flags = DLEASE_ACQ_TRY,
		.ttl_ns = SEC,
	};
}

/* The name is still free: nothing was left behind by a failed call. */
static int name_is_free(const char *name)
{
	struct dlease_acquire a;
	int fd = dl_open();
	int err = dl_try(fd, name, &a);

	close(fd);
	return err == 0;
}

TEST_F(api, info_reports_version_and_limits)
{
	EXPECT_EQ(DLEASE_API_VERSION, self->info.api_version);
	EXPECT_EQ(sizeof(struct dlease_event), self->info.event_size);
	EXPECT_EQ(DLEASE_ACQ_FLAGS_ALL, self->info.acquire_flags);
	EXPECT_EQ(DLEASE_EV_MASK_ALL, self->info.event_mask);
	EXPECT_EQ(DLEASE_NAME_MAX, self->info.name_max);
	EXPECT_LT(0, self->info.max_per_session);
	EXPECT_LT(0, self->info.max_waiters);
	EXPECT_LE(4, self->info.max_events);
	EXPECT_LT(0, self->info.ttl_min_ns);
	EXPECT_LE(self->info.ttl_min_ns, self->info.ttl_max_ns);
	EXPECT_LE(1, self->info.max_holders);
}

TEST_F(api, unknown_ioctl_enotty)
{
	uint64_t buf[16] = { 0 };

	EXPECT_EQ(-ENOTTY, dl_ioctl(self->fd, _IOWR(DLEASE_IOC_MAGIC, 0x7f,
						    struct dlease_acquire), buf));
	EXPECT_EQ(-ENOTTY, dl_ioctl(self->fd, _IOWR(DLEASE_IOC_MAGIC, 0x01,
						    uint64_t), buf));
}

TEST_F(api, acquire_unknown_flag_einval)
{
	struct dlease_acquire a = good_req("api-flag");

	a.flags |= 1U << 31;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	EXPECT_TRUE(name_is_free("api-flag"));
}

TEST_F(api, acquire_reserved_nonzero_einval)
{
	struct dlease_acquire a = good_req("api-resv");

	a.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	EXPECT_TRUE(name_is_free("api-resv"));
}

TEST_F(api, acquire_bad_mode_einval)
{
	struct dlease_acquire a = good_req("api-mode");

	a.mode = 0;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	a.mode = 3;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	EXPECT_TRUE(name_is_free("api-mode"));
}

TEST_F(api, acquire_name_length_einval)
{
	char longname[DLEASE_NAME_MAX + 2];
	struct dlease_acquire a = good_req("x");

	a.name_len = 0;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	a = good_req(longname);
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	/* Exactly the maximum is fine. */
	longname[DLEASE_NAME_MAX] = 0;
	a = good_req(longname);
	EXPECT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	EXPECT_EQ(DLEASE_STATE_HELD, a.state);
}

TEST_F(api, acquire_name_with_nul_einval)
{
	static const char name[] = "api\0nul";
	struct dlease_acquire a = good_req("api");

	a.name_len = sizeof(name) - 1;
	a.name_ptr = (uintptr_t)name;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	EXPECT_TRUE(name_is_free("api"));
}

TEST_F(api, acquire_wait_kind_conflicts_einval)
{
	struct dlease_acquire a = good_req("api-wait");

	a.flags = DLEASE_ACQ_TRY | DLEASE_ACQ_ASYNC;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	a.flags = DLEASE_ACQ_TRY;
	a.timeout_ns = SEC;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	a.flags = DLEASE_ACQ_ASYNC;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	a.flags = DLEASE_ACQ_ABSTIME;
	a.timeout_ns = 0;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	EXPECT_TRUE(name_is_free("api-wait"));
}

TEST_F(api, acquire_ttl_out_of_range_erange)
{
	struct dlease_acquire a = good_req("api-ttl");

	a.ttl_ns = self->info.ttl_min_ns - 1;
	EXPECT_EQ(-ERANGE, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	a.ttl_ns = self->info.ttl_max_ns + 1;
	EXPECT_EQ(-ERANGE, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	a.ttl_ns = SEC;
	a.grace_ns = self->info.grace_max_ns + 1;
	EXPECT_EQ(-ERANGE, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	EXPECT_TRUE(name_is_free("api-ttl"));
}

TEST_F(api, acquire_bad_pointers_efault)
{
	struct dlease_acquire a = good_req("api-fault");

	EXPECT_EQ(-EFAULT, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, NULL));
	a.name_ptr = 8;
	EXPECT_EQ(-EFAULT, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, &a));
	EXPECT_TRUE(name_is_free("api-fault"));
}

/* The result cannot be written back: the lease must not stay held. */
TEST_F(api, acquire_readonly_result_releases)
{
	static const char name[] = "api-ro";
	struct dlease_acquire *a;

	a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	*a = good_req(name);
	ASSERT_EQ(0, mprotect(a, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, dl_ioctl(self->fd, DLEASE_IOC_ACQUIRE, a));
	EXPECT_TRUE(name_is_free(name));
	munmap(a, 4096);
}

TEST_F(api, try_conflict_eagain)
{
	struct dlease_acquire a, b;
	int other = dl_open();

	ASSERT_EQ(0, dl_try(self->fd, "api-try", &a));
	EXPECT_EQ(-EAGAIN, dl_try(other, "api-try", &b));
	EXPECT_EQ(-EAGAIN, dl_acquire(other, "api-try", DLEASE_MODE_SHARED,
				      DLEASE_ACQ_TRY, SEC, 0, 0, &b));
	EXPECT_EQ(0, dl_release(self->fd, a.lease_id));
	EXPECT_EQ(0, dl_try(other, "api-try", &b));
	close(other);
}

TEST_F(api, shared_leases_coexist)
{
	struct dlease_acquire a, b, c;
	int other = dl_open();

	ASSERT_EQ(0, dl_acquire(self->fd, "api-sh", DLEASE_MODE_SHARED,
				DLEASE_ACQ_TRY, SEC, 0, 0, &a));
	EXPECT_EQ(0, dl_acquire(other, "api-sh", DLEASE_MODE_SHARED,
				DLEASE_ACQ_TRY, SEC, 0, 0, &b));
	EXPECT_LT(a.token, b.token);
	EXPECT_EQ(-EAGAIN, dl_try(other, "api-sh", &c));
	close(other);
}

TEST_F(api, renew_release_query_errnos)
{
	struct dlease_acquire a;
	struct dlease_renew r = { 0 };
	struct dlease_release rel = { 0 };
	struct dlease_query q;

	ASSERT_EQ(0, dl_try(self->fd, "api-ids", &a));
	/* Above the last id taken: ENOENT. */
	EXPECT_EQ(-ENOENT, dl_renew(self->fd, a.lease_id + 1000, 0, NULL));
	EXPECT_EQ(-ENOENT, dl_release(self->fd, 0));
	EXPECT_EQ(-ENOENT, dl_query(self->fd, a.lease_id + 1000, &q));
	/* Malformed: EINVAL, lease untouched. */
	r.lease_id = a.lease_id;
	r.flags = 1;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_RENEW, &r));
	r.flags = 0;
	r.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_RENEW, &r));
	EXPECT_EQ(-ERANGE, dl_renew(self->fd, a.lease_id,
				    self->info.ttl_max_ns + 1, NULL));
	rel.lease_id = a.lease_id;
	rel.reserved0 = 1;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_RELEASE, &rel));
	memset(&q, 0, sizeof(q));
	q.lease_id = a.lease_id;
	q.flags = 4;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_QUERY, &q));
	/* The fields that were reserved are still zero on input. */
	q.flags = 0;
	q.cluster_place = 1;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_QUERY, &q));
	q.cluster_place = 0;
	q.reserved0 = 1;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_QUERY, &q));
	q.reserved0 = 0;
	q.wait_until_ns = 1;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_QUERY, &q));
	EXPECT_EQ(0, dl_query(self->fd, a.lease_id, &q));
	EXPECT_EQ(0, q.cluster_place);
	EXPECT_EQ(0, q.wait_until_ns);
	EXPECT_EQ(DLEASE_STATE_HELD, q.state);
	/* Released: ESTALE from then on, and nothing changes. */
	EXPECT_EQ(0, dl_release(self->fd, a.lease_id));
	EXPECT_EQ(-ESTALE, dl_release(self->fd, a.lease_id));
	EXPECT_EQ(-ESTALE, dl_renew(self->fd, a.lease_id, 0, NULL));
	EXPECT_EQ(-ESTALE, dl_query(self->fd, a.lease_id, &q));
}

/* A failed request uses up its id: it answers ESTALE, not ENOENT. */
TEST_F(api, failed_request_id_is_stale)
{
	struct dlease_acquire a, b;
	int other = dl_open();

	ASSERT_EQ(0, dl_try(self->fd, "api-stale", &a));
	EXPECT_EQ(-EAGAIN, dl_try(other, "api-stale", &b));
	ASSERT_EQ(0, dl_try(other, "api-stale2", &b));
	/* Below the last id taken and not live: stale; above it: unknown. */
	EXPECT_EQ(-ESTALE, dl_release(other, b.lease_id - 1));
	EXPECT_EQ(-ESTALE, dl_renew(other, 1, 0, NULL));
	EXPECT_EQ(-ENOENT, dl_release(other, b.lease_id + 1));
	EXPECT_EQ(0, dl_release(other, b.lease_id));
	close(other);
}

/* Out fields of a waiting request read 0, whatever the caller passed. */
TEST_F(api, query_of_waiting_request)
{
	struct dlease_acquire a, w;
	struct dlease_query q;
	int other = dl_open();

	ASSERT_EQ(0, dl_try(self->fd, "api-qwait", &a));
	ASSERT_EQ(0, dl_async(other, "api-qwait", DLEASE_MODE_SHARED, &w));
	memset(&q, 0, sizeof(q));
	q.lease_id = w.lease_id;
	q.token = 77;
	q.expires_ns = 77;
	q.deadline_ns = 77;
	ASSERT_EQ(0, dl_ioctl(other, DLEASE_IOC_QUERY, &q));
	EXPECT_EQ(DLEASE_STATE_WAITING, q.state);
	EXPECT_EQ(0, q.token);
	EXPECT_EQ(0, q.expires_ns);
	EXPECT_EQ(0, q.deadline_ns);
	EXPECT_EQ(1, q.waiters);
	close(other);
}

TEST_F(api, renew_of_waiting_request_ebusy)
{
	struct dlease_acquire a, w;
	int other = dl_open();

	ASSERT_EQ(0, dl_try(self->fd, "api-busy", &a));
	ASSERT_EQ(0, dl_async(other, "api-busy", DLEASE_MODE_EXCLUSIVE, &w));
	EXPECT_EQ(DLEASE_STATE_WAITING, w.state);
	EXPECT_EQ(-EBUSY, dl_renew(other, w.lease_id, 0, NULL));
	close(other);
}

TEST_F(api, query_reports_name_and_state)
{
	char buf[64] = { 0 };
	struct dlease_acquire a;
	struct dlease_query q;
	uint64_t t0 = now_ns();

	ASSERT_EQ(0, dl_acquire(self->fd, "api-query", DLEASE_MODE_SHARED,
				DLEASE_ACQ_TRY, 5 * SEC, 2 * SEC, 0, &a));
	memset(&q, 0, sizeof(q));
	q.lease_id = a.lease_id;
	q.name_ptr = (uintptr_t)buf;
	q.name_len = 3;		/* too small: truncated, full length back */
	ASSERT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_QUERY, &q));
	EXPECT_EQ(strlen("api-query"), q.name_len);
	EXPECT_EQ(0, memcmp(buf, "api\0", 4));
	EXPECT_EQ(DLEASE_MODE_SHARED, q.mode);
	EXPECT_EQ(DLEASE_STATE_HELD, q.state);
	EXPECT_EQ(a.token, q.token);
	EXPECT_EQ(a.expires_ns, q.expires_ns);
	EXPECT_EQ(a.expires_ns + 2 * SEC, q.deadline_ns);
	EXPECT_LE(t0 + 5 * SEC, q.expires_ns);
	EXPECT_EQ(1, q.holders);
	EXPECT_EQ(0, q.waiters);
	EXPECT_EQ(0xc0ffee, q.cookie);
}

/* Failed calls of every kind consume no token and leave state alone. */
TEST_F(api, malformed_input_leaves_state_unchanged)
{
	struct dlease_acquire a, b, bad;
	struct dlease_query before, after;
	int other = dl_open();

	ASSERT_EQ(0, dl_try(self->fd, "api-same", &a));
	ASSERT_EQ(0, dl_async(other, "api-same", DLEASE_MODE_SHARED, &b));
	ASSERT_EQ(0, dl_query(self->fd, a.lease_id, &before));

	bad = good_req("api-same");
	bad.flags = 0xff;
	EXPECT_EQ(-EINVAL, dl_ioctl(other, DLEASE_IOC_ACQUIRE, &bad));
	EXPECT_EQ(-EAGAIN, dl_try(other, "api-same", &bad));
	bad = good_req("api-same");
	bad.ttl_ns = 0;
	EXPECT_EQ(-ERANGE, dl_ioctl(other, DLEASE_IOC_ACQUIRE, &bad));
	EXPECT_EQ(-ENOENT, dl_release(other, UINT64_MAX));

	ASSERT_EQ(0, dl_query(self->fd, a.lease_id, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(1, after.waiters);
	/* The next grant gets the very next token: none was used up. */
	ASSERT_EQ(0, dl_release(self->fd, a.lease_id));
	ASSERT_EQ(0, dl_query(other, b.lease_id, &after));
	EXPECT_EQ(DLEASE_STATE_HELD, after.state);
	EXPECT_EQ(a.token + 1, after.token);
	close(other);
}

TEST_F(api, set_events_mask)
{
	struct dlease_events e = { .mask = 1U << 30 };

	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_SET_EVENTS, &e));
	e.mask = 1U << DLEASE_EV_BREAK;
	e.reserved0 = 1;
	EXPECT_EQ(-EINVAL, dl_ioctl(self->fd, DLEASE_IOC_SET_EVENTS, &e));
	e.reserved0 = 0;
	EXPECT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_SET_EVENTS, &e));
	/* WAIT came later: a new session does not queue it. */
	EXPECT_EQ(DLEASE_EV_MASK_DEFAULT, e.mask);
	EXPECT_EQ(0, e.mask & (1U << DLEASE_EV_WAIT));
	e.mask = 0;
	EXPECT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_SET_EVENTS, &e));
	/* OVERFLOW cannot be masked. */
	EXPECT_EQ((1U << DLEASE_EV_BREAK) | (1U << DLEASE_EV_OVERFLOW),
		  e.mask);
	/* Every type may be asked for, WAIT included. */
	e.mask = DLEASE_EV_MASK_ALL;
	EXPECT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_SET_EVENTS, &e));
	EXPECT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_SET_EVENTS, &e));
	EXPECT_EQ(DLEASE_EV_MASK_ALL, e.mask);
}

TEST_F(api, read_errors)
{
	struct dlease_event ev[2];
	int flags = fcntl(self->fd, F_GETFL);

	EXPECT_EQ(-1, read(self->fd, ev, sizeof(ev[0]) - 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, flags | O_NONBLOCK));
	EXPECT_EQ(-1, read(self->fd, ev, sizeof(ev)));
	EXPECT_EQ(EAGAIN, errno);
}

/* A read into a bad buffer fails and the event is still there after. */
TEST_F(api, read_efault_keeps_event)
{
	void *bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	struct dlease_acquire a;
	struct dlease_event ev;

	ASSERT_NE(MAP_FAILED, bad);
	ASSERT_EQ(0, munmap(bad, 4096));	/* now an unmapped address */
	ASSERT_EQ(0, dl_async(self->fd, "api-efault", DLEASE_MODE_EXCLUSIVE,
			      &a));
	EXPECT_EQ(-1, read(self->fd, bad, sizeof(ev)));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, dl_event(self->fd, &ev, 1000));
	EXPECT_EQ(DLEASE_EV_GRANTED, ev.type);
	EXPECT_EQ(a.lease_id, ev.lease_id);
}

TEST_HARNESS_MAIN
