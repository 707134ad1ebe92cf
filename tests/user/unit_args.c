// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: dleasectl's lease options and exit codes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cluster_tap.h"
#include "dleasectl.h"

#define MS	1000000ULL
#define SEC	1000000000ULL

#define PARSE(which, a, ...) ({						\
	char **__argv = (char *[]){ "cmd", __VA_ARGS__, NULL };		\
	int __argc = 0;							\
									\
	while (__argv[__argc])						\
		__argc++;						\
	parse_lease_args(__argc, __argv, which, a);			\
})

static void run_args(void)
{
	struct lease_args a;
	struct dlease_acquire_opts o;

	TAP_OK(!PARSE(LEASE_ARGS_RUN, &a, "db", "true") &&
	       !strcmp(a.name, "db") && !strcmp(a.cmd[0], "true") &&
	       !a.cmd[1] && a.mode == DLEASE_MODE_EXCLUSIVE &&
	       a.ttl_ns == DEFAULT_TTL_NS && !a.grace_ns && !a.wait_set &&
	       a.kill_after_ns == DEFAULT_KILL_AFTER_NS &&
	       !strcmp(a.token_env, "DLEASE_TOKEN"), "run: defaults");
	acquire_opts_from_args(&a, &o);
	TAP_OK(!o.flags && !o.timeout_ns && o.ttl_ns == DEFAULT_TTL_NS,
	       "run: waits without limit by default");

	TAP_OK(!PARSE(LEASE_ARGS_RUN, &a, "--shared", "--ttl", "850ms",
		      "--grace=1s", "-w", "5s", "--kill-after", "250ms",
		      "--token-env", "TOK", "db", "--", "sh", "-c", "x") &&
	       a.mode == DLEASE_MODE_SHARED && a.ttl_ns == 850 * MS &&
	       a.grace_ns == SEC && a.wait_ns == 5 * SEC &&
	       a.kill_after_ns == 250 * MS && !strcmp(a.token_env, "TOK") &&
	       !strcmp(a.cmd[0], "sh") && !strcmp(a.cmd[1], "-c") &&
	       !strcmp(a.cmd[2], "x") && !a.cmd[3], "run: every option");
	acquire_opts_from_args(&a, &o);
	TAP_OK(!o.flags && o.timeout_ns == 5 * SEC &&
	       o.mode == DLEASE_MODE_SHARED && o.grace_ns == SEC,
	       "run: --wait is a timeout");

	TAP_OK(!PARSE(LEASE_ARGS_RUN, &a, "db", "ls", "--ttl", "1s") &&
	       !strcmp(a.cmd[1], "--ttl") && a.ttl_ns == DEFAULT_TTL_NS,
	       "run: options after NAME belong to CMD");
	TAP_OK(!PARSE(LEASE_ARGS_RUN, &a, "-n", "db", "true"), "run -n");
	acquire_opts_from_args(&a, &o);
	TAP_OK(o.flags == DLEASE_ACQ_TRY, "--nonblock is a try");
	TAP_OK(!PARSE(LEASE_ARGS_RUN, &a, "--wait", "0", "db", "true"),
	       "run --wait 0");
	acquire_opts_from_args(&a, &o);
	TAP_OK(o.flags == DLEASE_ACQ_TRY, "--wait 0 is a try");
	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "--help") == -1, "--help");
}

static void bad_args(void)
{
	struct lease_args a;

	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "db") == EX_USAGE, "run: no CMD");
	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "db", "--") == EX_USAGE,
	       "run: -- and no CMD");
	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "--ttl", "1s") == EX_USAGE,
	       "run: no NAME");
	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "--nonblock", "--wait", "1s", "db",
		     "x") == EX_USAGE, "--nonblock with --wait");
	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "--ttl", "0", "db", "x") == EX_USAGE,
	       "--ttl 0");
	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "--ttl", "ten", "db", "x") ==
	       EX_USAGE, "--ttl not a duration");
	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "--ttl") == EX_USAGE,
	       "--ttl without value");
	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "--bogus", "db", "x") == EX_USAGE,
	       "unknown option");
	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "--hold", "1s", "db", "x") ==
	       EX_USAGE, "run: --hold is acquire's");
	TAP_OK(PARSE(LEASE_ARGS_RUN, &a, "--token-env", "A=B", "db", "x") ==
	       EX_USAGE, "--token-env with =");
	TAP_OK(PARSE(LEASE_ARGS_ACQUIRE, &a, "--kill-after", "1s", "db") ==
	       EX_USAGE, "acquire: --kill-after is run's");
	TAP_OK(PARSE(LEASE_ARGS_ACQUIRE, &a, "db", "extra") == EX_USAGE,
	       "acquire: extra argument");
}

static void acquire_args(void)
{
	struct lease_args a;

	TAP_OK(!PARSE(LEASE_ARGS_ACQUIRE, &a, "--json", "--hold", "2s",
		      "-s", "db") && a.json && a.hold_ns == 2 * SEC &&
	       a.mode == DLEASE_MODE_SHARED && !a.cmd, "acquire options");
}

static void exit_codes(void)
{
	TAP_OK(exit_code_for(-EAGAIN) == EX_TEMPFAIL &&
	       exit_code_for(-ETIMEDOUT) == EX_TEMPFAIL &&
	       exit_code_for(-EDQUOT) == EX_TEMPFAIL &&
	       exit_code_for(-ENOSPC) == EX_TEMPFAIL,
	       "busy, timeout, limits: EX_TEMPFAIL");
	TAP_OK(exit_code_for(-EINVAL) == EX_USAGE &&
	       exit_code_for(-ERANGE) == EX_USAGE, "bad input: EX_USAGE");
	TAP_OK(exit_code_for(-ENODEV) == EX_UNAVAILABLE &&
	       exit_code_for(-EOPNOTSUPP) == EX_UNAVAILABLE,
	       "no module: EX_UNAVAILABLE");
	TAP_OK(exit_code_for(-EPERM) == EX_NOPERM &&
	       exit_code_for(-EACCES) == EX_NOPERM, "EX_NOPERM");
	TAP_OK(exit_code_for(-ESTALE) == EXIT_LEASE_LOST, "lost: 79");
	TAP_OK(exit_code_for(-ENOENT) == EX_NOINPUT, "no such lease");
	TAP_OK(exit_code_for(-EPROTO) == EX_PROTOCOL, "EX_PROTOCOL");
	TAP_OK(exit_code_for(-ENOMEM) == EX_OSERR, "others: EX_OSERR");
}

int main(void)
{
	/* The usage messages of the failing cases are expected. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	run_args();
	bad_args();
	acquire_args();
	exit_codes();
	return tap_done();
}
