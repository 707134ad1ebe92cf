// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and printing of numeric socket addresses. Host names are not
 * accepted: the daemon must not depend on DNS to form its cluster.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

/**
 * dld_addr_parse() - parse "IPV4:PORT" or "[IPV6]:PORT"
 * @str: the text
 * @addr: the result
 * @why: set to a static reason when the text is refused
 *
 * Return: 0 or -EINVAL.
 */
int dld_addr_parse(const char *str, struct dld_addr *addr, const char **why)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	char host[DLD_ADDR_STRLEN];
	struct addrinfo *res;
	const char *colon, *start = str, *end;
	long port;
	char *tail;

	*why = "expected IPV4:PORT or [IPV6]:PORT";
	colon = strrchr(str, ':');
	if (!colon)
		return -EINVAL;
	end = colon;
	if (*str == '[') {
		start = str + 1;
		end = colon - 1;
		if (end < start || *end != ']')
			return -EINVAL;
		hints.ai_family = AF_INET6;
	} else {
		hints.ai_family = AF_INET;
	}
	errno = 0;
	port = strtol(colon + 1, &tail, 10);
	if (colon[1] < '0' || colon[1] > '9' || *tail || errno ||
	    port < 1 || port > 65535) {
		*why = "port must be 1..65535";
		return -EINVAL;
	}
	if (end - start <= 0 || (size_t)(end - start) >= sizeof(host))
		return -EINVAL;
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &res)) {
		*why = "not a numeric IPv4 or IPv6 address";
		return -EINVAL;
	}
	memcpy(&addr->ss, res->ai_addr, res->ai_addrlen);
	addr->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/**
 * dld_addr_str() - print an address as dld_addr_parse() reads it
 * @addr: the address
 * @buf: output buffer
 * @size: its size, DLD_ADDR_STRLEN is enough
 *
 * Return: @buf.
 */
const char *dld_addr_str(const struct dld_addr *addr, char *buf, size_t size)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)&addr->ss, addr->len, host,
			sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (addr->ss.ss_family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", host, serv);
	else
		snprintf(buf, size, "%s:%s", host, serv);
	return buf;
}
