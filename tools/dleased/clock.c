// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol time. The core compares times across nodes (a lease's expiry
 * is set by one node and judged by the others), so it needs clocks that
 * agree within epsilon between hosts: CLOCK_MONOTONIC does not (it starts
 * at boot), CLOCK_REALTIME does under NTP/PTP but may be stepped, and the
 * core needs time that never goes backwards. So protocol time is
 * CLOCK_MONOTONIC plus the offset to CLOCK_REALTIME taken at start: it
 * never steps, NTP's frequency corrections still apply, and on every host
 * it tracks the synchronised wall clock. A step of the wall clock after
 * start is not followed; dld_clock_step() measures it so the daemon can
 * warn when it exceeds the margin. Times handed to the kernel are
 * converted back to CLOCK_MONOTONIC.
 */
#include <time.h>

#include "clock.h"

#define DLD_NSEC	1000000000ll

static int64_t dld_clock_read(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * DLD_NSEC + ts.tv_nsec;
}

/**
 * dld_mono_now() - CLOCK_MONOTONIC in ns
 *
 * Return: the time.
 */
uint64_t dld_mono_now(void)
{
	return (uint64_t)dld_clock_read(CLOCK_MONOTONIC);
}

/**
 * dld_clock_init() - anchor protocol time on the wall clock
 * @ck: clock
 */
void dld_clock_init(struct dld_clock *ck)
{
	int64_t mono = dld_clock_read(CLOCK_MONOTONIC);

	ck->offset = dld_clock_read(CLOCK_REALTIME) - mono;
}

/**
 * dld_clock_now() - protocol time
 * @ck: clock
 *
 * Return: ns, never decreasing.
 */
uint64_t dld_clock_now(const struct dld_clock *ck)
{
	return (uint64_t)(dld_clock_read(CLOCK_MONOTONIC) + ck->offset);
}

/**
 * dld_clock_to_mono() - convert protocol time to CLOCK_MONOTONIC
 * @ck: clock
 * @t: protocol time
 *
 * Return: the same instant on CLOCK_MONOTONIC, ns.
 */
uint64_t dld_clock_to_mono(const struct dld_clock *ck, uint64_t t)
{
	return (uint64_t)((int64_t)t - ck->offset);
}

/**
 * dld_clock_step() - how far the wall clock moved away since the anchor
 * @ck: clock
 *
 * Return: CLOCK_REALTIME - protocol time, ns (0 while nobody steps it).
 */
int64_t dld_clock_step(const struct dld_clock *ck)
{
	int64_t real = dld_clock_read(CLOCK_REALTIME);

	return real - (int64_t)dld_clock_now(ck);
}
