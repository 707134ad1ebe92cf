/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The protocol clock of dleased: CLOCK_MONOTONIC shifted once, at start,
 * onto CLOCK_REALTIME. See clock.c for why.
 */
#ifndef DLEASED_CLOCK_H
#define DLEASED_CLOCK_H

#include <stdint.h>

/**
 * struct dld_clock - the shift from CLOCK_MONOTONIC to protocol time
 * @offset: CLOCK_REALTIME - CLOCK_MONOTONIC at start, ns
 */
struct dld_clock {
	int64_t offset;
};

uint64_t dld_mono_now(void);
void dld_clock_init(struct dld_clock *ck);
uint64_t dld_clock_now(const struct dld_clock *ck);
uint64_t dld_clock_to_mono(const struct dld_clock *ck, uint64_t t);
int64_t dld_clock_step(const struct dld_clock *ck);

#endif /* DLEASED_CLOCK_H */
