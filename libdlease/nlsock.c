// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The netlink transport: a generic netlink socket on the "dlease" family
 * that asks for an ACK with every request, reads the replies itself and
 * keeps the kernel's extended ACK message for the caller.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>

#include "nl.h"

/**
 * dl_nl_connect() - a generic netlink socket that resolved the family
 * @sockp: the new socket
 * @family: the family's id
 *
 * Extended ACKs are on, ACKs carry no copy of the request.
 *
 * Return: 0; -EOPNOTSUPP (no such family: module not loaded or too
 * old); -ENOMEM; errors of socket(2).
 */
int dl_nl_connect(struct nl_sock **sockp, int *family)
{
	struct nl_sock *sock = nl_socket_alloc();
	int one = 1, fd, err;

	if (!sock)
		return -ENOMEM;
	err = genl_connect(sock);
	if (err < 0) {
		err = errno ? -errno : -EIO;
		goto err_free;
	}
	fd = nl_socket_get_fd(sock);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		err = -errno;
		goto err_free;
	}
	*family = genl_ctrl_resolve(sock, DLEASE_FAMILY_NAME);
	if (*family < 0) {
		err = -EOPNOTSUPP;
		goto err_free;
	}
	*sockp = sock;
	return 0;

err_free:
	nl_socket_free(sock);
	return err;
}

int dlease_nl_open(struct dlease_nl **nlp)
{
	struct dlease_nl *nl = calloc(1, sizeof(*nl));
	int err;

	if (!nl)
		return -ENOMEM;
	nl->rbuf = malloc(NL_RECV_BUF);
	err = -ENOMEM;
	if (!nl->rbuf)
		goto err_free;
	err = dl_nl_connect(&nl->sock, &nl->family);
	if (err)
		goto err_free;
	*nlp = nl;
	return 0;

err_free:
	dlease_nl_close(nl);
	return err;
}

void dlease_nl_close(struct dlease_nl *nl)
{
	if (!nl)
		return;
	if (nl->ev_sock)
		nl_socket_free(nl->ev_sock);
	if (nl->sock)
		nl_socket_free(nl->sock);
	free(nl->evq);
	free(nl->rbuf);
	free(nl);
}

const char *dlease_nl_extack(const struct dlease_nl *nl)
{
	return nl->extack;
}

/**
 * dl_nl_request() - a request of the family with NLM_F_ACK
 * @nl: the handle
 * @cmd: DLEASE_CMD_*
 * @flags: more NLM_F_* flags (NLM_F_DUMP)
 *
 * Return: the message, or NULL (out of memory).
 */
struct nl_msg *dl_nl_request(struct dlease_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 flags | NLM_F_REQUEST | NLM_F_ACK, cmd,
			 DLEASE_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Keeps the extended ACK message found in @attrs..@len. */
static void keep_extack(char *extack, size_t size, void *attrs, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL) ||
	    !tb[NLMSGERR_ATTR_MSG])
		return;
	snprintf(extack, size, "%.*s", nla_len(tb[NLMSGERR_ATTR_MSG]),
		 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	/* The string attribute may carry its NUL. */
	extack[strnlen(extack, size - 1)] = 0;
}

/**
 * dl_nl_ack_error() - the outcome an NLMSG_ERROR message reports
 * @h: the message
 * @extack: where the kernel's message goes, if there is one
 * @size: size of @extack
 *
 * Return: 0 for an ACK, else the kernel's negative errno (-EPROTO for a
 * malformed message).
 */
int dl_nl_ack_error(struct nlmsghdr *h, char *extack, size_t size)
{
	struct nlmsgerr *e = nlmsg_data(h);
	int off = sizeof(*e);

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return -EPROTO;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (h->nlmsg_flags & NLM_F_ACK_TLVS)
		keep_extack(extack, size, (char *)e + off,
			    (int)(h->nlmsg_len - NLMSG_HDRLEN) - off);
	return e->error > 0 ? -EPROTO : e->error;
}

/* NLMSG_DONE of a dump: its error, if any. */
static int done_error(struct dlease_nl *nl, struct nlmsghdr *h)
{
	int err = 0;

	if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
		memcpy(&err, nlmsg_data(h), sizeof(err));
	if (h->nlmsg_flags & NLM_F_ACK_TLVS)
		keep_extack(nl->extack, sizeof(nl->extack),
			    (char *)nlmsg_data(h) + sizeof(int),
			    (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(int))));
	return err > 0 ? -EPROTO : err;
}

/*
 * Handles one datagram; returns 1 when the answer is complete, 0 to read
 * on, or -errno of the transport.  *@err collects the first error.
 */
static int handle_datagram(struct dlease_nl *nl, struct nlmsghdr *h, int n,
			   uint32_t seq, struct nl_reply *reply, int *err)
{
	int r;

	for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_seq != seq)
			continue;	/* a late answer to something else */
		if (h->nlmsg_flags & NLM_F_DUMP_INTR)
			reply->interrupted = true;
		if (h->nlmsg_type == NLMSG_ERROR) {
			r = dl_nl_ack_error(h, nl->extack,
					    sizeof(nl->extack));
			if (!*err)
				*err = r;
			return 1;
		}
		if (h->nlmsg_type == NLMSG_DONE) {
			r = done_error(nl, h);
			if (!*err)
				*err = r;
			return 1;
		}
		if (h->nlmsg_type == nl->family && reply && reply->parse) {
			r = reply->parse(h, reply->arg);
			if (r && !*err)
				*err = r;
		}
	}
	return n ? -EPROTO : 0;
}

/**
 * dl_nl_transact() - send a request and read its answer to the end
 * @nl: the handle
 * @msg: the request, freed here
 * @reply: what to do with the messages of the family, or NULL
 *
 * Reads until the ACK (or NLMSG_DONE of a dump).  A rejected request
 * leaves the kernel's message in @nl->extack.
 *
 * Return: 0 or a negative errno value (the kernel's, the transport's, or
 * the first error of @reply->parse).
 */
int dl_nl_transact(struct dlease_nl *nl, struct nl_msg *msg,
		   struct nl_reply *reply)
{
	int err = 0, done = 0, n;
	uint32_t seq;

	nl->extack[0] = 0;
	if (nl_send_auto(nl->sock, msg) < 0) {
		nlmsg_free(msg);
		return errno ? -errno : -EIO;
	}
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	while (!done) {
		n = dl_nl_recv(nl->sock, nl->rbuf, 0);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		done = handle_datagram(nl, nl->rbuf, n, seq, reply, &err);
		if (done < 0)
			return done;
	}
	return err;
}

/**
 * dl_nl_recv() - one datagram of a netlink socket
 * @sock: the socket
 * @buf: NL_RECV_BUF bytes
 * @flags: recv() flags (MSG_DONTWAIT not to wait)
 *
 * Return: its length, or -errno (-EMSGSIZE if it did not fit in @buf).
 */
int dl_nl_recv(struct nl_sock *sock, void *buf, int flags)
{
	ssize_t n = recv(nl_socket_get_fd(sock), buf, NL_RECV_BUF,
			 flags | MSG_TRUNC);

	if (n < 0)
		return -errno;
	if (n > NL_RECV_BUF)
		return -EMSGSIZE;
	return (int)n;
}

/**
 * dl_nl_copy_name() - a binary name attribute as a C string
 * @dst: DLEASE_NAME_MAX + 1 bytes
 * @a: the attribute, or NULL
 */
void dl_nl_copy_name(char *dst, const struct nlattr *a)
{
	int len = a ? nla_len(a) : 0;

	if (len > DLEASE_NAME_MAX)
		len = DLEASE_NAME_MAX;
	if (len)
		memcpy(dst, nla_data(a), len);
	dst[len] = 0;
}
