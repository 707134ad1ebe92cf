// SPDX-License-Identifier: GPL-2.0
/*
 * dlsim: run seeds of the cluster simulator and report per seed.
 *
 *   dlsim SEEDS [JOBS]            SEEDS is "N", "A-B" or "A,B,C"
 *   dlsim --expect-fail SEEDS     for mutated builds: succeed only if the
 *                                 checker catches a violation
 *
 * Cluster sizes cycle 3, 5, 7 with the seed. Output is TAP, one test per
 * seed, then a summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

#define SIM_MAX_SEEDS	100000
#define SIM_MAX_JOBS	64

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int parse_seeds(const char *spec, uint64_t *seeds)
{
	char *copy = strdup(spec), *tok, *save = NULL, *dash;
	unsigned long a, b;
	int n = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		a = strtoul(tok, NULL, 10);
		b = dash ? strtoul(dash + 1, NULL, 10) : a;
		for (; a <= b && n < SIM_MAX_SEEDS; a++)
			seeds[n++] = a;
	}
	free(copy);
	return n;
}

static uint32_t seed_nodes(uint64_t seed)
{
	static const uint32_t sizes[] = { 3, 5, 7 };

	return sizes[seed % 3];
}

static void run_one(uint64_t seed, struct sim_report *rep)
{
	static struct sim s;
	uint64_t t0 = wall_ns();

	sim_run(&s, seed, seed_nodes(seed));
	*rep = s.rep;
	rep->wall_ns = wall_ns() - t0;
}

/* worker @k of @jobs runs every jobs-th seed and writes reports to @fd */
static void worker(const uint64_t *seeds, int n, int k, int jobs, int fd,
		   bool stop_on_fail)
{
	struct sim_report rep;
	int i;

	for (i = k; i < n; i += jobs) {
		run_one(seeds[i], &rep);
		fflush(stdout);	/* the trace, before the parent may stop us */
		if (write(fd, &rep, sizeof(rep)) != sizeof(rep))
			exit(2);
		if (rep.failed && stop_on_fail)
			break;
	}
	exit(0);
}

static double per(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0;
}

static void print_seed(int idx, const struct sim_report *r)
{
	printf("%sok %d - seed %lu n=%u ops %lu grants %lu renewals %lu "
	       "msgs/grant %.1f msgs/op %.1f rt/acquire %.2f (%.0f%% in 2) "
	       "rt/renew %.2f "
	       "death->grant %.0f ms (max %.0f, %lu) release->grant %.1f ms "
	       "(max %.0f, %lu > 2 slots when calm) "
	       "crashes %lu partitions %lu snipes %lu forged-dropped %lu "
	       "wall %.2f s\n",
	       r->failed ? "not " : "", idx, (unsigned long)r->seed, r->nodes,
	       (unsigned long)r->ops, (unsigned long)r->grants,
	       (unsigned long)r->renewals, per(r->packets, r->grants), per(r->packets, r->ops),
	       per(r->acquire_phases, r->grants),
	       100 * per(r->quick_grants, r->grants),
	       per(r->renew_phases, r->renewals),
	       per(r->death_to_grant, r->deaths) / 1e6,
	       r->death_to_grant_max / 1e6, (unsigned long)r->deaths,
	       per(r->release_to_grant, r->releases_waited) / 1e6,
	       r->release_to_grant_max / 1e6, (unsigned long)r->releases_slow,
	       (unsigned long)r->crashes, (unsigned long)r->partitions,
	       (unsigned long)r->snipes, (unsigned long)r->forged_dropped,
	       r->wall_ns / 1e9);
}

static void add(struct sim_report *t, const struct sim_report *r)
{
	t->ops += r->ops;
	t->grants += r->grants;
	t->renewals += r->renewals;
	t->packets += r->packets;
	t->acquire_phases += r->acquire_phases;
	t->quick_grants += r->quick_grants;
	t->renew_phases += r->renew_phases;
	t->deaths += r->deaths;
	t->death_to_grant += r->death_to_grant;
	if (r->death_to_grant_max > t->death_to_grant_max)
		t->death_to_grant_max = r->death_to_grant_max;
	t->releases_waited += r->releases_waited;
	t->release_to_grant += r->release_to_grant;
	if (r->release_to_grant_max > t->release_to_grant_max)
		t->release_to_grant_max = r->release_to_grant_max;
	t->releases_slow += r->releases_slow;
	t->crashes += r->crashes;
	t->partitions += r->partitions;
	t->snipes += r->snipes;
	t->forged_dropped += r->forged_dropped;
	t->sim_ns += r->sim_ns;
	t->failed |= r->failed;
}

/*
 * Read the workers' reports. With @stop (a mutated build), the first
 * violation is all that was asked for: the other workers are stopped.
 */
static int collect(int fd, int n, const pid_t *pids, int jobs, bool stop,
		   struct sim_report *total, int *failed)
{
	struct sim_report r;
	int got = 0, k;

	while (read(fd, &r, sizeof(r)) == sizeof(r)) {
		got++;
		print_seed(got, &r);
		fflush(stdout);
		add(total, &r);
		*failed += r.failed;
		if (r.failed && stop)
			for (k = 0; k < jobs; k++)
				if (pids[k] > 0)
					kill(pids[k], SIGTERM);
	}
	return got < n && !*failed ? -1 : got;
}

static int spawn(const uint64_t *seeds, int n, int jobs, bool expect_fail,
		 struct sim_report *total, int *failed)
{
	pid_t pids[SIM_MAX_JOBS];
	int fds[2], k, got;

	if (pipe(fds))
		return -1;
	fflush(stdout);
	for (k = 0; k < jobs; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			close(fds[0]);
			worker(seeds, n, k, jobs, fds[1], expect_fail);
		}
	}
	close(fds[1]);
	got = collect(fds[0], n, pids, jobs, expect_fail, total, failed);
	close(fds[0]);
	while (wait(NULL) > 0)
		;
	return got;
}

int main(int argc, char **argv)
{
	static uint64_t seeds[SIM_MAX_SEEDS];
	struct sim_report total = { 0 };
	bool expect_fail = argc > 1 && !strcmp(argv[1], "--expect-fail");
	uint64_t t0 = wall_ns();
	int n, jobs, failed = 0, got;

	if (argc < 2 + expect_fail) {
		fprintf(stderr, "usage: dlsim [--expect-fail] SEEDS [JOBS]\n");
		return 2;
	}
	n = parse_seeds(argv[1 + expect_fail], seeds);
	jobs = argc > 2 + expect_fail ? atoi(argv[2 + expect_fail]) : 1;
	if (n <= 0 || jobs <= 0 || jobs > SIM_MAX_JOBS) {
		fprintf(stderr, "dlsim: bad seeds or jobs\n");
		return 2;
	}
	printf("TAP version 13\n");
	got = spawn(seeds, n, jobs, expect_fail, &total, &failed);
	printf("1..%d\n", got < 0 ? 0 : got);
	printf("# sim: %d seeds, %lu client ops, %lu grants, %lu renewals, "
	       "%.1f msgs/grant, %.1f msgs/op, %.2f rt/acquire "
	       "(%.0f%% in 2), %.2f rt/renew, "
	       "death->grant avg %.0f ms max %.0f ms over %lu, "
	       "release->grant avg %.1f ms max %.0f ms over %lu "
	       "(%lu over 2 retry slots when calm), %lu snipes, "
	       "%.0f s simulated, %.1f s wall\n", got,
	       (unsigned long)total.ops,
	       (unsigned long)total.grants, (unsigned long)total.renewals,
	       per(total.packets, total.grants),
	       per(total.packets, total.ops),
	       per(total.acquire_phases, total.grants),
	       100 * per(total.quick_grants, total.grants),
	       per(total.renew_phases, total.renewals),
	       per(total.death_to_grant, total.deaths) / 1e6,
	       total.death_to_grant_max / 1e6, (unsigned long)total.deaths,
	       per(total.release_to_grant, total.releases_waited) / 1e6,
	       total.release_to_grant_max / 1e6,
	       (unsigned long)total.releases_waited,
	       (unsigned long)total.releases_slow,
	       (unsigned long)total.snipes, total.sim_ns / 1e9,
	       (wall_ns() - t0) / 1e9);
	if (got < 0)
		return 2;
	if (expect_fail)
		return failed ? 0 : 1;
	return failed ? 1 : 0;
}
