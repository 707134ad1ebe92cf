// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Netlink: dumps of leases and queued requests, one lease, revoke.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"

/* Consistent dumps: how often an interrupted dump is tried again. */
#define DUMP_TRIES	8

static struct nla_policy lease_policy[DLEASE_A_LEASE_MAX + 1] = {
	[DLEASE_A_LEASE_NAME] = { .type = NLA_UNSPEC, .minlen = 1,
				  .maxlen = DLEASE_NAME_MAX },
	[DLEASE_A_LEASE_SESSION] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_ID] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_MODE] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_STATE] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_PID] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_COMM] = { .type = NLA_STRING, .maxlen = 16 },
	[DLEASE_A_LEASE_TOKEN] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_TTL] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_GRACE] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_EXPIRES] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_TIME_LEFT] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_WAITED] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_HELD_FOR] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_POSITION] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_HOLDERS] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_WAITERS] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_EVENT] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_TIME] = { .type = NLA_U64 },
};

static uint64_t get_u64(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u64(tb[type]) : 0;
}

static uint32_t get_u32(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u32(tb[type]) : 0;
}

static int parse_lease(struct nlmsghdr *h, struct dlease_nl_lease *l)
{
	struct nlattr *tb[DLEASE_A_LEASE_MAX + 1];

	if (genlmsg_parse(h, 0, tb, DLEASE_A_LEASE_MAX, lease_policy) ||
	    !tb[DLEASE_A_LEASE_NAME] || !tb[DLEASE_A_LEASE_ID])
		return -EPROTO;
	memset(l, 0, sizeof(*l));
	dl_nl_copy_name(l->name, tb[DLEASE_A_LEASE_NAME]);
	if (tb[DLEASE_A_LEASE_COMM])
		nla_strlcpy(l->comm, tb[DLEASE_A_LEASE_COMM], sizeof(l->comm));
	l->session = get_u64(tb, DLEASE_A_LEASE_SESSION);
	l->id = get_u64(tb, DLEASE_A_LEASE_ID);
	l->token = get_u64(tb, DLEASE_A_LEASE_TOKEN);
	l->ttl_ns = get_u64(tb, DLEASE_A_LEASE_TTL);
	l->grace_ns = get_u64(tb, DLEASE_A_LEASE_GRACE);
	l->expires_ns = get_u64(tb, DLEASE_A_LEASE_EXPIRES);
	l->time_left_ns = get_u64(tb, DLEASE_A_LEASE_TIME_LEFT);
	l->waited_ns = get_u64(tb, DLEASE_A_LEASE_WAITED);
	l->held_for_ns = get_u64(tb, DLEASE_A_LEASE_HELD_FOR);
	l->mode = get_u32(tb, DLEASE_A_LEASE_MODE);
	l->state = get_u32(tb, DLEASE_A_LEASE_STATE);
	l->pid = get_u32(tb, DLEASE_A_LEASE_PID);
	l->position = get_u32(tb, DLEASE_A_LEASE_POSITION);
	l->holders = get_u32(tb, DLEASE_A_LEASE_HOLDERS);
	l->waiters = get_u32(tb, DLEASE_A_LEASE_WAITERS);
	return 0;
}

struct lease_array {
	struct dlease_nl_lease *v;
	size_t len, cap;
};

static int collect_lease(struct nlmsghdr *h, void *arg)
{
	struct lease_array *a = arg;

	if (a->len == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		void *v = reallocarray(a->v, cap, sizeof(*a->v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	if (parse_lease(h, &a->v[a->len]))
		return -EPROTO;
	a->len++;
	return 0;
}

static int dump_once(struct dlease_nl *nl, const char *name,
		     struct lease_array *a, bool *interrupted)
{
	struct nl_reply reply = { .parse = collect_lease, .arg = a };
	struct nl_msg *msg = dl_nl_request(nl, DLEASE_CMD_LEASE_GET,
					   NLM_F_DUMP);
	int err;

	if (!msg)
		return -ENOMEM;
	if (name && nla_put(msg, DLEASE_A_LEASE_NAME, strlen(name), name)) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	a->len = 0;
	err = dl_nl_transact(nl, msg, &reply);
	*interrupted = reply.interrupted;
	return err;
}

int dlease_nl_leases(struct dlease_nl *nl, const char *name,
		     struct dlease_nl_lease **leasesp, size_t *countp)
{
	struct lease_array a = { 0 };
	bool interrupted = true;
	int err = 0, i;

	if (name && (!*name || strlen(name) > DLEASE_NAME_MAX))
		return -EINVAL;
	for (i = 0; i < DUMP_TRIES && interrupted; i++) {
		err = dump_once(nl, name, &a, &interrupted);
		if (err)
			break;
	}
	if (!err && interrupted)
		err = -EAGAIN;
	if (err) {
		free(a.v);
		return err;
	}
	*leasesp = a.v;
	*countp = a.len;
	return 0;
}

static int one_lease(struct nlmsghdr *h, void *arg)
{
	return parse_lease(h, arg);
}

int dlease_nl_lease_get(struct dlease_nl *nl, uint64_t session, uint64_t id,
			struct dlease_nl_lease *lease)
{
	struct nl_reply reply = { .parse = one_lease, .arg = lease };
	struct nl_msg *msg = dl_nl_request(nl, DLEASE_CMD_LEASE_GET, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u64(msg, DLEASE_A_LEASE_SESSION, session) ||
	    nla_put_u64(msg, DLEASE_A_LEASE_ID, id)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	memset(lease, 0, sizeof(*lease));
	return dl_nl_transact(nl, msg, &reply);
}

static int revoke_count(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[DLEASE_A_REVOKE_MAX + 1];
	struct nla_policy policy[DLEASE_A_REVOKE_MAX + 1] = {
		[DLEASE_A_REVOKE_COUNT] = { .type = NLA_U32 },
	};

	if (genlmsg_parse(h, 0, tb, DLEASE_A_REVOKE_MAX, policy))
		return -EPROTO;
	*(uint32_t *)arg = tb[DLEASE_A_REVOKE_COUNT] ?
		nla_get_u32(tb[DLEASE_A_REVOKE_COUNT]) : 0;
	return 0;
}

int dlease_nl_revoke(struct dlease_nl *nl, const char *name,
		     uint64_t session, uint64_t id, uint32_t *countp)
{
	uint32_t count = 0;
	struct nl_reply reply = { .parse = revoke_count, .arg = &count };
	struct nl_msg *msg = dl_nl_request(nl, DLEASE_CMD_REVOKE, 0);
	int err;

	if (!msg)
		return -ENOMEM;
	if (name)
		err = nla_put(msg, DLEASE_A_REVOKE_NAME, strlen(name), name);
	else
		err = nla_put_u64(msg, DLEASE_A_REVOKE_SESSION, session) ||
		      nla_put_u64(msg, DLEASE_A_REVOKE_ID, id);
	if (err) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	err = dl_nl_transact(nl, msg, &reply);
	if (!err && countp)
		*countp = count;
	return err;
}
