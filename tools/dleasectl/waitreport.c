// SPDX-License-Identifier: GPL-2.0
/*
 * Where a blocking cluster acquire stands. While dlease_acquire() sleeps
 * in the kernel, a thread reads the session's events and prints every
 * DLEASE_EV_WAIT (place in the cluster's line, expected grant) to stderr:
 *
 *   dleasectl: waiting for 'db': place 2 in the cluster's line, expected in ~850ms
 *
 * The session is dleasectl's own and holds nothing but this request, so
 * any other event the thread reads is about the lease just granted: a
 * loss among them is handed to the holder once the thread has stopped.
 * The thread blocks every signal, so that SIGINT still interrupts the
 * acquire in the main thread.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dleasectl.h"

static void report_wait(const struct wait_report *w,
			const struct dlease_lease_event *ev)
{
	char d[DLEASE_DURATION_MAX];
	uint64_t now = dlease_now();

	fprintf(stderr,
		"%s: waiting for '%s': place %u in the cluster's line, expected in ~%s\n",
		prog, w->name, ev->count,
		fmt_duration(ev->expires_ns > now ? ev->expires_ns - now : 0,
			     d));
}

/* Reads what is queued; false once reading fails for good. */
static bool drain(struct wait_report *w)
{
	struct dlease_lease_event ev;
	int err;

	while (!(err = dlease_read_event(w->session, &ev, 0))) {
		if (ev.type == DLEASE_EV_WAIT) {
			report_wait(w, &ev);
		} else if (dlease_event_is_loss(&ev) && !w->lost_type) {
			w->lost_type = ev.type;
			w->lost_token = ev.token;
		}
	}
	return err == -EAGAIN;
}

static void *reporter(void *arg)
{
	struct wait_report *w = arg;
	struct pollfd p[2] = {
		{ .fd = dlease_fd(w->session), .events = POLLIN },
		{ .fd = w->stopfd, .events = POLLIN },
	};

	while (drain(w)) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
	}
	/* What came with the grant, before the stop. */
	drain(w);
	return NULL;
}

/**
 * wait_report_start() - report the waits of a cluster acquire
 * @w: the report
 * @s: the session the acquire is made on
 * @name: the resource
 * @o: the acquire's options: only a blocking cluster acquire waits
 *
 * Asks the kernel for DLEASE_EV_WAIT; a kernel that does not know it
 * gets no report (and nothing else changes).
 *
 * Return: true if a thread now reports; then call wait_report_stop().
 */
bool wait_report_start(struct wait_report *w, struct dlease_session *s,
		       const char *name, const struct dlease_acquire_opts *o)
{
	sigset_t all, old;
	int err;

	*w = (struct wait_report){ .session = s, .name = name, .stopfd = -1 };
	if (!(o->flags & DLEASE_ACQ_CLUSTER) || o->flags & DLEASE_ACQ_TRY ||
	    dlease_set_events(s, DLEASE_EV_MASK_ALL, NULL))
		return false;
	w->stopfd = eventfd(0, EFD_CLOEXEC);
	if (w->stopfd < 0)
		return false;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&w->thread, NULL, reporter, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		close(w->stopfd);
		return false;
	}
	return true;
}

/**
 * wait_report_stop() - stop reporting, once the acquire returned
 * @w: the report
 * @h: the holder: told of a loss the thread read
 */
void wait_report_stop(struct wait_report *w, struct holder *h)
{
	/* Cannot fail: the counter is far from its maximum. */
	eventfd_write(w->stopfd, 1);
	pthread_join(w->thread, NULL);
	close(w->stopfd);
	if (w->lost_type && h->lease)
		holder_lost(h, w->lost_type, w->lost_token);
}
