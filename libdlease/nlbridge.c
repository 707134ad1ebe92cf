// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Netlink: the cluster bridge (dlease-bridge.h).  One socket carries the
 * kernel's requests and the ACKs of our answers; requests read while an
 * ACK is awaited are queued for dlease_bridge_read().
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dlease-bridge.h"
#include "nl.h"

/* Room for bursts of requests: the kernel cannot wait for the socket. */
#define BRIDGE_RCVBUF	(1 << 20)
/* The kernel answers synchronously; this only bounds a broken socket. */
#define BRIDGE_ACK_MS	2000

struct dlease_bridge {
	struct nl_sock *sock;
	int family;
	char extack[256];
	void *rbuf;
	struct dlease_bridge_request *q;
	size_t q_head, q_len, q_cap;
};

static struct nla_policy request_policy[DLEASE_A_BRIDGE_MAX + 1] = {
	[DLEASE_A_BRIDGE_REQ] = { .type = NLA_U64 },
	[DLEASE_A_BRIDGE_OP] = { .type = NLA_U32 },
	[DLEASE_A_BRIDGE_NAME] = { .type = NLA_UNSPEC, .minlen = 1,
				   .maxlen = DLEASE_NAME_MAX },
	[DLEASE_A_BRIDGE_TTL] = { .type = NLA_U64 },
	[DLEASE_A_BRIDGE_TRY] = { .type = NLA_FLAG },
};

int dlease_bridge_new(struct dlease_bridge **bp)
{
	struct dlease_bridge *b = calloc(1, sizeof(*b));
	int err = -ENOMEM;

	if (!b)
		return -ENOMEM;
	b->rbuf = malloc(NL_RECV_BUF);
	if (!b->rbuf)
		goto err_free;
	err = dl_nl_connect(&b->sock, &b->family);
	if (err)
		goto err_free;
	if (nl_socket_set_nonblocking(b->sock) ||
	    nl_socket_set_buffer_size(b->sock, BRIDGE_RCVBUF, 0)) {
		err = errno ? -errno : -EIO;
		goto err_free;
	}
	*bp = b;
	return 0;

err_free:
	dlease_bridge_close(b);
	return err;
}

void dlease_bridge_close(struct dlease_bridge *b)
{
	if (!b)
		return;
	if (b->sock)
		nl_socket_free(b->sock);
	free(b->q);
	free(b->rbuf);
	free(b);
}

int dlease_bridge_fd(const struct dlease_bridge *b)
{
	return nl_socket_get_fd(b->sock);
}

const char *dlease_bridge_extack(const struct dlease_bridge *b)
{
	return b->extack;
}

static int parse_request(struct nlmsghdr *h, struct dlease_bridge_request *r)
{
	struct nlattr *tb[DLEASE_A_BRIDGE_MAX + 1];
	struct genlmsghdr *g = nlmsg_data(h);

	if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    g->cmd != DLEASE_CMD_BRIDGE_REQUEST ||
	    genlmsg_parse(h, 0, tb, DLEASE_A_BRIDGE_MAX, request_policy) ||
	    !tb[DLEASE_A_BRIDGE_REQ] || !tb[DLEASE_A_BRIDGE_OP] ||
	    !tb[DLEASE_A_BRIDGE_NAME])
		return -EPROTO;
	memset(r, 0, sizeof(*r));
	r->handle = nla_get_u64(tb[DLEASE_A_BRIDGE_REQ]);
	r->op = nla_get_u32(tb[DLEASE_A_BRIDGE_OP]);
	r->try = tb[DLEASE_A_BRIDGE_TRY];
	if (tb[DLEASE_A_BRIDGE_TTL])
		r->ttl_ns = nla_get_u64(tb[DLEASE_A_BRIDGE_TTL]);
	dl_nl_copy_name(r->name, tb[DLEASE_A_BRIDGE_NAME]);
	r->name_len = (uint32_t)nla_len(tb[DLEASE_A_BRIDGE_NAME]);
	if (memchr(r->name, 0, r->name_len))
		return -EPROTO;
	return 0;
}

static int queue_request(struct dlease_bridge *b, struct nlmsghdr *h)
{
	if (b->q_head + b->q_len == b->q_cap) {
		size_t cap = b->q_cap ? 2 * b->q_cap : 16;
		void *q;

		memmove(b->q, b->q + b->q_head, b->q_len * sizeof(*b->q));
		b->q_head = 0;
		if (b->q_len == b->q_cap) {
			q = reallocarray(b->q, cap, sizeof(*b->q));
			if (!q)
				return -ENOMEM;
			b->q = q;
			b->q_cap = cap;
		}
	}
	if (parse_request(h, &b->q[b->q_head + b->q_len]))
		return -EPROTO;
	b->q_len++;
	return 0;
}

/*
 * Reads one datagram without waiting: requests go to the queue; the ACK
 * of @seq (if not 0) sets *@acked and *@ack_err.
 */
static int read_datagram(struct dlease_bridge *b, uint32_t seq, bool *acked,
			 int *ack_err)
{
	int err = 0, r, len;
	struct nlmsghdr *h;

	len = dl_nl_recv(b->sock, b->rbuf, MSG_DONTWAIT);
	if (len < 0)
		return len;
	for (h = b->rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			if (!seq || h->nlmsg_seq != seq)
				continue;	/* a late ACK: nobody waits */
			*ack_err = dl_nl_ack_error(h, b->extack,
						   sizeof(b->extack));
			*acked = true;
		} else if (h->nlmsg_type == b->family) {
			r = queue_request(b, h);
			if (r && !err)
				err = r;
		}
	}
	return err;
}

/* Sends @msg (freed here) and reads until its ACK. */
static int transact(struct dlease_bridge *b, struct nl_msg *msg)
{
	struct pollfd p = { .fd = nl_socket_get_fd(b->sock), .events = POLLIN };
	bool acked = false;
	int ack_err = 0, err;
	uint32_t seq;

	b->extack[0] = 0;
	err = nl_send_auto(b->sock, msg);
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (err < 0)
		return errno ? -errno : -EIO;
	while (!acked) {
		err = read_datagram(b, seq, &acked, &ack_err);
		if (err == -EAGAIN) {
			err = poll(&p, 1, BRIDGE_ACK_MS);
			if (err < 0 && errno != EINTR)
				return -errno;
			if (!err)
				return -ETIMEDOUT;
			continue;
		}
		/* A malformed request is skipped; the ACK is still due. */
		if (err && err != -EPROTO)
			return err;
	}
	return ack_err;
}

static struct nl_msg *bridge_msg(struct dlease_bridge *b, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, b->family, 0,
			 NLM_F_REQUEST | NLM_F_ACK, cmd,
			 DLEASE_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int dlease_bridge_register(struct dlease_bridge *b)
{
	struct nl_msg *msg = bridge_msg(b, DLEASE_CMD_BRIDGE_REGISTER);

	if (!msg)
		return -ENOMEM;
	return transact(b, msg);
}

int dlease_bridge_read(struct dlease_bridge *b,
		       struct dlease_bridge_request *req)
{
	bool acked = false;
	int ack_err, err;

	while (!b->q_len) {
		err = read_datagram(b, 0, &acked, &ack_err);
		if (err)
			return err;
	}
	*req = b->q[b->q_head++];
	b->q_len--;
	if (!b->q_len)
		b->q_head = 0;
	return 0;
}

int dlease_bridge_answer(struct dlease_bridge *b,
			 const struct dlease_bridge_answer *ans)
{
	struct nl_msg *msg = bridge_msg(b, DLEASE_CMD_BRIDGE_ANSWER);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u64(msg, DLEASE_A_BRIDGE_REQ, ans->handle) ||
	    nla_put_u32(msg, DLEASE_A_BRIDGE_RESULT, ans->result) ||
	    (ans->token &&
	     nla_put_u64(msg, DLEASE_A_BRIDGE_TOKEN, ans->token)) ||
	    (ans->expires_ns &&
	     nla_put_u64(msg, DLEASE_A_BRIDGE_EXPIRES, ans->expires_ns)) ||
	    (ans->error &&
	     nla_put_u32(msg, DLEASE_A_BRIDGE_ERROR, ans->error)) ||
	    (ans->count &&
	     nla_put_u32(msg, DLEASE_A_BRIDGE_COUNT, ans->count))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return transact(b, msg);
}
