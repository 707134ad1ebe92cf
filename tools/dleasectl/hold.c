// SPDX-License-Identifier: GPL-2.0
/*
 * Holding a lease from the command line: acquire it (a wait that SIGINT,
 * SIGTERM and SIGHUP interrupt), let a keeper renew it from the caller's
 * event loop, take signals as a file descriptor, release it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "dleasectl.h"

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
/* Set by the handler: atomic builtins are async-signal-safe here. */
static int caught;

static void on_signal(int sig)
{
	__atomic_store_n(&caught, sig, __ATOMIC_RELAXED);
}

/* Without SA_RESTART, so that a waiting acquire returns EINTR. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &sa, NULL);
}

/**
 * holder_default_signals() - give the stop signals their default actions
 */
void holder_default_signals(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		signal(stop_signals[i], SIG_DFL);
}

/**
 * holder_lost() - the lease is gone: say so and remember it
 * @h: the holder
 * @type: the event that told (DLEASE_EV_EXPIRED, ...)
 * @token: the lease's token
 */
void holder_lost(struct holder *h, uint32_t type, uint64_t token)
{
	h->lost = true;
	h->lost_type = type;
	fprintf(stderr, "%s: lease '%s' lost: %s (token %llu)\n", prog,
		dlease_lease_name(h->lease), dlease_event_name(type),
		(unsigned long long)token);
}

static void on_keeper_event(struct dlease_keeper *k,
			    const struct dlease_lease_event *ev, void *arg)
{
	struct holder *h = arg;

	if (ev->lease != h->lease)
		return;
	if (dlease_event_is_loss(ev)) {
		holder_lost(h, ev->type, ev->token);
	} else if (ev->type == DLEASE_EV_RENEW_ERROR &&
		   ev->error != h->renew_error) {
		/* once per error until a renewal succeeds: retries are fast */
		h->renew_error = ev->error;
		fprintf(stderr, "%s: renewing '%s': %s (retrying)\n", prog,
			dlease_lease_name(h->lease),
			dlease_strerror(ev->error));
	} else if (ev->type == DLEASE_EV_RENEWED) {
		h->renew_error = 0;
	}
}

/**
 * holder_acquire() - open a session, acquire the lease, start keeping it
 * @h: zeroed holder
 * @a: what to acquire
 *
 * Return: 0, or the exit code after printing why: 128 + the signal that
 * ended the wait, EX_TEMPFAIL if busy or timed out, and so on.
 */
int holder_acquire(struct holder *h, const struct lease_args *a)
{
	struct dlease_keeper_opts kopts = { .notify = on_keeper_event,
					    .arg = h };
	struct dlease_acquire_opts o;
	struct wait_report w;
	bool reporting;
	int err;

	h->sigfd = -1;
	catch_stop_signals();
	err = dlease_open(0, &h->session);
	if (err)
		return fail(err, "open %s", DLEASE_DEVICE_PATH);
	acquire_opts_from_args(a, &o);
	reporting = wait_report_start(&w, h->session, a->name, &o);
	err = dlease_acquire(h->session, a->name, &o, &h->lease);
	if (reporting)
		wait_report_stop(&w, h);
	if (err == -EINTR && __atomic_load_n(&caught, __ATOMIC_RELAXED))
		return 128 + caught;
	if (err)
		return fail(err, "acquire '%s'", a->name);
	err = dlease_keeper_new(h->session, &kopts, &h->keeper);
	if (!err)
		err = dlease_keeper_add(h->keeper, h->lease);
	if (err)
		return fail(err, "keeping '%s'", a->name);
	return 0;
}

/**
 * holder_signals() - take the stop signals (and SIGCHLD) through a
 * signalfd from now on
 * @h: the holder
 * @with_children: also SIGCHLD
 *
 * A stop signal caught before is left in @h->early_signal.
 *
 * Return: 0; EX_OSERR.
 */
int holder_signals(struct holder *h, bool with_children)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaddset(&set, stop_signals[i]);
	if (with_children)
		sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &h->oldmask))
		return fail(-errno, "sigprocmask");
	h->early_signal = __atomic_load_n(&caught, __ATOMIC_RELAXED);
	h->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (h->sigfd < 0)
		return fail(-errno, "signalfd");
	return 0;
}

/**
 * holder_read_signal() - the next signal from the signalfd
 * @h: the holder
 *
 * Return: the signal number, 0 if none is pending, or -errno.
 */
int holder_read_signal(struct holder *h)
{
	struct signalfd_siginfo si;
	ssize_t n = read(h->sigfd, &si, sizeof(si));

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return n == sizeof(si) ? (int)si.ssi_signo : -EIO;
}

/**
 * holder_dispatch() - let the keeper work; sets @h->lost on loss
 * @h: the holder
 *
 * Return: 0 or a negative errno value of the keeper.
 */
int holder_dispatch(struct holder *h)
{
	int err = dlease_keeper_dispatch(h->keeper);

	return err < 0 ? err : 0;
}

/**
 * holder_release() - release the lease and close everything
 * @h: the holder
 *
 * Return: 0, or a negative errno value of the release of a lease that
 * was not known to be lost.
 */
int holder_release(struct holder *h)
{
	int err = 0;

	dlease_keeper_free(h->keeper);
	if (h->lease) {
		err = dlease_release(h->lease);
		if (h->lost && err == -ESTALE)
			err = 0;
	}
	if (err == -ESTALE)
		fprintf(stderr, "%s: lease lost before its release\n", prog);
	dlease_close(h->session);
	if (h->sigfd >= 0)
		close(h->sigfd);
	*h = (struct holder) { .sigfd = -1 };
	return err;
}
