// SPDX-License-Identifier: GPL-2.0
/*
 * Peer reachability and round-trip times, measured passively: each
 * PREPARE or ACCEPT we send is remembered with its ballot, and the
 * matching PROMISE, ACCEPTED or NACK times it.
 */
#include <string.h>

#include "peers.h"

static uint32_t dld_name_hash(const struct dl_msg *msg)
{
	uint32_t h = 5381;
	unsigned int i;

	for (i = 0; i < msg->name_len; i++)
		h = h * 33 + (uint8_t)msg->name[i];
	return h;
}

/**
 * dld_peer_sent() - note a packet sent to the peer
 * @p: peer
 * @msg: the message
 * @now: protocol time
 */
void dld_peer_sent(struct dld_peer *p, const struct dl_msg *msg, uint64_t now)
{
	struct dld_probe *probe;

	p->sent++;
	if (msg->type != DL_MSG_PREPARE && msg->type != DL_MSG_ACCEPT)
		return;
	if (!p->unanswered_since)
		p->unanswered_since = now;
	probe = &p->probes[p->next_probe++ % DLD_PROBES];
	probe->ballot = msg->ballot;
	probe->name_hash = dld_name_hash(msg);
	probe->type = msg->type;
	probe->at = now;
}

static bool dld_probe_answers(const struct dld_probe *probe,
			      const struct dl_msg *msg, uint32_t hash)
{
	if (!probe->at || probe->name_hash != hash ||
	    probe->ballot.time != msg->ballot.time ||
	    probe->ballot.node != msg->ballot.node)
		return false;
	if (msg->type == DL_MSG_PROMISE)
		return probe->type == DL_MSG_PREPARE;
	if (msg->type == DL_MSG_ACCEPTED)
		return probe->type == DL_MSG_ACCEPT;
	return msg->type == DL_MSG_NACK;
}

/**
 * dld_peer_heard() - note an authenticated packet from the peer
 * @p: peer
 * @msg: the message
 * @self: our node id (answers to our requests carry our ballots)
 * @now: protocol time
 */
void dld_peer_heard(struct dld_peer *p, const struct dl_msg *msg,
		    uint32_t self, uint64_t now)
{
	uint32_t hash = dld_name_hash(msg);
	struct dld_probe *probe;
	unsigned int i;

	p->received++;
	p->last_heard = now;
	p->unanswered_since = 0;
	if (msg->ballot.node != self)
		return;
	/* the latest matching request: a renewal reuses its ballot */
	for (i = 1; i <= DLD_PROBES; i++) {
		probe = &p->probes[(p->next_probe - i) % DLD_PROBES];
		if (dld_probe_answers(probe, msg, hash)) {
			p->rtt_ns = now - probe->at;
			probe->at = 0;
			return;
		}
	}
}

/**
 * dld_peer_state() - reachability of a peer, for status reports
 * @p: peer
 * @now: protocol time
 * @timeout: the message timeout
 *
 * Return: "down" if a request has gone unanswered for longer than the
 * message timeout, "up" if it answered or spoke since our last request,
 * "unknown" if neither side has sent anything yet.
 */
const char *dld_peer_state(const struct dld_peer *p, uint64_t now,
			   uint64_t timeout)
{
	if (p->unanswered_since && now - p->unanswered_since > timeout)
		return "down";
	if (p->last_heard)
		return "up";
	return "unknown";
}
