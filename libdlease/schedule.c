// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * When the keeper renews a lease: pure arithmetic on times handed in, so
 * that unit tests can drive it with a fake clock.
 *
 * A lease is renewed once 1/divisor of its TTL has passed since its last
 * renewal (divisor 3 by default), and never later than SCHED_DELAY_FACTOR
 * times the worst recent renewal delay before the TTL ends.  The delay is
 * how late the keeper woke up plus how long the call took, so a loaded
 * machine or a slow kernel path moves renewals earlier.  A renewal that
 * comes back WAS_LATE, or a LATE event, doubles the divisor (up to
 * SCHED_DIVISOR_MAX): something stalls the keeper that the delay did not
 * show.  After SCHED_CLEAN_TO_RELAX clean renewals in a row the divisor
 * halves back toward its base.
 */
#include "internal.h"

/* Renewals of a lease are at least this far apart (and never 0 ns). */
static uint64_t min_gap(const struct renew_sched *rs)
{
	return rs->ttl_ns / (2 * SCHED_DIVISOR_MAX) + 1;
}

static void sched_plan(struct renew_sched *rs, uint64_t now)
{
	uint64_t started = rs->expires_ns - rs->ttl_ns;
	uint64_t due = started + rs->ttl_ns / rs->divisor;
	uint64_t margin = rs->delay_ns * SCHED_DELAY_FACTOR;
	uint64_t latest = rs->expires_ns > margin ? rs->expires_ns - margin : 0;

	if (due > latest)
		due = latest;
	if (due < now + min_gap(rs))
		due = now + min_gap(rs);
	rs->due_ns = due;
}

/**
 * dl_sched_init() - a lease that is not scheduled yet
 * @rs: its schedule
 * @divisor: renew after 1/divisor of the TTL (0: the default)
 * @ttl_ns: its TTL
 */
void dl_sched_init(struct renew_sched *rs, uint32_t divisor, uint64_t ttl_ns)
{
	if (!divisor)
		divisor = SCHED_DIVISOR_DEFAULT;
	*rs = (struct renew_sched) {
		.ttl_ns = ttl_ns,
		.due_ns = UINT64_MAX,
		.divisor = divisor,
		.base_divisor = divisor,
	};
}

/**
 * dl_sched_granted() - the lease is held: plan its first renewal
 * @rs: its schedule
 * @now: the time
 * @expires: end of its TTL
 */
void dl_sched_granted(struct renew_sched *rs, uint64_t now, uint64_t expires)
{
	rs->expires_ns = expires;
	rs->failures = 0;
	sched_plan(rs, now);
}

/**
 * dl_sched_renewed() - a renewal succeeded: learn from it, plan the next
 * @rs: its schedule
 * @started: when the keeper began the renewal
 * @now: when it returned
 * @expires: the new end of the TTL
 * @was_late: the lease was in its grace period
 */
void dl_sched_renewed(struct renew_sched *rs, uint64_t started, uint64_t now,
		   uint64_t expires, bool was_late)
{
	uint64_t delay = now - started;

	if (rs->due_ns != UINT64_MAX && started > rs->due_ns)
		delay += started - rs->due_ns;
	rs->delay_ns -= rs->delay_ns / 8;
	if (delay > rs->delay_ns)
		rs->delay_ns = delay;

	if (was_late) {
		if (rs->divisor < SCHED_DIVISOR_MAX)
			rs->divisor *= 2;
		rs->clean = 0;
	} else if (delay * SCHED_DELAY_FACTOR <= rs->ttl_ns / rs->divisor &&
		   ++rs->clean >= SCHED_CLEAN_TO_RELAX) {
		rs->clean = 0;
		if (rs->divisor / 2 >= rs->base_divisor)
			rs->divisor /= 2;
		else
			rs->divisor = rs->base_divisor;
	}
	dl_sched_granted(rs, now, expires);
}

/**
 * dl_sched_late() - the TTL ended before a renewal: renew now, and sooner
 * from now on
 * @rs: its schedule
 * @now: the time
 */
void dl_sched_late(struct renew_sched *rs, uint64_t now)
{
	if (rs->divisor < SCHED_DIVISOR_MAX)
		rs->divisor *= 2;
	rs->clean = 0;
	rs->due_ns = now;
}

/**
 * dl_sched_failed() - a renewal failed with a transient error: retry soon
 * @rs: its schedule
 * @now: the time
 *
 * Retries after a quarter of the time left, at most 1/16 of the TTL and
 * at least the minimum gap, so a persistent error does not spin.
 */
void dl_sched_failed(struct renew_sched *rs, uint64_t now)
{
	uint64_t left = rs->expires_ns > now ? rs->expires_ns - now : 0;
	uint64_t wait = left / 4;

	if (wait > rs->ttl_ns / 16)
		wait = rs->ttl_ns / 16;
	if (wait < min_gap(rs))
		wait = min_gap(rs);
	rs->failures++;
	rs->clean = 0;
	rs->due_ns = now + wait;
}

/**
 * dl_sched_stop() - no more renewals of this lease
 * @rs: its schedule
 */
void dl_sched_stop(struct renew_sched *rs)
{
	rs->due_ns = UINT64_MAX;
}
