// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: the table of resources by name.
 *
 * A resource is created on the first request for its name and leaves the
 * table as soon as it has neither holders nor waiters.  Lookups run under
 * RCU and then take the resource's lock; a resource found but already
 * unhashed is stale and the lookup starts again.
 */

#include <linux/jhash.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "dlease.h"

static unsigned int dlease_net_id __read_mostly;

static u32 dlease_key_hash(const void *data, u32 len, u32 seed)
{
	const struct dlease_key *key = data;

	return jhash(key->name, key->len, seed + key->cluster);
}

static u32 dlease_obj_hash(const void *data, u32 len, u32 seed)
{
	const struct dlease_resource *res = data;

	return dlease_key_hash(&res->key, 0, seed);
}

static int dlease_obj_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct dlease_key *key = arg->key;
	const struct dlease_resource *res = obj;

	if (key->len != res->key.len || key->cluster != res->key.cluster)
		return 1;
	return memcmp(key->name, res->key.name, key->len);
}

static const struct rhashtable_params dlease_names_params = {
	.head_offset = offsetof(struct dlease_resource, node),
	.key_offset = offsetof(struct dlease_resource, key),
	.hashfn = dlease_key_hash,
	.obj_hashfn = dlease_obj_hash,
	.obj_cmpfn = dlease_obj_cmp,
	.automatic_shrinking = true,
};

/**
 * dlease_net() - the dlease state of a network namespace
 * @net: the namespace
 *
 * Return: its state, which lives as long as @net.
 */
struct dlease_net *dlease_net(const struct net *net)
{
	return net_generic(net, dlease_net_id);
}

static struct dlease_resource *dlease_resource_alloc(struct dlease_net *dn,
						     const struct dlease_key *key)
{
	struct dlease_resource *res;

	res = kzalloc(struct_size(res, name, key->len), GFP_KERNEL_ACCOUNT);
	if (!res)
		return NULL;
	memcpy(res->name, key->name, key->len);
	res->key.name = res->name;
	res->key.len = key->len;
	res->key.cluster = key->cluster;
	refcount_set(&res->ref, 1);	/* the table's */
	spin_lock_init(&res->lock);
	INIT_LIST_HEAD(&res->holders);
	INIT_LIST_HEAD(&res->waiters);
	res->dn = dn;
	return res;
}

/* Takes a reference on a resource found under RCU, if it still has one. */
static struct dlease_resource *dlease_resource_tryget(struct dlease_resource *res)
{
	return res && refcount_inc_not_zero(&res->ref) ? res : NULL;
}

/**
 * dlease_resource_find() - find the resource of a name, if there is one
 * @dn: the namespace's state
 * @key: the name and its scope
 *
 * Return: the resource with a reference for the caller (it may leave the
 * table meanwhile: see ->unhashed), or NULL.
 */
struct dlease_resource *dlease_resource_find(struct dlease_net *dn,
					     const struct dlease_key *key)
{
	struct dlease_resource *res;

	rcu_read_lock();
	res = dlease_resource_tryget(rhashtable_lookup(&dn->names, key,
						       dlease_names_params));
	rcu_read_unlock();
	return res;
}

/* Takes a resource off the dump list of its namespace. */
static void dlease_resource_unlist(struct dlease_resource *res)
{
	xa_erase_bh(&res->dn->resources, res->id);
	atomic_dec(&res->dn->nresources);
}

/**
 * dlease_resource_get() - find or create the resource of a name
 * @dn: the namespace's state
 * @key: the name and its scope
 *
 * The resource found may leave the table before the caller locks it:
 * callers lock it, check ->unhashed and, if set, put it and call again.
 *
 * Context: process context; may sleep.
 * Return: the resource with a reference for the caller, or ERR_PTR(-ENOMEM).
 */
struct dlease_resource *dlease_resource_get(struct dlease_net *dn,
					    const struct dlease_key *key)
{
	struct dlease_resource *res, *new;

	res = dlease_resource_find(dn, key);
	if (res)
		return res;

	new = dlease_resource_alloc(dn, key);
	if (!new)
		return ERR_PTR(-ENOMEM);
	refcount_inc(&new->ref);	/* the caller's */
	/* Listed for dumps first; empty until it gets a lease. */
	if (xa_alloc_bh(&dn->resources, &new->id, new, xa_limit_32b,
			GFP_KERNEL_ACCOUNT)) {
		kfree(new);
		return ERR_PTR(-ENOMEM);
	}
	atomic_inc(&dn->nresources);
	rcu_read_lock();
	res = rhashtable_lookup_get_insert_key(&dn->names, &new->key,
					       &new->node, dlease_names_params);
	if (!res)
		res = new;
	else if (!IS_ERR(res))
		res = dlease_resource_tryget(res);
	rcu_read_unlock();
	if (res == new)
		return res;
	dlease_resource_unlist(new);
	kfree_rcu(new, rcu);	/* a dump may be looking at it */
	if (IS_ERR(res))
		return ERR_PTR(-ENOMEM);
	/* Lost a race: theirs, or (dying) a fresh lookup. */
	return res ?: dlease_resource_get(dn, key);
}

/**
 * dlease_resource_unhash_if_idle() - drop a resource nobody uses
 * @res: the resource, locked
 *
 * Removes @res from its table if it has no holders and no waiters, and
 * drops the table's reference.  Later lookups create a new resource.
 */
void dlease_resource_unhash_if_idle(struct dlease_resource *res)
{
	lockdep_assert_held(&res->lock);

	if (res->unhashed || res->nholders || res->nwaiters)
		return;
	res->unhashed = true;
	rhashtable_remove_fast(&res->dn->names, &res->node,
			       dlease_names_params);
	dlease_resource_unlist(res);
	/* Leases hold references too, so this is never the last one. */
	WARN_ON_ONCE(refcount_dec_and_test(&res->ref));
}

/**
 * dlease_resource_put() - drop a reference to a resource
 * @res: the resource
 *
 * Context: any; the resource is freed after an RCU grace period.
 */
void dlease_resource_put(struct dlease_resource *res)
{
	if (refcount_dec_and_test(&res->ref))
		kfree_rcu(res, rcu);
}

static void dlease_resource_leaked(void *ptr, void *arg)
{
	struct dlease_resource *res = ptr;

	/* Sessions pin their namespace, so no resource can outlive it. */
	WARN_ONCE(1, "dlease: resource left at namespace exit (%u holders)\n",
		  res->nholders);
}

static int __net_init dlease_net_init(struct net *net)
{
	struct dlease_net *dn = dlease_net(net);
	int err;

	dn->net = net;
	atomic64_set(&dn->last_token, 0);
	atomic64_set(&dn->last_session, 0);
	atomic_set(&dn->generation, 1);	/* 0 means "not set" to dumps */
	xa_init_flags(&dn->sessions, XA_FLAGS_LOCK_BH);
	xa_init_flags(&dn->resources, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_BH);
	xa_init_flags(&dn->handles, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
	spin_lock_init(&dn->bridge_lock);
	dlease_default_limits(&dn->limits);
	err = dlease_stats_init(dn);
	if (err)
		return err;
	err = rhashtable_init(&dn->names, &dlease_names_params);
	if (err)
		dlease_stats_free(dn);
	return err;
}

static void __net_exit dlease_net_exit(struct net *net)
{
	struct dlease_net *dn = dlease_net(net);

	rhashtable_free_and_destroy(&dn->names, dlease_resource_leaked, NULL);
	WARN_ON_ONCE(!xa_empty(&dn->sessions));
	WARN_ON_ONCE(!xa_empty(&dn->resources));
	WARN_ON_ONCE(!xa_empty(&dn->handles));
	xa_destroy(&dn->handles);
	xa_destroy(&dn->sessions);
	xa_destroy(&dn->resources);
	dlease_stats_free(dn);
}

static struct pernet_operations dlease_net_ops = {
	.init = dlease_net_init,
	.exit = dlease_net_exit,
	.id = &dlease_net_id,
	.size = sizeof(struct dlease_net),
};

/**
 * dlease_netns_init() - start per-namespace state for every namespace
 *
 * Return: 0 or a negative errno.
 */
int dlease_netns_init(void)
{
	return register_pernet_subsys(&dlease_net_ops);
}

/**
 * dlease_netns_exit() - tear down the state of every namespace
 */
void dlease_netns_exit(void)
{
	unregister_pernet_subsys(&dlease_net_ops);
}

/**
 * dlease_xa_next_lease() - the first lease at or after *@index in @xa
 * @xa: an xarray of leases (a session's leases, a namespace's handles)
 * @index: where to look from; set to the lease's index
 *
 * Return: the lease with a reference the caller drops, or NULL.
 */
struct dlease_lease *dlease_xa_next_lease(struct xarray *xa,
					  unsigned long *index)
{
	struct dlease_lease *lease;

	xa_lock_bh(xa);
	lease = xa_find(xa, index, ULONG_MAX, XA_PRESENT);
	if (lease)
		refcount_inc(&lease->ref);
	xa_unlock_bh(xa);
	return lease;
}
