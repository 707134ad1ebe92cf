// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl's netlink commands against the real module: --json output
 * parses (json-c) and matches the library's dump, watch prints one
 * object per event, run kills CMD on an admin revoke.
 */
#include <grp.h>
#include <stdio.h>

#include <json-c/json.h>

#include "user_util.h"
#include "kselftest_harness.h"

#define EX_NOINPUT		66
#define EXIT_LEASE_LOST		79

FIXTURE(nlcli) {
	struct dlease_session *s;
	struct dlease_nl *nl;
};

FIXTURE_SETUP(nlcli)
{
	int err;

	ASSERT_EQ(0, dlease_open(0, &self->s));
	err = dlease_nl_open(&self->nl);
	if (err == -EOPNOTSUPP)
		SKIP(return, "no dlease netlink family");
	ASSERT_EQ(0, err);
}

FIXTURE_TEARDOWN(nlcli)
{
	dlease_nl_close(self->nl);
	dlease_close(self->s);
}

/* Runs dleasectl, returns its stdout parsed as JSON (NULL if not). */
static struct json_object *ctl_json(char *const args[], int *rc)
{
	static char out[1 << 20];
	pid_t pid;
	int fd = -1;

	pid = ctl_spawn(args, &fd);
	if (pid < 0)
		return NULL;
	read_all(fd, out, sizeof(out));
	*rc = ctl_wait(pid);
	return json_tokener_parse(out);
}

static uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	       json_object_get_uint64(v) : UINT64_MAX;
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	       json_object_get_string(v) : "";
}

TEST_F(nlcli, list_json_matches_dump)
{
	struct dlease_acquire_opts o = { .flags = DLEASE_ACQ_TRY,
					 .ttl_ns = 10 * SEC };
	struct dlease_nl_lease *v;
	struct json_object *a, *e;
	struct dlease_lease *l[3];
	char name[16];
	size_t n;
	int rc = -1;

	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "j-list-%d", i);
		ASSERT_EQ(0, dlease_acquire(self->s, name, &o, &l[i]));
	}
	a = ctl_json((char *[]){ "list", "--json", NULL }, &rc);
	ASSERT_EQ(0, rc);
	ASSERT_NE(NULL, a);
	ASSERT_TRUE(json_object_is_type(a, json_type_array));
	ASSERT_EQ(0, dlease_nl_leases(self->nl, NULL, &v, &n));
	ASSERT_EQ(n, json_object_array_length(a));
	for (size_t i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		EXPECT_STREQ(v[i].name, get_str(e, "name"));
		EXPECT_EQ(v[i].token, get_u64(e, "token"));
		EXPECT_EQ(v[i].session, get_u64(e, "session"));
		EXPECT_EQ(v[i].id, get_u64(e, "id"));
		EXPECT_STREQ(dlease_state_name(v[i].state),
			     get_str(e, "state"));
	}
	free(v);
	json_object_put(a);
	EXPECT_EQ(0, ctl_run((char *[]){ "list", NULL }));
	EXPECT_EQ(0, ctl_run((char *[]){ "show", "j-list-1", NULL }));
	EXPECT_EQ(EX_NOINPUT, ctl_run((char *[]){ "show", "j-none", NULL }));
	for (int i = 0; i < 3; i++)
		dlease_release(l[i]);
}

TEST_F(nlcli, stats_and_config_json)
{
	struct dlease_nl_config c;
	struct json_object *o;
	int rc = -1;

	o = ctl_json((char *[]){ "stats", "--json", "--top", "3", NULL },
		     &rc);
	ASSERT_EQ(0, rc);
	ASSERT_NE(NULL, o);
	EXPECT_NE(UINT64_MAX, get_u64(o, "acquires"));
	EXPECT_NE(UINT64_MAX, get_u64(o, "sessions"));
	json_object_put(o);
	EXPECT_EQ(0, ctl_run((char *[]){ "stats", NULL }));

	ASSERT_EQ(0, dlease_nl_config_get(self->nl, &c));
	o = ctl_json((char *[]){ "config", "get", "--json", NULL }, &rc);
	ASSERT_EQ(0, rc);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(c.max_waiters, get_u64(o, "max_waiters"));
	EXPECT_EQ(c.ttl_max_ns, get_u64(o, "ttl_max_ns"));
	json_object_put(o);
	o = ctl_json((char *[]){ "config", "set", "--json", "grace-max=7s",
				 NULL }, &rc);
	ASSERT_EQ(0, rc);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(7 * SEC, get_u64(o, "grace_max_ns"));
	json_object_put(o);
	c.set = DLEASE_CFG_GRACE_MAX;
	ASSERT_EQ(0, dlease_nl_config_set(self->nl, &c, NULL));
	/* Rejected by the kernel: exit code and its message. */
	EXPECT_EQ(64, ctl_run((char *[]){ "config", "set", "max-events=1",
					  NULL }));
	EXPECT_EQ(64, ctl_run((char *[]){ "config", "set", "bogus=1",
					  NULL }));
}

TEST_F(nlcli, watch_json_one_object_per_event)
{
	struct dlease_acquire_opts o = { .flags = DLEASE_ACQ_TRY,
					 .ttl_ns = 10 * SEC };
	static const char *const want[] = { "granted", "renewed",
					    "released" };
	char out[4096], *line, *save = NULL;
	struct dlease_lease *l;
	struct json_object *e;
	int fd = -1, i = 0, first = 0, status = 0;
	bool done = false;
	pid_t pid;

	pid = ctl_spawn((char *[]){ "watch", "--json", "--count", "3",
				    NULL }, &fd);
	ASSERT_LT(0, pid);
	/*
	 * Cycles of granted, renewed, released until watch has seen three
	 * events: it may subscribe in the middle of a cycle, so its three
	 * are that cycle in some rotation.
	 */
	for (int n = 0; n < 100 && !done; n++) {
		usleep(50 * 1000);
		ASSERT_EQ(0, dlease_acquire(self->s, "j-watch", &o, &l));
		ASSERT_EQ(0, dlease_renew(l, 0, NULL));
		ASSERT_EQ(0, dlease_release(l));
		done = waitpid(pid, &status, WNOHANG) == pid;
	}
	if (!done)
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	read_all(fd, out, sizeof(out));
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		e = json_tokener_parse(line);
		ASSERT_NE(NULL, e) TH_LOG("not JSON: %s", line);
		ASSERT_GT(3, i);
		if (!i)
			while (first < 3 &&
			       strcmp(want[first], get_str(e, "event")))
				first++;
		EXPECT_STREQ(want[(first + i) % 3], get_str(e, "event"));
		EXPECT_STREQ("j-watch", get_str(e, "name"));
		EXPECT_NE(0, get_str(e, "time")[0]);
		json_object_put(e);
	}
	EXPECT_EQ(3, i);
}

/* run's CMD dies soon after an administrator revokes the lease. */
TEST_F(nlcli, run_killed_on_revoke)
{
	char d[DLEASE_DURATION_MAX], up[8];
	uint64_t t0, took;
	int fd = -1, rc;
	pid_t pid;

	pid = ctl_spawn((char *[]){ "run", "--ttl", "5s", "j-revoke", "--",
				    "sh", "-c", "echo up; exec sleep 30",
				    NULL }, &fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(3, read(fd, up, sizeof(up)));
	close(fd);
	t0 = dlease_now();
	EXPECT_EQ(0, ctl_run((char *[]){ "revoke", "j-revoke", NULL }));
	rc = ctl_wait(pid);
	took = dlease_now() - t0;
	EXPECT_EQ(EXIT_LEASE_LOST, rc);
	EXPECT_GT(SEC * scale(), took);
	printf("# run: CMD killed and exit %s after `dleasectl revoke`\n",
	       dlease_duration_format(took, d, sizeof(d)));
	EXPECT_EQ(EX_NOINPUT, ctl_run((char *[]){ "revoke", "j-revoke",
						  NULL }));
}

/* Runs dleasectl as user nobody; returns its exit code. */
static int ctl_run_unprivileged(char *const args[])
{
	char *argv[8] = { (char *)"dleasectl" };
	pid_t pid;

	for (int i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		execv(dleasectl_path(), argv);
		_exit(101);
	}
	return ctl_wait(pid);
}

TEST_F(nlcli, admin_commands_need_cap_net_admin)
{
	EXPECT_EQ(77, ctl_run_unprivileged((char *[]){ "revoke", "j-priv",
						       NULL }));
	EXPECT_EQ(77, ctl_run_unprivileged((char *[]){ "config", "set",
						       "max-waiters=9",
						       NULL }));
	EXPECT_EQ(0, ctl_run_unprivileged((char *[]){ "config", "get",
						      NULL }));
}

TEST_HARNESS_MAIN
