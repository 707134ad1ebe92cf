/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-peer replay window, keyed by the sender's incarnation.
 */
#ifndef DLEASED_REPLAY_H
#define DLEASED_REPLAY_H

#include "wire.h"

enum dl_drop dl_replay_check(const struct dl_wire_peer *peer,
			     uint64_t incarnation, uint64_t seq);
void dl_replay_commit(struct dl_wire_peer *peer, uint64_t incarnation,
		      uint64_t seq);

#endif /* DLEASED_REPLAY_H */
