// SPDX-License-Identifier: GPL-2.0
/*
 * demo - dlease at work, narrated: fair turns, expiry hand-over with
 * fencing, and kill -9 releasing at once.  Run by `make demo` in a VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dlease.h>

#define MS	1000000ULL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t t0;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void say(const char *who, const char *fmt, ...)
{
	va_list ap;

	printf("%7.1f ms  %-8s ", (double)(now_ns() - t0) / 1e6, who);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int session(void)
{
	int fd = open("/dev/" DLEASE_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("/dev/dlease");
		exit(1);
	}
	return fd;
}

static int acquire(int fd, const char *name, uint32_t flags, uint64_t ttl,
		   uint64_t grace, struct dlease_acquire *a)
{
	*a = (struct dlease_acquire) {
		.name_ptr = (uintptr_t)name,
		.name_len = (uint32_t)strlen(name),
		.mode = DLEASE_MODE_EXCLUSIVE,
		.flags = flags,
		.ttl_ns = ttl,
		.grace_ns = grace,
	};
	return ioctl(fd, DLEASE_IOC_ACQUIRE, a) ? -errno : 0;
}

static int release(int fd, uint64_t id)
{
	struct dlease_release r = { .lease_id = id };

	return ioctl(fd, DLEASE_IOC_RELEASE, &r) ? -errno : 0;
}

static int next_event(int fd, struct dlease_event *ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	return read(fd, ev, sizeof(*ev)) == sizeof(*ev) ? 0 : -EIO;
}

static const char *event_name(uint32_t type)
{
	static const char *const names[] = {
		[DLEASE_EV_GRANTED] = "GRANTED", [DLEASE_EV_RENEWED] = "RENEWED",
		[DLEASE_EV_LATE] = "LATE", [DLEASE_EV_EXPIRED] = "EXPIRED",
		[DLEASE_EV_REVOKED] = "REVOKED", [DLEASE_EV_BREAK] = "BREAK",
		[DLEASE_EV_OVERFLOW] = "OVERFLOW",
	};

	if (type >= ARRAY_SIZE(names) || !names[type])
		return "?";
	return names[type];
}

/* Scene 1: two workers loop on one lease; FIFO makes them alternate. */
static void worker(const char *who, int rounds)
{
	int fd = session();
	struct dlease_acquire a;

	for (int i = 0; i < rounds; i++) {
		if (acquire(fd, "printer", 0, 5000 * MS, 0, &a))
			exit(1);
		say(who, "holds 'printer'   token %llu", (unsigned long long)a.token);
		usleep(50000);
		release(fd, a.lease_id);
	}
	exit(0);
}

static void scene_fair_turns(void)
{
	pid_t a, b;

	printf("\n== 1. Two contenders, one lease: strict FIFO, they take turns\n");
	a = fork();
	if (!a)
		worker("alice", 4);
	usleep(10000);
	b = fork();
	if (!b)
		worker("bob", 4);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
}

/* A toy storage service that accepts a write only with the newest token. */
struct store {
	uint64_t highest;
};

static void store_write(struct store *s, const char *who, uint64_t token)
{
	if (token < s->highest) {
		say(who, "write with token %llu REJECTED by storage (saw %llu)",
		    (unsigned long long)token, (unsigned long long)s->highest);
		return;
	}
	s->highest = token;
	say(who, "write with token %llu accepted by storage",
	    (unsigned long long)token);
}

/* Scene 2: a holder stalls; the lease expires, passes on, fencing works. */
static void scene_expiry(void)
{
	struct store *st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct dlease_acquire a, b;
	struct dlease_renew r = { 0 };
	struct dlease_event ev;
	int fa = session();
	pid_t pid;

	printf("\n== 2. A holder stalls: TTL 300 ms + grace 200 ms, then hand-over\n");
	acquire(fa, "db-primary", 0, 300 * MS, 200 * MS, &a);
	say("carol", "holds 'db-primary' token %llu, then stalls (no renew)",
	    (unsigned long long)a.token);
	store_write(st, "carol", a.token);
	pid = fork();
	if (!pid) {
		int fb = session();

		say("dave", "waits for 'db-primary'");
		acquire(fb, "db-primary", 0, 5000 * MS, 0, &b);
		say("dave", "granted 'db-primary' token %llu", (unsigned long long)b.token);
		store_write(st, "dave", b.token);
		usleep(300000);
		exit(0);
	}
	while (next_event(fa, &ev, 2000) == 0) {
		say("carol", "event %-8s (lease %llu, token %llu)",
		    event_name(ev.type), (unsigned long long)ev.lease_id,
		    (unsigned long long)ev.token);
		if (ev.type == DLEASE_EV_EXPIRED)
			break;
	}
	usleep(100000);
	r.lease_id = a.lease_id;
	say("carol", "wakes up, renews: %s",
	    ioctl(fa, DLEASE_IOC_RENEW, &r) ? strerror(errno) : "ok?!");
	store_write(st, "carol", a.token);
	waitpid(pid, NULL, 0);
	close(fa);
}

/* Scene 3: kill -9 of the holder hands the lease over at once. */
static void scene_kill9(void)
{
	struct dlease_acquire a, w;
	struct dlease_event ev;
	int ready[2], fw = session();
	uint64_t killed;
	pid_t pid;
	char c;

	printf("\n== 3. kill -9 of the holder releases at once (TTL is 60 s)\n");
	if (pipe(ready))
		exit(1);
	pid = fork();
	if (!pid) {
		int fd = session();

		acquire(fd, "cron-leader", 0, 60000 * MS, 0, &a);
		say("erin", "holds 'cron-leader' token %llu (TTL 60 s)",
		    (unsigned long long)a.token);
		if (write(ready[1], "r", 1) != 1)
			exit(1);
		pause();
	}
	if (read(ready[0], &c, 1) != 1)
		exit(1);
	acquire(fw, "cron-leader", DLEASE_ACQ_ASYNC, 60000 * MS, 0, &w);
	say("frank", "queued for 'cron-leader' (async)");
	usleep(200000);
	killed = now_ns();
	say("", "kill -9 erin");
	kill(pid, SIGKILL);
	if (next_event(fw, &ev, 5000) == 0)
		say("frank", "event %s token %llu, %.2f ms after the kill",
		    event_name(ev.type), (unsigned long long)ev.token,
		    (double)(ev.time_ns - killed) / 1e6);
	waitpid(pid, NULL, 0);
	close(fw);
}

int main(void)
{
	t0 = now_ns();
	setvbuf(stdout, NULL, _IOLBF, 0);
	scene_fair_turns();
	scene_expiry();
	scene_kill9();
	printf("\nDLEASE-DEMO-DONE\n");
	return 0;
}
