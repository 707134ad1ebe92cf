// SPDX-License-Identifier: GPL-2.0
/*
 * The "dlease" generic netlink family: dumps of the lease table,
 * statistics, configuration, admin revoke and the events multicast group.
 * Documentation/netlink/specs/dlease.yaml is its specification.
 *
 * Every request applies to the network namespace of the socket.  Every
 * attribute is checked by the op's policy or, where a policy cannot say
 * it, by the handler, with an extack message on the bad attribute.
 */

#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "dlease.h"

static DEFINE_MUTEX(dlease_config_lock);

enum dlease_nlgrp {
	DLEASE_NLGRP_EVENTS,
};

static const struct genl_multicast_group dlease_mcgrps[] = {
	[DLEASE_NLGRP_EVENTS] = { .name = DLEASE_MCGRP_EVENTS },
};

static const struct nla_policy dlease_lease_get_policy[DLEASE_A_LEASE_ID + 1] = {
	[DLEASE_A_LEASE_NAME] = NLA_POLICY_RANGE(NLA_BINARY, 1, DLEASE_NAME_MAX),
	[DLEASE_A_LEASE_SESSION] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_ID] = { .type = NLA_U64 },
};

static const struct nla_policy dlease_stats_get_policy[DLEASE_A_STATS_TOP_COUNT + 1] = {
	[DLEASE_A_STATS_TOP_COUNT] = NLA_POLICY_RANGE(NLA_U32, 1, DLEASE_TOP_SLOTS),
};

static struct netlink_range_validation dlease_per_session_range = {
	.min = 1, .max = DLEASE_SLOTS,
};

static struct netlink_range_validation dlease_waiters_range = {
	.max = 65536,
};

static struct netlink_range_validation dlease_events_range = {
	.min = 4, .max = 65536,
};

static struct netlink_range_validation dlease_ttl_range = {
	.min = 1, .max = DLEASE_TIME_CAP_NS,
};

static struct netlink_range_validation dlease_grace_range = {
	.max = DLEASE_TIME_CAP_NS,
};

static struct netlink_range_validation dlease_margin_range = {
	.max = 60 * NSEC_PER_SEC,
};

static struct netlink_range_validation dlease_bridge_timeout_range = {
	.min = NSEC_PER_MSEC, .max = 60 * NSEC_PER_SEC,
};

static const struct nla_policy dlease_config_set_policy[DLEASE_A_CONFIG_BRIDGE_TIMEOUT + 1] = {
	[DLEASE_A_CONFIG_MAX_PER_SESSION] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &dlease_per_session_range),
	[DLEASE_A_CONFIG_MAX_HOLDERS] = NLA_POLICY_MIN(NLA_U32, 1),
	[DLEASE_A_CONFIG_MAX_WAITERS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &dlease_waiters_range),
	[DLEASE_A_CONFIG_MAX_EVENTS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &dlease_events_range),
	[DLEASE_A_CONFIG_TTL_MIN] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &dlease_ttl_range),
	[DLEASE_A_CONFIG_TTL_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &dlease_ttl_range),
	[DLEASE_A_CONFIG_GRACE_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &dlease_grace_range),
	[DLEASE_A_CONFIG_MAX_PER_USER] = { .type = NLA_REJECT },
	[DLEASE_A_CONFIG_CLUSTER_MARGIN] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &dlease_margin_range),
	[DLEASE_A_CONFIG_BRIDGE_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &dlease_bridge_timeout_range),
};

static const struct nla_policy dlease_bridge_answer_policy[DLEASE_A_BRIDGE_COUNT + 1] = {
	[DLEASE_A_BRIDGE_REQ] = { .type = NLA_U64 },
	[DLEASE_A_BRIDGE_OP] = { .type = NLA_REJECT },
	[DLEASE_A_BRIDGE_NAME] = { .type = NLA_REJECT },
	[DLEASE_A_BRIDGE_TTL] = { .type = NLA_REJECT },
	[DLEASE_A_BRIDGE_TRY] = { .type = NLA_REJECT },
	[DLEASE_A_BRIDGE_RESULT] = NLA_POLICY_RANGE(NLA_U32,
						    DLEASE_BRIDGE_RESULT_GRANT,
						    DLEASE_BRIDGE_RESULT_WAIT),
	[DLEASE_A_BRIDGE_TOKEN] = NLA_POLICY_MIN(NLA_U64, 1),
	[DLEASE_A_BRIDGE_EXPIRES] = { .type = NLA_U64 },
	/* Only errnos userspace may see (the kernel's own start at 512). */
	[DLEASE_A_BRIDGE_ERROR] = NLA_POLICY_RANGE(NLA_U32, 1, 511),
	[DLEASE_A_BRIDGE_COUNT] = { .type = NLA_U32 },
};

/* For requests that take no attribute at all. */
static const struct nla_policy dlease_no_attrs_policy[2] = {
	[1] = { .type = NLA_REJECT },
};

static const struct nla_policy dlease_revoke_policy[DLEASE_A_REVOKE_ID + 1] = {
	[DLEASE_A_REVOKE_NAME] = NLA_POLICY_RANGE(NLA_BINARY, 1, DLEASE_NAME_MAX),
	[DLEASE_A_REVOKE_SESSION] = { .type = NLA_U64 },
	[DLEASE_A_REVOKE_ID] = { .type = NLA_U64 },
};

static struct dlease_net *dlease_info_dn(struct genl_info *info)
{
	return dlease_net(genl_info_net(info));
}

/* A name attribute holds no NUL byte; the policy checked its length. */
static int dlease_check_name(const struct nlattr *attr,
			     struct netlink_ext_ack *extack)
{
	if (memchr(nla_data(attr), 0, nla_len(attr))) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "name contains a NUL byte");
		return -EINVAL;
	}
	return 0;
}

static int dlease_put_u64(struct sk_buff *skb, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, type, v, pad);
}

static int dlease_lease_pad(struct sk_buff *skb, int type, u64 v)
{
	return dlease_put_u64(skb, type, v, DLEASE_A_LEASE_PAD);
}

/* Place of a waiter in its queue; under res->lock. */
static u32 dlease_position(const struct dlease_lease *lease)
{
	const struct dlease_lease *w;
	u32 pos = 0;

	list_for_each_entry(w, &lease->res->waiters, node) {
		if (w == lease)
			break;
		pos++;
	}
	return pos;
}

/* Where a waiting cluster request stands, if the bridge said. */
static int dlease_put_wait(struct sk_buff *skb,
			   const struct dlease_lease *lease)
{
	if (!lease->cluster_place)
		return 0;
	return nla_put_u32(skb, DLEASE_A_LEASE_CLUSTER_PLACE,
			   lease->cluster_place) ||
	       dlease_lease_pad(skb, DLEASE_A_LEASE_WAIT_UNTIL,
				ktime_to_ns(lease->wait_until));
}

/* One lease or request as DLEASE_A_LEASE_*; under res->lock. */
static int dlease_fill_lease(struct sk_buff *skb,
			     const struct dlease_lease *lease,
			     struct pid_namespace *ns, ktime_t now)
{
	const struct dlease_resource *res = lease->res;
	bool waiting = lease->state == DLEASE_STATE_WAITING;
	ktime_t left;

	if (nla_put(skb, DLEASE_A_LEASE_NAME, res->key.len, res->name) ||
	    dlease_lease_pad(skb, DLEASE_A_LEASE_SESSION, lease->sess->id) ||
	    dlease_lease_pad(skb, DLEASE_A_LEASE_ID, lease->id) ||
	    nla_put_u32(skb, DLEASE_A_LEASE_MODE, lease->mode) ||
	    nla_put_u32(skb, DLEASE_A_LEASE_STATE, lease->state) ||
	    nla_put_u32(skb, DLEASE_A_LEASE_PID, pid_nr_ns(lease->pid, ns)) ||
	    nla_put_string(skb, DLEASE_A_LEASE_COMM, lease->comm) ||
	    dlease_lease_pad(skb, DLEASE_A_LEASE_TTL, lease->ttl_ns) ||
	    dlease_lease_pad(skb, DLEASE_A_LEASE_GRACE, lease->grace_ns) ||
	    nla_put_u32(skb, DLEASE_A_LEASE_HOLDERS, res->nholders) ||
	    nla_put_u32(skb, DLEASE_A_LEASE_WAITERS, res->nwaiters) ||
	    (lease->cluster && nla_put_flag(skb, DLEASE_A_LEASE_CLUSTER)))
		return -EMSGSIZE;
	if (waiting)
		return nla_put_u32(skb, DLEASE_A_LEASE_POSITION,
				   dlease_position(lease)) ||
		       dlease_lease_pad(skb, DLEASE_A_LEASE_WAITED,
					ktime_to_ns(ktime_sub(now,
							      lease->queued_at))) ||
		       dlease_put_wait(skb, lease);
	left = ktime_sub(lease->expires, now);
	return dlease_lease_pad(skb, DLEASE_A_LEASE_TOKEN, lease->token) ||
	       dlease_lease_pad(skb, DLEASE_A_LEASE_EXPIRES,
				ktime_to_ns(lease->expires)) ||
	       dlease_lease_pad(skb, DLEASE_A_LEASE_TIME_LEFT,
				max_t(s64, 0, ktime_to_ns(left))) ||
	       dlease_lease_pad(skb, DLEASE_A_LEASE_WAITED,
				ktime_to_ns(ktime_sub(lease->granted_at,
						      lease->queued_at))) ||
	       dlease_lease_pad(skb, DLEASE_A_LEASE_HELD_FOR,
				ktime_to_ns(ktime_sub(now, lease->granted_at)));
}

static int dlease_lease_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct dlease_session *sess;
	struct dlease_lease *lease;
	struct dlease_net *dn = dlease_info_dn(info);
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (attrs[DLEASE_A_LEASE_NAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[DLEASE_A_LEASE_NAME],
				    "name selects leases of a dump only");
		return -EINVAL;
	}
	if (!attrs[DLEASE_A_LEASE_SESSION] || !attrs[DLEASE_A_LEASE_ID]) {
		NL_SET_ERR_MSG(info->extack, "session and id are required");
		return -EINVAL;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	xa_lock_bh(&dn->sessions);
	sess = xa_load(&dn->sessions, nla_get_u64(attrs[DLEASE_A_LEASE_SESSION]));
	lease = sess ? dlease_lease_find(sess,
					 nla_get_u64(attrs[DLEASE_A_LEASE_ID])) :
		       ERR_PTR(-ENOENT);
	xa_unlock_bh(&dn->sessions);
	if (IS_ERR(lease)) {
		if (sess)
			NL_SET_ERR_MSG(info->extack, "no such lease");
		else
			NL_SET_ERR_MSG(info->extack, "no such session");
		err = PTR_ERR(lease);
		goto err_free;
	}
	hdr = genlmsg_put_reply(msg, info, &dlease_family, 0,
				DLEASE_CMD_LEASE_GET);
	err = -EMSGSIZE;
	if (hdr) {
		spin_lock_bh(&lease->res->lock);
		if (lease->state == DLEASE_STATE_DEAD)
			err = -ESTALE;
		else
			err = dlease_fill_lease(msg, lease,
						task_active_pid_ns(current),
						ktime_get());
		spin_unlock_bh(&lease->res->lock);
	}
	dlease_lease_drop(lease);
	if (err)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

/* State of a lease dump between dumpit calls. */
struct dlease_dump {
	unsigned long next;	/* id of the resource to go on with */
	u32 skip;		/* leases of that resource already sent */
	u32 name_len;		/* a dump of one name, or 0 */
	u32 cluster;		/* scope of that name being dumped */
	bool done;
	u8 name[DLEASE_NAME_MAX];
};

static int dlease_lease_dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = dlease_dump_attrs(cb);
	struct nlattr *name = attrs[DLEASE_A_LEASE_NAME];
	struct dlease_dump *dump;
	int err;

	if (attrs[DLEASE_A_LEASE_SESSION] || attrs[DLEASE_A_LEASE_ID]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[DLEASE_A_LEASE_SESSION] ?:
				    attrs[DLEASE_A_LEASE_ID],
				    "session and id select one lease: use do");
		return -EINVAL;
	}
	if (name) {
		err = dlease_check_name(name, cb->extack);
		if (err)
			return err;
	}
	dump = kzalloc(sizeof(*dump), GFP_KERNEL);
	if (!dump)
		return -ENOMEM;
	if (name) {
		dump->name_len = nla_len(name);
		memcpy(dump->name, nla_data(name), dump->name_len);
	}
	cb->args[0] = (long)dump;
	return 0;
}

static int dlease_lease_dump_done(struct netlink_callback *cb)
{
	kfree((struct dlease_dump *)cb->args[0]);
	return 0;
}

/*
 * Sends the leases then the waiters of @res, from the dump's skip count
 * on.  Returns -EMSGSIZE, with the skip count updated, if @skb filled.
 */
static int dlease_dump_resource(struct sk_buff *skb, struct netlink_callback *cb,
				struct dlease_resource *res, u32 *skip)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct list_head *lists[] = { &res->holders, &res->waiters };
	struct dlease_lease *lease;
	ktime_t now = ktime_get();
	int err = 0;
	u32 i, n = 0;
	void *hdr;

	spin_lock_bh(&res->lock);
	for (i = 0; i < ARRAY_SIZE(lists) && !res->unhashed && !err; i++) {
		list_for_each_entry(lease, lists[i], node) {
			if (n++ < *skip)
				continue;
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &dlease_family,
					  NLM_F_MULTI, DLEASE_CMD_LEASE_GET);
			if (!hdr || dlease_fill_lease(skb, lease, ns, now)) {
				if (hdr)
					genlmsg_cancel(skb, hdr);
				*skip = n - 1;
				err = -EMSGSIZE;
				break;
			}
			genl_dump_check_consistent(cb, hdr);
			genlmsg_end(skb, hdr);
		}
	}
	spin_unlock_bh(&res->lock);
	return err;
}

/*
 * Walks the resources in the order they were made (their ids), so that a
 * dump can go on where it stopped whatever came and went meanwhile; the
 * generation tells the reader if anything did.  Resources are freed after
 * an RCU grace period, so those found stay valid under rcu_read_lock().
 */
static void dlease_dump_walk(struct sk_buff *skb, struct netlink_callback *cb,
			     struct dlease_dump *dump, struct dlease_net *dn)
{
	struct dlease_resource *res;

	rcu_read_lock();
	xa_for_each_start(&dn->resources, dump->next, res, dump->next) {
		if (dlease_dump_resource(skb, cb, res, &dump->skip))
			goto out;
		dump->skip = 0;
	}
	dump->done = true;
out:
	rcu_read_unlock();
}

/* The local resource of the dump's name, then the cluster one. */
static void dlease_dump_name(struct sk_buff *skb, struct netlink_callback *cb,
			     struct dlease_dump *dump, struct dlease_net *dn)
{
	struct dlease_resource *res;
	int err;

	for (; dump->cluster < 2; dump->cluster++) {
		struct dlease_key key = {
			.name = dump->name, .len = dump->name_len,
			.cluster = dump->cluster,
		};

		res = dlease_resource_find(dn, &key);
		if (!res)
			continue;
		err = dlease_dump_resource(skb, cb, res, &dump->skip);
		dlease_resource_put(res);
		if (err)
			return;
		dump->skip = 0;
	}
	dump->done = true;
}

static int dlease_lease_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dlease_dump *dump = (struct dlease_dump *)cb->args[0];
	struct dlease_net *dn = dlease_net(sock_net(skb->sk));

	if (dump->done)
		return 0;
	/* Any transition from here to the end marks the dump inconsistent. */
	cb->seq = atomic_read(&dn->generation);
	if (dump->name_len)
		dlease_dump_name(skb, cb, dump, dn);
	else
		dlease_dump_walk(skb, cb, dump, dn);
	cb->seq = atomic_read(&dn->generation);
	return skb->len;
}

static int dlease_put_hist(struct sk_buff *skb, int type, const u64 *hist)
{
	struct nlattr *nest;
	int i, last;

	for (last = DLEASE_HIST_BUCKETS - 1; last > 0 && !hist[last]; last--)
		;
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i <= last; i++) {
		if (dlease_put_u64(skb, DLEASE_A_HIST_BUCKET, hist[i],
				   DLEASE_A_HIST_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int dlease_put_top(struct sk_buff *skb, struct dlease_net *dn,
			  u32 count)
{
	struct dlease_top_slot *top;
	struct dlease_resource *res;
	struct nlattr *nest;
	unsigned int i, n;
	u32 waiters;
	int err = 0;

	top = kmalloc_array(DLEASE_TOP_SLOTS, sizeof(*top), GFP_KERNEL);
	if (!top)
		return -ENOMEM;
	n = min(dlease_stats_top(dn, top), count);
	for (i = 0; i < n && !err; i++) {
		struct dlease_key key = {
			.name = top[i].name, .len = top[i].len,
			.cluster = top[i].cluster,
		};

		res = dlease_resource_find(dn, &key);
		waiters = res ? READ_ONCE(res->nwaiters) : 0;
		if (res)
			dlease_resource_put(res);
		nest = nla_nest_start(skb, DLEASE_A_STATS_TOP);
		if (!nest ||
		    nla_put(skb, DLEASE_A_TOP_NAME, top[i].len, top[i].name) ||
		    dlease_put_u64(skb, DLEASE_A_TOP_CONTENDED, top[i].count,
				   DLEASE_A_TOP_PAD) ||
		    nla_put_u32(skb, DLEASE_A_TOP_WAITERS, waiters))
			err = -EMSGSIZE;
		else
			nla_nest_end(skb, nest);
	}
	kfree(top);
	return err;
}

/* Attribute of each counter, in the order of enum dlease_counter. */
static const u16 dlease_counter_attr[__DLEASE_C_MAX] = {
	[DLEASE_C_ACQUIRES] = DLEASE_A_STATS_ACQUIRES,
	[DLEASE_C_GRANTS] = DLEASE_A_STATS_GRANTS,
	[DLEASE_C_CONTENDED] = DLEASE_A_STATS_CONTENDED_GRANTS,
	[DLEASE_C_TIMEOUTS] = DLEASE_A_STATS_TIMEOUTS,
	[DLEASE_C_INTERRUPTS] = DLEASE_A_STATS_INTERRUPTS,
	[DLEASE_C_EXPIRIES] = DLEASE_A_STATS_EXPIRIES,
	[DLEASE_C_REVOCATIONS] = DLEASE_A_STATS_REVOCATIONS,
	[DLEASE_C_RENEWALS] = DLEASE_A_STATS_RENEWALS,
	[DLEASE_C_LATE_RENEWALS] = DLEASE_A_STATS_LATE_RENEWALS,
	[DLEASE_C_QUOTA_HITS] = DLEASE_A_STATS_QUOTA_HITS,
	[DLEASE_C_RELEASES] = DLEASE_A_STATS_RELEASES,
};

static int dlease_fill_stats(struct sk_buff *skb, struct dlease_net *dn,
			     u32 top)
{
	struct dlease_pcpu_stats *sum;
	int i, err = -EMSGSIZE;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	dlease_stats_read(dn, sum);
	for (i = 0; i < __DLEASE_C_MAX; i++)
		if (dlease_put_u64(skb, dlease_counter_attr[i], sum->c[i],
				   DLEASE_A_STATS_PAD))
			goto out;
	if (nla_put_u32(skb, DLEASE_A_STATS_RESOURCES,
			atomic_read(&dn->nresources)) ||
	    nla_put_u32(skb, DLEASE_A_STATS_SESSIONS,
			atomic_read(&dn->nsessions)) ||
	    dlease_put_hist(skb, DLEASE_A_STATS_WAIT_HIST, sum->wait) ||
	    dlease_put_hist(skb, DLEASE_A_STATS_HOLD_HIST, sum->hold))
		goto out;
	err = dlease_put_top(skb, dn, top);
out:
	kfree(sum);
	return err;
}

static int dlease_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *top = info->attrs[DLEASE_A_STATS_TOP_COUNT];
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(16384, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &dlease_family, 0,
				DLEASE_CMD_STATS_GET);
	err = hdr ? dlease_fill_stats(msg, dlease_info_dn(info),
				      top ? nla_get_u32(top) : 10) : -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int dlease_fill_config(struct sk_buff *skb, const struct dlease_limits *l)
{
	if (nla_put_u32(skb, DLEASE_A_CONFIG_MAX_PER_SESSION,
			READ_ONCE(l->max_per_session)) ||
	    nla_put_u32(skb, DLEASE_A_CONFIG_MAX_HOLDERS,
			READ_ONCE(l->max_holders)) ||
	    nla_put_u32(skb, DLEASE_A_CONFIG_MAX_WAITERS,
			READ_ONCE(l->max_waiters)) ||
	    nla_put_u32(skb, DLEASE_A_CONFIG_MAX_EVENTS,
			READ_ONCE(l->max_events)) ||
	    dlease_put_u64(skb, DLEASE_A_CONFIG_TTL_MIN,
			   READ_ONCE(l->ttl_min_ns), DLEASE_A_CONFIG_PAD) ||
	    dlease_put_u64(skb, DLEASE_A_CONFIG_TTL_MAX,
			   READ_ONCE(l->ttl_max_ns), DLEASE_A_CONFIG_PAD) ||
	    dlease_put_u64(skb, DLEASE_A_CONFIG_GRACE_MAX,
			   READ_ONCE(l->grace_max_ns), DLEASE_A_CONFIG_PAD) ||
	    nla_put_u32(skb, DLEASE_A_CONFIG_MAX_PER_USER,
			READ_ONCE(dlease_max_per_user)) ||
	    dlease_put_u64(skb, DLEASE_A_CONFIG_CLUSTER_MARGIN,
			   READ_ONCE(l->cluster_margin_ns), DLEASE_A_CONFIG_PAD) ||
	    dlease_put_u64(skb, DLEASE_A_CONFIG_BRIDGE_TIMEOUT,
			   READ_ONCE(l->bridge_timeout_ns), DLEASE_A_CONFIG_PAD))
		return -EMSGSIZE;
	return 0;
}

static int dlease_config_reply(struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &dlease_family, 0,
				info->genlhdr->cmd);
	if (!hdr || dlease_fill_config(msg, &dlease_info_dn(info)->limits)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int dlease_config_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dlease_config_reply(info);
}

static void dlease_set_u32(u32 *field, const struct nlattr *attr)
{
	if (attr)
		WRITE_ONCE(*field, nla_get_u32(attr));
}

static void dlease_set_u64(u64 *field, const struct nlattr *attr)
{
	if (attr)
		WRITE_ONCE(*field, nla_get_u64(attr));
}

static int dlease_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dlease_limits *l = &dlease_info_dn(info)->limits;
	struct nlattr **a = info->attrs;
	u64 ttl_min, ttl_max;

	mutex_lock(&dlease_config_lock);
	ttl_min = a[DLEASE_A_CONFIG_TTL_MIN] ?
		  nla_get_u64(a[DLEASE_A_CONFIG_TTL_MIN]) : l->ttl_min_ns;
	ttl_max = a[DLEASE_A_CONFIG_TTL_MAX] ?
		  nla_get_u64(a[DLEASE_A_CONFIG_TTL_MAX]) : l->ttl_max_ns;
	if (ttl_min > ttl_max) {
		mutex_unlock(&dlease_config_lock);
		NL_SET_ERR_MSG_ATTR(info->extack, a[DLEASE_A_CONFIG_TTL_MIN] ?:
				    a[DLEASE_A_CONFIG_TTL_MAX],
				    "ttl-min would exceed ttl-max");
		return -EINVAL;
	}
	dlease_set_u32(&l->max_per_session, a[DLEASE_A_CONFIG_MAX_PER_SESSION]);
	dlease_set_u32(&l->max_holders, a[DLEASE_A_CONFIG_MAX_HOLDERS]);
	dlease_set_u32(&l->max_waiters, a[DLEASE_A_CONFIG_MAX_WAITERS]);
	dlease_set_u32(&l->max_events, a[DLEASE_A_CONFIG_MAX_EVENTS]);
	dlease_set_u64(&l->ttl_min_ns, a[DLEASE_A_CONFIG_TTL_MIN]);
	dlease_set_u64(&l->ttl_max_ns, a[DLEASE_A_CONFIG_TTL_MAX]);
	dlease_set_u64(&l->grace_max_ns, a[DLEASE_A_CONFIG_GRACE_MAX]);
	dlease_set_u64(&l->cluster_margin_ns, a[DLEASE_A_CONFIG_CLUSTER_MARGIN]);
	dlease_set_u64(&l->bridge_timeout_ns, a[DLEASE_A_CONFIG_BRIDGE_TIMEOUT]);
	mutex_unlock(&dlease_config_lock);
	return dlease_config_reply(info);
}

static int dlease_revoke_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = info->attrs[DLEASE_A_REVOKE_NAME];
	struct nlattr *session = info->attrs[DLEASE_A_REVOKE_SESSION];
	struct nlattr *id = info->attrs[DLEASE_A_REVOKE_ID];
	struct dlease_net *dn = dlease_info_dn(info);
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (name && (session || id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, session ?: id,
				    "give a name, or a session and an id, not both");
		return -EINVAL;
	}
	if (!name && !(session && id)) {
		NL_SET_ERR_MSG(info->extack,
			       "a name, or a session and an id, is required");
		return -EINVAL;
	}
	if (name) {
		ret = dlease_check_name(name, info->extack);
		if (ret)
			return ret;
		ret = dlease_revoke_name(dn, nla_data(name), nla_len(name));
	} else {
		ret = dlease_revoke_id(dn, nla_get_u64(session),
				       nla_get_u64(id));
	}
	if (ret == -EBUSY)
		NL_SET_ERR_MSG(info->extack, "a waiting request cannot be revoked");
	else if (ret < 0)
		NL_SET_ERR_MSG(info->extack, "no such lease");
	if (ret < 0)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &dlease_family, 0,
				DLEASE_CMD_REVOKE);
	if (!hdr || nla_put_u32(msg, DLEASE_A_REVOKE_COUNT, ret)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * dlease_nl_notify() - tell the events group of a lease transition
 * @lease: the lease, its resource locked
 * @ev: DLEASE_EV_*
 *
 * Does nothing unless someone listens in the lease's namespace.
 *
 * Context: any but hard interrupt; does not sleep.
 */
void dlease_nl_notify(const struct dlease_lease *lease, u32 ev)
{
	const struct dlease_resource *res = lease->res;
	struct net *net = res->dn->net;
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&dlease_family, net, DLEASE_NLGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &dlease_family, 0, DLEASE_CMD_EVENT_NTF);
	if (!hdr ||
	    nla_put_u32(skb, DLEASE_A_LEASE_EVENT, ev) ||
	    dlease_lease_pad(skb, DLEASE_A_LEASE_TIME, ktime_get_ns()) ||
	    nla_put(skb, DLEASE_A_LEASE_NAME, res->key.len, res->name) ||
	    dlease_lease_pad(skb, DLEASE_A_LEASE_SESSION, lease->sess->id) ||
	    dlease_lease_pad(skb, DLEASE_A_LEASE_ID, lease->id) ||
	    nla_put_u32(skb, DLEASE_A_LEASE_MODE, lease->mode) ||
	    nla_put_u32(skb, DLEASE_A_LEASE_PID,
			pid_nr_ns(lease->pid, lease->sess->pid_ns)) ||
	    dlease_lease_pad(skb, DLEASE_A_LEASE_TOKEN, lease->token) ||
	    dlease_lease_pad(skb, DLEASE_A_LEASE_EXPIRES,
			     lease->token ? ktime_to_ns(lease->expires) : 0) ||
	    nla_put_u32(skb, DLEASE_A_LEASE_WAITERS, res->nwaiters) ||
	    (lease->cluster && nla_put_flag(skb, DLEASE_A_LEASE_CLUSTER)) ||
	    dlease_put_wait(skb, lease)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&dlease_family, net, skb, 0,
				DLEASE_NLGRP_EVENTS, GFP_ATOMIC);
}

static const struct genl_ops dlease_ops[] = {
	{
		.cmd = DLEASE_CMD_LEASE_GET,
		.doit = dlease_lease_get_doit,
		.start = dlease_lease_dump_start,
		.dumpit = dlease_lease_dumpit,
		.done = dlease_lease_dump_done,
		.policy = dlease_lease_get_policy,
		.maxattr = ARRAY_SIZE(dlease_lease_get_policy) - 1,
	},
	{
		.cmd = DLEASE_CMD_STATS_GET,
		.doit = dlease_stats_get_doit,
		.policy = dlease_stats_get_policy,
		.maxattr = ARRAY_SIZE(dlease_stats_get_policy) - 1,
	},
	{
		.cmd = DLEASE_CMD_CONFIG_GET,
		.doit = dlease_config_get_doit,
		.policy = dlease_no_attrs_policy,
		.maxattr = ARRAY_SIZE(dlease_no_attrs_policy) - 1,
	},
	{
		.cmd = DLEASE_CMD_CONFIG_SET,
		.doit = dlease_config_set_doit,
		.policy = dlease_config_set_policy,
		.maxattr = ARRAY_SIZE(dlease_config_set_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = DLEASE_CMD_REVOKE,
		.doit = dlease_revoke_doit,
		.policy = dlease_revoke_policy,
		.maxattr = ARRAY_SIZE(dlease_revoke_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = DLEASE_CMD_BRIDGE_REGISTER,
		.doit = dlease_bridge_register_doit,
		.policy = dlease_no_attrs_policy,
		.maxattr = ARRAY_SIZE(dlease_no_attrs_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = DLEASE_CMD_BRIDGE_ANSWER,
		.doit = dlease_bridge_answer_doit,
		.policy = dlease_bridge_answer_policy,
		.maxattr = ARRAY_SIZE(dlease_bridge_answer_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

struct genl_family dlease_family __ro_after_init = {
	.name = DLEASE_FAMILY_NAME,
	.version = DLEASE_FAMILY_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = dlease_ops,
	.n_ops = ARRAY_SIZE(dlease_ops),
	.resv_start_op = DLEASE_CMD_MAX + 1,
	.mcgrps = dlease_mcgrps,
	.n_mcgrps = ARRAY_SIZE(dlease_mcgrps),
};

/**
 * dlease_netlink_init() - register the "dlease" generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int dlease_netlink_init(void)
{
	return genl_register_family(&dlease_family);
}

/**
 * dlease_netlink_exit() - unregister the family
 */
void dlease_netlink_exit(void)
{
	genl_unregister_family(&dlease_family);
}
