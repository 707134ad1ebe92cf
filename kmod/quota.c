// SPDX-License-Identifier: GPL-2.0
/*
 * Quotas: how many leases and waiters a session and a user may have.
 *
 * The per-user count is global (users are counted across namespaces), so
 * a user cannot escape it by creating network namespaces.  The user is the
 * effective uid of the process that opened the session.
 */

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "dlease.h"

static DEFINE_HASHTABLE(dlease_users, 6);
static DEFINE_MUTEX(dlease_users_lock);

/**
 * dlease_user_get() - find or create the accounting of a user
 * @uid: the user
 *
 * Context: process context.
 * Return: the user with a reference held, or NULL if out of memory.
 */
struct dlease_user *dlease_user_get(kuid_t uid)
{
	struct dlease_user *user;
	u32 key = __kuid_val(uid);

	mutex_lock(&dlease_users_lock);
	hash_for_each_possible(dlease_users, user, node, key) {
		if (uid_eq(user->uid, uid)) {
			refcount_inc(&user->sessions);
			goto out;
		}
	}
	user = kzalloc(sizeof(*user), GFP_KERNEL_ACCOUNT);
	if (user) {
		user->uid = uid;
		refcount_set(&user->sessions, 1);
		hash_add(dlease_users, &user->node, key);
	}
out:
	mutex_unlock(&dlease_users_lock);
	return user;
}

/**
 * dlease_user_put() - drop a reference taken by dlease_user_get()
 * @user: the user
 */
void dlease_user_put(struct dlease_user *user)
{
	if (!refcount_dec_and_mutex_lock(&user->sessions, &dlease_users_lock))
		return;
	WARN_ON_ONCE(atomic_read(&user->count));
	hash_del(&user->node);
	mutex_unlock(&dlease_users_lock);
	kfree(user);
}

/**
 * dlease_quota_charge() - count one more lease or waiter of a session
 * @sess: the session
 *
 * Return: 0, or -EDQUOT if the session or its user is at its limit.
 */
int dlease_quota_charge(struct dlease_session *sess)
{
	u32 session_max = READ_ONCE(sess->dn->limits.max_per_session);
	u32 user_max = READ_ONCE(dlease_max_per_user);

	if (atomic_inc_return(&sess->count) > session_max)
		goto err_session;
	if (atomic_inc_return(&sess->user->count) > user_max)
		goto err_user;
	return 0;

err_user:
	atomic_dec(&sess->user->count);
err_session:
	atomic_dec(&sess->count);
	return -EDQUOT;
}

/**
 * dlease_quota_uncharge() - count one lease or waiter less
 * @sess: the session
 */
void dlease_quota_uncharge(struct dlease_session *sess)
{
	atomic_dec(&sess->user->count);
	atomic_dec(&sess->count);
}
