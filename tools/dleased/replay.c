// SPDX-License-Identifier: GPL-2.0
/*
 * Replay protection: each peer has an incarnation (bumped by its daemon at
 * every start, persisted) and a sliding window of the last DL_WIRE_WINDOW
 * sequence numbers. A newer incarnation resets the window; an older one
 * is refused, so a packet recorded before a restart cannot be replayed
 * after it.
 */
#include "replay.h"

/**
 * dl_replay_check() - would this packet be fresh?
 * @peer: replay state of the sender
 * @incarnation: sender's incarnation from the packet
 * @seq: sequence number from the packet
 *
 * Does not change @peer: the caller commits only once the packet is
 * authenticated and well formed.
 *
 * Return: DL_DROP_NONE, DL_DROP_OLD_INCARNATION or DL_DROP_REPLAY.
 */
enum dl_drop dl_replay_check(const struct dl_wire_peer *peer,
			     uint64_t incarnation, uint64_t seq)
{
	uint64_t age;

	if (incarnation < peer->incarnation)
		return DL_DROP_OLD_INCARNATION;
	if (!seq)
		return DL_DROP_REPLAY;
	if (incarnation > peer->incarnation || seq > peer->top)
		return DL_DROP_NONE;
	age = peer->top - seq;
	if (age >= DL_WIRE_WINDOW || (peer->window >> age) & 1)
		return DL_DROP_REPLAY;
	return DL_DROP_NONE;
}

/**
 * dl_replay_commit() - record an accepted packet
 * @peer: replay state of the sender
 * @incarnation: sender's incarnation, checked by dl_replay_check()
 * @seq: sequence number, checked by dl_replay_check()
 */
void dl_replay_commit(struct dl_wire_peer *peer, uint64_t incarnation,
		      uint64_t seq)
{
	uint64_t shift;

	if (incarnation > peer->incarnation) {
		peer->incarnation = incarnation;
		peer->top = 0;
		peer->window = 0;
	}
	if (seq > peer->top) {
		shift = seq - peer->top;
		peer->window = shift >= DL_WIRE_WINDOW ? 0 :
			       peer->window << shift;
		peer->window |= 1;
		peer->top = seq;
		return;
	}
	peer->window |= 1ull << (peer->top - seq);
}
