// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Durations as people write them: "850ms", "12s", "1.5s", "1m30s".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

struct unit {
	const char *name;
	uint64_t ns;
};

/* Longest names first, so that "ms" is not read as "m". */
static const struct unit units[] = {
	{ "ns", 1 },
	{ "us", NSEC_PER_USEC },
	{ "ms", NSEC_PER_MSEC },
	{ "s", NSEC_PER_SEC },
	{ "m", 60 * NSEC_PER_SEC },
	{ "h", 3600 * NSEC_PER_SEC },
};

static const struct unit *parse_unit(const char **p)
{
	const struct unit *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		size_t len = strlen(units[i].name);

		if (len > best_len && !strncmp(*p, units[i].name, len)) {
			best = &units[i];
			best_len = len;
		}
	}
	*p += best_len;
	return best;
}

/* One "<digits>[.<digits>]<unit>" term; a lone number is seconds. */
static int parse_term(const char **p, bool alone, uint64_t *ns)
{
	uint64_t whole = 0, frac = 0, scale = 1, v;
	const struct unit *u;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++)
		if (__builtin_mul_overflow(whole, 10, &whole) ||
		    __builtin_add_overflow(whole, *s - '0', &whole))
			return -ERANGE;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return -EINVAL;
		for (; *s >= '0' && *s <= '9'; s++) {
			/* Digits beyond the nanosecond are dropped. */
			if (scale < NSEC_PER_SEC) {
				frac = frac * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			}
		}
	}
	*p = s;
	u = parse_unit(p);
	if (!u) {
		if (!alone || **p)
			return -EINVAL;
		u = &units[3];
	}
	if (__builtin_mul_overflow(whole, u->ns, &v) ||
	    __builtin_add_overflow(v, frac * u->ns / scale, ns))
		return -ERANGE;
	return 0;
}

int dlease_duration_parse(const char *str, uint64_t *ns)
{
	const char *p = str;
	uint64_t total = 0, term;
	int err;

	if (!*p)
		return -EINVAL;
	while (*p) {
		err = parse_term(&p, p == str, &term);
		if (err)
			return err;
		if (__builtin_add_overflow(total, term, &total))
			return -ERANGE;
	}
	*ns = total;
	return 0;
}

/*
 * Writes @v ns in @unit with 3 significant digits, trailing zeros
 * trimmed.  Returns false if rounding reaches 1000 units.
 */
static bool format_sig3(uint64_t v, const struct unit *u, char *buf,
			size_t size)
{
	uint64_t whole = v / u->ns;
	unsigned int decimals = whole >= 100 ? 0 : whole >= 10 ? 1 : 2;
	uint64_t pow = decimals == 2 ? 100 : decimals == 1 ? 10 : 1;
	uint64_t scaled = (v * pow + u->ns / 2) / u->ns;
	uint64_t frac = scaled % pow;
	int n;

	whole = scaled / pow;
	if (whole >= 1000)
		return false;
	while (decimals && frac % 10 == 0) {
		frac /= 10;
		decimals--;
	}
	if (decimals)
		n = snprintf(buf, size, "%llu.%0*llu%s",
			     (unsigned long long)whole, (int)decimals,
			     (unsigned long long)frac, u->name);
	else
		n = snprintf(buf, size, "%llu%s", (unsigned long long)whole,
			     u->name);
	return n >= 0;
}

static void format_two(uint64_t v, const struct unit *big,
		       const struct unit *small, char *buf, size_t size)
{
	uint64_t rounded = (v + small->ns / 2) / small->ns;
	uint64_t per = big->ns / small->ns;

	if (rounded % per)
		snprintf(buf, size, "%llu%s%llu%s",
			 (unsigned long long)(rounded / per), big->name,
			 (unsigned long long)(rounded % per), small->name);
	else
		snprintf(buf, size, "%llu%s",
			 (unsigned long long)(rounded / per), big->name);
}

char *dlease_duration_format(int64_t ns, char *buf, size_t size)
{
	uint64_t v = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	size_t off = 0;
	size_t i;

	if (!size)
		return buf;
	if (!ns) {
		snprintf(buf, size, "0s");
		return buf;
	}
	if (ns < 0 && size > 1)
		buf[off++] = '-';
	/* v * 100 must not overflow in format_sig3(): v < 60 s here. */
	for (i = 0; i < 4; i++) {
		if (v < 1000 * units[i].ns || i == 3) {
			if (v >= 60 * NSEC_PER_SEC)
				break;
			if (format_sig3(v, &units[i], buf + off, size - off))
				return buf;
		}
	}
	if (v < 3600 * NSEC_PER_SEC - NSEC_PER_SEC / 2)
		format_two(v, &units[4], &units[3], buf + off, size - off);
	else
		format_two(v, &units[5], &units[4], buf + off, size - off);
	return buf;
}
