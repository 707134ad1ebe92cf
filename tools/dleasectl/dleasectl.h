/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dleasectl - shared declarations of the subcommands.
 */
#ifndef DLEASECTL_H
#define DLEASECTL_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "dlease.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Exit codes (documented in dleasectl(8)).  `run` otherwise exits with
 * the status of its command: its exit code, or 128 + the signal that
 * killed it.
 */
#define EXIT_LEASE_LOST		79	/* the lease expired or was revoked */
#define EXIT_CMD_CANNOT_RUN	126	/* run: CMD found but not executable */
#define EXIT_CMD_NOT_FOUND	127	/* run: CMD not found */

/* Defaults of the lease options. */
#define DEFAULT_TTL_NS		(10ULL * 1000000000ULL)
#define DEFAULT_KILL_AFTER_NS	(1ULL * 1000000000ULL)
#define DEFAULT_TOKEN_ENV	"DLEASE_TOKEN"

/**
 * struct lease_args - the options of `acquire` and `run`
 * @name: the resource
 * @mode: DLEASE_MODE_SHARED or DLEASE_MODE_EXCLUSIVE
 * @ttl_ns: --ttl
 * @grace_ns: --grace
 * @wait_ns: --wait (0 with @wait_set: do not wait, like --nonblock)
 * @wait_set: --wait was given (else wait without limit)
 * @nonblock: --nonblock
 * @cluster: --cluster, a lease the cluster agrees on (through dleased)
 * @kill_after_ns: run: --kill-after, SIGTERM to SIGKILL on loss
 * @hold_ns: acquire: --hold, release after this long (0: until EOF)
 * @token_env: run: --token-env, the variable that carries the token
 * @json: --json
 * @cmd: run: the command and its arguments, NULL-terminated
 */
struct lease_args {
	const char *name;
	uint32_t mode;
	uint64_t ttl_ns;
	uint64_t grace_ns;
	uint64_t wait_ns;
	bool wait_set;
	bool nonblock;
	bool cluster;
	uint64_t kill_after_ns;
	uint64_t hold_ns;
	const char *token_env;
	bool json;
	char **cmd;
};

/* Which options a subcommand takes, for parse_lease_args(). */
#define LEASE_ARGS_RUN		(1U << 0)
#define LEASE_ARGS_ACQUIRE	(1U << 1)

int parse_lease_args(int argc, char **argv, unsigned int which,
		     struct lease_args *a);
void acquire_opts_from_args(const struct lease_args *a,
			    struct dlease_acquire_opts *o);

/**
 * struct subcommand - one entry of the command table
 * @name: as typed
 * @func: runs it with argv[0] == @name; returns the exit code
 * @summary: one line for `dleasectl --help`
 */
struct subcommand {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *summary;
};

int exit_code_for(int err);
int fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern const char *prog;

/*
 * A held lease, its keeper, and the signals taken as file descriptors;
 * the common core of `acquire` and `run`.
 */
struct holder {
	struct dlease_session *session;
	struct dlease_lease *lease;
	struct dlease_keeper *keeper;
	int sigfd;
	sigset_t oldmask;
	int early_signal;
	uint32_t lost_type;
	bool lost;
	int renew_error;
};

int holder_signals(struct holder *h, bool with_children);
void holder_lost(struct holder *h, uint32_t type, uint64_t token);
int holder_acquire(struct holder *h, const struct lease_args *a);
int holder_dispatch(struct holder *h);
int holder_read_signal(struct holder *h);
int holder_release(struct holder *h);
void holder_default_signals(void);

/* Reports the waits of a blocking cluster acquire (waitreport.c). */
struct wait_report {
	struct dlease_session *session;
	const char *name;
	pthread_t thread;
	int stopfd;
	uint32_t lost_type;	/* a loss read meanwhile, or 0 */
	uint64_t lost_token;
};

bool wait_report_start(struct wait_report *w, struct dlease_session *s,
		       const char *name, const struct dlease_acquire_opts *o);
void wait_report_stop(struct wait_report *w, struct holder *h);

#define TABLE_MAX_COLS	16

/* An aligned table for humans (table.c). */
struct table {
	int ncols;
	int nrows;
	const char *head[TABLE_MAX_COLS];
	char **cells;
};

void table_new(struct table *t, int ncols, ...);
int table_add(struct table *t, ...);
void table_print(struct table *t, FILE *f);

/* Netlink helpers of the read and admin commands (nlcmd.c). */
int nl_open_or_fail(struct dlease_nl **nlp);
int nl_fail(struct dlease_nl *nl, int err, const char *what);
/* A numeric option of a read command (--top N, --count N). */
struct num_opt {
	const char *name;
	unsigned long min;
	unsigned long max;
	unsigned long value;
};

int parse_json_num(int argc, char **argv, const char *usage,
		   struct num_opt *num, bool *json, int *first_arg);
void json_print(struct json_object *o);
struct json_object *json_lease(const struct dlease_nl_lease *l);
char *fmt_duration(uint64_t ns, char *buf);
char *fmt_u64(uint64_t v, char *buf);

int print_leases(const struct dlease_nl_lease *v, size_t n, bool json);

int cmd_acquire(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_cluster(int argc, char **argv);

#endif /* DLEASECTL_H */
