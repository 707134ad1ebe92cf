// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: parsing and printing durations.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cluster_tap.h"
#include "dlease.h"

#define MS	1000000ULL
#define SEC	1000000000ULL

static void parses(const char *s, uint64_t want)
{
	uint64_t ns = 0;
	int err = dlease_duration_parse(s, &ns);

	TAP_OK(!err && ns == want, "parse '%s' = %" PRIu64 " (got %d, %" PRIu64
	       ")", s, want, err, ns);
}

static void rejects(const char *s, int want)
{
	uint64_t ns = 12345;
	int err = dlease_duration_parse(s, &ns);

	TAP_OK(err == want && ns == 12345, "parse '%s' fails with %d (got %d)",
	       s, want, err);
}

static void formats(int64_t ns, const char *want)
{
	char buf[DLEASE_DURATION_MAX];

	dlease_duration_format(ns, buf, sizeof(buf));
	TAP_OK(!strcmp(buf, want), "format %" PRId64 " = '%s' (got '%s')", ns,
	       want, buf);
}

static void round_trips(void)
{
	char buf[DLEASE_DURATION_MAX];
	int bad = 0;

	for (uint64_t v = 1; v < 100000 * SEC; v = v * 7 / 5 + 3) {
		uint64_t back;

		dlease_duration_format((int64_t)v, buf, sizeof(buf));
		/* Three digits: within 0.5%, or 30 s for m+s, 30 min for h+m */
		if (dlease_duration_parse(buf, &back) ||
		    (back > v ? back - v : v - back) >
		    (v < 60 * SEC ? v / 200 + 1 :
		     v < 3600 * SEC ? SEC / 2 : 30 * SEC))
			bad++;
	}
	TAP_OK(!bad, "format then parse stays within rounding (%d off)", bad);
}

int main(void)
{
	parses("850ms", 850 * MS);
	parses("12s", 12 * SEC);
	parses("1.5s", 1500 * MS);
	parses("1m30s", 90 * SEC);
	parses("2h", 7200 * SEC);
	parses("100us", 100000);
	parses("250ns", 250);
	parses("10", 10 * SEC);
	parses("0", 0);
	parses("0.001s", MS);
	parses("1.0000000019s", SEC + 1);
	parses("1h1m1s1ms1us1ns", 3661 * SEC + MS + 1000 + 1);
	parses("18446744073ms", 18446744073 * MS);
	rejects("", -EINVAL);
	rejects("ms", -EINVAL);
	rejects("5x", -EINVAL);
	rejects("1.s", -EINVAL);
	rejects("-1s", -EINVAL);
	rejects(" 5s", -EINVAL);
	rejects("5s ", -EINVAL);
	rejects("1s5", -EINVAL);
	rejects("18446744073709551616ns", -ERANGE);
	rejects("18446744074s", -ERANGE);
	rejects("9999999999h", -ERANGE);
	rejects("18446744073s1s", -ERANGE);

	formats(0, "0s");
	formats(999, "999ns");
	formats(1000, "1us");
	formats(1500, "1.5us");
	formats(850 * MS, "850ms");
	formats(12 * SEC, "12s");
	formats(1500 * MS, "1.5s");
	formats(1250 * MS, "1.25s");
	formats(12345 * MS, "12.3s");
	formats(999600000, "1s");
	formats(999 * MS, "999ms");
	formats(59999 * MS, "60s");
	formats(150 * SEC, "2m30s");
	formats(120 * SEC, "2m");
	formats(12000 * SEC, "3h20m");
	formats(3600 * SEC, "1h");
	formats(-850 * (int64_t)MS, "-850ms");
	formats(INT64_MIN, "-2562047h47m");
	round_trips();
	return tap_done();
}
