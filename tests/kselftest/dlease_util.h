/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the dlease kselftests: thin ioctl wrappers that return
 * 0 or -errno, event reading with a deadline, and time.
 *
 * Timing bounds in the tests are multiplied by DLEASE_TEST_SCALE (an
 * integer from the environment, default 1) so that slower kernels (debug
 * builds under TCG) can stretch them from one place.
 */
#ifndef DLEASE_UTIL_H
#define DLEASE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dlease.h>

#define DL_DEV		"/dev/dlease"
#define MS		1000000ULL
#define SEC		1000000000ULL

static inline uint64_t dl_scale(void)
{
	const char *s = getenv("DLEASE_TEST_SCALE");
	long v = s ? strtol(s, NULL, 10) : 1;

	return v > 0 ? (uint64_t)v : 1;
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static inline int dl_open(void)
{
	return open(DL_DEV, O_RDWR | O_CLOEXEC);
}

static inline int dl_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int dl_acquire(int fd, const char *name, uint32_t mode,
			     uint32_t flags, uint64_t ttl, uint64_t grace,
			     uint64_t timeout, struct dlease_acquire *out)
{
	struct dlease_acquire a = {
		.name_ptr = (uintptr_t)name,
		.name_len = (uint32_t)strlen(name),
		.mode = mode,
		.flags = flags,
		.ttl_ns = ttl,
		.grace_ns = grace,
		.timeout_ns = timeout,
		.cookie = 0xc0ffee,
	};
	int err = dl_ioctl(fd, DLEASE_IOC_ACQUIRE, &a);

	if (out)
		*out = a;
	return err;
}

/* Exclusive, no wait, 10 s TTL: the common case of a test. */
static inline int dl_try(int fd, const char *name, struct dlease_acquire *out)
{
	return dl_acquire(fd, name, DLEASE_MODE_EXCLUSIVE, DLEASE_ACQ_TRY,
			  10 * SEC, 0, 0, out);
}

static inline int dl_async(int fd, const char *name, uint32_t mode,
			   struct dlease_acquire *out)
{
	return dl_acquire(fd, name, mode, DLEASE_ACQ_ASYNC, 10 * SEC, 0, 0,
			  out);
}

static inline int dl_release(int fd, uint64_t id)
{
	struct dlease_release r = { .lease_id = id };

	return dl_ioctl(fd, DLEASE_IOC_RELEASE, &r);
}

static inline int dl_renew(int fd, uint64_t id, uint64_t ttl,
			   struct dlease_renew *out)
{
	struct dlease_renew r = { .lease_id = id, .ttl_ns = ttl };
	int err = dl_ioctl(fd, DLEASE_IOC_RENEW, &r);

	if (out)
		*out = r;
	return err;
}

static inline int dl_query(int fd, uint64_t id, struct dlease_query *q)
{
	memset(q, 0, sizeof(*q));
	q->lease_id = id;
	return dl_ioctl(fd, DLEASE_IOC_QUERY, q);
}

/* Waiters queued on the resource of lease @id, or -errno. */
static inline int dl_waiters(int fd, uint64_t id)
{
	struct dlease_query q;
	int err = dl_query(fd, id, &q);

	return err ? err : (int)q.waiters;
}

/*
 * Reads one event, waiting up to @timeout_ms (scaled) for it.
 * Returns 0, -ETIMEDOUT or -errno.
 */
static inline int dl_event(int fd, struct dlease_event *ev, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms * (int)dl_scale());
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = read(fd, ev, sizeof(*ev));
	if (n < 0)
		return -errno;
	return n == sizeof(*ev) ? 0 : -EIO;
}

/* Waits for a child and returns its exit status, or 128 + signal. */
static inline int dl_wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Sleeps @ms milliseconds (scaled). */
static inline void dl_sleep_ms(unsigned int ms)
{
	usleep(ms * 1000 * (unsigned int)dl_scale());
}

/*
 * Polls until dl_waiters(fd, id) reaches @n or 5 s (scaled) pass, so that
 * a test knows a child has joined the queue before going on.
 */
static inline int dl_wait_waiters(int fd, uint64_t id, int n)
{
	uint64_t end = now_ns() + 5 * SEC * dl_scale();
	int w;

	while ((w = dl_waiters(fd, id)) != n && now_ns() < end)
		usleep(1000);
	return w;
}

/* Writes a number to a sysfs/tracefs file; 0 or -errno. */
static inline int dl_write_uint(const char *path, unsigned int v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -errno;
	ok = fprintf(f, "%u\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

/* Reads a number from a sysfs file; 0 if it cannot. */
static inline unsigned int dl_read_uint(const char *path)
{
	unsigned int v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

#endif /* DLEASE_UTIL_H */
