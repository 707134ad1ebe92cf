// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl run: the flock(1) of dlease.
 *
 * Acquires the lease, runs CMD with the fencing token in $DLEASE_TOKEN
 * (--token-env) and the name in $DLEASE_NAME while the keeper renews the
 * lease, and releases it when CMD exits; exits with CMD's status.  If the
 * lease is lost, CMD gets SIGTERM, then SIGKILL after --kill-after, and
 * dleasectl exits EXIT_LEASE_LOST.  SIGINT, SIGTERM and SIGHUP are passed
 * on to CMD.  CMD gets SIGKILL if dleasectl itself dies (the lease is
 * gone then).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dleasectl.h"

struct runner {
	struct holder h;
	const struct lease_args *args;
	pid_t child;
	int killfd;
	int status;
	bool term_sent;
};

static void exec_child(struct runner *r, pid_t parent)
{
	const struct lease_args *a = r->args;
	char token[24];

	/*
	 * A signal sent to CMD before it runs is pending here (blocked
	 * since before the fork): let it act once CMD has default actions.
	 */
	holder_default_signals();
	sigprocmask(SIG_SETMASK, &r->h.oldmask, NULL);
	/* The lease dies with us: so must CMD. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(EXIT_CMD_CANNOT_RUN);
	snprintf(token, sizeof(token), "%" PRIu64,
		 dlease_lease_token(r->h.lease));
	if (setenv(a->token_env, token, 1) ||
	    setenv("DLEASE_NAME", a->name, 1)) {
		fprintf(stderr, "%s: setenv: %s\n", prog, strerror(errno));
		_exit(EXIT_CMD_CANNOT_RUN);
	}
	execvp(a->cmd[0], a->cmd);
	fprintf(stderr, "%s: %s: %s\n", prog, a->cmd[0], strerror(errno));
	_exit(errno == ENOENT ? EXIT_CMD_NOT_FOUND : EXIT_CMD_CANNOT_RUN);
}

static int start_child(struct runner *r)
{
	pid_t parent = getpid();

	/* Nothing buffered may be written twice. */
	fflush(NULL);
	r->child = fork();
	if (r->child < 0)
		return fail(-errno, "fork");
	if (!r->child)
		exec_child(r, parent);
	return 0;
}

/* Reaps CMD if it ended; returns true then. */
static bool reap(struct runner *r)
{
	int st;

	if (waitpid(r->child, &st, WNOHANG) != r->child)
		return false;
	r->status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	r->child = 0;
	return true;
}

static int lost(struct runner *r)
{
	struct itimerspec its = { 0 };
	uint64_t ns = r->args->kill_after_ns;
	char d[DLEASE_DURATION_MAX];

	r->term_sent = true;
	if (!ns) {
		fprintf(stderr, "%s: sending SIGKILL to pid %d\n", prog,
			(int)r->child);
		kill(r->child, SIGKILL);
		return 0;
	}
	fprintf(stderr, "%s: sending SIGTERM to pid %d, SIGKILL in %s\n",
		prog, (int)r->child, dlease_duration_format(ns, d, sizeof(d)));
	kill(r->child, SIGTERM);
	its.it_value.tv_sec = ns / 1000000000ULL;
	its.it_value.tv_nsec = ns % 1000000000ULL;
	if (timerfd_settime(r->killfd, 0, &its, NULL))
		return fail(-errno, "timerfd_settime");
	return 0;
}

/* One event of the loop; returns an exit code on a failure of our own. */
static int step(struct runner *r, int fd)
{
	uint64_t expirations;
	int sig, err;

	if (fd == r->h.sigfd) {
		while ((sig = holder_read_signal(&r->h)) > 0) {
			if (sig == SIGCHLD)
				reap(r);
			else if (r->child)
				kill(r->child, sig);
		}
		return sig < 0 ? fail(sig, "signalfd") : 0;
	}
	if (fd == r->killfd) {
		if (read(r->killfd, &expirations, sizeof(expirations)) > 0 &&
		    r->child) {
			fprintf(stderr, "%s: sending SIGKILL to pid %d\n",
				prog, (int)r->child);
			kill(r->child, SIGKILL);
		}
		return 0;
	}
	err = holder_dispatch(&r->h);
	if (err)
		return fail(err, "keeper");
	if (r->h.lost && !r->term_sent && r->child)
		return lost(r);
	return 0;
}

static int add_fd(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int supervise(struct runner *r)
{
	struct epoll_event ev;
	int epfd, rc = 0, n;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return fail(-errno, "epoll_create1");
	if (add_fd(epfd, r->h.sigfd) || add_fd(epfd, r->killfd) ||
	    add_fd(epfd, dlease_keeper_fd(r->h.keeper)))
		rc = fail(-errno, "epoll_ctl");
	/* A SIGCHLD may have come before the signalfd was polled. */
	while (!rc && r->child && !reap(r)) {
		n = epoll_wait(epfd, &ev, 1, -1);
		if (n < 0 && errno != EINTR)
			rc = fail(-errno, "epoll_wait");
		else if (n > 0)
			rc = step(r, ev.data.fd);
	}
	close(epfd);
	return rc;
}

/* Kills and reaps CMD after a failure of our own. */
static void abandon_child(struct runner *r)
{
	if (!r->child)
		return;
	kill(r->child, SIGKILL);
	waitpid(r->child, NULL, 0);
	r->child = 0;
}

int cmd_run(int argc, char **argv)
{
	struct runner r = { .h.sigfd = -1, .killfd = -1 };
	struct lease_args a;
	int rc, err;

	rc = parse_lease_args(argc, argv, LEASE_ARGS_RUN, &a);
	if (rc)
		return rc < 0 ? 0 : rc;
	r.args = &a;
	rc = holder_acquire(&r.h, &a);
	if (!rc)
		rc = holder_signals(&r.h, true);
	if (!rc) {
		r.killfd = timerfd_create(CLOCK_MONOTONIC,
					  TFD_NONBLOCK | TFD_CLOEXEC);
		if (r.killfd < 0)
			rc = fail(-errno, "timerfd_create");
	}
	/* Stopped or lost before CMD could start: do not start it. */
	if (!rc && r.h.early_signal)
		rc = 128 + r.h.early_signal;
	if (!rc && !holder_dispatch(&r.h) && r.h.lost)
		rc = EXIT_LEASE_LOST;
	if (!rc)
		rc = start_child(&r);
	if (!rc)
		rc = supervise(&r);
	abandon_child(&r);
	if (!rc && !r.h.lost)
		holder_dispatch(&r.h);	/* a loss may be queued */
	if (!rc)
		rc = r.h.lost ? EXIT_LEASE_LOST : r.status;
	err = holder_release(&r.h);
	if (err == -ESTALE && !rc)
		rc = EXIT_LEASE_LOST;
	else if (err && !rc)
		rc = fail(err, "release '%s'", a.name);
	if (r.killfd >= 0)
		close(r.killfd);
	return rc;
}
