// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Netlink: the "events" multicast group, on a socket of its own so that
 * requests and their answers never mix with notifications.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>

#include "nl.h"

/* Socket receive buffer: room for bursts of events. */
#define EVENT_RCVBUF	(1 << 20)

static struct nla_policy event_policy[DLEASE_A_LEASE_MAX + 1] = {
	[DLEASE_A_LEASE_EVENT] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_TIME] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_NAME] = { .type = NLA_UNSPEC, .minlen = 1,
				  .maxlen = DLEASE_NAME_MAX },
	[DLEASE_A_LEASE_SESSION] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_ID] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_MODE] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_PID] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_TOKEN] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_EXPIRES] = { .type = NLA_U64 },
	[DLEASE_A_LEASE_WAITERS] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_CLUSTER_PLACE] = { .type = NLA_U32 },
	[DLEASE_A_LEASE_WAIT_UNTIL] = { .type = NLA_U64 },
};

/*
 * cluster_place came later, in what was tail padding: a caller built
 * against the older header passes a struct just as large (on LP64, where
 * uint64_t is 8-aligned; i386 callers must rebuild).
 */
_Static_assert(sizeof(void *) != 8 || sizeof(struct dlease_nl_event) == 320,
	       "struct dlease_nl_event changed size");

int dlease_nl_subscribe(struct dlease_nl *nl)
{
	int grp, err;

	if (nl->ev_sock)
		return 0;
	grp = genl_ctrl_resolve_grp(nl->sock, DLEASE_FAMILY_NAME,
				    DLEASE_MCGRP_EVENTS);
	if (grp < 0)
		return -EOPNOTSUPP;
	nl->ev_sock = nl_socket_alloc();
	if (!nl->ev_sock)
		return -ENOMEM;
	nl_socket_disable_seq_check(nl->ev_sock);
	err = nl_connect(nl->ev_sock, NETLINK_GENERIC);
	if (!err)
		err = nl_socket_set_nonblocking(nl->ev_sock);
	if (!err)
		err = nl_socket_set_buffer_size(nl->ev_sock, EVENT_RCVBUF, 0);
	if (!err)
		err = nl_socket_add_membership(nl->ev_sock, grp);
	if (err) {
		err = errno ? -errno : -EIO;
		nl_socket_free(nl->ev_sock);
		nl->ev_sock = NULL;
	}
	return err;
}

int dlease_nl_event_fd(const struct dlease_nl *nl)
{
	return nl->ev_sock ? nl_socket_get_fd(nl->ev_sock) : -EBADF;
}

static int parse_event(struct nlmsghdr *h, struct dlease_nl_event *ev)
{
	struct nlattr *tb[DLEASE_A_LEASE_MAX + 1];
	struct genlmsghdr *g = nlmsg_data(h);

	if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    g->cmd != DLEASE_CMD_EVENT_NTF ||
	    genlmsg_parse(h, 0, tb, DLEASE_A_LEASE_MAX, event_policy) ||
	    !tb[DLEASE_A_LEASE_EVENT])
		return -EPROTO;
	memset(ev, 0, sizeof(*ev));
	ev->type = nla_get_u32(tb[DLEASE_A_LEASE_EVENT]);
	dl_nl_copy_name(ev->name, tb[DLEASE_A_LEASE_NAME]);
#define EV_GET(field, attr, get) \
	(ev->field = tb[attr] ? get(tb[attr]) : 0)
	EV_GET(time_ns, DLEASE_A_LEASE_TIME, nla_get_u64);
	EV_GET(session, DLEASE_A_LEASE_SESSION, nla_get_u64);
	EV_GET(id, DLEASE_A_LEASE_ID, nla_get_u64);
	EV_GET(token, DLEASE_A_LEASE_TOKEN, nla_get_u64);
	EV_GET(expires_ns, DLEASE_A_LEASE_EXPIRES, nla_get_u64);
	EV_GET(mode, DLEASE_A_LEASE_MODE, nla_get_u32);
	EV_GET(pid, DLEASE_A_LEASE_PID, nla_get_u32);
	EV_GET(waiters, DLEASE_A_LEASE_WAITERS, nla_get_u32);
	EV_GET(cluster_place, DLEASE_A_LEASE_CLUSTER_PLACE, nla_get_u32);
	if (ev->type == DLEASE_EV_WAIT)
		EV_GET(expires_ns, DLEASE_A_LEASE_WAIT_UNTIL, nla_get_u64);
#undef EV_GET
	return 0;
}

static int queue_event(struct dlease_nl *nl, struct nlmsghdr *h)
{
	struct dlease_nl_event *slot;

	if (nl->evq_head + nl->evq_len == nl->evq_cap) {
		size_t cap = nl->evq_cap ? 2 * nl->evq_cap : 64;
		void *q;

		/* Move what is left to the front before growing. */
		memmove(nl->evq, nl->evq + nl->evq_head,
			nl->evq_len * sizeof(*nl->evq));
		nl->evq_head = 0;
		if (nl->evq_len == nl->evq_cap) {
			q = reallocarray(nl->evq, cap, sizeof(*nl->evq));
			if (!q)
				return -ENOMEM;
			nl->evq = q;
			nl->evq_cap = cap;
		}
	}
	slot = &nl->evq[nl->evq_head + nl->evq_len];
	if (parse_event(h, slot))
		return -EPROTO;
	nl->evq_len++;
	return 0;
}

/* Reads one datagram of events into the queue, without waiting. */
static int fill_queue(struct dlease_nl *nl)
{
	struct nlmsghdr *h;
	int err = 0, len;

	len = dl_nl_recv(nl->ev_sock, nl->rbuf, MSG_DONTWAIT);
	if (len < 0)
		return len;
	for (h = nl->rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type != nl->family)
			continue;
		err = queue_event(nl, h);
		if (err)
			break;
	}
	return err;
}

int dlease_nl_read_event(struct dlease_nl *nl, struct dlease_nl_event *ev,
			 int timeout_ms)
{
	struct pollfd p;
	int err;

	if (!nl->ev_sock)
		return -EBADF;
	while (!nl->evq_len) {
		err = fill_queue(nl);
		if (err == -EAGAIN && timeout_ms) {
			p = (struct pollfd) { .fd = nl_socket_get_fd(nl->ev_sock),
					      .events = POLLIN };
			err = poll(&p, 1, timeout_ms);
			if (err < 0)
				return -errno;
			if (!err)
				return -EAGAIN;
			timeout_ms = 0;
			continue;
		}
		if (err)
			return err;
	}
	*ev = nl->evq[nl->evq_head++];
	nl->evq_len--;
	if (!nl->evq_len)
		nl->evq_head = 0;
	return 0;
}
