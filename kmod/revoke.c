// SPDX-License-Identifier: GPL-2.0
/*
 * Administrative revocation (netlink DLEASE_CMD_REVOKE): every holder of a
 * name, or one lease by session and id.  Holders get DLEASE_EV_REVOKED;
 * their tokens are dead and the next waiters are granted.
 */

#include <linux/hrtimer.h>

#include "dlease.h"

/* Finishes leases killed under a lock: cancels their timers, drops them. */
static void dlease_finish(struct list_head *dead)
{
	struct dlease_lease *lease, *next;

	list_for_each_entry_safe(lease, next, dead, node) {
		list_del(&lease->node);
		hrtimer_cancel(&lease->timer);
		dlease_lease_drop(lease);
	}
}

/**
 * dlease_revoke_name() - revoke every lease held on a resource
 * @dn: the namespace's state
 * @name: the resource's name
 * @len: its length
 *
 * The holders get DLEASE_EV_REVOKED; queued requests stay and the next
 * ones are granted.
 *
 * Return: the number of leases revoked, or -ENOENT if nothing is held or
 * queued under that name.
 */
int dlease_revoke_name(struct dlease_net *dn, const u8 *name, u32 len)
{
	struct dlease_key key = { .name = name, .len = len };
	struct dlease_lease *lease, *next;
	struct dlease_resource *res;
	int count = 0, found = 0, scope;
	LIST_HEAD(victims);
	LIST_HEAD(dead);

	/* The local resource of the name, then the cluster one. */
	for (scope = 0; scope < 2; scope++) {
		key.cluster = scope;
		res = dlease_resource_find(dn, &key);
		if (!res)
			continue;
		found++;
		spin_lock_bh(&res->lock);
		/* Only the holders of now: those granted meanwhile stay. */
		list_splice_init(&res->holders, &victims);
		list_for_each_entry_safe(lease, next, &victims, node) {
			dlease_kill(lease, DLEASE_EV_REVOKED);
			list_add_tail(&lease->node, &dead);
			count++;
		}
		spin_unlock_bh(&res->lock);
		dlease_resource_put(res);
	}
	dlease_finish(&dead);
	return found ? count : -ENOENT;
}

/**
 * dlease_revoke_id() - revoke one held lease
 * @dn: the namespace's state
 * @session: the id of its session
 * @id: its id in the session
 *
 * Return: 1, or -ENOENT (no such session or lease), -ESTALE (the lease
 * ended already), -EBUSY (a request still waiting: not revoked).
 */
int dlease_revoke_id(struct dlease_net *dn, u64 session, u64 id)
{
	struct dlease_session *sess;
	struct dlease_lease *lease;
	LIST_HEAD(dead);
	int err = 1;

	xa_lock_bh(&dn->sessions);
	sess = xa_load(&dn->sessions, session);
	lease = sess ? dlease_lease_find(sess, id) : ERR_PTR(-ENOENT);
	xa_unlock_bh(&dn->sessions);
	if (IS_ERR(lease))
		return PTR_ERR(lease);

	spin_lock_bh(&lease->res->lock);
	if (lease->state == DLEASE_STATE_WAITING) {
		err = -EBUSY;
	} else if (lease->state == DLEASE_STATE_DEAD) {
		err = -ESTALE;
	} else {
		dlease_kill(lease, DLEASE_EV_REVOKED);
		list_add(&lease->node, &dead);
	}
	spin_unlock_bh(&lease->res->lock);
	dlease_finish(&dead);
	dlease_lease_drop(lease);
	return err;
}
