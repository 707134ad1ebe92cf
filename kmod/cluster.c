// SPDX-License-Identifier: GPL-2.0
/*
 * Cluster leases: the part of the lease engine that talks to the bridge.
 *
 * A cluster request queues locally like any other.  When it reaches the
 * head of its queue and nobody holds the resource, it is forwarded to the
 * bridge of the namespace under a handle, and the queue waits for the
 * bridge's answer.  The handle names the lease towards the bridge until it
 * ends; ending it sends a release.  A handle is an index in dn->handles,
 * reserved when the request is made so that forwarding never allocates,
 * with a namespace-wide sequence number above it, so that an answer meant
 * for an earlier user of the same index is never taken for this one.
 * Each forwarded lease also remembers which registration of the bridge it
 * went to: a bridge that registers later knows nothing of it.
 *
 * While it waits for the bridge, a request may hear WAIT answers: its place
 * in the cluster's line and when the bridge expects to grant it.  They are
 * kept on the request (for DLEASE_IOC_QUERY and dumps) and passed on to its
 * session as DLEASE_EV_WAIT.  As the event tells its id, the request is
 * published then: QUERY and RELEASE (a cancel) find it by id.
 *
 * The local expiry of a cluster lease is never later than the cluster's
 * expiry less the drift margin; a renewal goes to the bridge and waits for
 * its answer.  When the bridge goes away, pending requests fail with
 * ENOLINK and held leases run out at their local deadline: fail closed.
 */

#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "dlease.h"

/**
 * dlease_cluster_reserve() - take the handle of a new cluster request
 * @lease: the request, not yet queued
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int dlease_cluster_reserve(struct dlease_lease *lease)
{
	struct dlease_net *dn = lease->sess->dn;
	u32 index;

	if (xa_alloc_bh(&dn->handles, &index, NULL, xa_limit_32b,
			GFP_KERNEL_ACCOUNT))
		return -ENOMEM;
	lease->handle = (u64)atomic_inc_return(&dn->handle_seq) << 32 | index;
	return 0;
}

static u32 dlease_handle_index(u64 handle)
{
	return lower_32_bits(handle);
}

/**
 * dlease_cluster_unreserve() - give back the handle of a request
 * @lease: the request
 *
 * Context: any but hard interrupt.
 */
void dlease_cluster_unreserve(struct dlease_lease *lease)
{
	struct xarray *xa = &lease->sess->dn->handles;
	u32 index = dlease_handle_index(lease->handle);

	if (lease->forwarded)
		xa_erase_bh(xa, index);
	else
		xa_cmpxchg_bh(xa, index, XA_ZERO_ENTRY, NULL, 0);
}

/* Ends a request that cannot go on, from where its queue is granted. */
static void dlease_cluster_fail(struct dlease_lease *lease, int err)
{
	lease->cluster_err = err;
	dlease_unlink(lease, 0);
	if (lease->waiter)
		wake_up_process(lease->waiter);
	/* The live reference; the waiting acquirer holds another. */
	dlease_lease_drop(lease);
}

/**
 * dlease_cluster_forward() - forward the head of a queue to the bridge
 * @lease: the cluster request at the head, nothing held on its resource
 * @err: 0, or the error an earlier forward of this pass failed with: the
 *	bridge cannot be reached, so fail this one too without trying
 *
 * Context: under res->lock.
 * Return: true if the request is (now or already) with the bridge, false
 * if it failed and left the queue (the caller goes on with the next one).
 */
bool dlease_cluster_forward(struct dlease_lease *lease, int *err)
{
	struct xarray *xa = &lease->sess->dn->handles;
	u32 index = dlease_handle_index(lease->handle);
	void *old;

	if (lease->forwarded)
		return true;
	if (!*err) {
		/* Findable before it is sent: the answer may be quick. */
		old = xa_store_bh(xa, index, lease, GFP_ATOMIC);
		WARN_ON_ONCE(xa_is_err(old));
		lease->forwarded = true;
		*err = dlease_bridge_send(lease, DLEASE_BRIDGE_OP_ACQUIRE);
		if (!*err)
			return true;
		/* Back to a reservation (a NULL store in an ALLOC xarray). */
		xa_store_bh(xa, index, NULL, GFP_ATOMIC);
		lease->forwarded = false;
	}
	dlease_cluster_fail(lease, *err);
	return false;
}

/* Wakes the task renewing a cluster lease, with its outcome. */
static void dlease_cluster_renew_done(struct dlease_lease *lease, int err)
{
	lease->renewing = false;
	lease->renew_err = err;
	if (lease->renewer)
		wake_up_process(lease->renewer);
}

/**
 * dlease_cluster_unlink() - a cluster lease or request is ending
 * @lease: it, still live
 *
 * Tells the bridge (release of a lease, or cancel of a request) and gives
 * back the handle.
 *
 * Context: under res->lock.
 */
void dlease_cluster_unlink(struct dlease_lease *lease)
{
	/*
	 * Not for a request the cluster refused (it holds nothing of it),
	 * nor to a bridge that registered after it was forwarded.
	 */
	if (lease->forwarded && !lease->denied &&
	    lease->bridge_gen == READ_ONCE(lease->sess->dn->bridge_gen))
		dlease_bridge_send(lease, DLEASE_BRIDGE_OP_RELEASE);
	if (lease->renewing)
		dlease_cluster_renew_done(lease, -ESTALE);
	dlease_cluster_unreserve(lease);
	lease->forwarded = false;
}

/* When the cluster's lease ends for this host: its expiry less margin. */
static int dlease_cluster_end(struct dlease_lease *lease, u64 expires)
{
	u64 margin = READ_ONCE(lease->sess->dn->limits.cluster_margin_ns);

	expires = min_t(u64, expires, KTIME_MAX);
	if (expires <= margin ||
	    !ktime_after(ns_to_ktime(expires - margin), ktime_get()))
		return -ETIMEDOUT;
	lease->cluster_end = ns_to_ktime(expires - margin);
	return 0;
}

static int dlease_cluster_grant(struct dlease_lease *lease,
				const struct dlease_answer *a)
{
	struct dlease_resource *res = lease->res;
	int err;

	if (lease->state != DLEASE_STATE_WAITING || !lease->forwarded ||
	    list_first_entry(&res->waiters, struct dlease_lease, node) != lease)
		return -ESTALE;
	err = dlease_cluster_end(lease, a->expires);
	if (err) {
		/* Granted too late to be of use: fail closed. */
		lease->cluster_err = err;
		dlease_kill(lease, 0);
		return 1;
	}
	list_del(&lease->node);
	res->nwaiters--;
	lease->token = a->token;
	lease->cluster_place = 0;
	lease->wait_until = 0;
	dlease_grant(res, lease, ktime_get());
	dlease_publish(lease);
	if (lease->waiter)
		wake_up_process(lease->waiter);
	if (res->nwaiters)
		dlease_post_break(res);
	return 0;
}

static void dlease_cluster_renewed(struct dlease_lease *lease,
				   const struct dlease_answer *a)
{
	int err = dlease_cluster_end(lease, a->expires);

	if (!err) {
		dlease_arm(lease, ktime_get(), lease->renew_ttl);
		dlease_event_post(lease->sess, DLEASE_EV_RENEWED, lease, 0);
		dlease_transition(lease, DLEASE_EV_RENEWED);
	}
	dlease_cluster_renew_done(lease, err);
}

/*
 * The cluster's lease is held elsewhere: where the request stands.  A
 * request that is no longer pending gets -ESTALE, like other answers that
 * come too late; a pending TRY is never in the cluster's line (-EINVAL:
 * the bridge got it wrong).
 */
static int dlease_cluster_wait(struct dlease_lease *lease,
			       const struct dlease_answer *a)
{
	if (lease->state != DLEASE_STATE_WAITING || !lease->forwarded)
		return -ESTALE;
	if (lease->ctry)
		return -EINVAL;
	lease->cluster_place = a->count;
	lease->wait_until = ns_to_ktime(min_t(u64, a->expires, KTIME_MAX));
	/* The event names it: from now on it can be found by its id. */
	dlease_publish(lease);
	dlease_event_post(lease->sess, DLEASE_EV_WAIT, lease, a->count);
	dlease_transition(lease, DLEASE_EV_WAIT);
	return 0;
}

/*
 * Applies one answer to its lease under res->lock.  Returns 1 if the
 * lease was ended (the caller drops the live reference), 0 if applied,
 * or a negative errno if the answer fits no pending request.
 */
static int dlease_cluster_apply(struct dlease_lease *lease,
				const struct dlease_answer *a)
{
	bool held = lease->state == DLEASE_STATE_HELD;

	switch (a->result) {
	case DLEASE_BRIDGE_RESULT_GRANT:
		return dlease_cluster_grant(lease, a);
	case DLEASE_BRIDGE_RESULT_DENY:
		if (lease->state != DLEASE_STATE_WAITING)
			return -ESTALE;
		lease->cluster_err = -(int)a->error;
		lease->denied = true;
		dlease_kill(lease, 0);
		return 1;
	case DLEASE_BRIDGE_RESULT_RENEWED:
		if (!held || !lease->renewing)
			return -ESTALE;
		dlease_cluster_renewed(lease, a);
		return 0;
	case DLEASE_BRIDGE_RESULT_LOST:
		if (!held)
			return -ESTALE;
		/* The renewer, if any, hears ESTALE from the unlink. */
		dlease_kill(lease, DLEASE_EV_REVOKED);
		return 1;
	case DLEASE_BRIDGE_RESULT_BREAK:
		if (!held)
			return -ESTALE;
		dlease_event_post(lease->sess, DLEASE_EV_BREAK, lease,
				  a->count);
		dlease_transition(lease, DLEASE_EV_BREAK);
		return 0;
	case DLEASE_BRIDGE_RESULT_WAIT:
		return dlease_cluster_wait(lease, a);
	}
	return -EINVAL;
}

/* The lease of a handle, with a reference, or NULL. */
static struct dlease_lease *dlease_handle_lease(struct dlease_net *dn,
						u64 handle)
{
	struct dlease_lease *lease;

	xa_lock_bh(&dn->handles);
	lease = xa_load(&dn->handles, dlease_handle_index(handle));
	if (lease && lease->handle == handle)
		refcount_inc(&lease->ref);
	else
		lease = NULL;
	xa_unlock_bh(&dn->handles);
	return lease;
}

/**
 * dlease_cluster_answer() - apply the bridge's answer to a request
 * @dn: the namespace's state
 * @a: the answer, checked for form by the netlink policy
 *
 * Context: process context.
 * Return: 0, -ENOENT (no such handle), -ESTALE (the request or lease is no
 * longer in the state the answer is for), -EINVAL (a WAIT for a TRY).
 */
int dlease_cluster_answer(struct dlease_net *dn, const struct dlease_answer *a)
{
	struct dlease_lease *lease = dlease_handle_lease(dn, a->handle);
	int ret;

	if (!lease)
		return -ENOENT;
	spin_lock_bh(&lease->res->lock);
	/* Only the registration of the bridge it was forwarded to. */
	ret = lease->bridge_gen == READ_ONCE(dn->bridge_gen) ?
	      dlease_cluster_apply(lease, a) : -ESTALE;
	spin_unlock_bh(&lease->res->lock);
	if (ret == 1) {
		hrtimer_cancel(&lease->timer);
		dlease_lease_drop(lease);	/* the live reference */
		ret = 0;
	}
	dlease_lease_drop(lease);
	return ret;
}

/**
 * dlease_cluster_renew() - renew a cluster lease through the bridge
 * @lease: the lease, with a reference held by the caller
 * @req: the validated request; filled on success
 *
 * Waits for the bridge's answer, at most the namespace's bridge timeout.
 *
 * Return: 0, or -EBUSY, -ENOLINK, -ETIMEDOUT, -EINTR, -ESTALE.
 */
int dlease_cluster_renew(struct dlease_lease *lease, struct dlease_renew *req)
{
	struct dlease_resource *res = lease->res;
	ktime_t until = ktime_add_ns(ktime_get(),
				     READ_ONCE(res->dn->limits.bridge_timeout_ns));
	bool timed_out = false;
	int err = 0;

	spin_lock_bh(&res->lock);
	if (lease->state != DLEASE_STATE_HELD)
		err = lease->state == DLEASE_STATE_WAITING ? -EBUSY : -ESTALE;
	else if (lease->renewing)
		err = -EBUSY;
	else if (lease->bridge_gen != READ_ONCE(res->dn->bridge_gen))
		err = -ENOLINK;		/* its bridge is gone */
	if (!err) {
		lease->renew_ttl = req->ttl_ns ?: lease->ttl_ns;
		err = dlease_bridge_send(lease, DLEASE_BRIDGE_OP_RENEW);
	}
	if (!err) {
		lease->renewing = true;
		lease->renew_err = 0;
		lease->renewer = current;
	}
	spin_unlock_bh(&res->lock);
	if (err)
		return err;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!READ_ONCE(lease->renewing) ||
		    READ_ONCE(lease->state) == DLEASE_STATE_DEAD)
			break;
		if (timed_out || signal_pending(current))
			break;
		timed_out = !schedule_hrtimeout(&until, HRTIMER_MODE_ABS);
	}
	__set_current_state(TASK_RUNNING);

	spin_lock_bh(&res->lock);
	lease->renewer = NULL;
	if (lease->state == DLEASE_STATE_DEAD) {
		err = -ESTALE;
	} else if (lease->renewing) {
		/* No answer: the lease keeps its deadline. */
		lease->renewing = false;
		err = timed_out ? -ETIMEDOUT : -EINTR;
	} else {
		err = lease->renew_err;
		req->out_flags = 0;
		req->token = lease->token;
		req->expires_ns = ktime_to_ns(lease->expires);
	}
	spin_unlock_bh(&res->lock);
	return err;
}

/* What the loss of the bridge does to one lease; under res->lock. */
static bool dlease_cluster_orphan(struct dlease_lease *lease, u32 gen)
{
	if (lease->bridge_gen != gen)
		return false;	/* forwarded to a later registration */
	if (lease->state == DLEASE_STATE_WAITING && lease->forwarded) {
		lease->cluster_err = -ENOLINK;
		dlease_kill(lease, 0);
		return true;
	}
	/* A held lease runs out at its deadline: it cannot be renewed. */
	if (lease->renewing)
		dlease_cluster_renew_done(lease, -ENOLINK);
	return false;
}

/**
 * dlease_cluster_bridge_gone() - the bridge of a namespace went away
 * @dn: the namespace's state
 * @gen: the registration that ended
 *
 * Pending requests fail with ENOLINK; renewals under way fail with
 * ENOLINK; held leases keep their local deadline and expire at it.
 *
 * Context: process context.
 */
void dlease_cluster_bridge_gone(struct dlease_net *dn, u32 gen)
{
	struct dlease_lease *lease;
	unsigned long index = 0;
	bool ended;

	while ((lease = dlease_xa_next_lease(&dn->handles, &index))) {
		index++;
		spin_lock_bh(&lease->res->lock);
		ended = lease->state != DLEASE_STATE_DEAD &&
			dlease_cluster_orphan(lease, gen);
		spin_unlock_bh(&lease->res->lock);
		if (ended)
			dlease_lease_drop(lease);	/* live */
		dlease_lease_drop(lease);
	}
}
