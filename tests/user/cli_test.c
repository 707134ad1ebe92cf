// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl against the real module: run's exit status, environment,
 * documented exit codes, killing CMD when the lease is lost, and
 * acquire for scripts.
 */
#include <stdio.h>

#include <json-c/json.h>

#include "user_util.h"
#include "kselftest_harness.h"

/* dleasectl's documented exit codes (dleasectl(8)). */
#define EX_USAGE		64
#define EX_TEMPFAIL		75
#define EXIT_LEASE_LOST		79

FIXTURE(cli) {
	struct dlease_session *s;
};

FIXTURE_SETUP(cli)
{
	ASSERT_EQ(0, dlease_open(0, &self->s));
}

FIXTURE_TEARDOWN(cli)
{
	dlease_close(self->s);
}

static int hold(struct dlease_session *s, const char *name,
		struct dlease_lease **l)
{
	struct dlease_acquire_opts o = { .flags = DLEASE_ACQ_TRY,
					 .ttl_ns = 10 * SEC };

	return dlease_acquire(s, name, &o, l);
}

TEST_F(cli, run_exits_with_cmd_status)
{
	EXPECT_EQ(0, ctl_run((char *[]){ "run", "c-st", "--", "true",
					 NULL }));
	EXPECT_EQ(7, ctl_run((char *[]){ "run", "c-st", "--", "sh", "-c",
					 "exit 7", NULL }));
	EXPECT_EQ(128 + SIGKILL,
		  ctl_run((char *[]){ "run", "c-st", "sh", "-c", "kill -9 $$",
				      NULL }));
	EXPECT_EQ(127, ctl_run((char *[]){ "run", "c-st", "--",
					   "./no-such-command", NULL }));
	EXPECT_EQ(126, ctl_run((char *[]){ "run", "c-st", "--", "/", NULL }));
}

/* CMD sees the token; the lease is held while it runs, free after. */
TEST_F(cli, run_exports_token_and_releases)
{
	char out[128] = "";
	struct dlease_lease *l;
	uint64_t token;
	int fd = -1, rc;
	pid_t pid;

	pid = ctl_spawn((char *[]){ "run", "--ttl", "200ms", "c-env", "--",
				    "sh", "-c",
				    "echo $DLEASE_NAME $DLEASE_TOKEN; sleep 1",
				    NULL }, &fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_taken("c-env"));
	EXPECT_EQ(-EAGAIN, hold(self->s, "c-env", &l));
	rc = ctl_wait(pid);
	read_all(fd, out, sizeof(out));
	EXPECT_EQ(0, rc);
	ASSERT_EQ(0, strncmp(out, "c-env ", 6)) TH_LOG("output: %s", out);
	token = strtoull(out + 6, NULL, 10);
	EXPECT_LT(0, token);
	/* Held 1 s with a 200 ms TTL: the keeper renewed it. */
	ASSERT_EQ(0, hold(self->s, "c-env", &l));
	EXPECT_LT(token, dlease_lease_token(l));
	dlease_release(l);
}

TEST_F(cli, run_nonblock_and_wait_on_held_lease)
{
	struct dlease_lease *l;
	uint64_t t0;

	ASSERT_EQ(0, hold(self->s, "c-busy", &l));
	EXPECT_EQ(EX_TEMPFAIL, ctl_run((char *[]){ "run", "--nonblock",
						   "c-busy", "true", NULL }));
	t0 = dlease_now();
	EXPECT_EQ(EX_TEMPFAIL, ctl_run((char *[]){ "run", "--wait", "100ms",
						   "c-busy", "true", NULL }));
	EXPECT_LE(t0 + 100 * MS, dlease_now());
	EXPECT_EQ(0, ctl_run((char *[]){ "run", "--shared", "--nonblock",
					 "c-free", "true", NULL }));
	dlease_release(l);
	EXPECT_EQ(0, ctl_run((char *[]){ "run", "--nonblock", "c-busy",
					 "true", NULL }));
}

TEST_F(cli, usage_errors)
{
	EXPECT_EQ(EX_USAGE, ctl_run((char *[]){ "run", "c-u", NULL }));
	EXPECT_EQ(EX_USAGE, ctl_run((char *[]){ "run", "--ttl", "soon",
						"c-u", "true", NULL }));
	EXPECT_EQ(EX_USAGE, ctl_run((char *[]){ "no-such-subcommand",
						NULL }));
	/* The kernel's range check: a 1 ns TTL. */
	EXPECT_EQ(EX_USAGE, ctl_run((char *[]){ "run", "--ttl", "1ns",
						"c-u", "true", NULL }));
	EXPECT_EQ(0, ctl_run((char *[]){ "--help", NULL }));
}

/*
 * Stops dleasectl run past its lease's TTL + grace, lets it go on and
 * measures how long it takes to notice, kill CMD and exit.
 */
static int lose_lease(struct __test_metadata *_metadata, const char *name,
		      const char *cmd, const char *kill_after,
		      uint64_t *took)
{
	uint64_t resumed;
	char up[8];
	int rc, fd = -1;
	pid_t pid;

	pid = ctl_spawn((char *[]){ "run", "--ttl", "100ms", "--grace",
				    "50ms", "--kill-after", (char *)kill_after,
				    (char *)name, "--", "sh", "-c",
				    (char *)cmd, NULL }, &fd);
	if (pid < 0)
		return -1;
	/* CMD says "up" once it runs (and has set its traps). */
	rc = read(fd, up, sizeof(up));
	close(fd);
	if (rc != 3)
		return -1;
	kill(pid, SIGSTOP);
	usleep(400 * 1000 * scale());
	resumed = dlease_now();
	kill(pid, SIGCONT);
	rc = ctl_wait(pid);
	*took = dlease_now() - resumed;
	return rc;
}

TEST_F(cli, run_kills_cmd_on_loss)
{
	char d[DLEASE_DURATION_MAX];
	uint64_t took;

	EXPECT_EQ(EXIT_LEASE_LOST,
		  lose_lease(_metadata, "c-lost", "echo up; exec sleep 30", "5s",
			     &took));
	EXPECT_GT(SEC * scale(), took);
	printf("# run: CMD killed (SIGTERM) and exit %s after resuming\n",
	       dlease_duration_format(took, d, sizeof(d)));
}

TEST_F(cli, run_kills_stubborn_cmd_after_kill_after)
{
	char d[DLEASE_DURATION_MAX];
	uint64_t took;

	EXPECT_EQ(EXIT_LEASE_LOST,
		  lose_lease(_metadata, "c-stubborn",
			     "trap '' TERM; echo up; exec sleep 30", "300ms",
			     &took));
	EXPECT_LE(300 * MS, took);
	EXPECT_GT(300 * MS + SEC * scale(), took);
	printf("# run: stubborn CMD killed (SIGKILL) and exit %s after "
	       "resuming (--kill-after 300ms)\n",
	       dlease_duration_format(took, d, sizeof(d)));
}

TEST_F(cli, run_passes_sigterm_on)
{
	pid_t pid;

	pid = ctl_spawn((char *[]){ "run", "c-term", "sleep", "30", NULL },
			NULL);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_taken("c-term"));
	kill(pid, SIGTERM);
	EXPECT_EQ(128 + SIGTERM, ctl_wait(pid));
}

TEST_F(cli, acquire_holds_then_releases)
{
	struct json_object *o, *v;
	struct dlease_lease *l;
	char out[512];
	int fd = -1, rc;
	pid_t pid;

	pid = ctl_spawn((char *[]){ "acquire", "--json", "--ttl", "100ms",
				    "--hold", "500ms", "c-acq", NULL }, &fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_taken("c-acq"));
	usleep(300 * 1000);
	EXPECT_EQ(-EAGAIN, hold(self->s, "c-acq", &l));
	rc = ctl_wait(pid);
	read_all(fd, out, sizeof(out));
	EXPECT_EQ(0, rc);
	o = json_tokener_parse(out);
	ASSERT_NE(NULL, o) TH_LOG("not JSON: %s", out);
	ASSERT_TRUE(json_object_object_get_ex(o, "name", &v));
	EXPECT_STREQ("c-acq", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "token", &v));
	EXPECT_LT(0, json_object_get_uint64(v));
	json_object_put(o);
	ASSERT_EQ(0, hold(self->s, "c-acq", &l));
	dlease_release(l);

	/* Until a signal; the token alone on stdout. */
	pid = ctl_spawn((char *[]){ "acquire", "c-acq2", NULL }, &fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_taken("c-acq2"));
	kill(pid, SIGTERM);
	EXPECT_EQ(0, ctl_wait(pid));
	read_all(fd, out, sizeof(out));
	EXPECT_LT(0, strtoull(out, NULL, 10));
	ASSERT_EQ(0, hold(self->s, "c-acq2", &l));
	dlease_release(l);
}

TEST_HARNESS_MAIN
