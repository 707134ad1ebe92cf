// SPDX-License-Identifier: GPL-2.0
/*
 * Quotas and network namespaces: the limits that protect the machine, and
 * the isolation of lease tables between namespaces.
 */
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "dlease_util.h"
#include "kselftest_harness.h"

#define USER_PARAM "/sys/module/dlease/parameters/max_per_user"

FIXTURE(limits) {
	int fd;
	unsigned int saved_user_max;	/* restored at teardown if set */
	struct dlease_info info;
};

FIXTURE_SETUP(limits)
{
	self->saved_user_max = 0;
	self->fd = dl_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, dl_ioctl(self->fd, DLEASE_IOC_INFO, &self->info));
}

FIXTURE_TEARDOWN(limits)
{
	close(self->fd);
	if (self->saved_user_max)
		dl_write_uint(USER_PARAM, self->saved_user_max);
}

static int name_n(char *buf, size_t len, const char *prefix, unsigned int n)
{
	return snprintf(buf, len, "%s-%u", prefix, n);
}

TEST_F(limits, per_session_quota_edquot)
{
	unsigned int i, max = self->info.max_per_session;
	struct dlease_acquire a, first;
	char name[64];

	ASSERT_GE(4096, max) TH_LOG("max_per_session too big for this test");
	for (i = 0; i < max; i++) {
		name_n(name, sizeof(name), "quota-s", i);
		ASSERT_EQ(0, dl_try(self->fd, name, i ? &a : &first));
	}
	EXPECT_EQ(-EDQUOT, dl_try(self->fd, "quota-s-more", &a));
	/* Waiting requests count too. */
	EXPECT_EQ(-EDQUOT, dl_async(self->fd, "quota-s-0",
				    DLEASE_MODE_EXCLUSIVE, &a));
	/* Another session is not affected. */
	{
		int other = dl_open();

		EXPECT_EQ(0, dl_try(other, "quota-s-more", &a));
		close(other);
	}
	ASSERT_EQ(0, dl_release(self->fd, first.lease_id));
	EXPECT_EQ(0, dl_try(self->fd, "quota-s-more", &a));
}

/* The per-user quota spans sessions; other users are not affected. */
TEST_F(limits, per_user_quota_spans_sessions)
{
	unsigned int old = dl_read_uint(USER_PARAM);
	struct dlease_acquire a;
	struct stat st;
	int fd2 = dl_open();
	char name[64];
	pid_t pid;
	int i;

	ASSERT_LT(0, old);
	self->saved_user_max = old;
	ASSERT_EQ(0, stat(DL_DEV, &st));
	ASSERT_EQ(0, dl_write_uint(USER_PARAM, 6));
	for (i = 0; i < 6; i++) {
		name_n(name, sizeof(name), "quota-u", i);
		EXPECT_EQ(0, dl_try(i % 2 ? fd2 : self->fd, name, &a));
	}
	EXPECT_EQ(-EDQUOT, dl_try(fd2, "quota-u-more", &a));
	EXPECT_EQ(-EDQUOT, dl_try(self->fd, "quota-u-more", &a));

	/* User 65534 has a count of its own. */
	ASSERT_EQ(0, chmod(DL_DEV, 0666));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(1);
		_exit(dl_try(dl_open(), "quota-u-nobody", &a) ? 2 : 0);
	}
	EXPECT_EQ(0, dl_wait_child(pid));
	chmod(DL_DEV, st.st_mode & 07777);

	close(fd2);	/* gives back three */
	EXPECT_EQ(0, dl_try(self->fd, "quota-u-more", &a));
}

TEST_F(limits, per_resource_waiters_enospc)
{
	unsigned int i, n = self->info.max_waiters;
	unsigned int per = self->info.max_per_session;
	int fds[64], nfd = 0, err;
	struct dlease_acquire h, a;

	ASSERT_EQ(0, dl_try(self->fd, "quota-r", &h));
	ASSERT_GE(64 * per, n) TH_LOG("max_waiters too big for this test");
	for (i = 0; i < n; i++) {
		if (i % per == 0) {
			fds[nfd] = dl_open();
			ASSERT_LE(0, fds[nfd]);
			nfd++;
		}
		ASSERT_EQ(0, dl_async(fds[nfd - 1], "quota-r",
				      DLEASE_MODE_SHARED, &a));
	}
	fds[nfd] = dl_open();
	err = dl_async(fds[nfd], "quota-r", DLEASE_MODE_SHARED, &a);
	EXPECT_EQ(-ENOSPC, err);
	EXPECT_EQ((int)n, dl_waiters(self->fd, h.lease_id));
	/* Other names still work. */
	EXPECT_EQ(0, dl_try(fds[nfd], "quota-r-other", &a));
	for (i = 0; i <= (unsigned int)nfd; i++)
		close(fds[i]);
	EXPECT_EQ(0, dl_waiters(self->fd, h.lease_id));
}

/* Runs @fn in a child inside a new network namespace. */
static int in_new_netns(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (unshare(CLONE_NEWNET))
			_exit(100);
		_exit(fn(arg));
	}
	return dl_wait_child(pid);
}

static int try_in_ns(void *arg)
{
	struct dlease_acquire a, b;
	int fd = dl_open();

	/* Free here although the parent's namespace holds it. */
	if (dl_try(fd, arg, &a))
		return 1;
	/* Tokens count per namespace: a fresh one starts at 1. */
	if (a.token != 1)
		return 2;
	if (dl_try(dl_open(), arg, &b) != -EAGAIN)
		return 3;
	return 0;
}

TEST_F(limits, namespaces_hold_the_same_name_independently)
{
	struct dlease_acquire a;

	ASSERT_EQ(0, dl_try(self->fd, "netns-name", &a));
	EXPECT_EQ(0, in_new_netns(try_in_ns, "netns-name"));
	EXPECT_EQ(0, in_new_netns(try_in_ns, "netns-name"));
}

/* One byte carrying one file descriptor over a unix socket. */
struct fd_msg {
	char data;
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg;
};

static void fd_msg_init(struct fd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->data = 'f';
	m->iov.iov_base = &m->data;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->u.buf;
	m->msg.msg_controllen = sizeof(m->u.buf);
}

static int send_fd(int sock, int fd)
{
	struct cmsghdr *cm;
	struct fd_msg m;

	fd_msg_init(&m);
	cm = CMSG_FIRSTHDR(&m.msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m.msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	struct cmsghdr *cm;
	struct fd_msg m;
	int fd;

	fd_msg_init(&m);
	if (recvmsg(sock, &m.msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m.msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* What the child in the namespace tells its parent. */
struct held {
	int sock;
	uint64_t first_id;
};

static int hold_and_send(void *arg)
{
	struct held *held = arg;
	struct dlease_acquire a;
	int fd = dl_open();
	char name[32];

	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "netns-td-%d", i);
		if (dl_acquire(fd, name, i % 2 ? DLEASE_MODE_SHARED :
			       DLEASE_MODE_EXCLUSIVE, DLEASE_ACQ_TRY,
			       i < 8 ? 10 * SEC : 20 * MS, 0, 0, &a))
			return 1;
		if (!i)
			held->first_id = a.lease_id;
	}
	/* A waiter too, behind its own lease. */
	if (dl_async(fd, "netns-td-0", DLEASE_MODE_EXCLUSIVE, &a))
		return 2;
	return send_fd(held->sock, fd) ? 3 : 0;
}

static int hold_and_die(void *arg)
{
	struct dlease_acquire a;
	int fd = dl_open();

	(void)arg;
	if (dl_try(fd, "netns-die", &a))
		return 1;
	kill(getpid(), SIGKILL);
	return 2;
}

/*
 * A namespace whose processes are all gone lives on while a session of it
 * is open, with its leases; it is torn down (leases and all) when the last
 * session closes.  The VM harness fails the run on any kernel warning.
 */
TEST_F(limits, netns_teardown_with_leases_held)
{
	struct dlease_query q;
	struct held *held;
	int sv[2], fd;

	held = mmap(NULL, sizeof(*held), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, held);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	held->sock = sv[1];
	EXPECT_EQ(0, in_new_netns(hold_and_send, held));
	fd = recv_fd(sv[0]);
	ASSERT_LE(0, fd);
	/* The namespace has no process left; its first lease lives on. */
	EXPECT_EQ(0, dl_query(fd, held->first_id, &q));
	EXPECT_EQ(DLEASE_STATE_HELD, q.state);
	EXPECT_EQ(1, q.waiters);
	dl_sleep_ms(50);	/* the short ones expire meanwhile */
	close(fd);
	EXPECT_EQ(128 + SIGKILL, in_new_netns(hold_and_die, NULL));
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
