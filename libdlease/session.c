// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Sessions and lease handles over the /dev/dlease ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

uint64_t dlease_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/**
 * dl_session_from_fd() - a session on an open file descriptor
 * @fd: /dev/dlease, or (unit tests) anything read() gives event records
 *
 * Return: the session owning @fd, or NULL (out of memory; @fd is left
 * open).
 */
struct dlease_session *dl_session_from_fd(int fd)
{
	struct dlease_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->fd = fd;
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

int dlease_open(unsigned int flags, struct dlease_session **sessp)
{
	struct dlease_session *s;
	struct dlease_info info;
	int fd, err;

	if (flags)
		return -EINVAL;
	/* Non-blocking: dlease_read_event() waits in poll(), not in read(). */
	fd = open(DLEASE_DEVICE_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	err = xioctl(fd, DLEASE_IOC_INFO, &info);
	if (!err && (info.api_version != DLEASE_API_VERSION ||
		     info.event_size != sizeof(struct dlease_event)))
		err = -EPROTONOSUPPORT;
	if (err)
		goto err_close;
	s = dl_session_from_fd(fd);
	if (!s) {
		err = -ENOMEM;
		goto err_close;
	}
	*sessp = s;
	return 0;

err_close:
	close(fd);
	return err;
}

void dlease_close(struct dlease_session *s)
{
	if (!s)
		return;
	while (s->leases) {
		struct dlease_lease *l = s->leases;

		dl_lease_unlink(l);
		free(l);
	}
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int dlease_fd(const struct dlease_session *s)
{
	return s->fd;
}

int dlease_info(struct dlease_session *s, struct dlease_info *info)
{
	memset(info, 0, sizeof(*info));
	return xioctl(s->fd, DLEASE_IOC_INFO, info);
}

int dlease_set_events(struct dlease_session *s, uint32_t mask,
		      uint32_t *oldp)
{
	struct dlease_events e = { .mask = mask };
	int err = xioctl(s->fd, DLEASE_IOC_SET_EVENTS, &e);

	if (!err && oldp)
		*oldp = e.mask;
	return err;
}

/**
 * dl_lease_new() - a lease handle, linked into its session
 * @s: the session
 * @name: the name (not NUL-terminated)
 * @len: its length
 *
 * Return: the handle, or NULL (out of memory).
 */
struct dlease_lease *dl_lease_new(struct dlease_session *s, const char *name,
			       size_t len)
{
	struct dlease_lease *l = calloc(1, sizeof(*l) + len + 1);

	if (!l)
		return NULL;
	memcpy(l->name, name, len);
	l->session = s;
	pthread_mutex_lock(&s->lock);
	l->next = s->leases;
	if (s->leases)
		s->leases->prev = l;
	s->leases = l;
	pthread_mutex_unlock(&s->lock);
	return l;
}

/**
 * dl_lease_unlink() - take a handle out of its session and keeper
 * @l: the handle
 */
void dl_lease_unlink(struct dlease_lease *l)
{
	struct dlease_session *s = l->session;

	dl_keeper_detach(l);
	pthread_mutex_lock(&s->lock);
	if (l->prev)
		l->prev->next = l->next;
	else
		s->leases = l->next;
	if (l->next)
		l->next->prev = l->prev;
	pthread_mutex_unlock(&s->lock);
}

static void acquire_req(struct dlease_acquire *a, const char *name,
			size_t len, const struct dlease_acquire_opts *o)
{
	*a = (struct dlease_acquire) {
		.name_ptr = (uintptr_t)name,
		.name_len = (uint32_t)len,
		.mode = o->mode ? o->mode : DLEASE_MODE_EXCLUSIVE,
		.flags = o->flags,
		.ttl_ns = o->ttl_ns ? o->ttl_ns : DLEASE_DEFAULT_TTL_NS,
		.grace_ns = o->grace_ns,
		.timeout_ns = o->timeout_ns,
		.cookie = o->cookie,
	};
}

static bool opts_reserved_zero(const struct dlease_acquire_opts *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(o->reserved); i++)
		if (o->reserved[i])
			return false;
	return true;
}

int dlease_acquire(struct dlease_session *s, const char *name,
		   const struct dlease_acquire_opts *opts,
		   struct dlease_lease **leasep)
{
	static const struct dlease_acquire_opts defaults;
	size_t len = strnlen(name, DLEASE_NAME_MAX + 1);
	struct dlease_acquire a;
	struct dlease_lease *l;
	bool quick;
	int err;

	if (!opts)
		opts = &defaults;
	if (!len || len > DLEASE_NAME_MAX || !opts_reserved_zero(opts))
		return -EINVAL;
	/* Allocate first: a grant must never be lost to ENOMEM. */
	l = dl_lease_new(s, name, len);
	if (!l)
		return -ENOMEM;
	acquire_req(&a, name, len, opts);
	/*
	 * A request that does not sleep holds the lock across the call, so
	 * that the events of the new lease (GRANTED above all) find its id.
	 */
	quick = opts->flags & (DLEASE_ACQ_TRY | DLEASE_ACQ_ASYNC);
	if (quick)
		pthread_mutex_lock(&s->lock);
	err = xioctl(s->fd, DLEASE_IOC_ACQUIRE, &a);
	if (!quick)
		pthread_mutex_lock(&s->lock);
	if (err) {
		pthread_mutex_unlock(&s->lock);
		dl_lease_unlink(l);
		free(l);
		return err;
	}
	l->id = a.lease_id;
	l->state = a.state;
	l->mode = a.mode;
	l->token = a.token;
	l->expires_ns = a.expires_ns;
	l->ttl_ns = a.ttl_ns;
	l->grace_ns = a.grace_ns;
	l->cookie = a.cookie;
	pthread_mutex_unlock(&s->lock);
	*leasep = l;
	return 0;
}

static void lease_lost(struct dlease_lease *l)
{
	l->state = DLEASE_STATE_LOST;
	dl_sched_stop(&l->sched);
}

int dlease_renew(struct dlease_lease *l, uint64_t ttl_ns, bool *was_late)
{
	struct dlease_renew r = { .lease_id = l->id, .ttl_ns = ttl_ns };
	struct dlease_session *s = l->session;
	int err = xioctl(s->fd, DLEASE_IOC_RENEW, &r);

	pthread_mutex_lock(&s->lock);
	if (!err) {
		l->expires_ns = r.expires_ns;
		l->token = r.token;
		l->state = DLEASE_STATE_HELD;
	} else if (err == -ESTALE) {
		lease_lost(l);
	}
	pthread_mutex_unlock(&s->lock);
	if (was_late)
		*was_late = !err && (r.out_flags & DLEASE_RENEW_WAS_LATE);
	return err;
}

int dlease_release(struct dlease_lease *l)
{
	struct dlease_release r;
	int err;

	if (!l)
		return 0;
	r = (struct dlease_release) { .lease_id = l->id };
	dl_lease_unlink(l);
	err = xioctl(l->session->fd, DLEASE_IOC_RELEASE, &r);
	free(l);
	return err;
}

int dlease_query(struct dlease_lease *l, struct dlease_lease_status *st)
{
	struct dlease_query q = { .lease_id = l->id };
	struct dlease_session *s = l->session;
	int err = xioctl(s->fd, DLEASE_IOC_QUERY, &q);

	pthread_mutex_lock(&s->lock);
	if (err == -ESTALE)
		lease_lost(l);
	if (!err) {
		l->state = q.state;
		l->token = q.token;
		l->expires_ns = q.expires_ns;
	}
	pthread_mutex_unlock(&s->lock);
	if (err)
		return err;
	*st = (struct dlease_lease_status) {
		.state = q.state,
		.mode = q.mode,
		.waiters = q.waiters,
		.holders = q.holders,
		.token = q.token,
		.expires_ns = q.expires_ns,
		.deadline_ns = q.deadline_ns,
		.ttl_ns = q.ttl_ns,
		.grace_ns = q.grace_ns,
		.cookie = q.cookie,
	};
	return 0;
}

/**
 * dl_lease_apply_event() - bring a handle up to date with an event of it
 * @l: the handle
 * @ev: the event
 *
 * Called with the session's lock held.
 */
void dl_lease_apply_event(struct dlease_lease *l,
		       const struct dlease_lease_event *ev)
{
	switch (ev->type) {
	case DLEASE_EV_GRANTED:
	case DLEASE_EV_RENEWED:
		if (l->state == DLEASE_STATE_LOST)
			break;
		l->state = DLEASE_STATE_HELD;
		l->token = ev->token;
		if (ev->expires_ns > l->expires_ns)
			l->expires_ns = ev->expires_ns;
		break;
	case DLEASE_EV_LATE:
		if (l->state != DLEASE_STATE_LOST)
			l->state = DLEASE_STATE_LATE;
		break;
	case DLEASE_EV_EXPIRED:
	case DLEASE_EV_REVOKED:
		lease_lost(l);
		break;
	}
}

const char *dlease_lease_name(const struct dlease_lease *l)
{
	return l->name;
}

uint64_t dlease_lease_id(const struct dlease_lease *l)
{
	return l->id;
}

uint64_t dlease_lease_token(const struct dlease_lease *l)
{
	return __atomic_load_n(&l->token, __ATOMIC_RELAXED);
}

uint64_t dlease_lease_expires(const struct dlease_lease *l)
{
	return __atomic_load_n(&l->expires_ns, __ATOMIC_RELAXED);
}

uint32_t dlease_lease_state(const struct dlease_lease *l)
{
	return __atomic_load_n(&l->state, __ATOMIC_RELAXED);
}

uint32_t dlease_lease_mode(const struct dlease_lease *l)
{
	return l->mode;
}

uint64_t dlease_lease_ttl(const struct dlease_lease *l)
{
	return l->ttl_ns;
}

uint64_t dlease_lease_cookie(const struct dlease_lease *l)
{
	return l->cookie;
}
