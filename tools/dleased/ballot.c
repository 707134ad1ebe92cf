// SPDX-License-Identifier: GPL-2.0
/*
 * Ballot ordering and generation.
 */
#include "ballot.h"

/**
 * dl_ballot_cmp() - order two ballots
 * @a: first ballot
 * @b: second ballot
 *
 * Return: negative, zero or positive as @a is lower than, equal to or
 * higher than @b.
 */
int dl_ballot_cmp(const struct dl_ballot *a, const struct dl_ballot *b)
{
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return 0;
}

/**
 * dl_ballot_next() - make a fresh ballot
 * @out: the new ballot
 * @now: local time, the preferred ballot time
 * @self: our node id
 * @above: the highest ballot seen for the resource; the result is higher
 *
 * FLease derives ballots from local time so that a proposer whose clock is
 * right usually wins without learning the current ballot first. When a
 * higher ballot has been seen (a NACK, or a clock behind the others), the
 * new ballot goes just above it instead.
 */
void dl_ballot_next(struct dl_ballot *out, uint64_t now, uint32_t self,
		    const struct dl_ballot *above)
{
	out->time = now;
	out->node = self;
	if (dl_ballot_cmp(out, above) <= 0)
		out->time = above->time + 1;
}

/**
 * dl_ballot_is_zero() - test for the "nothing yet" ballot
 * @b: ballot
 *
 * Return: true if @b is the zero ballot.
 */
bool dl_ballot_is_zero(const struct dl_ballot *b)
{
	return !b->time && !b->node;
}

/**
 * dl_value_cmp() - order accepted values as a proposer must choose them
 * @ba: ballot @va was accepted with
 * @va: first value
 * @bb: ballot @vb was accepted with
 * @vb: second value
 *
 * The value with the higher ballot wins; within one ballot the holder may
 * have rewritten its value (renew, release), and the higher rewrite number
 * wins.
 *
 * Return: negative, zero or positive like dl_ballot_cmp().
 */
int dl_value_cmp(const struct dl_ballot *ba, const struct dl_lease *va,
		 const struct dl_ballot *bb, const struct dl_lease *vb)
{
	int c = dl_ballot_cmp(ba, bb);

	if (c)
		return c;
	if (va->vseq != vb->vseq)
		return va->vseq < vb->vseq ? -1 : 1;
	return 0;
}
