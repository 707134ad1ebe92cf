// SPDX-License-Identifier: GPL-2.0
/*
 * The options of `acquire` and `run`: which lease, how to wait, how long
 * it lives.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "dleasectl.h"

static const char run_usage[] =
	"usage: dleasectl run [--shared] [--ttl D] [--grace D] [--wait D]\n"
	"                     [--nonblock] [--cluster] [--kill-after D]\n"
	"                     [--token-env VAR] NAME [--] CMD [ARG]...\n";

static const char acquire_usage[] =
	"usage: dleasectl acquire [--shared] [--ttl D] [--grace D] [--wait D]\n"
	"                         [--nonblock] [--cluster] [--hold D] [--json]\n"
	"                         NAME\n";

enum {
	OPT_HOLD = 256,
	OPT_KILL_AFTER,
	OPT_TOKEN_ENV,
	OPT_CLUSTER,
};

static const struct option lease_options[] = {
	{ "shared", no_argument, NULL, 's' },
	{ "exclusive", no_argument, NULL, 'x' },
	{ "ttl", required_argument, NULL, 't' },
	{ "grace", required_argument, NULL, 'g' },
	{ "wait", required_argument, NULL, 'w' },
	{ "nonblock", no_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "kill-after", required_argument, NULL, OPT_KILL_AFTER },
	{ "token-env", required_argument, NULL, OPT_TOKEN_ENV },
	{ "cluster", no_argument, NULL, OPT_CLUSTER },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int duration_arg(const char *opt, const char *val, uint64_t *ns)
{
	int err = dlease_duration_parse(val, ns);

	if (err)
		return usage_error("%s: '%s' is not a duration (e.g. 850ms, 12s)",
				   opt, val);
	return 0;
}

/* Whether option @c belongs to the subcommand @which. */
static bool option_allowed(int c, unsigned int which)
{
	switch (c) {
	case 'j':
	case OPT_HOLD:
		return which & LEASE_ARGS_ACQUIRE;
	case OPT_KILL_AFTER:
	case OPT_TOKEN_ENV:
		return which & LEASE_ARGS_RUN;
	}
	return true;
}

static int parse_one(int c, const char *opt, struct lease_args *a)
{
	switch (c) {
	case 's':
		a->mode = DLEASE_MODE_SHARED;
		return 0;
	case 'x':
		a->mode = DLEASE_MODE_EXCLUSIVE;
		return 0;
	case 't':
		return duration_arg("--ttl", optarg, &a->ttl_ns);
	case 'g':
		return duration_arg("--grace", optarg, &a->grace_ns);
	case 'w':
		a->wait_set = true;
		return duration_arg("--wait", optarg, &a->wait_ns);
	case 'n':
		a->nonblock = true;
		return 0;
	case 'j':
		a->json = true;
		return 0;
	case OPT_HOLD:
		return duration_arg("--hold", optarg, &a->hold_ns);
	case OPT_KILL_AFTER:
		return duration_arg("--kill-after", optarg, &a->kill_after_ns);
	case OPT_TOKEN_ENV:
		a->token_env = optarg;
		return 0;
	case OPT_CLUSTER:
		a->cluster = true;
		return 0;
	}
	return usage_error("unknown option '%s'", opt);
}

static int check_args(int argc, char **argv, unsigned int which,
		      struct lease_args *a)
{
	if (!a->ttl_ns)
		return usage_error("--ttl must be more than 0");
	if (a->nonblock && a->wait_set)
		return usage_error("--nonblock and --wait exclude each other");
	if (a->cluster && (a->mode == DLEASE_MODE_SHARED || a->grace_ns))
		return usage_error("cluster leases are exclusive and have no grace period");
	if (!a->token_env[0] || strchr(a->token_env, '='))
		return usage_error("--token-env: '%s' is not a variable name",
				   a->token_env);
	if (optind >= argc)
		return usage_error("no lease NAME given");
	a->name = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (which & LEASE_ARGS_RUN) {
		if (optind >= argc)
			return usage_error("no command given to run");
		a->cmd = &argv[optind];
	} else if (optind < argc) {
		return usage_error("unexpected argument '%s'", argv[optind]);
	}
	return 0;
}

/**
 * parse_lease_args() - parse the options of `acquire` or `run`
 * @argc: argument count, argv[0] being the subcommand
 * @argv: the arguments
 * @which: LEASE_ARGS_RUN or LEASE_ARGS_ACQUIRE
 * @a: filled in
 *
 * Return: 0; -1 if --help was printed (exit 0); EX_USAGE after printing
 * what is wrong.
 */
int parse_lease_args(int argc, char **argv, unsigned int which,
		     struct lease_args *a)
{
	const char *usage = which & LEASE_ARGS_RUN ? run_usage : acquire_usage;
	int c, err;

	*a = (struct lease_args) {
		.mode = DLEASE_MODE_EXCLUSIVE,
		.ttl_ns = DEFAULT_TTL_NS,
		.kill_after_ns = DEFAULT_KILL_AFTER_NS,
		.token_env = DEFAULT_TOKEN_ENV,
	};
	optind = 0;	/* glibc: start over, also between unit tests */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+sxt:g:w:njh", lease_options,
				NULL)) != -1) {
		const char *opt = argv[optind - 1];

		if (c == 'h') {
			fputs(usage, stdout);
			return -1;
		}
		if (c == '?' || !option_allowed(c, which))
			err = usage_error("unknown option '%s'", opt);
		else
			err = parse_one(c, opt, a);
		if (err) {
			fputs(usage, stderr);
			return err;
		}
	}
	err = check_args(argc, argv, which, a);
	if (err)
		fputs(usage, stderr);
	return err;
}

/**
 * acquire_opts_from_args() - the library's acquire options for @a
 * @a: parsed options
 * @o: filled in
 */
void acquire_opts_from_args(const struct lease_args *a,
			    struct dlease_acquire_opts *o)
{
	*o = (struct dlease_acquire_opts) {
		.mode = a->mode,
		.ttl_ns = a->ttl_ns,
		.grace_ns = a->grace_ns,
	};
	if (a->nonblock || (a->wait_set && !a->wait_ns))
		o->flags = DLEASE_ACQ_TRY;
	else if (a->wait_set)
		o->timeout_ns = a->wait_ns;
	if (a->cluster)
		o->flags |= DLEASE_ACQ_CLUSTER;
}
