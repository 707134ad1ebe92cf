// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The keeper: renews the leases of a session before they expire (when,
 * is schedule.c's business) and reports their loss at once.
 *
 * It is an epoll instance holding the session's fd, a timerfd armed at
 * the next renewal and an eventfd that stops its thread.  A caller's
 * event loop polls that fd and calls dlease_keeper_dispatch(); or
 * dlease_keeper_start() runs the same loop in a thread.  The lock is
 * recursive so that the notify callback, called with it held, may
 * release and remove leases; holding it across callbacks and renewals
 * means that a lease released by another thread is never touched again.
 * Lock order: keeper, then session.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "internal.h"

/* Events handled in one dispatch at most; the fd stays readable. */
#define KEEPER_EVENT_BATCH	64

struct dlease_keeper {
	struct dlease_session *session;
	struct dlease_keeper_opts opts;
	pthread_mutex_t lock;
	struct dlease_lease *leases;
	int epfd;
	int timerfd;
	int stopfd;
	const struct keeper_ops *ops;
	void *ctx;
	pthread_t thread;
	bool running;
	bool stopping;
};

static uint64_t real_now(void *ctx)
{
	return dlease_now();
}

static int real_renew(void *ctx, struct dlease_lease *l, bool *was_late)
{
	return dlease_renew(l, 0, was_late);
}

static const struct keeper_ops real_ops = {
	.now = real_now,
	.renew = real_renew,
};

/**
 * dl_keeper_set_ops() - replace the clock and renew call (unit tests)
 * @k: the keeper
 * @ops: the new operations
 * @ctx: passed to them
 */
void dl_keeper_set_ops(struct dlease_keeper *k, const struct keeper_ops *ops,
		    void *ctx)
{
	k->ops = ops;
	k->ctx = ctx;
}

static uint64_t next_due(const struct dlease_keeper *k)
{
	uint64_t due = UINT64_MAX;
	struct dlease_lease *l;

	for (l = k->leases; l; l = l->knext)
		if (l->sched.due_ns < due)
			due = l->sched.due_ns;
	return due;
}

/* Points the timerfd at the next renewal; called with k->lock held. */
static void rearm(struct dlease_keeper *k)
{
	uint64_t due = next_due(k);
	struct itimerspec its = { 0 };

	if (due != UINT64_MAX) {
		/* 0 would disarm it: "at once" is any time in the past. */
		if (!due)
			due = 1;
		its.it_value.tv_sec = due / 1000000000ULL;
		its.it_value.tv_nsec = due % 1000000000ULL;
	}
	/* Cannot fail: our own timerfd and a valid time. */
	timerfd_settime(k->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static bool opts_valid(const struct dlease_keeper_opts *o)
{
	if (o->reserved0 || o->divisor > SCHED_DIVISOR_MAX ||
	    o->divisor == 1)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(o->reserved); i++)
		if (o->reserved[i])
			return false;
	return true;
}

static int keeper_fds(struct dlease_keeper *k)
{
	struct epoll_event ev = { .events = EPOLLIN };

	k->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (k->epfd < 0)
		return -errno;
	k->timerfd = timerfd_create(CLOCK_MONOTONIC,
				    TFD_NONBLOCK | TFD_CLOEXEC);
	if (k->timerfd < 0)
		return -errno;
	k->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (k->stopfd < 0)
		return -errno;
	if (epoll_ctl(k->epfd, EPOLL_CTL_ADD, k->session->fd, &ev) ||
	    epoll_ctl(k->epfd, EPOLL_CTL_ADD, k->timerfd, &ev) ||
	    epoll_ctl(k->epfd, EPOLL_CTL_ADD, k->stopfd, &ev))
		return -errno;
	return 0;
}

static void keeper_close_fds(struct dlease_keeper *k)
{
	if (k->stopfd >= 0)
		close(k->stopfd);
	if (k->timerfd >= 0)
		close(k->timerfd);
	if (k->epfd >= 0)
		close(k->epfd);
}

int dlease_keeper_new(struct dlease_session *s,
		      const struct dlease_keeper_opts *opts,
		      struct dlease_keeper **kp)
{
	static const struct dlease_keeper_opts defaults;
	pthread_mutexattr_t attr;
	struct dlease_keeper *k;
	int err;

	if (!opts)
		opts = &defaults;
	if (!opts_valid(opts) || s->keeper)
		return -EINVAL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->session = s;
	k->opts = *opts;
	k->ops = &real_ops;
	k->epfd = k->timerfd = k->stopfd = -1;
	err = keeper_fds(k);
	if (err)
		goto err_fds;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&k->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	s->keeper = k;
	*kp = k;
	return 0;

err_fds:
	keeper_close_fds(k);
	free(k);
	return err;
}

static void unlink_kept(struct dlease_keeper *k, struct dlease_lease *l)
{
	if (l->kprev)
		l->kprev->knext = l->knext;
	else
		k->leases = l->knext;
	if (l->knext)
		l->knext->kprev = l->kprev;
	l->kprev = l->knext = NULL;
	l->keeper = NULL;
	dl_sched_stop(&l->sched);
}

void dlease_keeper_free(struct dlease_keeper *k)
{
	if (!k)
		return;
	if (k->running)
		dlease_keeper_stop(k);
	while (k->leases)
		unlink_kept(k, k->leases);
	k->session->keeper = NULL;
	keeper_close_fds(k);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

/* Plans the first renewal of @l from its handle; k->lock held. */
static void plan_from_handle(struct dlease_keeper *k, struct dlease_lease *l)
{
	uint64_t now = k->ops->now(k->ctx);
	struct dlease_session *s = k->session;

	pthread_mutex_lock(&s->lock);
	dl_sched_init(&l->sched, k->opts.divisor, l->ttl_ns);
	if (l->state == DLEASE_STATE_HELD)
		dl_sched_granted(&l->sched, now, l->expires_ns);
	else if (l->state == DLEASE_STATE_LATE)
		dl_sched_late(&l->sched, now);
	pthread_mutex_unlock(&s->lock);
}

int dlease_keeper_add(struct dlease_keeper *k, struct dlease_lease *l)
{
	int err = 0;

	pthread_mutex_lock(&k->lock);
	if (l->session != k->session || l->keeper)
		err = -EINVAL;
	else if (dlease_lease_state(l) == DLEASE_STATE_LOST)
		err = -ESTALE;
	if (!err) {
		l->keeper = k;
		l->kprev = NULL;
		l->knext = k->leases;
		if (k->leases)
			k->leases->kprev = l;
		k->leases = l;
		plan_from_handle(k, l);
		rearm(k);
	}
	pthread_mutex_unlock(&k->lock);
	return err;
}

int dlease_keeper_remove(struct dlease_keeper *k, struct dlease_lease *l)
{
	int err = 0;

	pthread_mutex_lock(&k->lock);
	if (l->keeper != k) {
		err = -ENOENT;
	} else {
		unlink_kept(k, l);
		rearm(k);
	}
	pthread_mutex_unlock(&k->lock);
	return err;
}

/**
 * dl_keeper_detach() - take a lease out of its keeper, if it has one
 * @l: the lease
 */
void dl_keeper_detach(struct dlease_lease *l)
{
	if (l->keeper)
		dlease_keeper_remove(l->keeper, l);
}

int dlease_keeper_fd(const struct dlease_keeper *k)
{
	return k->epfd;
}

uint64_t dlease_keeper_next_deadline(struct dlease_keeper *k)
{
	uint64_t due;

	pthread_mutex_lock(&k->lock);
	due = next_due(k);
	pthread_mutex_unlock(&k->lock);
	return due;
}

int dlease_keeper_timeout_ms(struct dlease_keeper *k)
{
	uint64_t due = dlease_keeper_next_deadline(k);
	uint64_t now = k->ops->now(k->ctx);
	uint64_t ms;

	if (due == UINT64_MAX)
		return -1;
	if (due <= now)
		return 0;
	ms = (due - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void notify(struct dlease_keeper *k, const struct dlease_lease_event *ev)
{
	if (k->opts.notify)
		k->opts.notify(k, ev, k->opts.arg);
}

/*
 * Tells of a loss once per lease and stops its renewals.  Returns 1 if
 * this was news.  k->lock held.
 */
static int mark_lost(struct dlease_keeper *k, struct dlease_lease *l)
{
	if (l->loss_told)
		return 0;
	l->loss_told = true;
	if (l->keeper == k)
		dl_sched_stop(&l->sched);
	return 1;
}

/* Reacts to one event of the session and passes it on; k->lock held. */
static int handle_event(struct dlease_keeper *k,
			const struct dlease_lease_event *ev)
{
	struct dlease_lease *l = ev->lease;
	int lost = 0;

	if (l && l->keeper == k) {
		if (ev->type == DLEASE_EV_GRANTED)
			dl_sched_granted(&l->sched, k->ops->now(k->ctx),
				      ev->expires_ns);
		else if (ev->type == DLEASE_EV_LATE)
			dl_sched_late(&l->sched, k->ops->now(k->ctx));
	}
	if (l && dlease_event_is_loss(ev)) {
		lost = mark_lost(k, l);
		if (!lost)
			return 0;
	}
	notify(k, ev);
	return lost;
}

/* Handles the queued events; returns losses or -errno.  k->lock held. */
static int drain_events(struct dlease_keeper *k)
{
	struct dlease_lease_event ev;
	int lost = 0, err = 0, i;

	for (i = 0; i < KEEPER_EVENT_BATCH; i++) {
		err = dlease_read_event(k->session, &ev, 0);
		if (err == -EBADMSG)
			continue;
		if (err)
			break;
		lost += handle_event(k, &ev);
	}
	return err && err != -EAGAIN ? err : lost;
}

static struct dlease_lease *first_due(struct dlease_keeper *k, uint64_t now)
{
	struct dlease_lease *l, *best = NULL;

	for (l = k->leases; l; l = l->knext)
		if (l->sched.due_ns <= now &&
		    (!best || l->sched.due_ns < best->sched.due_ns))
			best = l;
	return best;
}

/* Renews @l; returns 1 if it turned out lost.  k->lock held. */
static int renew_one(struct dlease_keeper *k, struct dlease_lease *l)
{
	struct dlease_lease_event ev = {
		.lease = l, .lease_id = l->id, .token = l->token,
		.cookie = l->cookie,
	};
	uint64_t started = k->ops->now(k->ctx);
	bool was_late;
	int err = k->ops->renew(k->ctx, l, &was_late);
	uint64_t now = k->ops->now(k->ctx);
	int lost;

	if (!err) {
		dl_sched_renewed(&l->sched, started, now, l->expires_ns,
			      was_late);
		return 0;
	}
	ev.time_ns = now;
	if (err == -ESTALE) {
		/* The kernel's EXPIRED or REVOKED says why, if it is queued. */
		lost = drain_events(k);
		if (l->loss_told || l->keeper != k)
			return lost > 0 ? lost : 0;
		ev.type = DLEASE_EV_LOST;
		mark_lost(k, l);
		notify(k, &ev);
		return 1;
	}
	dl_sched_failed(&l->sched, now);
	ev.type = DLEASE_EV_RENEW_ERROR;
	ev.error = err;
	notify(k, &ev);
	return 0;
}

/*
 * Renews what is due and handles the queued events.  @l may be released
 * by notify() under our feet, so every round looks the leases up again;
 * a renewed lease is never due again within the same dispatch, so the
 * rounds are bounded by the number of leases.
 */
static int keeper_work(struct dlease_keeper *k)
{
	struct dlease_lease *l;
	uint64_t buf, now;
	int lost, err;

	pthread_mutex_lock(&k->lock);
	if (read(k->timerfd, &buf, sizeof(buf)) < 0 && errno != EAGAIN) {
		err = -errno;
		goto out;
	}
	err = drain_events(k);
	if (err < 0)
		goto out;
	lost = err;
	now = k->ops->now(k->ctx);
	while ((l = first_due(k, now)))
		lost += renew_one(k, l);
	err = lost;
out:
	rearm(k);
	pthread_mutex_unlock(&k->lock);
	return err;
}

int dlease_keeper_dispatch(struct dlease_keeper *k)
{
	if (__atomic_load_n(&k->running, __ATOMIC_ACQUIRE) &&
	    !pthread_equal(pthread_self(), k->thread))
		return -EINVAL;
	return keeper_work(k);
}

static void *keeper_main(void *arg)
{
	struct dlease_keeper *k = arg;
	struct epoll_event ev[4];

	while (!__atomic_load_n(&k->stopping, __ATOMIC_ACQUIRE)) {
		if (epoll_wait(k->epfd, ev, 4, -1) < 0 && errno != EINTR)
			break;
		if (__atomic_load_n(&k->stopping, __ATOMIC_ACQUIRE))
			break;
		keeper_work(k);
	}
	return NULL;
}

int dlease_keeper_start(struct dlease_keeper *k)
{
	int err;

	if (k->running)
		return -EALREADY;
	k->stopping = false;
	__atomic_store_n(&k->running, true, __ATOMIC_RELEASE);
	err = pthread_create(&k->thread, NULL, keeper_main, k);
	if (err) {
		__atomic_store_n(&k->running, false, __ATOMIC_RELEASE);
		return -err;
	}
	return 0;
}

int dlease_keeper_stop(struct dlease_keeper *k)
{
	uint64_t one = 1;

	if (!k->running)
		return -ESRCH;
	__atomic_store_n(&k->stopping, true, __ATOMIC_RELEASE);
	if (write(k->stopfd, &one, sizeof(one)) < 0)
		return -errno;
	pthread_join(k->thread, NULL);
	/* Empty it again, so that the fd does not stay readable. */
	if (read(k->stopfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	__atomic_store_n(&k->running, false, __ATOMIC_RELEASE);
	return 0;
}
