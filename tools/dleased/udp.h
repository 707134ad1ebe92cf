/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's UDP sockets: one per listen address (IPv4, IPv6 or both).
 */
#ifndef DLEASED_UDP_H
#define DLEASED_UDP_H

#include "conffile.h"

/**
 * struct dld_udp - bound UDP sockets
 * @n: number of sockets
 * @fd: the sockets, non-blocking
 * @family: address family of each
 */
struct dld_udp {
	unsigned int n;
	int fd[DLD_MAX_LISTEN];
	int family[DLD_MAX_LISTEN];
};

int dld_udp_open(struct dld_udp *udp, const struct dld_conf *conf);
int dld_udp_fd(const struct dld_udp *udp, int family);
void dld_udp_close(struct dld_udp *udp);

#endif /* DLEASED_UDP_H */
