/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the daemon knows about each peer: its address, packet counts, when
 * it was last heard from, whether it answers, and the round-trip time of
 * its latest answer. All of it is learnt from protocol traffic: there is
 * no separate heartbeat.
 */
#ifndef DLEASED_PEERS_H
#define DLEASED_PEERS_H

#include <stdint.h>

#include "netaddr.h"
#include "proto.h"

#define DLD_PROBES	8

/* a request sent to a peer, waiting for its answer to time it */
struct dld_probe {
	struct dl_ballot ballot;
	uint32_t name_hash;
	uint8_t type;
	uint64_t at;
};

/**
 * struct dld_peer - another member as seen from here
 * @id: its node id
 * @addr: its address
 * @fd: our UDP socket of its address family
 * @sent: packets sent to it
 * @received: authenticated packets received from it
 * @send_errors: sendto() failures
 * @last_heard: protocol time of its latest packet, 0 if never
 * @unanswered_since: time of our oldest request it has not answered
 *	(nothing heard from it since), 0 if none
 * @rtt_ns: round-trip time of its latest answer, 0 if none yet
 * @next_probe: slot of @probes to use next
 * @probes: our latest requests to it
 */
struct dld_peer {
	uint32_t id;
	struct dld_addr addr;
	int fd;
	uint64_t sent;
	uint64_t received;
	uint64_t send_errors;
	uint64_t last_heard;
	uint64_t unanswered_since;
	uint64_t rtt_ns;
	unsigned int next_probe;
	struct dld_probe probes[DLD_PROBES];
};

void dld_peer_sent(struct dld_peer *p, const struct dl_msg *msg,
		   uint64_t now);
void dld_peer_heard(struct dld_peer *p, const struct dl_msg *msg,
		    uint32_t self, uint64_t now);
const char *dld_peer_state(const struct dld_peer *p, uint64_t now,
			   uint64_t timeout);

#endif /* DLEASED_PEERS_H */
