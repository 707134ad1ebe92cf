// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl stats [--json] [--top N]: counters, log2 histograms of wait
 * and hold times, and the most contended resources.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dleasectl.h"

static const char usage[] = "usage: dleasectl stats [--json] [--top N]\n";

struct counter {
	const char *name;
	size_t off;
};

#define COUNTER(f) { #f, offsetof(struct dlease_nl_stats, f) }

static const struct counter counters[] = {
	COUNTER(acquires), COUNTER(grants), COUNTER(contended_grants),
	COUNTER(timeouts), COUNTER(interrupts), COUNTER(expiries),
	COUNTER(revocations), COUNTER(renewals), COUNTER(late_renewals),
	COUNTER(quota_hits), COUNTER(releases),
};

static uint64_t counter(const struct dlease_nl_stats *st, size_t i)
{
	return *(const uint64_t *)((const char *)st + counters[i].off);
}

static void print_hist(const char *title, const uint64_t *h, uint32_t n)
{
	char lo[DLEASE_DURATION_MAX], hi[DLEASE_DURATION_MAX];
	uint64_t max = 0;

	printf("%s:\n", title);
	for (uint32_t i = 0; i < n; i++)
		if (h[i] > max)
			max = h[i];
	for (uint32_t i = 0; i < n; i++) {
		int bar = max ? (int)(h[i] * 40 / max) : 0;

		if (!h[i])
			continue;
		printf("  %8s .. %-8s %10llu %.*s\n",
		       fmt_duration(i ? 1ULL << i : 0, lo),
		       fmt_duration(i < 63 ? 1ULL << (i + 1) : UINT64_MAX, hi),
		       (unsigned long long)h[i], bar,
		       "########################################");
	}
}

static int print_human(const struct dlease_nl_stats *st)
{
	char a[21], b[21];
	struct table t;

	for (size_t i = 0; i < ARRAY_SIZE(counters); i++)
		printf("%-17s %llu\n", counters[i].name,
		       (unsigned long long)counter(st, i));
	printf("%-17s %u\n%-17s %u\n", "resources", st->resources,
	       "sessions", st->sessions);
	print_hist("wait time", st->wait_hist, st->wait_buckets);
	print_hist("hold time", st->hold_hist, st->hold_buckets);
	if (!st->ntop)
		return 0;
	table_new(&t, 3, "CONTENDED", "WAITERS", "NAME");
	for (uint32_t i = 0; i < st->ntop; i++)
		if (table_add(&t, fmt_u64(st->top[i].contended, a),
			      fmt_u64(st->top[i].waiters, b),
			      st->top[i].name))
			return fail(-ENOMEM, "stats");
	table_print(&t, stdout);
	return 0;
}

static struct json_object *json_hist(const uint64_t *h, uint32_t n)
{
	struct json_object *a = json_object_new_array();

	for (uint32_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_uint64(h[i]));
	return a;
}

static void print_json(const struct dlease_nl_stats *st)
{
	struct json_object *o = json_object_new_object();
	struct json_object *top = json_object_new_array();

	for (size_t i = 0; i < ARRAY_SIZE(counters); i++)
		json_object_object_add(o, counters[i].name,
				       json_object_new_uint64(counter(st, i)));
	json_object_object_add(o, "resources",
			       json_object_new_uint64(st->resources));
	json_object_object_add(o, "sessions",
			       json_object_new_uint64(st->sessions));
	json_object_object_add(o, "wait_hist",
			       json_hist(st->wait_hist, st->wait_buckets));
	json_object_object_add(o, "hold_hist",
			       json_hist(st->hold_hist, st->hold_buckets));
	for (uint32_t i = 0; i < st->ntop; i++) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "name",
				       json_object_new_string(st->top[i].name));
		json_object_object_add(e, "contended",
				       json_object_new_uint64(st->top[i].contended));
		json_object_object_add(e, "waiters",
				       json_object_new_uint64(st->top[i].waiters));
		json_object_array_add(top, e);
	}
	json_object_object_add(o, "top", top);
	json_print(o);
}

int cmd_stats(int argc, char **argv)
{
	struct num_opt top = { "top", 1, DLEASE_NL_TOP_MAX, 0 };
	struct dlease_nl_stats *st;
	struct dlease_nl *nl;
	bool json = false;
	int rc, err, first;

	rc = parse_json_num(argc, argv, usage, &top, &json, &first);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (first < argc)
		return usage_error("unexpected argument '%s'", argv[first]);
	rc = nl_open_or_fail(&nl);
	if (rc)
		return rc;
	st = malloc(sizeof(*st));
	err = st ? dlease_nl_stats(nl, top.value, st) : -ENOMEM;
	if (err)
		rc = nl_fail(nl, err, "stats");
	else if (json)
		print_json(st);
	else
		rc = print_human(st);
	free(st);
	dlease_nl_close(nl);
	return rc;
}
