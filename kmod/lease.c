// SPDX-License-Identifier: GPL-2.0
/*
 * The lease engine: grant, queue, wait, renew, release and expire.
 *
 * A request enters its resource's FIFO unless it can be granted at once.
 * Whenever a holder or a waiter leaves, dlease_grant_waiters() grants from
 * the head of the queue while the head is compatible with the holders, and
 * wakes (or notifies) exactly the requests it grants.
 *
 * Each held lease has a soft hrtimer: at the end of the TTL it moves the
 * lease into its grace period (or ends it if there is none), at the end of
 * the grace period it ends it.  Whoever ends a lease other than its own
 * timer cancels the timer after dropping the resource lock; the timer
 * callback finds such a lease dead and does nothing.
 *
 * A request's id is reserved in its session's xarray when it is made and
 * the request is stored there (published) under the resource lock once
 * its caller may know it: when it is granted, queued asynchronously, or
 * (cluster) told to wait by an event that names it.
 * Lookups by id therefore only ever see complete, live requests.
 */

#include <linux/hrtimer.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "compat.h"
#include "dlease.h"

static struct kmem_cache *dlease_lease_cache __read_mostly;

static void dlease_lease_put(struct dlease_lease *lease)
{
	if (!refcount_dec_and_test(&lease->ref))
		return;
	if (lease->res)
		dlease_resource_put(lease->res);
	put_pid(lease->pid);
	kmem_cache_free(dlease_lease_cache, lease);
}

static bool dlease_compatible(const struct dlease_resource *res, u8 mode)
{
	if (!res->nholders)
		return true;
	return mode == DLEASE_MODE_SHARED &&
	       res->held_mode == DLEASE_MODE_SHARED &&
	       res->nholders < READ_ONCE(res->dn->limits.max_holders);
}

static ktime_t dlease_deadline(const struct dlease_lease *lease)
{
	return ktime_add_ns(lease->expires, lease->grace_ns);
}

/**
 * dlease_arm() - start (or restart) the TTL of a held lease
 * @lease: the lease, its resource locked
 * @now: the time it counts from
 * @ttl_ns: the TTL
 *
 * A cluster lease ends no later than the cluster's expiry less the margin.
 */
void dlease_arm(struct dlease_lease *lease, ktime_t now, u64 ttl_ns)
{
	lease->expires = ktime_add_ns(now, ttl_ns);
	if (lease->cluster && ktime_after(lease->expires, lease->cluster_end))
		lease->expires = lease->cluster_end;
	hrtimer_start(&lease->timer, lease->expires, HRTIMER_MODE_ABS_SOFT);
}

/*
 * A lease id is (sequence << DLEASE_SLOT_BITS) | slot: the sequence makes
 * ids unique and increasing within the session, the slot is a small
 * recycled index into the session's xarray, which stays shallow (a
 * session with one lease needs no xarray node at all).
 */
static u32 dlease_slot(u64 id)
{
	return id & (DLEASE_SLOTS - 1);
}

/**
 * dlease_publish() - make a request visible to lookups by id
 * @lease: the request, its resource locked
 */
void dlease_publish(struct dlease_lease *lease)
{
	void *old;

	/* Into the slot reserved by dlease_lease_new(): never allocates. */
	old = xa_store_bh(&lease->sess->leases, dlease_slot(lease->id), lease,
			  GFP_ATOMIC);
	WARN_ON_ONCE(xa_is_err(old));
	lease->published = true;
}

/* Takes the request out of its session's xarray, or frees its slot. */
static void dlease_unpublish(struct dlease_lease *lease)
{
	struct xarray *xa = &lease->sess->leases;
	u32 slot = dlease_slot(lease->id);

	if (lease->published)
		xa_erase_bh(xa, slot);
	else
		xa_cmpxchg_bh(xa, slot, XA_ZERO_ENTRY, NULL, 0);
}

/**
 * dlease_post_break() - tell every holder how many wait behind it
 * @res: the resource, locked
 */
void dlease_post_break(struct dlease_resource *res)
{
	struct dlease_lease *holder;

	list_for_each_entry(holder, &res->holders, node) {
		dlease_event_post(holder->sess, DLEASE_EV_BREAK, holder,
				  res->nwaiters);
		dlease_transition(holder, DLEASE_EV_BREAK);
	}
}

/**
 * dlease_grant() - make a request a holder
 * @res: its resource, locked
 * @lease: the request, out of the queue
 * @now: the time of the grant
 *
 * A cluster lease keeps the token the cluster gave it; others get the
 * namespace's next token.
 */
void dlease_grant(struct dlease_resource *res, struct dlease_lease *lease,
		  ktime_t now)
{
	if (!lease->cluster)
		lease->token = atomic64_inc_return(&res->dn->last_token);
	lease->granted_at = now;
	res->held_mode = lease->mode;
	res->nholders++;
	list_add_tail(&lease->node, &res->holders);
	dlease_arm(lease, now, lease->ttl_ns);
	/* Pairs with the lockless check in dlease_wait(). */
	smp_store_release(&lease->state, DLEASE_STATE_HELD);
	dlease_transition(lease, DLEASE_EV_GRANTED);
}

/* Grants the compatible run at the head of the queue, and only that. */
static void dlease_grant_waiters(struct dlease_resource *res)
{
	struct dlease_lease *lease, *next;
	bool granted = false;
	int cluster_err = 0;
	ktime_t now = 0;

	list_for_each_entry_safe(lease, next, &res->waiters, node) {
		if (!dlease_compatible(res, lease->mode))
			break;
		if (lease->cluster) {
			/* Its grant is the bridge's to give. */
			if (dlease_cluster_forward(lease, &cluster_err))
				break;
			continue;
		}
		if (!granted)
			now = ktime_get();
		granted = true;
		list_del(&lease->node);
		res->nwaiters--;
		dlease_grant(res, lease, now);
		if (lease->async) {
			dlease_event_post(lease->sess, DLEASE_EV_GRANTED,
					  lease, 0);
		} else {
			dlease_publish(lease);
			wake_up_process(lease->waiter);
		}
	}
	if (granted && res->nwaiters)
		dlease_post_break(res);
}

/**
 * dlease_unlink() - take a live lease or request out of everything
 * @lease: it, its resource locked
 * @event: the event that tells the holder why (DLEASE_EV_*), or 0
 *
 * Out of its resource, its session and (cluster) the bridge's handles.
 * Does not grant the next waiters: see dlease_kill().
 */
void dlease_unlink(struct dlease_lease *lease, u32 event)
{
	struct dlease_resource *res = lease->res;
	struct dlease_session *sess = lease->sess;

	lockdep_assert_held(&res->lock);

	list_del(&lease->node);
	if (lease->state == DLEASE_STATE_WAITING)
		res->nwaiters--;
	else if (!--res->nholders)
		res->held_mode = 0;
	if (event)
		dlease_event_post(sess, event, lease, 0);
	dlease_transition(lease, event ?: DLEASE_EV_RELEASED);
	if (lease->cluster)
		dlease_cluster_unlink(lease);
	WRITE_ONCE(lease->state, DLEASE_STATE_DEAD);
	dlease_quota_uncharge(sess);
	/*
	 * The last use of the session: once the lease is out of the xarray,
	 * a closing session no longer waits for it and may be freed.
	 */
	dlease_unpublish(lease);
}

/**
 * dlease_kill() - end a live lease or request
 * @lease: it, its resource locked
 * @event: the event that tells the holder why (DLEASE_EV_*), or 0
 *
 * Unlinks it, wakes its acquirer if one is blocked on it (a request
 * ended by the bridge, by a release of its id, or granted too late) and
 * grants the next waiters.  The caller then cancels the timer (unless it
 * is the timer) and drops the live reference, after unlocking.
 */
void dlease_kill(struct dlease_lease *lease, u32 event)
{
	struct dlease_resource *res = lease->res;

	dlease_unlink(lease, event);
	if (lease->waiter)
		wake_up_process(lease->waiter);
	dlease_grant_waiters(res);
	dlease_resource_unhash_if_idle(res);
}

static enum hrtimer_restart dlease_timer_fn(struct hrtimer *timer)
{
	struct dlease_lease *lease = container_of(timer, struct dlease_lease,
						  timer);
	struct dlease_resource *res = lease->res;
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	bool ended = false;

	spin_lock(&res->lock);
	/*
	 * Renewed while this callback waited for the lock: the renewal
	 * queued the timer again (all arming is under res->lock), and the
	 * queued timer is the one that counts.
	 */
	if (hrtimer_is_queued(timer)) {
		spin_unlock(&res->lock);
		return HRTIMER_NORESTART;
	}
	switch (lease->state) {
	case DLEASE_STATE_HELD:
		if (lease->grace_ns) {
			lease->state = DLEASE_STATE_LATE;
			dlease_event_post(lease->sess, DLEASE_EV_LATE, lease, 0);
			dlease_transition(lease, DLEASE_EV_LATE);
			hrtimer_set_expires(timer, dlease_deadline(lease));
			ret = HRTIMER_RESTART;
			break;
		}
		fallthrough;
	case DLEASE_STATE_LATE:
		dlease_kill(lease, DLEASE_EV_EXPIRED);
		ended = true;
		break;
	default:
		/* Released meanwhile; whoever did it cancels this timer. */
		break;
	}
	spin_unlock(&res->lock);
	if (ended)
		dlease_lease_put(lease);
	return ret;
}

/* Ends @lease from process context, unless it is dead already. */
static int dlease_end(struct dlease_lease *lease)
{
	struct dlease_resource *res = lease->res;
	bool live;

	spin_lock_bh(&res->lock);
	live = lease->state != DLEASE_STATE_DEAD;
	/* A blocked acquirer whose id got out (cluster WAIT) hears ESTALE. */
	if (live)
		dlease_kill(lease, 0);
	spin_unlock_bh(&res->lock);
	if (!live)
		return -ESTALE;
	hrtimer_cancel(&lease->timer);
	dlease_lease_put(lease);
	return 0;
}

/*
 * Finds a published lease of the session by id and takes a reference.
 * Ids are never reused, so an id not above the last one allocated that
 * is not there is stale.
 */
static struct dlease_lease *dlease_lookup(struct dlease_session *sess, u64 id)
{
	struct dlease_lease *lease;

	xa_lock_bh(&sess->leases);
	lease = xa_load(&sess->leases, dlease_slot(id));
	if (lease && lease->id == id)
		refcount_inc(&lease->ref);
	else
		lease = ERR_PTR(id && id <= sess->last_id ? -ESTALE : -ENOENT);
	xa_unlock_bh(&sess->leases);
	return lease;
}

/**
 * dlease_lease_find() - find a lease of a session by id
 * @sess: the session
 * @id: the lease id
 *
 * Return: the lease with a reference (drop it with dlease_lease_drop()),
 * or ERR_PTR(-ENOENT) or ERR_PTR(-ESTALE).
 */
struct dlease_lease *dlease_lease_find(struct dlease_session *sess, u64 id)
{
	return dlease_lookup(sess, id);
}

/**
 * dlease_lease_drop() - drop a reference taken by dlease_lease_find()
 * @lease: the lease
 */
void dlease_lease_drop(struct dlease_lease *lease)
{
	dlease_lease_put(lease);
}

static struct dlease_lease *dlease_lease_new(struct dlease_session *sess,
					     const struct dlease_acquire *req)
{
	struct dlease_lease *lease;
	u32 slot;
	int err;

	lease = kmem_cache_zalloc(dlease_lease_cache, GFP_KERNEL_ACCOUNT);
	if (!lease)
		return ERR_PTR(-ENOMEM);
	refcount_set(&lease->ref, 2);	/* live, and the caller's */
	lease->pid = get_task_pid(current, PIDTYPE_TGID);
	get_task_comm(lease->comm, current);
	lease->state = DLEASE_STATE_NEW;
	lease->mode = req->mode;
	lease->async = req->flags & DLEASE_ACQ_ASYNC;
	lease->sess = sess;
	lease->cookie = req->cookie;
	lease->ttl_ns = req->ttl_ns;
	lease->grace_ns = req->grace_ns;
	lease->cluster = req->flags & DLEASE_ACQ_CLUSTER;
	lease->ctry = lease->cluster && (req->flags & DLEASE_ACQ_TRY);
	INIT_LIST_HEAD(&lease->node);
	dlease_hrtimer_setup(&lease->timer, dlease_timer_fn, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS_SOFT);

	/* Reserve a slot now (may sleep); it is stored under res->lock. */
	err = xa_alloc_bh(&sess->leases, &slot, NULL,
			  XA_LIMIT(0, DLEASE_SLOTS - 1), GFP_KERNEL_ACCOUNT);
	if (!err && lease->cluster) {
		err = dlease_cluster_reserve(lease);
		if (err)
			xa_cmpxchg_bh(&sess->leases, slot, XA_ZERO_ENTRY, NULL, 0);
	}
	if (err) {
		put_pid(lease->pid);
		kmem_cache_free(dlease_lease_cache, lease);
		return ERR_PTR(err == -EBUSY ? -EDQUOT : err);
	}
	xa_lock_bh(&sess->leases);
	lease->id = (++sess->last_seq << DLEASE_SLOT_BITS) | slot;
	sess->last_id = lease->id;
	xa_unlock_bh(&sess->leases);
	return lease;
}

/* Undoes dlease_lease_new() for a request that never entered a queue. */
static void dlease_lease_abort(struct dlease_lease *lease)
{
	if (lease->cluster)
		dlease_cluster_unreserve(lease);
	dlease_unpublish(lease);
	refcount_dec(&lease->ref);
	dlease_lease_put(lease);
}

/* The end of a blocking wait; a deadline past what ktime holds is none. */
static ktime_t dlease_wait_deadline(const struct dlease_acquire *req,
				    ktime_t now)
{
	if (req->flags & DLEASE_ACQ_ABSTIME)
		return min_t(u64, req->timeout_ns, KTIME_MAX);
	return ktime_add_safe(now, min_t(u64, req->timeout_ns, KTIME_MAX));
}

/* Nanoseconds until @deadline, at least 1 (0 would mean "no limit"). */
static u64 dlease_time_left(ktime_t deadline)
{
	return max_t(s64, 1, ktime_to_ns(ktime_sub(deadline, ktime_get())));
}

/*
 * Sleeps until the request is granted, the deadline passes or a signal
 * comes.  A request that is not granted leaves the queue.  After a signal
 * the call restarts when that keeps its meaning: at once without a
 * timeout or with an absolute one; with a relative one only if no handler
 * ran, and with the time that was left, which is also what the caller
 * finds in timeout_ns after EINTR.
 */
static int dlease_wait(struct dlease_lease *lease, struct dlease_acquire *req)
{
	struct dlease_resource *res = lease->res;
	ktime_t deadline, *until = NULL;
	bool timed_out = false, ended;
	int err = 0;

	if (req->timeout_ns) {
		deadline = dlease_wait_deadline(req, lease->queued_at);
		until = &deadline;
	}
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		/* Pairs with smp_store_release() in dlease_grant(). */
		if (smp_load_acquire(&lease->state) != DLEASE_STATE_WAITING)
			break;
		if (timed_out) {
			dlease_stats_inc(res->dn, DLEASE_C_TIMEOUTS);
			err = -ETIMEDOUT;
			break;
		}
		if (signal_pending(current)) {
			dlease_stats_inc(res->dn, DLEASE_C_INTERRUPTS);
			err = -ERESTARTSYS;
			if (until && !(req->flags & DLEASE_ACQ_ABSTIME)) {
				err = -ERESTARTNOHAND;
				req->timeout_ns = dlease_time_left(deadline);
			}
			break;
		}
		timed_out = !schedule_hrtimeout_range(until,
						      current->timer_slack_ns,
						      HRTIMER_MODE_ABS);
	}
	__set_current_state(TASK_RUNNING);

	spin_lock_bh(&res->lock);
	lease->waiter = NULL;
	ended = lease->state == DLEASE_STATE_WAITING;
	if (ended)
		dlease_kill(lease, 0);
	else if (lease->state == DLEASE_STATE_DEAD && lease->cluster_err)
		err = lease->cluster_err;	/* the cluster said no */
	else
		err = 0;	/* granted after all */
	spin_unlock_bh(&res->lock);
	if (ended)
		dlease_lease_put(lease);	/* never armed */
	return err;
}

/* A cluster TRY waits for the cluster's answer, at most bridge-timeout. */
static int dlease_wait_cluster_try(struct dlease_lease *lease,
				   const struct dlease_acquire *req)
{
	struct dlease_acquire bounded = *req;

	bounded.flags &= ~DLEASE_ACQ_ABSTIME;
	bounded.timeout_ns = READ_ONCE(lease->res->dn->limits.bridge_timeout_ns);
	return dlease_wait(lease, &bounded);
}

/* Queues a cluster request; the queue forwards its head to the bridge. */
static int dlease_enqueue_cluster(struct dlease_resource *res,
				  struct dlease_lease *lease, u32 flags)
{
	bool free = list_empty(&res->waiters) &&
		    dlease_compatible(res, lease->mode);

	if (flags & DLEASE_ACQ_TRY && !free)
		return -EAGAIN;
	if (res->nwaiters >= READ_ONCE(res->dn->limits.max_waiters)) {
		dlease_stats_inc(res->dn, DLEASE_C_QUOTA_HITS);
		return -ENOSPC;
	}
	lease->state = DLEASE_STATE_WAITING;
	lease->waiter = current;
	list_add_tail(&lease->node, &res->waiters);
	res->nwaiters++;
	dlease_transition(lease, DLEASE_EV_QUEUED);
	if (free)
		dlease_grant_waiters(res);	/* to the bridge */
	else
		dlease_post_break(res);
	return 0;
}

/* Grants at once, queues, or fails; called with res->lock held. */
static int dlease_enqueue(struct dlease_resource *res,
			  struct dlease_lease *lease, u32 flags)
{
	ktime_t now = ktime_get();

	lease->queued_at = now;
	if (lease->cluster)
		return dlease_enqueue_cluster(res, lease, flags);
	if (list_empty(&res->waiters) && dlease_compatible(res, lease->mode)) {
		dlease_grant(res, lease, now);
		dlease_publish(lease);
		return 0;
	}
	if (flags & DLEASE_ACQ_TRY)
		return -EAGAIN;
	if (res->nwaiters >= READ_ONCE(res->dn->limits.max_waiters)) {
		dlease_stats_inc(res->dn, DLEASE_C_QUOTA_HITS);
		return -ENOSPC;
	}
	lease->state = DLEASE_STATE_WAITING;
	if (lease->async)
		dlease_publish(lease);
	else
		lease->waiter = current;
	list_add_tail(&lease->node, &res->waiters);
	res->nwaiters++;
	dlease_transition(lease, DLEASE_EV_QUEUED);
	dlease_post_break(res);
	return 0;
}

/*
 * Reports the outcome; a lease that was granted but already ended (a very
 * short TTL, or released by id from another thread) is -ESTALE.
 */
static int dlease_acquire_result(struct dlease_lease *lease,
				 struct dlease_acquire *req)
{
	struct dlease_resource *res = lease->res;
	int err = 0;

	spin_lock_bh(&res->lock);
	/* Granted before it slept: nobody may wake this task from now on. */
	lease->waiter = NULL;
	if (lease->state == DLEASE_STATE_DEAD)
		err = lease->cluster_err ?: -ESTALE;
	req->lease_id = lease->id;
	req->state = lease->state == DLEASE_STATE_WAITING ?
		     DLEASE_STATE_WAITING : DLEASE_STATE_HELD;
	req->token = lease->token;
	req->expires_ns = lease->token ? ktime_to_ns(lease->expires) : 0;
	spin_unlock_bh(&res->lock);
	return err;
}

/**
 * dlease_acquire() - ask for a lease
 * @sess: the caller's session
 * @req: the validated request; its out fields are filled on success
 * @name: the name, req->name_len bytes, in kernel memory
 *
 * Context: process context; sleeps for a blocking request.
 * Return: 0, or a negative errno as documented for DLEASE_IOC_ACQUIRE.
 */
int dlease_acquire(struct dlease_session *sess, struct dlease_acquire *req,
		   const u8 *name)
{
	struct dlease_key key = {
		.name = name, .len = req->name_len,
		.cluster = req->flags & DLEASE_ACQ_CLUSTER,
	};
	struct dlease_resource *res;
	struct dlease_lease *lease;
	int err;

	dlease_stats_inc(sess->dn, DLEASE_C_ACQUIRES);
	err = dlease_quota_charge(sess);
	if (err) {
		dlease_stats_inc(sess->dn, DLEASE_C_QUOTA_HITS);
		return err;
	}
	lease = dlease_lease_new(sess, req);
	if (IS_ERR(lease)) {
		err = PTR_ERR(lease);
		goto err_uncharge;
	}
	for (;;) {
		res = dlease_resource_get(sess->dn, &key);
		if (IS_ERR(res)) {
			err = PTR_ERR(res);
			goto err_abort;
		}
		spin_lock_bh(&res->lock);
		if (!res->unhashed)
			break;
		/* Emptied and dropped meanwhile: make a new one. */
		spin_unlock_bh(&res->lock);
		dlease_resource_put(res);
	}
	lease->res = res;	/* with the reference taken for it */
	err = dlease_enqueue(res, lease, req->flags);
	if (err) {
		dlease_resource_unhash_if_idle(res);
		spin_unlock_bh(&res->lock);
		goto err_abort;
	}
	if (lease->async && lease->state == DLEASE_STATE_HELD)
		dlease_event_post(sess, DLEASE_EV_GRANTED, lease, 0);
	/* A cluster request may have failed at once (no bridge). */
	dlease_resource_unhash_if_idle(res);
	spin_unlock_bh(&res->lock);

	if (!lease->async && READ_ONCE(lease->state) == DLEASE_STATE_WAITING) {
		err = lease->ctry ? dlease_wait_cluster_try(lease, req) :
				    dlease_wait(lease, req);
		if (err)
			goto out;
	}
	err = dlease_acquire_result(lease, req);
out:
	dlease_lease_put(lease);
	return err;

err_abort:
	dlease_lease_abort(lease);
err_uncharge:
	dlease_quota_uncharge(sess);
	return err;
}

/**
 * dlease_renew() - extend a held lease
 * @sess: the caller's session
 * @req: the validated request; token, expires_ns, out_flags are filled
 *
 * Return: 0, or a negative errno as documented for DLEASE_IOC_RENEW.
 */
int dlease_renew(struct dlease_session *sess, struct dlease_renew *req)
{
	struct dlease_lease *lease;
	struct dlease_resource *res;
	int err = 0;

	lease = dlease_lookup(sess, req->lease_id);
	if (IS_ERR(lease))
		return PTR_ERR(lease);
	if (lease->cluster) {
		err = dlease_cluster_renew(lease, req);
		dlease_lease_put(lease);
		return err;
	}
	res = lease->res;
	spin_lock_bh(&res->lock);
	switch (lease->state) {
	case DLEASE_STATE_HELD:
	case DLEASE_STATE_LATE:
		req->out_flags = 0;
		if (lease->state == DLEASE_STATE_LATE) {
			req->out_flags = DLEASE_RENEW_WAS_LATE;
			dlease_stats_inc(sess->dn, DLEASE_C_LATE_RENEWALS);
		}
		lease->state = DLEASE_STATE_HELD;
		dlease_arm(lease, ktime_get(), req->ttl_ns ?: lease->ttl_ns);
		req->token = lease->token;
		req->expires_ns = ktime_to_ns(lease->expires);
		dlease_event_post(sess, DLEASE_EV_RENEWED, lease, 0);
		dlease_transition(lease, DLEASE_EV_RENEWED);
		break;
	case DLEASE_STATE_WAITING:
		err = -EBUSY;
		break;
	default:
		err = -ESTALE;
		break;
	}
	spin_unlock_bh(&res->lock);
	dlease_lease_put(lease);
	return err;
}

/**
 * dlease_release() - give up a lease or cancel an asynchronous request
 * @sess: the caller's session
 * @id: the lease id
 *
 * Return: 0, -ENOENT or -ESTALE.
 */
int dlease_release(struct dlease_session *sess, u64 id)
{
	struct dlease_lease *lease;
	int err;

	lease = dlease_lookup(sess, id);
	if (IS_ERR(lease))
		return PTR_ERR(lease);
	err = dlease_end(lease);
	dlease_lease_put(lease);
	return err;
}

/**
 * dlease_query() - report the state of a lease
 * @sess: the caller's session
 * @q: the validated request; the out fields are filled
 * @name: a DLEASE_NAME_MAX buffer that receives the name
 *
 * Return: 0, -ENOENT or -ESTALE.
 */
int dlease_query(struct dlease_session *sess, struct dlease_query *q, u8 *name)
{
	struct dlease_lease *lease;
	struct dlease_resource *res;
	int err = 0;

	lease = dlease_lookup(sess, q->lease_id);
	if (IS_ERR(lease))
		return PTR_ERR(lease);
	res = lease->res;
	spin_lock_bh(&res->lock);
	if (lease->state == DLEASE_STATE_DEAD) {
		err = -ESTALE;
		goto out;
	}
	q->state = lease->state;
	q->mode = lease->mode;
	q->token = 0;
	q->expires_ns = 0;
	q->deadline_ns = 0;
	q->waiters = res->nwaiters;
	q->holders = res->nholders;
	q->ttl_ns = lease->ttl_ns;
	q->grace_ns = lease->grace_ns;
	q->cookie = lease->cookie;
	q->cluster_place = lease->cluster_place;
	q->wait_until_ns = ktime_to_ns(lease->wait_until);
	if (lease->state != DLEASE_STATE_WAITING) {
		q->token = lease->token;
		q->expires_ns = ktime_to_ns(lease->expires);
		q->deadline_ns = ktime_to_ns(dlease_deadline(lease));
	}
	q->name_len = res->key.len;
	memcpy(name, res->name, res->key.len);
out:
	spin_unlock_bh(&res->lock);
	dlease_lease_put(lease);
	return err;
}

/**
 * dlease_session_release_all() - end every lease and request of a session
 * @sess: the session, which no ioctl uses any more
 *
 * The next waiters of every resource concerned are granted at once.
 */
void dlease_session_release_all(struct dlease_session *sess)
{
	struct dlease_lease *lease;
	unsigned long index = 0;

	WRITE_ONCE(sess->closing, true);
	/* each lease leaves the xarray as it ends: look on from its index */
	while ((lease = dlease_xa_next_lease(&sess->leases, &index))) {
		dlease_end(lease);
		dlease_lease_put(lease);
	}
}

/**
 * dlease_lease_init() - create the lease slab cache
 *
 * Return: 0 or -ENOMEM.
 */
int dlease_lease_init(void)
{
	dlease_lease_cache = KMEM_CACHE(dlease_lease, SLAB_ACCOUNT);
	return dlease_lease_cache ? 0 : -ENOMEM;
}

/**
 * dlease_lease_exit() - destroy the lease slab cache
 *
 * Every session is closed (the module is referenced by open files), but
 * a lease timer may still be finishing on another CPU, and resources are
 * freed after an RCU grace period: wait for both.
 */
void dlease_lease_exit(void)
{
	/* Softirq callbacks are RCU readers: wait for running timers. */
	synchronize_rcu();
	rcu_barrier();
	kmem_cache_destroy(dlease_lease_cache);
}
