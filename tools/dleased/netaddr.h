/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Numeric UDP addresses of dleased: "192.0.2.1:7410" or "[2001:db8::1]:7410".
 */
#ifndef DLEASED_NETADDR_H
#define DLEASED_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* room for "[" IPv6 "%" scope "]:" port and a NUL */
#define DLD_ADDR_STRLEN	80

/**
 * struct dld_addr - a socket address and its length
 * @ss: the address (AF_INET or AF_INET6)
 * @len: bytes of @ss in use
 */
struct dld_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

int dld_addr_parse(const char *str, struct dld_addr *addr, const char **why);
const char *dld_addr_str(const struct dld_addr *addr, char *buf, size_t size);

#endif /* DLEASED_NETADDR_H */
