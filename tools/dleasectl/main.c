// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl - administer and script dlease leases.
 */
#include <stdio.h>
#include <string.h>

#include "dleasectl.h"

static const struct subcommand subcommands[] = {
	{ "list", cmd_list, "list leases and queued requests" },
	{ "show", cmd_show, "show the holders and the queue of one name" },
	{ "stats", cmd_stats, "counters, histograms, most contended names" },
	{ "watch", cmd_watch, "print lease events as they happen" },
	{ "revoke", cmd_revoke, "revoke leases (CAP_NET_ADMIN)" },
	{ "config", cmd_config, "get or set the limits" },
	{ "acquire", cmd_acquire, "take a lease and hold it until EOF" },
	{ "run", cmd_run, "run a command while holding a lease" },
	{ "cluster", cmd_cluster, "status of the cluster daemon dleased" },
};

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s [--version] [--help] COMMAND [ARGS]\n\n"
		"Commands (COMMAND --help for their options):\n", prog);
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("dleasectl %s\n", DLEASE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].func(argc - 1, argv + 1);
	usage_error("unknown command '%s'", argv[1]);
	print_usage(stderr);
	return EX_USAGE;
}
