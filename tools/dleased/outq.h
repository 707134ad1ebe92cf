/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable FIFO of core outputs.
 */
#ifndef DLEASED_OUTQ_H
#define DLEASED_OUTQ_H

#include "proto.h"

struct dl_outq {
	struct dl_output *buf;
	uint32_t cap;
	uint32_t head;
	uint32_t len;
};

int dl_outq_init(struct dl_outq *q, uint32_t cap);
void dl_outq_free(struct dl_outq *q);
int dl_outq_push(struct dl_outq *q, const struct dl_output *out);
bool dl_outq_pop(struct dl_outq *q, struct dl_output *out);

#endif /* DLEASED_OUTQ_H */
