// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading and decoding the events of a session; names of events, states
 * and modes.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int dlease_event_decode(const void *buf, size_t len,
			struct dlease_lease_event *ev)
{
	struct dlease_event raw;

	if (len < sizeof(raw))
		return -EMSGSIZE;
	memcpy(&raw, buf, sizeof(raw));
	if ((raw.type < DLEASE_EV_GRANTED || raw.type > DLEASE_EV_OVERFLOW) &&
	    raw.type != DLEASE_EV_WAIT)
		return -EBADMSG;
	*ev = (struct dlease_lease_event) {
		.type = raw.type,
		.count = raw.count,
		.lease_id = raw.lease_id,
		.token = raw.token,
		.cookie = raw.cookie,
		.time_ns = raw.time_ns,
		.expires_ns = raw.expires_ns,
	};
	return sizeof(raw);
}

bool dlease_event_is_loss(const struct dlease_lease_event *ev)
{
	return ev->type == DLEASE_EV_EXPIRED || ev->type == DLEASE_EV_REVOKED ||
	       ev->type == DLEASE_EV_LOST;
}

static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? 0 : -EAGAIN;
}

/* Refills the read buffer; called with s->lock held and the buffer empty. */
static int refill(struct dlease_session *s)
{
	ssize_t n = read(s->fd, s->rbuf, sizeof(s->rbuf));

	if (n < 0)
		return -errno;
	if (!n || n % sizeof(s->rbuf[0]))
		return -EBADMSG;
	s->rhead = 0;
	s->rcount = n / sizeof(s->rbuf[0]);
	return 0;
}

static struct dlease_lease *find_lease(struct dlease_session *s, uint64_t id)
{
	struct dlease_lease *l;

	for (l = s->leases; l; l = l->next)
		if (l->id == id)
			return l;
	return NULL;
}

/* Takes the next buffered record; called with s->lock held. */
static int next_buffered(struct dlease_session *s,
			 struct dlease_lease_event *ev)
{
	int n = dlease_event_decode(&s->rbuf[s->rhead], sizeof(s->rbuf[0]),
				    ev);

	s->rhead++;
	s->rcount--;
	if (n < 0)
		return n;
	if (ev->type != DLEASE_EV_OVERFLOW)
		ev->lease = find_lease(s, ev->lease_id);
	if (ev->lease)
		dl_lease_apply_event(ev->lease, ev);
	return 0;
}

int dlease_read_event(struct dlease_session *s, struct dlease_lease_event *ev,
		      int timeout_ms)
{
	int err;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		err = s->rcount ? 0 : refill(s);
		if (!err)
			err = next_buffered(s, ev);
		pthread_mutex_unlock(&s->lock);
		if (err != -EAGAIN || !timeout_ms)
			return err;
		err = wait_readable(s->fd, timeout_ms);
		if (err)
			return err;
		/* Readable: try again, but never wait twice. */
		timeout_ms = 0;
	}
}

const char *dlease_event_name(uint32_t type)
{
	static const char *const names[] = {
		[DLEASE_EV_GRANTED] = "granted",
		[DLEASE_EV_RENEWED] = "renewed",
		[DLEASE_EV_LATE] = "late",
		[DLEASE_EV_EXPIRED] = "expired",
		[DLEASE_EV_REVOKED] = "revoked",
		[DLEASE_EV_BREAK] = "break",
		[DLEASE_EV_OVERFLOW] = "overflow",
		[DLEASE_EV_QUEUED] = "queued",
		[DLEASE_EV_RELEASED] = "released",
		[DLEASE_EV_WAIT] = "wait",
	};

	if (type == DLEASE_EV_LOST)
		return "lost";
	if (type == DLEASE_EV_RENEW_ERROR)
		return "renew-error";
	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

const char *dlease_state_name(uint32_t state)
{
	switch (state) {
	case DLEASE_STATE_WAITING:
		return "waiting";
	case DLEASE_STATE_HELD:
		return "held";
	case DLEASE_STATE_LATE:
		return "late";
	case DLEASE_STATE_LOST:
		return "lost";
	}
	return "unknown";
}

const char *dlease_mode_name(uint32_t mode)
{
	switch (mode) {
	case DLEASE_MODE_SHARED:
		return "shared";
	case DLEASE_MODE_EXCLUSIVE:
		return "exclusive";
	}
	return "unknown";
}
