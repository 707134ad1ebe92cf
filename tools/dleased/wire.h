/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wire format of dleased packets: a fixed big-endian header, a body laid
 * out per message type, and an HMAC-SHA512-256 (libsodium crypto_auth)
 * over both with the shared cluster key. Replay protection is a per-peer
 * 64-packet sliding window keyed by the sender's incarnation.
 *
 * Layout, byte by byte: Documentation/cluster-protocol.rst.
 */
#ifndef DLEASED_WIRE_H
#define DLEASED_WIRE_H

#include <stddef.h>

#include "proto.h"

#define DL_WIRE_MAGIC		0x444c5345u	/* "DLSE" */
#define DL_WIRE_VERSION		1
#define DL_WIRE_HDR_LEN		32
#define DL_WIRE_MAC_LEN		32
#define DL_WIRE_KEY_LEN		32
#define DL_WIRE_MAX_BODY	(1 + DL_NAME_MAX + 12 + 12 + 25 + 8 + 4)
#define DL_WIRE_MAX_LEN		(DL_WIRE_HDR_LEN + DL_WIRE_MAX_BODY + \
				 DL_WIRE_MAC_LEN)
#define DL_WIRE_WINDOW		64

/* why a packet was dropped; DL_DROP_NONE means it was accepted */
enum dl_drop {
	DL_DROP_NONE,
	DL_DROP_SHORT,
	DL_DROP_OVERSIZE,
	DL_DROP_BAD_MAGIC,
	DL_DROP_BAD_VERSION,
	DL_DROP_WRONG_CLUSTER,
	DL_DROP_UNKNOWN_PEER,
	DL_DROP_BAD_MAC,
	DL_DROP_OLD_INCARNATION,
	DL_DROP_REPLAY,
	DL_DROP_MALFORMED,
	DL_DROP_MAX,
};

/**
 * struct dl_wire_hdr - decoded packet header
 * @type: enum dl_msg_type
 * @body_len: bytes between header and MAC
 * @cluster: cluster id
 * @sender: sender's node id
 * @incarnation: sender's incarnation, grows with every daemon start
 * @seq: sender's packet number within the incarnation, from 1
 */
struct dl_wire_hdr {
	uint8_t type;
	uint16_t body_len;
	uint32_t cluster;
	uint32_t sender;
	uint64_t incarnation;
	uint64_t seq;
};

/* replay state of one peer */
struct dl_wire_peer {
	uint32_t id;
	uint64_t incarnation;
	uint64_t top;		/* highest sequence accepted */
	uint64_t window;	/* bit i: top - i was accepted */
};

/**
 * struct dl_wire - one node's end of the authenticated channel
 * @key: shared cluster key
 * @cluster: cluster id
 * @self: our node id
 * @incarnation: our incarnation
 * @next_seq: sequence number of the next packet we seal
 * @n_peers: number of entries in @peers
 * @peers: every other member and its replay window
 * @drops: packets dropped, by enum dl_drop
 */
struct dl_wire {
	uint8_t key[DL_WIRE_KEY_LEN];
	uint32_t cluster;
	uint32_t self;
	uint64_t incarnation;
	uint64_t next_seq;
	uint32_t n_peers;
	struct dl_wire_peer peers[DL_MAX_NODES];
	uint64_t drops[DL_DROP_MAX];
};

int dl_wire_init(struct dl_wire *w, const uint8_t *key, uint32_t cluster,
		 uint32_t self, uint64_t incarnation, const uint32_t *nodes,
		 uint32_t n_nodes);
int dl_wire_seal(struct dl_wire *w, const struct dl_msg *msg, uint8_t *buf,
		 size_t cap);
enum dl_drop dl_wire_open(struct dl_wire *w, const uint8_t *buf, size_t len,
			  uint32_t *from, struct dl_msg *msg);
enum dl_drop dl_wire_parse(const uint8_t *buf, size_t len,
			   struct dl_wire_hdr *hdr, struct dl_msg *msg);
const char *dl_drop_name(enum dl_drop reason);

#endif /* DLEASED_WIRE_H */
