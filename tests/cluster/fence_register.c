// SPDX-License-Identifier: GPL-2.0
/*
 * fence_register - a register that only fencing tokens may write: the
 * judge of chaos_test.
 *
 *   fence_register -l ADDR:PORT -o LOG
 *
 * A write (fence_wire.h) is accepted if its token is at least the highest
 * token seen so far, else refused as stale; the writer gets the verdict.
 * Every write is logged, one line each, in the order received:
 *
 *   RECEIVED_NS accept|stale TOKEN CLIENT SEQ HIGHEST_BEFORE
 *
 * RECEIVED_NS is CLOCK_MONOTONIC when the datagram was read (the clock of
 * every network namespace, so comparable with the kernel's lease events).
 * On SIGTERM or SIGINT it appends
 *
 *   # end highest H accepted A stale S malformed M
 *
 * and exits 0. Malformed datagrams are counted and otherwise ignored. The
 * register keeps nothing per writer: its memory is constant.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fence_wire.h"

struct reg {
	int sock;
	int sigfd;
	FILE *log;
	uint64_t highest;
	uint64_t accepted;
	uint64_t stale;
	uint64_t malformed;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void reply(struct reg *r, const struct fence_msg *m,
		  const struct sockaddr_in *from)
{
	sendto(r->sock, m, sizeof(*m), 0, (const struct sockaddr *)from,
	       sizeof(*from));
}

static void take_write(struct reg *r, const struct fence_msg *w,
		       const struct sockaddr_in *from, uint64_t at)
{
	bool ok = w->token >= r->highest;
	struct fence_msg m;

	fprintf(r->log, "%" PRIu64 " %s %" PRIu64 " %" PRIu32 " %" PRIu32
		" %" PRIu64 "\n", at, ok ? "accept" : "stale", w->token,
		w->client, w->seq, r->highest);
	if (ok) {
		r->highest = w->token;
		r->accepted++;
	} else {
		r->stale++;
	}
	fence_encode(&m, ok ? FENCE_ACCEPT : FENCE_STALE, w->client, w->seq,
		     w->token, r->highest);
	reply(r, &m, from);
}

static void take_datagram(struct reg *r)
{
	struct sockaddr_in from;
	socklen_t alen = sizeof(from);
	char buf[sizeof(struct fence_msg) + 1];
	struct fence_msg m;
	uint64_t at;
	ssize_t len;

	len = recvfrom(r->sock, buf, sizeof(buf), MSG_DONTWAIT,
		       (struct sockaddr *)&from, &alen);
	if (len < 0)
		return;
	at = now_ns();
	if (!fence_decode(buf, len, &m) || m.highest ||
	    (m.type == FENCE_WRITE && !m.token) ||
	    (m.type != FENCE_WRITE && m.type != FENCE_STATUS)) {
		r->malformed++;
		return;
	}
	if (m.type == FENCE_WRITE) {
		take_write(r, &m, &from, at);
		return;
	}
	fence_encode(&m, FENCE_COUNTS, r->accepted, r->stale, r->highest,
		     r->malformed);
	reply(r, &m, &from);
}

static int setup(struct reg *r, const char *addr, const char *path)
{
	struct sockaddr_in sin;
	sigset_t set;

	if (!fence_parse_addr(addr, &sin)) {
		fprintf(stderr, "fence_register: bad address '%s'\n", addr);
		return -1;
	}
	r->log = fopen(path, "a");
	if (!r->log) {
		perror(path);
		return -1;
	}
	setvbuf(r->log, NULL, _IOLBF, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	r->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	r->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (r->sigfd < 0 || r->sock < 0 ||
	    bind(r->sock, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("fence_register");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct reg r = { .sock = -1, .sigfd = -1 };
	const char *addr = NULL, *path = NULL;
	struct pollfd pfd[2];
	int opt;

	while ((opt = getopt(argc, argv, "l:o:")) != -1) {
		if (opt == 'l')
			addr = optarg;
		else if (opt == 'o')
			path = optarg;
		else
			return 2;
	}
	if (!addr || !path || optind != argc) {
		fprintf(stderr, "usage: fence_register -l ADDR:PORT -o LOG\n");
		return 2;
	}
	if (setup(&r, addr, path))
		return 1;
	pfd[0] = (struct pollfd){ .fd = r.sock, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = r.sigfd, .events = POLLIN };
	while (!pfd[1].revents) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
			perror("poll");
			return 1;
		}
		if (pfd[0].revents)
			take_datagram(&r);
	}
	fprintf(r.log, "# end highest %" PRIu64 " accepted %" PRIu64
		" stale %" PRIu64 " malformed %" PRIu64 "\n", r.highest,
		r.accepted, r.stale, r.malformed);
	return fclose(r.log) ? 1 : 0;
}
