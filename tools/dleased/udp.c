// SPDX-License-Identifier: GPL-2.0
/*
 * Opening the UDP sockets. IPv6 sockets are IPv6-only, so an IPv4 and an
 * IPv6 wildcard address can share one port.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "udp.h"

static int dld_udp_bind(const struct dld_addr *addr)
{
	char buf[DLD_ADDR_STRLEN];
	int fd, on = 1, err;

	fd = socket(addr->ss.ss_family,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (addr->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)))
		goto close_fd;
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len))
		goto close_fd;
	return fd;

close_fd:
	err = errno;
	close(fd);
	errno = err;
fail:
	err = -errno;
	dld_err("listen %s: %s", dld_addr_str(addr, buf, sizeof(buf)),
		strerror(errno));
	return err;
}

/**
 * dld_udp_open() - bind a socket to every listen address
 * @udp: sockets, filled in
 * @conf: configuration
 *
 * Return: 0 or a negative errno (logged); nothing is left open on error.
 */
int dld_udp_open(struct dld_udp *udp, const struct dld_conf *conf)
{
	unsigned int i;
	int fd;

	udp->n = 0;
	for (i = 0; i < conf->n_listen; i++) {
		fd = dld_udp_bind(&conf->listen[i]);
		if (fd < 0) {
			dld_udp_close(udp);
			return fd;
		}
		udp->fd[udp->n] = fd;
		udp->family[udp->n++] = conf->listen[i].ss.ss_family;
	}
	return 0;
}

/**
 * dld_udp_fd() - the socket to reach an address of a family
 * @udp: sockets
 * @family: AF_INET or AF_INET6
 *
 * Return: the descriptor, or -1 (the configuration check prevents it).
 */
int dld_udp_fd(const struct dld_udp *udp, int family)
{
	unsigned int i;

	for (i = 0; i < udp->n; i++)
		if (udp->family[i] == family)
			return udp->fd[i];
	return -1;
}

/**
 * dld_udp_close() - close every socket
 * @udp: sockets
 */
void dld_udp_close(struct dld_udp *udp)
{
	while (udp->n)
		close(udp->fd[--udp->n]);
}
