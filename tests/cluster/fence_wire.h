/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fence_wire.h - the UDP messages between fence_client and fence_register
 * (chaos_test's fencing-token register).
 *
 * Every message is one datagram of struct fence_msg, all fields
 * big-endian:
 *   FENCE_WRITE   client -> register: write @seq of @client under @token
 *   FENCE_STATUS  client -> register: ask for the counters (rest zero)
 *   FENCE_ACCEPT  register -> client: the write was accepted; @highest is
 *                 the highest token seen, now @token
 *   FENCE_STALE   register -> client: refused, @highest > @token
 *   FENCE_COUNTS  register -> client: @token is the highest token seen,
 *                 @client the accepted writes, @seq the refused ones,
 *                 @highest the malformed datagrams
 * Anything else (other length, magic, version or type, a request with
 * @highest set) is malformed.
 */
#ifndef FENCE_WIRE_H
#define FENCE_WIRE_H

#include <arpa/inet.h>
#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FENCE_MAGIC	0x444c4652	/* "DLFR" */
#define FENCE_VERSION	1

enum fence_type {
	FENCE_WRITE = 1,
	FENCE_STATUS = 2,
	FENCE_ACCEPT = 3,
	FENCE_STALE = 4,
	FENCE_COUNTS = 5,
};

struct fence_msg {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t client;
	uint32_t seq;
	uint64_t token;
	uint64_t highest;
};

/* Host to wire order, or back: the same swap both ways. */
static inline void fence_swap(struct fence_msg *m)
{
	m->magic = htonl(m->magic);
	m->version = htons(m->version);
	m->type = htons(m->type);
	m->client = htonl(m->client);
	m->seq = htonl(m->seq);
	m->token = htobe64(m->token);
	m->highest = htobe64(m->highest);
}

/* Decodes @len bytes of @buf into @m; false if they are no message. */
static inline bool fence_decode(const void *buf, size_t len,
				struct fence_msg *m)
{
	if (len != sizeof(*m))
		return false;
	memcpy(m, buf, sizeof(*m));
	fence_swap(m);
	return m->magic == FENCE_MAGIC && m->version == FENCE_VERSION &&
	       m->type >= FENCE_WRITE && m->type <= FENCE_COUNTS;
}

/* Fills @m with a message of @type, in wire order, ready to send. */
static inline void fence_encode(struct fence_msg *m, enum fence_type type,
				uint32_t client, uint32_t seq, uint64_t token,
				uint64_t highest)
{
	*m = (struct fence_msg){ .magic = FENCE_MAGIC,
				 .version = FENCE_VERSION, .type = type,
				 .client = client, .seq = seq, .token = token,
				 .highest = highest };
	fence_swap(m);
}

/* Parses "A.B.C.D:PORT" into @sin; false if it is not one. */
static inline bool fence_parse_addr(const char *str, struct sockaddr_in *sin)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(str, ':');
	char *end;
	long port;

	if (!colon || colon - str >= (long)sizeof(host))
		return false;
	memcpy(host, str, colon - str);
	host[colon - str] = '\0';
	port = strtol(colon + 1, &end, 10);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	return !*end && end != colon + 1 && port > 0 && port < 65536 &&
	       inet_pton(AF_INET, host, &sin->sin_addr) == 1;
}

#endif /* FENCE_WIRE_H */
