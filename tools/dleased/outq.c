// SPDX-License-Identifier: GPL-2.0
/*
 * Output FIFO: a ring buffer that doubles when full.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "outq.h"

#define DL_OUTQ_MAX	(1u << 20)

/**
 * dl_outq_init() - allocate an empty queue
 * @q: queue
 * @cap: initial capacity, non-zero
 *
 * Return: 0 or -ENOMEM.
 */
int dl_outq_init(struct dl_outq *q, uint32_t cap)
{
	q->buf = calloc(cap, sizeof(*q->buf));
	if (!q->buf)
		return -ENOMEM;
	q->cap = cap;
	q->head = 0;
	q->len = 0;
	return 0;
}

/**
 * dl_outq_free() - free a queue and whatever it still holds
 * @q: queue
 */
void dl_outq_free(struct dl_outq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->cap = 0;
	q->len = 0;
}

static int dl_outq_grow(struct dl_outq *q)
{
	struct dl_output *buf;
	uint32_t first;

	if (q->cap >= DL_OUTQ_MAX)
		return -ENOBUFS;
	buf = calloc((size_t)q->cap * 2, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	first = q->cap - q->head;
	if (first > q->len)
		first = q->len;
	memcpy(buf, q->buf + q->head, first * sizeof(*buf));
	memcpy(buf + first, q->buf, (q->len - first) * sizeof(*buf));
	free(q->buf);
	q->buf = buf;
	q->head = 0;
	q->cap *= 2;
	return 0;
}

/**
 * dl_outq_push() - append an output
 * @q: queue
 * @out: output, copied
 *
 * Return: 0, -ENOMEM, or -ENOBUFS when the queue reached its hard bound
 * (the caller stopped draining it).
 */
int dl_outq_push(struct dl_outq *q, const struct dl_output *out)
{
	int err;

	if (q->len == q->cap) {
		err = dl_outq_grow(q);
		if (err)
			return err;
	}
	q->buf[(q->head + q->len) % q->cap] = *out;
	q->len++;
	return 0;
}

/**
 * dl_outq_pop() - take the oldest output
 * @q: queue
 * @out: where to copy it
 *
 * Return: false if the queue was empty.
 */
bool dl_outq_pop(struct dl_outq *q, struct dl_output *out)
{
	if (!q->len)
		return false;
	*out = q->buf[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	return true;
}
