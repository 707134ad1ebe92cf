// SPDX-License-Identifier: GPL-2.0
/*
 * The cluster bridge: the one netlink socket per network namespace (that
 * of dleased) that the kernel asks for cluster leases, and that answers.
 *
 * Requests go to the bridge socket only (unicast), built and sent without
 * sleeping because they are sent under a resource lock.  Answers come as
 * DLEASE_CMD_BRIDGE_ANSWER from that socket and no other.  When the socket
 * closes, the netlink notifier tells us and the namespace's cluster leases
 * fail closed (cluster.c).
 */

#include <linux/netlink.h>
#include <linux/notifier.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "dlease.h"

/**
 * dlease_bridge_send() - send a request about a lease to the bridge
 * @lease: the lease or request (its resource locked)
 * @op: DLEASE_BRIDGE_OP_*
 *
 * Context: any but hard interrupt; does not sleep.
 * Return: 0, -ENOLINK (no bridge, its socket is gone or full) or -ENOMEM.
 */
int dlease_bridge_send(struct dlease_lease *lease, u32 op)
{
	struct dlease_resource *res = lease->res;
	struct dlease_net *dn = res->dn;
	struct sk_buff *skb;
	u32 portid, gen;
	void *hdr;
	int err;

	spin_lock_bh(&dn->bridge_lock);
	portid = dn->bridge_portid;
	gen = dn->bridge_gen;
	spin_unlock_bh(&dn->bridge_lock);
	if (!portid)
		return -ENOLINK;
	if (op == DLEASE_BRIDGE_OP_ACQUIRE)
		lease->bridge_gen = gen;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &dlease_family, 0,
			  DLEASE_CMD_BRIDGE_REQUEST);
	if (!hdr ||
	    nla_put_u64_64bit(skb, DLEASE_A_BRIDGE_REQ, lease->handle,
			      DLEASE_A_BRIDGE_PAD) ||
	    nla_put_u32(skb, DLEASE_A_BRIDGE_OP, op) ||
	    nla_put(skb, DLEASE_A_BRIDGE_NAME, res->key.len, res->name) ||
	    nla_put_u64_64bit(skb, DLEASE_A_BRIDGE_TTL,
			      op == DLEASE_BRIDGE_OP_RENEW ? lease->renew_ttl :
			      lease->ttl_ns, DLEASE_A_BRIDGE_PAD) ||
	    (op == DLEASE_BRIDGE_OP_ACQUIRE && lease->ctry &&
	     nla_put_flag(skb, DLEASE_A_BRIDGE_TRY))) {
		nlmsg_free(skb);
		return -ENOMEM;
	}
	genlmsg_end(skb, hdr);
	/* A bridge that cannot take it (gone, or not reading) is lost. */
	err = genlmsg_unicast(dn->net, skb, portid);
	return err ? -ENOLINK : 0;
}

/**
 * dlease_bridge_register_doit() - DLEASE_CMD_BRIDGE_REGISTER
 * @skb: the request
 * @info: its netlink info
 *
 * Return: 0, or -EBUSY if a bridge is registered already.
 */
int dlease_bridge_register_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dlease_net *dn = dlease_net(genl_info_net(info));
	int err = 0;

	spin_lock_bh(&dn->bridge_lock);
	if (dn->bridge_portid) {
		err = -EBUSY;
	} else {
		dn->bridge_portid = info->snd_portid;
		dn->bridge_gen++;
	}
	spin_unlock_bh(&dn->bridge_lock);
	if (err)
		NL_SET_ERR_MSG(info->extack,
			       "a bridge is registered in this namespace");
	return err;
}

/* A WAIT needs the place in line (from 1) and the expected grant time. */
static int dlease_bridge_wait_attrs(struct genl_info *info,
				    struct dlease_answer *a)
{
	struct nlattr *count = info->attrs[DLEASE_A_BRIDGE_COUNT];
	struct nlattr *expires = info->attrs[DLEASE_A_BRIDGE_EXPIRES];

	if (!count || !expires) {
		NL_SET_ERR_MSG(info->extack, "a wait needs count and expires");
		return -EINVAL;
	}
	a->count = nla_get_u32(count);
	if (!a->count) {
		NL_SET_ERR_MSG_ATTR(info->extack, count,
				    "places in the cluster's line start at 1");
		return -EINVAL;
	}
	a->expires = nla_get_u64(expires);
	if (!a->expires) {
		NL_SET_ERR_MSG_ATTR(info->extack, expires,
				    "a wait needs the expected grant time");
		return -EINVAL;
	}
	return 0;
}

/**
 * dlease_bridge_answer_doit() - DLEASE_CMD_BRIDGE_ANSWER
 * @skb: the request
 * @info: its netlink info
 *
 * Return: 0, or -EPERM (not from the bridge socket), -EINVAL (attributes
 * missing for the result, or a WAIT for a TRY request), -ENOENT (unknown
 * handle), -ESTALE (the request is no longer waiting for this answer).
 */
int dlease_bridge_answer_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dlease_net *dn = dlease_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct dlease_answer a = { 0 };
	int err;

	if (info->snd_portid != READ_ONCE(dn->bridge_portid)) {
		NL_SET_ERR_MSG(info->extack, "not the bridge of this namespace");
		return -EPERM;
	}
	if (!attrs[DLEASE_A_BRIDGE_REQ] || !attrs[DLEASE_A_BRIDGE_RESULT]) {
		NL_SET_ERR_MSG(info->extack, "req and result are required");
		return -EINVAL;
	}
	a.handle = nla_get_u64(attrs[DLEASE_A_BRIDGE_REQ]);
	a.result = nla_get_u32(attrs[DLEASE_A_BRIDGE_RESULT]);
	switch (a.result) {
	case DLEASE_BRIDGE_RESULT_GRANT:
		if (!attrs[DLEASE_A_BRIDGE_TOKEN]) {
			NL_SET_ERR_MSG(info->extack, "a grant needs a token");
			return -EINVAL;
		}
		a.token = nla_get_u64(attrs[DLEASE_A_BRIDGE_TOKEN]);
		fallthrough;
	case DLEASE_BRIDGE_RESULT_RENEWED:
		if (!attrs[DLEASE_A_BRIDGE_EXPIRES]) {
			NL_SET_ERR_MSG(info->extack, "expires is required");
			return -EINVAL;
		}
		a.expires = nla_get_u64(attrs[DLEASE_A_BRIDGE_EXPIRES]);
		break;
	case DLEASE_BRIDGE_RESULT_DENY:
		if (!attrs[DLEASE_A_BRIDGE_ERROR]) {
			NL_SET_ERR_MSG(info->extack, "a deny needs an error");
			return -EINVAL;
		}
		a.error = nla_get_u32(attrs[DLEASE_A_BRIDGE_ERROR]);
		break;
	case DLEASE_BRIDGE_RESULT_BREAK:
		if (attrs[DLEASE_A_BRIDGE_COUNT])
			a.count = nla_get_u32(attrs[DLEASE_A_BRIDGE_COUNT]);
		break;
	case DLEASE_BRIDGE_RESULT_WAIT:
		err = dlease_bridge_wait_attrs(info, &a);
		if (err)
			return err;
		break;
	}
	err = dlease_cluster_answer(dn, &a);
	if (err == -EINVAL && a.result == DLEASE_BRIDGE_RESULT_WAIT)
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[DLEASE_A_BRIDGE_RESULT],
				    "a try request does not wait in the cluster");
	else if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[DLEASE_A_BRIDGE_REQ],
				    "no such request");
	else if (err == -ESTALE)
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[DLEASE_A_BRIDGE_RESULT],
				    "the request is not waiting for this answer");
	return err;
}

/* A netlink socket closed: was it a bridge? */
static int dlease_bridge_notify(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct dlease_net *dn;
	bool gone = false;
	u32 gen;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !n->portid)
		return NOTIFY_DONE;
	dn = dlease_net(n->net);
	spin_lock_bh(&dn->bridge_lock);
	if (dn->bridge_portid == n->portid) {
		dn->bridge_portid = 0;
		gen = dn->bridge_gen;
		gone = true;
	}
	spin_unlock_bh(&dn->bridge_lock);
	if (gone)
		dlease_cluster_bridge_gone(dn, gen);
	return NOTIFY_DONE;
}

static struct notifier_block dlease_bridge_nb = {
	.notifier_call = dlease_bridge_notify,
};

/**
 * dlease_bridge_init() - watch for bridge sockets closing
 *
 * Return: 0 or a negative errno.
 */
int dlease_bridge_init(void)
{
	return netlink_register_notifier(&dlease_bridge_nb);
}

/**
 * dlease_bridge_exit() - stop watching
 */
void dlease_bridge_exit(void)
{
	netlink_unregister_notifier(&dlease_bridge_nb);
}
