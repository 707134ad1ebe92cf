// SPDX-License-Identifier: GPL-2.0
/*
 * fence_client - a correct client of a fenced resource, for chaos_test.
 *
 *   fence_client -r ADDR:PORT -n NAME -i ID [-t TTL] [-g GUARD]
 *                [-W WAIT] [-w WRITES] [-d DURATION]
 *   fence_client -r ADDR:PORT -s
 *
 * Acquires the cluster lease NAME (DLEASE_ACQ_CLUSTER, TTL -t, waiting
 * at most -W), lets a keeper thread renew it, writes 1..WRITES times to
 * the fence_register at ADDR:PORT with the lease's token, one write at a
 * time, then releases it and starts again, until SIGTERM/SIGINT or the
 * end of -d. Acquire failures (ENOLINK while its dleased is down, a
 * timeout, a denial) are logged and retried after a random back-off.
 *
 * The guard: a write is sent only if QUERY says the lease is held with
 * at least GUARD (-g) of its TTL left. The cluster grants nobody else
 * before that expiry (plus epsilon): a write that reaches the register
 * within GUARD of being checked cannot meet a later holder's write.
 * GUARD must cover the one-way delay to the register and the time the
 * client may be descheduled between the check and the send.
 *
 * A write whose answer does not come within GUARD may still be on its
 * way: the lease is then not released (that would let the next holder
 * in at once) but left to lapse: no more renewals, released only after
 * its expiry. A lost lease (expired, revoked) stops the writes at once.
 *
 * -s asks the register for its counters and prints them as
 * "highest H accepted A stale S malformed M"; exits 1 without answer.
 *
 * The log (stdout) has one line per step: "NS ID what ...".
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <dlease.h>

#include "fence_wire.h"

#define NSEC_PER_MSEC	UINT64_C(1000000)

struct client {
	struct dlease_session *sess;
	struct dlease_keeper *keeper;
	const char *name;
	uint32_t id;
	uint32_t seq;
	uint64_t ttl_ns;
	uint64_t guard_ns;
	uint64_t wait_ns;
	uint64_t end_ns;
	unsigned int max_writes;
	unsigned int rand;
	int sock;
};

/* Set by the handler: atomic builtins are async-signal-safe here. */
static int stopping;

static void on_stop(int sig)
{
	__atomic_store_n(&stopping, 1, __ATOMIC_RELAXED);
}

static bool done(const struct client *c)
{
	return __atomic_load_n(&stopping, __ATOMIC_RELAXED) ||
	       (c->end_ns && dlease_now() >= c->end_ns);
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL,
			       .tv_nsec = ns % 1000000000ULL };

	nanosleep(&ts, NULL);
}

static void note(const struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(const struct client *c, const char *fmt, ...)
{
	va_list ap;

	printf("%" PRIu64 " %" PRIu32 " ", dlease_now(), c->id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Sends @m (wire order); waits at most @timeout_ns for its answer. */
static int exchange(int sock, struct fence_msg *m, uint64_t timeout_ns)
{
	uint64_t end = dlease_now() + timeout_ns;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct fence_msg want = *m, got;
	char buf[sizeof(got) + 1];
	ssize_t len;
	int64_t left;

	fence_swap(&want);
	if (send(sock, m, sizeof(*m), 0) != sizeof(*m))
		return -errno;
	while ((left = end - dlease_now()) > 0) {
		if (poll(&pfd, 1, (left + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC) <= 0)
			continue;
		len = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 || !fence_decode(buf, len, &got))
			continue;
		if (want.type == FENCE_STATUS ? got.type == FENCE_COUNTS :
		    got.client == want.client && got.seq == want.seq &&
		    (got.type == FENCE_ACCEPT || got.type == FENCE_STALE)) {
			*m = got;
			return 0;
		}
	}
	return -ETIMEDOUT;
}

/* Is @l held with more than the guard left? */
static bool guard_ok(struct client *c, struct dlease_lease *l,
		     uint64_t token)
{
	struct dlease_lease_status st;
	uint64_t now = dlease_now();
	int err = dlease_query(l, &st);

	if (err || st.state != DLEASE_STATE_HELD || st.token != token) {
		note(c, "lost token %" PRIu64 " (%s)", token,
		     err ? dlease_strerror(err) : dlease_state_name(st.state));
		return false;
	}
	if (st.expires_ns < now + c->guard_ns) {
		note(c, "guard token %" PRIu64 " left %" PRId64 "ms", token,
		     ((int64_t)st.expires_ns - (int64_t)now) /
		     (int64_t)NSEC_PER_MSEC);
		return false;
	}
	return true;
}

/* One write: 0 answered, -ETIMEDOUT unsure, other errors: not sent. */
static int write_once(struct client *c, uint64_t token)
{
	struct fence_msg m;
	int err;

	fence_encode(&m, FENCE_WRITE, c->id, ++c->seq, token, 0);
	err = exchange(c->sock, &m, c->guard_ns);
	if (err) {
		note(c, "write token %" PRIu64 " seq %" PRIu32 " %s", token,
		     c->seq, err == -ETIMEDOUT ? "unanswered" : strerror(-err));
		return err;
	}
	note(c, "write token %" PRIu64 " seq %" PRIu32 " %s", token, c->seq,
	     m.type == FENCE_ACCEPT ? "accept" : "stale");
	return 0;
}

/* Stops renewing @l and waits for its expiry: a write may be in flight. */
static void lapse(struct client *c, struct dlease_lease *l)
{
	struct dlease_lease_status st;
	uint64_t now;

	dlease_keeper_remove(c->keeper, l);
	if (dlease_query(l, &st))
		return;
	now = dlease_now();
	note(c, "lapsing token %" PRIu64 " in %" PRIu64 "ms", st.token,
	     st.expires_ns > now ? (st.expires_ns - now) / NSEC_PER_MSEC : 0);
	if (st.expires_ns > now)
		sleep_ns(st.expires_ns - now + 10 * NSEC_PER_MSEC);
}

static void hold(struct client *c, struct dlease_lease *l)
{
	uint64_t token = dlease_lease_token(l);
	unsigned int writes = 1 + rand_r(&c->rand) % c->max_writes;
	int err = 0;

	note(c, "held token %" PRIu64 " writes %u", token, writes);
	err = dlease_keeper_add(c->keeper, l);
	while (!err && writes-- && !done(c) && guard_ok(c, l, token)) {
		err = write_once(c, token);
		sleep_ns((10 + rand_r(&c->rand) % 40) * NSEC_PER_MSEC);
	}
	if (err == -ETIMEDOUT)
		lapse(c, l);
	err = dlease_release(l);
	note(c, "released token %" PRIu64 "%s", token,
	     err ? " (already ended)" : "");
}

static void run(struct client *c)
{
	struct dlease_acquire_opts o = { .flags = DLEASE_ACQ_CLUSTER,
					 .ttl_ns = c->ttl_ns,
					 .timeout_ns = c->wait_ns };
	struct dlease_lease *l;
	int err;

	while (!done(c)) {
		err = dlease_acquire(c->sess, c->name, &o, &l);
		if (!err) {
			hold(c, l);
			continue;
		}
		note(c, "acquire: %s", dlease_strerror(err));
		if (err != -EINTR && err != -ETIMEDOUT)
			sleep_ns((100 + rand_r(&c->rand) % 400) * NSEC_PER_MSEC);
	}
}

static int setup(struct client *c, const char *addr)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct sockaddr_in sin;
	int err;

	if (!fence_parse_addr(addr, &sin)) {
		fprintf(stderr, "fence_client: bad address '%s'\n", addr);
		return -EINVAL;
	}
	/* no SA_RESTART: a waiting acquire ends with EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	c->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0 || connect(c->sock, (struct sockaddr *)&sin,
				   sizeof(sin)))
		return -errno;
	if (!c->name)
		return 0;
	err = dlease_open(0, &c->sess);
	if (!err)
		err = dlease_keeper_new(c->sess, NULL, &c->keeper);
	if (!err)
		err = dlease_keeper_start(c->keeper);
	return err;
}

/* -s: the register's counters. */
static int status(struct client *c)
{
	struct fence_msg m;
	int tries;

	for (tries = 0; tries < 5; tries++) {
		fence_encode(&m, FENCE_STATUS, 0, 0, 0, 0);
		if (!exchange(c->sock, &m, 500 * NSEC_PER_MSEC)) {
			printf("highest %" PRIu64 " accepted %" PRIu32
			       " stale %" PRIu32 " malformed %" PRIu64 "\n",
			       m.token, m.client, m.seq, m.highest);
			return 0;
		}
	}
	fprintf(stderr, "fence_client: no answer from the register\n");
	return 1;
}

static int parse_duration(const char *str, uint64_t *ns)
{
	if (!dlease_duration_parse(str, ns))
		return 0;
	fprintf(stderr, "fence_client: bad duration '%s'\n", str);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct client c = { .ttl_ns = 1500 * NSEC_PER_MSEC,
			    .guard_ns = 300 * NSEC_PER_MSEC,
			    .wait_ns = 10000 * NSEC_PER_MSEC,
			    .max_writes = 8, .sock = -1 };
	const char *addr = NULL;
	bool ask_status = false;
	uint64_t run_ns = 0;
	int opt, err = 0;

	while (!err && (opt = getopt(argc, argv, "r:n:i:t:g:W:w:d:s")) != -1) {
		if (opt == 'r')
			addr = optarg;
		else if (opt == 'n')
			c.name = optarg;
		else if (opt == 'i')
			c.id = strtoul(optarg, NULL, 10);
		else if (opt == 't')
			err = parse_duration(optarg, &c.ttl_ns);
		else if (opt == 'g')
			err = parse_duration(optarg, &c.guard_ns);
		else if (opt == 'W')
			err = parse_duration(optarg, &c.wait_ns);
		else if (opt == 'w')
			c.max_writes = strtoul(optarg, NULL, 10);
		else if (opt == 'd')
			err = parse_duration(optarg, &run_ns);
		else if (opt == 's')
			ask_status = true;
		else
			err = -EINVAL;
	}
	if (err || !addr || optind != argc || ask_status == !!c.name ||
	    !c.max_writes || !c.guard_ns) {
		fprintf(stderr, "usage: fence_client -r ADDR:PORT -n NAME -i ID [-t TTL] [-g GUARD] [-W WAIT] [-w WRITES] [-d DURATION]\n"
			"       fence_client -r ADDR:PORT -s\n");
		return 2;
	}
	c.end_ns = run_ns ? dlease_now() + run_ns : 0;
	c.rand = c.id ^ (unsigned int)dlease_now();
	err = setup(&c, addr);
	if (err) {
		fprintf(stderr, "fence_client: %s\n", dlease_strerror(err));
		return 1;
	}
	if (ask_status)
		return status(&c);
	note(&c, "start name %s", c.name);
	run(&c);
	note(&c, "stop");
	dlease_keeper_free(c.keeper);
	dlease_close(c.sess);
	return 0;
}
