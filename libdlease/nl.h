/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdlease internals of the netlink half, shared by its files.
 */
#ifndef LIBDLEASE_NL_H
#define LIBDLEASE_NL_H

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "internal.h"

/* Big enough for any message the kernel sends us (MSG_TRUNC checks). */
#define NL_RECV_BUF	65536

struct dlease_nl {
	struct nl_sock *sock;
	struct nl_sock *ev_sock;
	int family;
	char extack[256];
	void *rbuf;
	struct dlease_nl_event *evq;
	size_t evq_head, evq_len, evq_cap;
};

/* Called for each message of the family in a reply; returns 0 or -errno */
struct nl_reply {
	int (*parse)(struct nlmsghdr *h, void *arg);
	void *arg;
	bool interrupted;	/* a dump message had NLM_F_DUMP_INTR */
};

int dl_nl_connect(struct nl_sock **sockp, int *family);
int dl_nl_ack_error(struct nlmsghdr *h, char *extack, size_t size);
int dl_nl_recv(struct nl_sock *sock, void *buf, int flags);
struct nl_msg *dl_nl_request(struct dlease_nl *nl, uint8_t cmd, int flags);
int dl_nl_transact(struct dlease_nl *nl, struct nl_msg *msg,
		   struct nl_reply *reply);
void dl_nl_copy_name(char *dst, const struct nlattr *a);

#endif /* LIBDLEASE_NL_H */
