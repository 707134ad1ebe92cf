// SPDX-License-Identifier: GPL-2.0
/*
 * Packet encoding, decoding and authentication.
 *
 * One symmetric codec serves both directions: the same field walk either
 * writes a struct into a buffer or reads it back, so encoder and decoder
 * cannot disagree about the layout.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "replay.h"
#include "wire.h"

/* body sections, present per message type */
#define DL_SEC_BALLOT	0x01	/* 12: time u64, node u32 */
#define DL_SEC_SENT	0x02	/*  8: sent_at u64 */
#define DL_SEC_LEASE	0x04	/* 25: owner, vseq, token, expiry, flags */
#define DL_SEC_ACCEPTED	0x08	/* 12: accepted ballot */
#define DL_SEC_FLOOR	0x10	/*  8: token floor u64 */
#define DL_SEC_QUEUE	0x20	/*  4: position u16, waiters u16 */

static const uint8_t dl_sections[DL_MSG_MAX + 1] = {
	[DL_MSG_PREPARE] = DL_SEC_BALLOT | DL_SEC_SENT,
	[DL_MSG_PROMISE] = DL_SEC_BALLOT | DL_SEC_ACCEPTED | DL_SEC_LEASE |
			   DL_SEC_FLOOR | DL_SEC_QUEUE,
	[DL_MSG_ACCEPT] = DL_SEC_BALLOT | DL_SEC_SENT | DL_SEC_LEASE,
	[DL_MSG_ACCEPTED] = DL_SEC_BALLOT | DL_SEC_LEASE,
	[DL_MSG_NACK] = DL_SEC_BALLOT | DL_SEC_ACCEPTED | DL_SEC_LEASE |
			DL_SEC_QUEUE,
	[DL_MSG_WAKE] = DL_SEC_LEASE,
	[DL_MSG_BREAK] = DL_SEC_LEASE,
};

/* a read or write position in a packet buffer */
struct dl_cur {
	uint8_t *buf;
	size_t len;
	size_t off;
	bool writing;
	bool bad;
};

static void dl_io_bytes(struct dl_cur *c, void *p, size_t n)
{
	if (c->bad || n > c->len - c->off) {
		c->bad = true;
		return;
	}
	if (c->writing)
		memcpy(c->buf + c->off, p, n);
	else
		memcpy(p, c->buf + c->off, n);
	c->off += n;
}

static void dl_io_uint(struct dl_cur *c, uint64_t *v, unsigned int size)
{
	uint8_t be[8];
	unsigned int i;

	if (c->writing)
		for (i = 0; i < size; i++)
			be[i] = (uint8_t)(*v >> (8 * (size - 1 - i)));
	dl_io_bytes(c, be, size);
	if (c->writing || c->bad)
		return;
	*v = 0;
	for (i = 0; i < size; i++)
		*v = (*v << 8) | be[i];
}

#define DL_IO(c, field, size) do {				\
	uint64_t __v = (field);					\
	dl_io_uint((c), &__v, (size));				\
	(field) = (__typeof__(field))__v;			\
} while (0)

static void dl_io_ballot(struct dl_cur *c, struct dl_ballot *b)
{
	DL_IO(c, b->time, 8);
	DL_IO(c, b->node, 4);
}

static void dl_io_lease(struct dl_cur *c, struct dl_lease *l)
{
	DL_IO(c, l->owner, 4);
	DL_IO(c, l->vseq, 4);
	DL_IO(c, l->token, 8);
	DL_IO(c, l->expiry, 8);
	DL_IO(c, l->flags, 1);
}

static void dl_io_body(struct dl_cur *c, struct dl_msg *m)
{
	uint8_t sec = dl_sections[m->type];

	DL_IO(c, m->name_len, 1);
	if (!m->name_len)
		c->bad = true;
	dl_io_bytes(c, m->name, m->name_len);
	if (sec & DL_SEC_BALLOT)
		dl_io_ballot(c, &m->ballot);
	if (sec & DL_SEC_SENT)
		DL_IO(c, m->sent_at, 8);
	if (sec & DL_SEC_ACCEPTED)
		dl_io_ballot(c, &m->accepted);
	if (sec & DL_SEC_LEASE)
		dl_io_lease(c, &m->lease);
	if (sec & DL_SEC_FLOOR)
		DL_IO(c, m->floor, 8);
	if (sec & DL_SEC_QUEUE) {
		DL_IO(c, m->position, 2);
		DL_IO(c, m->waiters, 2);
	}
}

static void dl_io_hdr(struct dl_cur *c, struct dl_wire_hdr *h, uint32_t *magic,
		      uint8_t *version)
{
	DL_IO(c, *magic, 4);
	DL_IO(c, *version, 1);
	DL_IO(c, h->type, 1);
	DL_IO(c, h->body_len, 2);
	DL_IO(c, h->cluster, 4);
	DL_IO(c, h->sender, 4);
	DL_IO(c, h->incarnation, 8);
	DL_IO(c, h->seq, 8);
}

/**
 * dl_wire_init() - set up one node's end of the channel
 * @w: state to initialise
 * @key: DL_WIRE_KEY_LEN bytes of shared cluster key
 * @cluster: cluster id
 * @self: our node id
 * @incarnation: our incarnation, strictly greater than at any earlier
 *	start of this node (the daemon persists it)
 * @nodes: all member ids; ours is skipped
 * @n_nodes: number of entries in @nodes, at most DL_MAX_NODES
 *
 * Return: 0, -EINVAL, or -EIO if libsodium cannot initialise.
 */
int dl_wire_init(struct dl_wire *w, const uint8_t *key, uint32_t cluster,
		 uint32_t self, uint64_t incarnation, const uint32_t *nodes,
		 uint32_t n_nodes)
{
	uint32_t i;

	if (n_nodes > DL_MAX_NODES || !self)
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	memset(w, 0, sizeof(*w));
	memcpy(w->key, key, DL_WIRE_KEY_LEN);
	w->cluster = cluster;
	w->self = self;
	w->incarnation = incarnation;
	w->next_seq = 1;
	for (i = 0; i < n_nodes; i++)
		if (nodes[i] != self)
			w->peers[w->n_peers++].id = nodes[i];
	return 0;
}

/**
 * dl_wire_seal() - encode and authenticate a message
 * @w: our channel state; its sequence number advances
 * @msg: message, with a valid type and name
 * @buf: output buffer
 * @cap: its size; DL_WIRE_MAX_LEN always suffices
 *
 * Return: packet length, -EINVAL for a bad message, -EMSGSIZE if @cap is
 * too small.
 */
int dl_wire_seal(struct dl_wire *w, const struct dl_msg *msg, uint8_t *buf,
		 size_t cap)
{
	struct dl_wire_hdr h = { .type = msg->type, .cluster = w->cluster,
				 .sender = w->self,
				 .incarnation = w->incarnation };
	struct dl_cur c = { .buf = buf, .len = cap, .writing = true };
	struct dl_msg m = *msg;
	uint32_t magic = DL_WIRE_MAGIC;
	uint8_t version = DL_WIRE_VERSION;

	if (!m.type || m.type > DL_MSG_MAX || !m.name_len)
		return -EINVAL;
	if (cap < DL_WIRE_HDR_LEN + DL_WIRE_MAC_LEN)
		return -EMSGSIZE;
	c.len = cap - DL_WIRE_MAC_LEN;
	c.off = DL_WIRE_HDR_LEN;
	dl_io_body(&c, &m);
	if (c.bad)
		return -EMSGSIZE;
	h.body_len = (uint16_t)(c.off - DL_WIRE_HDR_LEN);
	h.seq = w->next_seq++;
	c.off = 0;
	dl_io_hdr(&c, &h, &magic, &version);
	c.off = DL_WIRE_HDR_LEN + h.body_len;
	crypto_auth(buf + c.off, buf, c.off, w->key);
	return (int)(c.off + DL_WIRE_MAC_LEN);
}

static bool dl_lease_ok(const struct dl_lease *l)
{
	return !(l->flags & ~DL_LEASE_FLAGS);
}

/**
 * dl_wire_parse() - check a packet's structure, without authenticating it
 * @buf: packet
 * @len: its length
 * @hdr: decoded header
 * @msg: decoded body
 *
 * Used by dl_wire_open() before and after the MAC check, and by the
 * fuzzer. Trust nothing it returns until the MAC has been verified.
 *
 * Return: DL_DROP_NONE or the reason the packet is unacceptable.
 */
enum dl_drop dl_wire_parse(const uint8_t *buf, size_t len,
			   struct dl_wire_hdr *hdr, struct dl_msg *msg)
{
	struct dl_cur c = { .buf = (uint8_t *)buf, .len = len };
	uint32_t magic = 0;
	uint8_t version = 0;

	memset(hdr, 0, sizeof(*hdr));
	memset(msg, 0, sizeof(*msg));
	if (len < DL_WIRE_HDR_LEN + DL_WIRE_MAC_LEN)
		return DL_DROP_SHORT;
	if (len > DL_WIRE_MAX_LEN)
		return DL_DROP_OVERSIZE;
	dl_io_hdr(&c, hdr, &magic, &version);
	if (magic != DL_WIRE_MAGIC)
		return DL_DROP_BAD_MAGIC;
	if (version != DL_WIRE_VERSION)
		return DL_DROP_BAD_VERSION;
	if (!hdr->type || hdr->type > DL_MSG_MAX ||
	    (size_t)DL_WIRE_HDR_LEN + hdr->body_len + DL_WIRE_MAC_LEN != len)
		return DL_DROP_MALFORMED;
	msg->type = hdr->type;
	c.len = DL_WIRE_HDR_LEN + hdr->body_len;
	dl_io_body(&c, msg);
	if (c.bad || c.off != c.len || !dl_lease_ok(&msg->lease) ||
	    memchr(msg->name, 0, msg->name_len))
		return DL_DROP_MALFORMED;
	return DL_DROP_NONE;
}

static struct dl_wire_peer *dl_wire_peer(struct dl_wire *w, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < w->n_peers; i++)
		if (w->peers[i].id == id)
			return &w->peers[i];
	return NULL;
}

static enum dl_drop dl_wire_check(struct dl_wire *w, const uint8_t *buf,
				  size_t len, uint32_t *from,
				  struct dl_msg *msg)
{
	struct dl_wire_peer *peer;
	struct dl_wire_hdr h;
	enum dl_drop why;
	size_t mac_off;

	why = dl_wire_parse(buf, len, &h, msg);
	if (why == DL_DROP_SHORT || why == DL_DROP_OVERSIZE ||
	    why == DL_DROP_BAD_MAGIC || why == DL_DROP_BAD_VERSION)
		return why;
	if (h.cluster != w->cluster)
		return DL_DROP_WRONG_CLUSTER;
	peer = dl_wire_peer(w, h.sender);
	if (!peer)
		return DL_DROP_UNKNOWN_PEER;
	mac_off = len - DL_WIRE_MAC_LEN;
	if (crypto_auth_verify(buf + mac_off, buf, mac_off, w->key))
		return DL_DROP_BAD_MAC;
	if (why)
		return why;
	why = dl_replay_check(peer, h.incarnation, h.seq);
	if (why)
		return why;
	dl_replay_commit(peer, h.incarnation, h.seq);
	*from = h.sender;
	return DL_DROP_NONE;
}

/**
 * dl_wire_open() - authenticate and decode a received packet
 * @w: our channel state; replay windows advance, drops are counted
 * @buf: packet
 * @len: its length
 * @from: sender node id, set on success
 * @msg: decoded message, valid on success
 *
 * Checks run from cheapest to dearest; the MAC is verified before any
 * field that affects state (incarnation, sequence) is believed.
 *
 * Return: DL_DROP_NONE, or the reason the packet was dropped.
 */
enum dl_drop dl_wire_open(struct dl_wire *w, const uint8_t *buf, size_t len,
			  uint32_t *from, struct dl_msg *msg)
{
	enum dl_drop why = dl_wire_check(w, buf, len, from, msg);

	if (why)
		w->drops[why]++;
	return why;
}

/**
 * dl_drop_name() - short name of a drop reason, for logs and stats
 * @reason: enum dl_drop
 *
 * Return: a static string.
 */
const char *dl_drop_name(enum dl_drop reason)
{
	static const char *const names[DL_DROP_MAX] = {
		[DL_DROP_NONE] = "none",
		[DL_DROP_SHORT] = "short",
		[DL_DROP_OVERSIZE] = "oversize",
		[DL_DROP_BAD_MAGIC] = "bad-magic",
		[DL_DROP_BAD_VERSION] = "bad-version",
		[DL_DROP_WRONG_CLUSTER] = "wrong-cluster",
		[DL_DROP_UNKNOWN_PEER] = "unknown-peer",
		[DL_DROP_BAD_MAC] = "bad-mac",
		[DL_DROP_OLD_INCARNATION] = "old-incarnation",
		[DL_DROP_REPLAY] = "replay",
		[DL_DROP_MALFORMED] = "malformed",
	};

	return reason < DL_DROP_MAX ? names[reason] : "unknown";
}
