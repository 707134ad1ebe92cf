/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer for the cluster unit tests.
 */
#ifndef CLUSTER_TAP_H
#define CLUSTER_TAP_H

#include <stdbool.h>
#include <stdio.h>

static int tap_count, tap_failed;

#define TAP_OK(cond, ...) do {					\
	bool __ok = (cond);					\
	tap_count++;						\
	if (!__ok)						\
		tap_failed++;					\
	printf("%sok %d - ", __ok ? "" : "not ", tap_count);	\
	printf(__VA_ARGS__);					\
	printf("\n");						\
	if (!__ok)						\
		printf("#   failed at %s:%d: %s\n", __FILE__,	\
		       __LINE__, #cond);			\
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* CLUSTER_TAP_H */
