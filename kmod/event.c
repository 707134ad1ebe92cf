// SPDX-License-Identifier: GPL-2.0
/*
 * The event queue of a session: a ring of struct dlease_event read with
 * read() and watched with poll().
 *
 * Events are posted from process context and from lease timers (softirq)
 * with no allocation: the ring is allocated when the session opens.  When
 * it fills, its last slot becomes a DLEASE_EV_OVERFLOW record counting the
 * events lost after it.  A BREAK or WAIT event for a lease whose previous
 * event is an unread one of the same type updates that record instead of
 * taking a new slot: only the latest count (and wait) matters.
 *
 * Readers are serialised by ev_read_lock.  A reader copies records out
 * without consuming them, and consumes them only once they reached user
 * memory, so a bad buffer loses nothing.  Only the last record can change
 * meanwhile (a merged BREAK, a growing OVERFLOW); the reader notices and
 * leaves the changed record queued.
 */

#include <linux/log2.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dlease.h"

#define DLEASE_EV_BATCH	8

/**
 * dlease_events_init() - allocate the event queue of a session
 * @sess: the session
 * @cap: wanted number of slots, rounded up to a power of two (at least 4)
 *
 * Return: 0 or -ENOMEM.
 */
int dlease_events_init(struct dlease_session *sess, u32 cap)
{
	cap = roundup_pow_of_two(max(cap, 4U));
	sess->ev_ring = kvcalloc(cap, sizeof(*sess->ev_ring),
				 GFP_KERNEL_ACCOUNT);
	if (!sess->ev_ring)
		return -ENOMEM;
	sess->ev_cap = cap;
	sess->ev_mask = DLEASE_EV_MASK_DEFAULT;
	spin_lock_init(&sess->ev_lock);
	mutex_init(&sess->ev_read_lock);
	init_waitqueue_head(&sess->ev_wait);
	return 0;
}

/**
 * dlease_events_free() - free the event queue of a session
 * @sess: the session, with no lease left
 */
void dlease_events_free(struct dlease_session *sess)
{
	kvfree(sess->ev_ring);
	mutex_destroy(&sess->ev_read_lock);
}

static struct dlease_event *dlease_ev_slot(struct dlease_session *sess,
					   u32 nth)
{
	return &sess->ev_ring[(sess->ev_head + nth) & (sess->ev_cap - 1)];
}

static void dlease_ev_fill(struct dlease_event *ev, u32 type,
			   const struct dlease_lease *lease, u32 count,
			   u64 now)
{
	*ev = (struct dlease_event) {
		.type = type,
		.count = count,
		.time_ns = now,
	};
	if (!lease)
		return;
	ev->lease_id = lease->id;
	ev->token = lease->token;
	ev->cookie = lease->cookie;
	switch (type) {
	case DLEASE_EV_GRANTED:
	case DLEASE_EV_RENEWED:
		ev->expires_ns = ktime_to_ns(lease->expires);
		break;
	case DLEASE_EV_LATE:
		ev->expires_ns = ktime_to_ns(lease->expires) + lease->grace_ns;
		break;
	case DLEASE_EV_WAIT:
		ev->expires_ns = ktime_to_ns(lease->wait_until);
		break;
	}
}

/* Whether @type replaces @last rather than taking a slot of its own. */
static bool dlease_ev_merges(const struct dlease_event *last, u32 type,
			     const struct dlease_lease *lease)
{
	return (type == DLEASE_EV_BREAK || type == DLEASE_EV_WAIT) && last &&
	       last->type == type && last->lease_id == lease->id;
}

static void dlease_ev_push(struct dlease_session *sess, u32 type,
			   const struct dlease_lease *lease, u32 count)
{
	struct dlease_event *last = NULL;
	u64 now = ktime_get_ns();

	if (sess->ev_len)
		last = dlease_ev_slot(sess, sess->ev_len - 1);
	if (dlease_ev_merges(last, type, lease)) {
		dlease_ev_fill(last, type, lease, count, now);
	} else if (sess->ev_len == sess->ev_cap) {
		last->count++;		/* it is the OVERFLOW record */
	} else if (sess->ev_len == sess->ev_cap - 1) {
		dlease_ev_fill(dlease_ev_slot(sess, sess->ev_len++),
			       DLEASE_EV_OVERFLOW, NULL, 1, now);
	} else {
		dlease_ev_fill(dlease_ev_slot(sess, sess->ev_len++), type,
			       lease, count, now);
	}
}

/**
 * dlease_event_post() - queue an event of a lease for its session
 * @sess: the session
 * @type: DLEASE_EV_*
 * @lease: the lease
 * @count: the event's count field
 *
 * Context: any but hard interrupt; takes ev_lock.
 */
void dlease_event_post(struct dlease_session *sess, u32 type,
		       const struct dlease_lease *lease, u32 count)
{
	if (!(READ_ONCE(sess->ev_mask) & BIT(type)) || READ_ONCE(sess->closing))
		return;
	spin_lock_bh(&sess->ev_lock);
	dlease_ev_push(sess, type, lease, count);
	spin_unlock_bh(&sess->ev_lock);
	if (wq_has_sleeper(&sess->ev_wait))
		wake_up_interruptible_poll(&sess->ev_wait, EPOLLIN | EPOLLRDNORM);
}

/**
 * dlease_events_pending() - whether the session has events to read
 * @sess: the session
 *
 * Return: true if at least one event is queued.
 */
bool dlease_events_pending(struct dlease_session *sess)
{
	return READ_ONCE(sess->ev_len) != 0;
}

static u32 dlease_ev_peek(struct dlease_session *sess,
			  struct dlease_event *batch, u32 max)
{
	u32 i, n;

	spin_lock_bh(&sess->ev_lock);
	n = min(sess->ev_len, max);
	for (i = 0; i < n; i++)
		batch[i] = *dlease_ev_slot(sess, i);
	spin_unlock_bh(&sess->ev_lock);
	return n;
}

/* Consumes the records of @batch that did not change since the peek. */
static void dlease_ev_consume(struct dlease_session *sess,
			      const struct dlease_event *batch, u32 n)
{
	struct dlease_event *ev;
	u32 i;

	spin_lock_bh(&sess->ev_lock);
	for (i = 0; i < n; i++) {
		ev = dlease_ev_slot(sess, 0);
		if (memcmp(ev, &batch[i], sizeof(*ev))) {
			/* Grew while copied: report only the new losses. */
			if (ev->type == DLEASE_EV_OVERFLOW)
				ev->count -= batch[i].count;
			break;
		}
		sess->ev_head = (sess->ev_head + 1) & (sess->ev_cap - 1);
		sess->ev_len--;
	}
	spin_unlock_bh(&sess->ev_lock);
}

/* Moves as many whole records as fit; returns bytes or -EFAULT. */
static ssize_t dlease_ev_copy(struct dlease_session *sess, char __user *buf,
			      size_t len)
{
	struct dlease_event batch[DLEASE_EV_BATCH];
	size_t done = 0;
	u32 n, max;

	while (len - done >= sizeof(batch[0])) {
		max = min_t(size_t, DLEASE_EV_BATCH,
			    (len - done) / sizeof(batch[0]));
		n = dlease_ev_peek(sess, batch, max);
		if (!n)
			break;
		if (copy_to_user(buf + done, batch, n * sizeof(batch[0])))
			return done ? done : -EFAULT;
		dlease_ev_consume(sess, batch, n);
		done += n * sizeof(batch[0]);
	}
	return done;
}

/**
 * dlease_events_read() - read() of a session
 * @sess: the session
 * @buf: user buffer
 * @len: its size
 * @nonblock: O_NONBLOCK
 *
 * Return: bytes read (whole records), or -EINVAL (@len smaller than a
 * record), -EAGAIN, -ERESTARTSYS, -EFAULT.
 */
ssize_t dlease_events_read(struct dlease_session *sess, char __user *buf,
			   size_t len, bool nonblock)
{
	ssize_t ret;

	if (len < sizeof(struct dlease_event))
		return -EINVAL;
	for (;;) {
		if (mutex_lock_interruptible(&sess->ev_read_lock))
			return -ERESTARTSYS;
		ret = dlease_ev_copy(sess, buf, len);
		mutex_unlock(&sess->ev_read_lock);
		if (ret)
			return ret;
		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(sess->ev_wait,
					     dlease_events_pending(sess)))
			return -ERESTARTSYS;
	}
}
