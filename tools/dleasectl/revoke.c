// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl revoke [--json] NAME | --session S --id I: revoke every
 * holder of a name, or one lease (CAP_NET_ADMIN).  The holders get
 * REVOKED; the next waiters are granted.  EX_NOINPUT if nothing was held.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "dleasectl.h"

static const char usage[] =
	"usage: dleasectl revoke [--json] NAME\n"
	"       dleasectl revoke [--json] --session S --id I\n";

struct revoke_args {
	const char *name;
	uint64_t session;
	uint64_t id;
	bool by_id;
	bool json;
};

static int parse_u64(const char *opt, const char *s, uint64_t *v)
{
	char *end;

	*v = strtoull(s, &end, 10);
	if (!*s || *end || *s == '-')
		return usage_error("%s: '%s' is not a decimal", opt, s);
	return 0;
}

static int parse(int argc, char **argv, struct revoke_args *a)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "session", required_argument, NULL, 's' },
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool has_session = false, has_id = false;
	int c, err = 0;

	optind = 0;
	opterr = 0;
	while (!err && (c = getopt_long(argc, argv, "js:i:h", opts,
					NULL)) != -1) {
		switch (c) {
		case 'j':
			a->json = true;
			break;
		case 's':
			has_session = true;
			err = parse_u64("--session", optarg, &a->session);
			break;
		case 'i':
			has_id = true;
			err = parse_u64("--id", optarg, &a->id);
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			err = usage_error("unknown option '%s'",
					  argv[optind - 1]);
		}
	}
	a->by_id = has_session || has_id;
	if (!err && a->by_id && (!has_session || !has_id || optind < argc))
		err = usage_error("--session and --id go together, without NAME");
	if (!err && !a->by_id && optind != argc - 1)
		err = usage_error("revoke takes one NAME");
	if (err) {
		fputs(usage, stderr);
		return err;
	}
	if (!a->by_id)
		a->name = argv[optind];
	return 0;
}

int cmd_revoke(int argc, char **argv)
{
	struct revoke_args a = { 0 };
	struct json_object *o;
	struct dlease_nl *nl;
	uint32_t count = 0;
	int rc, err;

	rc = parse(argc, argv, &a);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = nl_open_or_fail(&nl);
	if (rc)
		return rc;
	err = dlease_nl_revoke(nl, a.name, a.session, a.id, &count);
	if (err) {
		rc = nl_fail(nl, err, "revoke");
	} else if (a.json) {
		o = json_object_new_object();
		json_object_object_add(o, "revoked",
				       json_object_new_uint64(count));
		json_print(o);
	} else {
		printf("revoked %u lease%s\n", count, count == 1 ? "" : "s");
	}
	dlease_nl_close(nl);
	return rc;
}
