// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl config get [--json]
 * dleasectl config set [--json] KEY=VALUE...
 *
 * The limits of the network namespace.  Setting needs CAP_NET_ADMIN;
 * TTL keys take durations, the others numbers.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dleasectl.h"

static const char usage[] =
	"usage: dleasectl config get [--json]\n"
	"       dleasectl config set [--json] KEY=VALUE...\n"
	"keys: max-per-session max-holders max-waiters max-events\n"
	"      ttl-min ttl-max grace-max (durations); max-per-user is read only\n";

struct key {
	const char *name;
	const char *json;
	uint32_t bit;
	size_t off;
	bool duration;
};

#define KEY32(n, j, b, f) { n, j, b, offsetof(struct dlease_nl_config, f), \
			    false }
#define KEY64(n, j, b, f) { n, j, b, offsetof(struct dlease_nl_config, f), \
			    true }

static const struct key keys[] = {
	KEY32("max-per-session", "max_per_session", DLEASE_CFG_MAX_PER_SESSION,
	      max_per_session),
	KEY32("max-holders", "max_holders", DLEASE_CFG_MAX_HOLDERS,
	      max_holders),
	KEY32("max-waiters", "max_waiters", DLEASE_CFG_MAX_WAITERS,
	      max_waiters),
	KEY32("max-events", "max_events", DLEASE_CFG_MAX_EVENTS, max_events),
	KEY64("ttl-min", "ttl_min_ns", DLEASE_CFG_TTL_MIN, ttl_min_ns),
	KEY64("ttl-max", "ttl_max_ns", DLEASE_CFG_TTL_MAX, ttl_max_ns),
	KEY64("grace-max", "grace_max_ns", DLEASE_CFG_GRACE_MAX, grace_max_ns),
	KEY32("max-per-user", "max_per_user", DLEASE_CFG_MAX_PER_USER,
	      max_per_user),
};

static uint64_t value(const struct dlease_nl_config *c, const struct key *k)
{
	const char *p = (const char *)c + k->off;

	return k->duration ? *(const uint64_t *)p : *(const uint32_t *)p;
}

static int print_config(const struct dlease_nl_config *c, bool json)
{
	char buf[DLEASE_DURATION_MAX + 21];
	struct json_object *o;
	struct table t;

	if (json) {
		o = json_object_new_object();
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			if (c->set & keys[i].bit)
				json_object_object_add(o, keys[i].json,
					json_object_new_uint64(value(c, &keys[i])));
		json_print(o);
		return 0;
	}
	table_new(&t, 2, "KEY", "VALUE");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!(c->set & keys[i].bit))
			continue;
		if (keys[i].duration)
			fmt_duration(value(c, &keys[i]), buf);
		else
			fmt_u64(value(c, &keys[i]), buf);
		if (table_add(&t, keys[i].name, buf))
			return fail(-ENOMEM, "config");
	}
	table_print(&t, stdout);
	return 0;
}

/* Parses one KEY=VALUE into @c. */
static int parse_setting(const char *arg, struct dlease_nl_config *c)
{
	const char *eq = strchr(arg, '=');
	uint64_t v;
	char *end;

	for (size_t i = 0; eq && i < ARRAY_SIZE(keys); i++) {
		const struct key *k = &keys[i];
		char *p = (char *)c + k->off;

		if (strlen(k->name) != (size_t)(eq - arg) ||
		    strncmp(arg, k->name, eq - arg))
			continue;
		if (k->bit == DLEASE_CFG_MAX_PER_USER)
			return usage_error("%s is read only (module parameter)",
					   k->name);
		if (k->duration) {
			if (dlease_duration_parse(eq + 1, &v))
				return usage_error("%s: not a duration", arg);
			*(uint64_t *)p = v;
		} else {
			v = strtoul(eq + 1, &end, 10);
			if (!eq[1] || *end || eq[1] == '-' || v > UINT32_MAX)
				return usage_error("%s: not a number", arg);
			*(uint32_t *)p = (uint32_t)v;
		}
		c->set |= k->bit;
		return 0;
	}
	return usage_error("'%s' is not KEY=VALUE with a known KEY", arg);
}

int cmd_config(int argc, char **argv)
{
	struct dlease_nl_config in = { 0 }, out;
	struct dlease_nl *nl;
	bool json = false, set;
	int rc, first, err;

	if (argc < 2 || (strcmp(argv[1], "get") && strcmp(argv[1], "set"))) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc >= 2 && (!strcmp(argv[1], "--help") ||
				     !strcmp(argv[1], "-h")) ? 0 : EX_USAGE;
	}
	set = !strcmp(argv[1], "set");
	rc = parse_json_num(argc - 1, argv + 1, usage, NULL, &json, &first);
	if (rc)
		return rc < 0 ? 0 : rc;
	first++;
	if (!set && first < argc)
		return usage_error("unexpected argument '%s'", argv[first]);
	if (set && first == argc)
		return usage_error("config set: no KEY=VALUE given");
	for (; set && first < argc; first++) {
		rc = parse_setting(argv[first], &in);
		if (rc)
			return rc;
	}
	rc = nl_open_or_fail(&nl);
	if (rc)
		return rc;
	err = set ? dlease_nl_config_set(nl, &in, &out) :
		    dlease_nl_config_get(nl, &out);
	rc = err ? nl_fail(nl, err, set ? "config set" : "config get") :
		   print_config(&out, json);
	dlease_nl_close(nl);
	return rc;
}
