/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Durable node state for dleased: the token high-water mark and the
 * incarnation. The core asks for the former with DL_OUT_PERSIST; the
 * daemon bumps the latter at every start.
 */
#ifndef DLEASED_STATEFILE_H
#define DLEASED_STATEFILE_H

#include <stdint.h>

/**
 * struct dl_state - what survives a daemon restart
 * @token_hwm: every token this node ever accepted is at most this
 * @incarnation: number of the current daemon start
 */
struct dl_state {
	uint64_t token_hwm;
	uint64_t incarnation;
};

int dl_state_load(const char *path, struct dl_state *st);
int dl_state_save(const char *path, const struct dl_state *st);

#endif /* DLEASED_STATEFILE_H */
