// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl acquire: take a lease for a shell script and hold it.
 *
 * Prints the fencing token (or a JSON object) once the lease is held,
 * then keeps renewing it until standard input reaches end of file, --hold
 * has passed, or SIGINT, SIGTERM or SIGHUP comes; then releases it and
 * exits 0.  If the lease is lost meanwhile it exits EXIT_LEASE_LOST.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dleasectl.h"

static void print_lease(const struct holder *h, bool json)
{
	const struct dlease_lease *l = h->lease;
	struct json_object *o;

	if (!json) {
		printf("%llu\n", (unsigned long long)dlease_lease_token(l));
		fflush(stdout);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "name",
			       json_object_new_string(dlease_lease_name(l)));
	json_object_object_add(o, "mode", json_object_new_string(
			       dlease_mode_name(dlease_lease_mode(l))));
	json_object_object_add(o, "lease_id",
			       json_object_new_uint64(dlease_lease_id(l)));
	json_object_object_add(o, "token",
			       json_object_new_uint64(dlease_lease_token(l)));
	json_object_object_add(o, "ttl_ns",
			       json_object_new_uint64(dlease_lease_ttl(l)));
	json_object_object_add(o, "expires_ns",
			       json_object_new_uint64(dlease_lease_expires(l)));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
}

static int add_fd(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Discards input; returns 1 at end of file (or a read error). */
static int stdin_ended(void)
{
	char buf[256];

	return read(STDIN_FILENO, buf, sizeof(buf)) <= 0;
}

static int hold_loop(struct holder *h, int epfd, uint64_t until)
{
	struct epoll_event ev;
	int n, timeout, err;

	for (;;) {
		uint64_t now = dlease_now();

		if (until && now >= until)
			return 0;
		timeout = until ? (int)((until - now + 999999) / 1000000) : -1;
		n = epoll_wait(epfd, &ev, 1, timeout);
		if (n < 0 && errno != EINTR)
			return fail(-errno, "epoll_wait");
		if (n <= 0)
			continue;
		if (ev.data.fd == h->sigfd) {
			err = holder_read_signal(h);
			if (err < 0)
				return fail(err, "signalfd");
			if (err)
				return 0;
		} else if (ev.data.fd == STDIN_FILENO) {
			if (stdin_ended())
				return 0;
		} else {
			err = holder_dispatch(h);
			if (err)
				return fail(err, "keeper");
			if (h->lost)
				return EXIT_LEASE_LOST;
		}
	}
}

static int hold(struct holder *h, const struct lease_args *a)
{
	uint64_t until = a->hold_ns ? dlease_now() + a->hold_ns : 0;
	int epfd, rc, err;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return fail(-errno, "epoll_create1");
	err = add_fd(epfd, dlease_keeper_fd(h->keeper));
	if (!err)
		err = add_fd(epfd, h->sigfd);
	if (!err && !a->hold_ns) {
		err = add_fd(epfd, STDIN_FILENO);
		/* Not pollable (a file, /dev/null) or closed: until a signal */
		if (err == -EPERM || err == -EBADF)
			err = 0;
	}
	rc = err ? fail(err, "epoll_ctl") : hold_loop(h, epfd, until);
	close(epfd);
	return rc;
}

int cmd_acquire(int argc, char **argv)
{
	struct holder h = { .sigfd = -1 };
	struct lease_args a;
	int rc, err;

	rc = parse_lease_args(argc, argv, LEASE_ARGS_ACQUIRE, &a);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = holder_acquire(&h, &a);
	if (!rc)
		rc = holder_signals(&h, false);
	if (!rc) {
		print_lease(&h, a.json);
		/* A stop signal that came early is a release like any other. */
		if (!h.early_signal)
			rc = hold(&h, &a);
	}
	err = holder_release(&h);
	if (err && !rc)
		rc = fail(err, "release '%s'", a.name);
	return rc;
}
