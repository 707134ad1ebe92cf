/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ballots: (local time, node id) pairs, totally ordered by time first and
 * node id second, so two proposers never make equal ballots.
 */
#ifndef DLEASED_BALLOT_H
#define DLEASED_BALLOT_H

#include "proto.h"

int dl_ballot_cmp(const struct dl_ballot *a, const struct dl_ballot *b);
void dl_ballot_next(struct dl_ballot *out, uint64_t now, uint32_t self,
		    const struct dl_ballot *above);
bool dl_ballot_is_zero(const struct dl_ballot *b);
int dl_value_cmp(const struct dl_ballot *ba, const struct dl_lease *va,
		 const struct dl_ballot *bb, const struct dl_lease *vb);

#endif /* DLEASED_BALLOT_H */
