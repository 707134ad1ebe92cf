// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Netlink: statistics and configuration of a network namespace.
 */
#include <errno.h>
#include <string.h>

#include "nl.h"

static struct nla_policy stats_policy[DLEASE_A_STATS_MAX + 1] = {
	[DLEASE_A_STATS_ACQUIRES] = { .type = NLA_U64 },
	[DLEASE_A_STATS_GRANTS] = { .type = NLA_U64 },
	[DLEASE_A_STATS_CONTENDED_GRANTS] = { .type = NLA_U64 },
	[DLEASE_A_STATS_TIMEOUTS] = { .type = NLA_U64 },
	[DLEASE_A_STATS_INTERRUPTS] = { .type = NLA_U64 },
	[DLEASE_A_STATS_EXPIRIES] = { .type = NLA_U64 },
	[DLEASE_A_STATS_REVOCATIONS] = { .type = NLA_U64 },
	[DLEASE_A_STATS_RENEWALS] = { .type = NLA_U64 },
	[DLEASE_A_STATS_LATE_RENEWALS] = { .type = NLA_U64 },
	[DLEASE_A_STATS_QUOTA_HITS] = { .type = NLA_U64 },
	[DLEASE_A_STATS_RELEASES] = { .type = NLA_U64 },
	[DLEASE_A_STATS_RESOURCES] = { .type = NLA_U32 },
	[DLEASE_A_STATS_SESSIONS] = { .type = NLA_U32 },
	[DLEASE_A_STATS_WAIT_HIST] = { .type = NLA_NESTED },
	[DLEASE_A_STATS_HOLD_HIST] = { .type = NLA_NESTED },
	[DLEASE_A_STATS_TOP] = { .type = NLA_NESTED },
};

static struct nla_policy top_policy[DLEASE_A_TOP_MAX + 1] = {
	[DLEASE_A_TOP_NAME] = { .type = NLA_UNSPEC, .maxlen = DLEASE_NAME_MAX },
	[DLEASE_A_TOP_CONTENDED] = { .type = NLA_U64 },
	[DLEASE_A_TOP_WAITERS] = { .type = NLA_U32 },
};

/* The buckets of a histogram, in order; pads skipped. */
static int parse_hist(struct nlattr *nest, uint64_t *hist, uint32_t *n)
{
	struct nlattr *a;
	int rem;

	*n = 0;
	if (!nest)
		return 0;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != DLEASE_A_HIST_BUCKET)
			continue;
		if (nla_len(a) != sizeof(uint64_t) || *n == DLEASE_NL_HIST_MAX)
			return -EPROTO;
		hist[(*n)++] = nla_get_u64(a);
	}
	return 0;
}

static int parse_top(struct nlattr *a, struct dlease_nl_stats *st)
{
	struct nlattr *tb[DLEASE_A_TOP_MAX + 1];
	struct dlease_nl_top *t;

	if (st->ntop == DLEASE_NL_TOP_MAX ||
	    nla_parse_nested(tb, DLEASE_A_TOP_MAX, a, top_policy))
		return -EPROTO;
	t = &st->top[st->ntop++];
	dl_nl_copy_name(t->name, tb[DLEASE_A_TOP_NAME]);
	t->contended = tb[DLEASE_A_TOP_CONTENDED] ?
		nla_get_u64(tb[DLEASE_A_TOP_CONTENDED]) : 0;
	t->waiters = tb[DLEASE_A_TOP_WAITERS] ?
		nla_get_u32(tb[DLEASE_A_TOP_WAITERS]) : 0;
	return 0;
}

#define STAT64(st, tb, field, attr) \
	((st)->field = (tb)[attr] ? nla_get_u64((tb)[attr]) : 0)

static void parse_counters(struct nlattr **tb, struct dlease_nl_stats *st)
{
	STAT64(st, tb, acquires, DLEASE_A_STATS_ACQUIRES);
	STAT64(st, tb, grants, DLEASE_A_STATS_GRANTS);
	STAT64(st, tb, contended_grants, DLEASE_A_STATS_CONTENDED_GRANTS);
	STAT64(st, tb, timeouts, DLEASE_A_STATS_TIMEOUTS);
	STAT64(st, tb, interrupts, DLEASE_A_STATS_INTERRUPTS);
	STAT64(st, tb, expiries, DLEASE_A_STATS_EXPIRIES);
	STAT64(st, tb, revocations, DLEASE_A_STATS_REVOCATIONS);
	STAT64(st, tb, renewals, DLEASE_A_STATS_RENEWALS);
	STAT64(st, tb, late_renewals, DLEASE_A_STATS_LATE_RENEWALS);
	STAT64(st, tb, quota_hits, DLEASE_A_STATS_QUOTA_HITS);
	STAT64(st, tb, releases, DLEASE_A_STATS_RELEASES);
	st->resources = tb[DLEASE_A_STATS_RESOURCES] ?
		nla_get_u32(tb[DLEASE_A_STATS_RESOURCES]) : 0;
	st->sessions = tb[DLEASE_A_STATS_SESSIONS] ?
		nla_get_u32(tb[DLEASE_A_STATS_SESSIONS]) : 0;
}

static int parse_stats(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[DLEASE_A_STATS_MAX + 1];
	struct dlease_nl_stats *st = arg;
	struct nlattr *a;
	int rem, err;

	if (genlmsg_parse(h, 0, tb, DLEASE_A_STATS_MAX, stats_policy))
		return -EPROTO;
	parse_counters(tb, st);
	err = parse_hist(tb[DLEASE_A_STATS_WAIT_HIST], st->wait_hist,
			 &st->wait_buckets);
	if (!err)
		err = parse_hist(tb[DLEASE_A_STATS_HOLD_HIST], st->hold_hist,
				 &st->hold_buckets);
	nlmsg_for_each_attr(a, h, GENL_HDRLEN, rem) {
		if (!err && nla_type(a) == DLEASE_A_STATS_TOP)
			err = parse_top(a, st);
	}
	return err;
}

int dlease_nl_stats(struct dlease_nl *nl, uint32_t top_count,
		    struct dlease_nl_stats *st)
{
	struct nl_reply reply = { .parse = parse_stats, .arg = st };
	struct nl_msg *msg = dl_nl_request(nl, DLEASE_CMD_STATS_GET, 0);

	if (!msg)
		return -ENOMEM;
	if (top_count && nla_put_u32(msg, DLEASE_A_STATS_TOP_COUNT,
				     top_count)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	memset(st, 0, sizeof(*st));
	return dl_nl_transact(nl, msg, &reply);
}

/* The config attributes, their DLEASE_CFG_* bit and field. */
struct cfg_field {
	int attr;
	uint32_t bit;
	size_t off;
	bool is64;
};

#define CFG32(a, b, f) { a, b, offsetof(struct dlease_nl_config, f), false }
#define CFG64(a, b, f) { a, b, offsetof(struct dlease_nl_config, f), true }

static const struct cfg_field cfg_fields[] = {
	CFG32(DLEASE_A_CONFIG_MAX_PER_SESSION, DLEASE_CFG_MAX_PER_SESSION,
	      max_per_session),
	CFG32(DLEASE_A_CONFIG_MAX_HOLDERS, DLEASE_CFG_MAX_HOLDERS,
	      max_holders),
	CFG32(DLEASE_A_CONFIG_MAX_WAITERS, DLEASE_CFG_MAX_WAITERS,
	      max_waiters),
	CFG32(DLEASE_A_CONFIG_MAX_EVENTS, DLEASE_CFG_MAX_EVENTS, max_events),
	CFG64(DLEASE_A_CONFIG_TTL_MIN, DLEASE_CFG_TTL_MIN, ttl_min_ns),
	CFG64(DLEASE_A_CONFIG_TTL_MAX, DLEASE_CFG_TTL_MAX, ttl_max_ns),
	CFG64(DLEASE_A_CONFIG_GRACE_MAX, DLEASE_CFG_GRACE_MAX, grace_max_ns),
	CFG32(DLEASE_A_CONFIG_MAX_PER_USER, DLEASE_CFG_MAX_PER_USER,
	      max_per_user),
};

static int parse_config(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[DLEASE_A_CONFIG_MAX + 1];
	struct dlease_nl_config *cfg = arg;

	if (genlmsg_parse(h, 0, tb, DLEASE_A_CONFIG_MAX, NULL))
		return -EPROTO;
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < ARRAY_SIZE(cfg_fields); i++) {
		const struct cfg_field *f = &cfg_fields[i];
		struct nlattr *a = tb[f->attr];
		char *p = (char *)cfg + f->off;

		if (!a)
			continue;
		if (nla_len(a) != (f->is64 ? 8 : 4))
			return -EPROTO;
		if (f->is64)
			*(uint64_t *)p = nla_get_u64(a);
		else
			*(uint32_t *)p = nla_get_u32(a);
		cfg->set |= f->bit;
	}
	return 0;
}

int dlease_nl_config_get(struct dlease_nl *nl, struct dlease_nl_config *cfg)
{
	struct nl_reply reply = { .parse = parse_config, .arg = cfg };
	struct nl_msg *msg = dl_nl_request(nl, DLEASE_CMD_CONFIG_GET, 0);

	if (!msg)
		return -ENOMEM;
	return dl_nl_transact(nl, msg, &reply);
}

int dlease_nl_config_set(struct dlease_nl *nl,
			 const struct dlease_nl_config *cfg,
			 struct dlease_nl_config *out)
{
	struct dlease_nl_config tmp;
	struct nl_reply reply = { .parse = parse_config,
				  .arg = out ? out : &tmp };
	struct nl_msg *msg;
	int err = 0;

	if (!cfg->set || (cfg->set & ~(DLEASE_CFG_MAX_PER_USER - 1)))
		return -EINVAL;
	msg = dl_nl_request(nl, DLEASE_CMD_CONFIG_SET, 0);
	if (!msg)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(cfg_fields) && !err; i++) {
		const struct cfg_field *f = &cfg_fields[i];
		const char *p = (const char *)cfg + f->off;

		if (!(cfg->set & f->bit))
			continue;
		if (f->is64)
			err = nla_put_u64(msg, f->attr, *(const uint64_t *)p);
		else
			err = nla_put_u32(msg, f->attr, *(const uint32_t *)p);
	}
	if (err) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return dl_nl_transact(nl, msg, &reply);
}
