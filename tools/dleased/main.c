// SPDX-License-Identifier: GPL-2.0
/*
 * dleased - the dlease cluster daemon. See dleased(8).
 *
 * Exit codes follow sysexits(3): 0 success, 64 (EX_USAGE) bad command
 * line, 66 (EX_NOINPUT) configuration file unreadable, 78 (EX_CONFIG)
 * invalid configuration or key file, 71 (EX_OSERR) sockets or signals,
 * 74 (EX_IOERR) state file, 70 (EX_SOFTWARE) protocol core failure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

#include "conffile.h"
#include "daemon.h"
#include "log.h"

#define DLD_DEFAULT_CONF	"/etc/dleased/dleased.conf"

static void dld_usage(FILE *f)
{
	fprintf(f, "usage: dleased [-c FILE]\n"
		"       dleased --check-config [FILE]\n"
		"  -c, --config FILE   configuration (default %s)\n"
		"  -t, --check-config  check the configuration and exit\n"
		"  -h, --help          this text\n", DLD_DEFAULT_CONF);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *path = DLD_DEFAULT_CONF;
	static struct dld_conf conf;
	bool check = false;
	int c, err;

	dld_log_init(LOG_INFO);
	while ((c = getopt_long(argc, argv, "c:th", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'h':
			dld_usage(stdout);
			return 0;
		default:
			dld_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc && check)
		path = argv[optind++];
	if (optind < argc) {
		dld_usage(stderr);
		return EX_USAGE;
	}
	err = dld_conf_load(path, &conf);
	if (err)
		return err == -EINVAL || err == -EPERM ? EX_CONFIG : EX_NOINPUT;
	if (check) {
		printf("%s: ok\n", path);
		return 0;
	}
	dld_log_init(conf.log_level);
	return dld_daemon_main(&conf);
}
