/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal generic netlink client for the dlease family tests: raw
 * sockets, so that the tests see exactly what the kernel sends (flags,
 * extended ACK messages and the offending attribute) with no library in
 * between.
 */
#ifndef DLEASE_NL_UTIL_H
#define DLEASE_NL_UTIL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/dlease.h>

#include "dlease_util.h"

#define NL_BUF		65536
#define NL_MAX_ATTRS	32

struct nl {
	int fd;
	uint16_t family;
	uint32_t events_group;
	uint32_t seq;
	/* Of the last request: */
	char extack[256];	/* extended ACK message, or "" */
	uint32_t bad_attr;	/* offset of the offending attribute, or 0 */
	bool dump_intr;		/* a reply carried NLM_F_DUMP_INTR */
	/* Kernel-initiated messages that arrived while waiting for a reply. */
	int backlog_len;
	char backlog[NL_BUF];
	char buf[NL_BUF];
};

/* A message being built. */
struct nl_msg {
	union {
		struct nlmsghdr nlh;
		char raw[4096];
	};
};

static inline struct nlattr *nl_attr_next(struct nlattr *a)
{
	return (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
}

static inline void *nl_attr_data(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static inline int nl_attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline uint64_t nl_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, nl_attr_data(a), sizeof(v));
	return v;
}

static inline uint32_t nl_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, nl_attr_data(a), sizeof(v));
	return v;
}

/* Indexes the attributes in [start, end) by type (the last one wins). */
static inline void nl_parse(struct nlattr *start, const char *end,
			    struct nlattr **tb)
{
	struct nlattr *a;

	memset(tb, 0, NL_MAX_ATTRS * sizeof(*tb));
	for (a = start; (char *)a + NLA_HDRLEN <= end &&
	     a->nla_len >= NLA_HDRLEN && (char *)a + a->nla_len <= end;
	     a = nl_attr_next(a))
		if ((a->nla_type & NLA_TYPE_MASK) < NL_MAX_ATTRS)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
}

static inline void nl_parse_nest(struct nlattr *nest, struct nlattr **tb)
{
	nl_parse(nl_attr_data(nest), (char *)nest + nest->nla_len, tb);
}

/* Attributes of a generic netlink message. */
static inline void nl_parse_msg(struct nlmsghdr *nlh, struct nlattr **tb)
{
	nl_parse((struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN),
		 (char *)nlh + nlh->nlmsg_len, tb);
}

static inline void nl_msg_init(struct nl_msg *m, uint16_t type, uint8_t cmd,
			       uint16_t flags)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = cmd;
	g->version = 1;
}

static inline void nl_put(struct nl_msg *m, uint16_t type, const void *data,
			  int len)
{
	struct nlattr *a = (struct nlattr *)(m->raw +
					     NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(nl_attr_data(a), data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static inline void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

static inline void nl_put_u64(struct nl_msg *m, uint16_t type, uint64_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

/* Records the extended ACK of an error or ACK message. */
static inline int nl_note_ack(struct nl *nl, struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nlattr *tb[NL_MAX_ATTRS];
	size_t skip = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		skip += e->msg.nlmsg_len - sizeof(e->msg);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		nl_parse((struct nlattr *)((char *)e + NLMSG_ALIGN(skip)),
			 (char *)nlh + nlh->nlmsg_len, tb);
		if (tb[NLMSGERR_ATTR_MSG])
			snprintf(nl->extack, sizeof(nl->extack), "%s",
				 (char *)nl_attr_data(tb[NLMSGERR_ATTR_MSG]));
		if (tb[NLMSGERR_ATTR_OFFS])
			nl->bad_attr = nl_u32(tb[NLMSGERR_ATTR_OFFS]);
	}
	return e->error;
}

/* Keeps a message the kernel sent on its own (seq 0) for later readers. */
static inline void nl_stash(struct nl *nl, struct nlmsghdr *nlh)
{
	int len = NLMSG_ALIGN(nlh->nlmsg_len);

	if (nlh->nlmsg_seq || nl->backlog_len + len > (int)sizeof(nl->backlog))
		return;
	memcpy(nl->backlog + nl->backlog_len, nlh, nlh->nlmsg_len);
	nl->backlog_len += len;
}

/* Takes the oldest stashed message into @buf; returns its length or 0. */
static inline int nl_unstash(struct nl *nl, char *buf)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)nl->backlog;
	int len;

	if (!nl->backlog_len)
		return 0;
	len = NLMSG_ALIGN(nlh->nlmsg_len);
	memcpy(buf, nlh, nlh->nlmsg_len);
	nl->backlog_len -= len;
	memmove(nl->backlog, nl->backlog + len, nl->backlog_len);
	return nlh->nlmsg_len;
}

/*
 * Sends @m and reads until its ACK or the end of its dump, calling @cb
 * for every data message.  Returns 0 or the negative errno of the
 * request (or of the first callback that failed).
 */
static inline int nl_talk(struct nl *nl, struct nl_msg *m,
			  int (*cb)(struct nlmsghdr *, void *), void *arg)
{
	struct nlmsghdr *nlh;
	int n, err = 0, cb_err = 0;

	nl->extack[0] = 0;
	nl->bad_attr = 0;
	nl->dump_intr = false;
	m->nlh.nlmsg_seq = ++nl->seq;
	if (send(nl->fd, m, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
		if (n < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)nl->buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != nl->seq) {
				nl_stash(nl, nlh);
				continue;
			}
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				nl->dump_intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				err = nl_note_ack(nl, nlh);
				return err ? err : cb_err;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				/* A dump ends here: no ACK follows. */
				memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
				return err ? err : cb_err;
			}
			if (cb && !cb_err)
				cb_err = cb(nlh, arg);
		}
	}
}

static int nl_family_cb(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[NL_MAX_ATTRS], *g, *gtb[NL_MAX_ATTRS];
	struct nl *nl = arg;

	nl_parse_msg(nlh, tb);
	if (tb[CTRL_ATTR_FAMILY_ID])
		memcpy(&nl->family, nl_attr_data(tb[CTRL_ATTR_FAMILY_ID]), 2);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	for (g = nl_attr_data(tb[CTRL_ATTR_MCAST_GROUPS]);
	     (char *)g < (char *)tb[CTRL_ATTR_MCAST_GROUPS] +
			 tb[CTRL_ATTR_MCAST_GROUPS]->nla_len;
	     g = nl_attr_next(g)) {
		nl_parse_nest(g, gtb);
		if (gtb[CTRL_ATTR_MCAST_GRP_NAME] && gtb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(nl_attr_data(gtb[CTRL_ATTR_MCAST_GRP_NAME]),
			    DLEASE_MCGRP_EVENTS))
			nl->events_group = nl_u32(gtb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return 0;
}

/* Opens a socket in the caller's netns and resolves the dlease family. */
static inline int nl_open(struct nl *nl)
{
	struct nl_msg m;
	int one = 1, err;

	memset(nl, 0, offsetof(struct nl, backlog));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	nl_put(&m, CTRL_ATTR_FAMILY_NAME, DLEASE_FAMILY_NAME,
	       sizeof(DLEASE_FAMILY_NAME));
	err = nl_talk(nl, &m, nl_family_cb, nl);
	if (!err && (!nl->family || !nl->events_group))
		err = -ENOENT;
	if (err)
		close(nl->fd);
	return err;
}

static inline int nl_subscribe(struct nl *nl)
{
	return setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			  &nl->events_group, sizeof(nl->events_group)) ?
	       -errno : 0;
}

/* Copies the attributes of the one reply message into @arg (nl tb). */
struct nl_reply {
	struct nlattr *tb[NL_MAX_ATTRS];
	char copy[8192];
};

static inline int nl_reply_cb(struct nlmsghdr *nlh, void *arg)
{
	struct nl_reply *r = arg;

	if (nlh->nlmsg_len > sizeof(r->copy))
		return -E2BIG;
	memcpy(r->copy, nlh, nlh->nlmsg_len);
	nl_parse_msg((struct nlmsghdr *)r->copy, r->tb);
	return 0;
}

/*
 * The next notification of the family on a subscribed socket, within @ms
 * (scaled); its attributes in @tb until the next call.  One socket per
 * test program: the unread rest of a datagram is kept here.
 */
static inline int nl_next_ntf(struct nl *nl, struct nlattr **tb, int ms)
{
	static char buf[8192];
	struct pollfd p = { .fd = nl->fd, .events = POLLIN };
	static int n, off;
	struct nlmsghdr *nlh;

	for (;;) {
		if (off < n) {
			nlh = (struct nlmsghdr *)(buf + off);
			off += NLMSG_ALIGN(nlh->nlmsg_len);
			if (nlh->nlmsg_type != nl->family)
				continue;
			nl_parse_msg(nlh, tb);
			return 0;
		}
		if (poll(&p, 1, ms * (int)dl_scale()) != 1)
			return -ETIMEDOUT;
		n = recv(nl->fd, buf, sizeof(buf), 0);
		off = 0;
		if (n < 0)
			return -errno;
	}
}

#endif /* DLEASE_NL_UTIL_H */
