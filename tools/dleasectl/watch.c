// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl watch [--json] [--count N]: every lease transition of the
 * network namespace, one line each with its time, until SIGINT, SIGTERM
 * or N events.  With --json, one object per line; a wait event (a cluster
 * request told its place in the cluster's line) also has cluster_place,
 * and its expires_ns is when the cluster expects to grant it.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "dleasectl.h"

static const char usage[] = "usage: dleasectl watch [--json] [--count N]\n";

/* Wall-clock time of a CLOCK_MONOTONIC instant, as HH:MM:SS.mmm. */
static char *wall_time(uint64_t mono_ns, int64_t offset_ns, char *buf,
		       size_t size)
{
	int64_t ns = (int64_t)mono_ns + offset_ns;
	time_t sec = ns / 1000000000;
	struct tm tm;

	localtime_r(&sec, &tm);
	snprintf(buf, size, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, (int)(ns % 1000000000 / 1000000));
	return buf;
}

static int64_t realtime_offset(void)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	return (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec -
	       (int64_t)dlease_now();
}

static void print_human(const struct dlease_nl_event *ev, int64_t off)
{
	char t[16], d[DLEASE_DURATION_MAX];

	printf("%s  %-8s  %s  session/id %llu/%llu  pid %u  %s", wall_time(
	       ev->time_ns, off, t, sizeof(t)), dlease_event_name(ev->type),
	       ev->name, (unsigned long long)ev->session,
	       (unsigned long long)ev->id, ev->pid, dlease_mode_name(ev->mode));
	if (ev->token)
		printf("  token %llu", (unsigned long long)ev->token);
	if ((ev->type == DLEASE_EV_GRANTED || ev->type == DLEASE_EV_RENEWED ||
	     ev->type == DLEASE_EV_LATE) && ev->expires_ns > ev->time_ns)
		printf("  %s %s", ev->type == DLEASE_EV_LATE ? "deadline in" :
		       "expires in", fmt_duration(ev->expires_ns - ev->time_ns,
						  d));
	if (ev->waiters)
		printf("  waiters %u", ev->waiters);
	if (ev->type == DLEASE_EV_WAIT)
		printf("  cluster place %u, expected in %s", ev->cluster_place,
		       fmt_duration(ev->expires_ns > ev->time_ns ?
				    ev->expires_ns - ev->time_ns : 0, d));
	putchar('\n');
}

static void print_json(const struct dlease_nl_event *ev, int64_t off)
{
	struct json_object *o = json_object_new_object();
	char t[16];

	json_object_object_add(o, "time", json_object_new_string(
			       wall_time(ev->time_ns, off, t, sizeof(t))));
	json_object_object_add(o, "time_ns",
			       json_object_new_uint64(ev->time_ns));
	json_object_object_add(o, "event", json_object_new_string(
			       dlease_event_name(ev->type)));
	json_object_object_add(o, "name", json_object_new_string(ev->name));
	json_object_object_add(o, "session",
			       json_object_new_uint64(ev->session));
	json_object_object_add(o, "id", json_object_new_uint64(ev->id));
	json_object_object_add(o, "mode", json_object_new_string(
			       dlease_mode_name(ev->mode)));
	json_object_object_add(o, "pid", json_object_new_uint64(ev->pid));
	json_object_object_add(o, "token", json_object_new_uint64(ev->token));
	json_object_object_add(o, "expires_ns",
			       json_object_new_uint64(ev->expires_ns));
	json_object_object_add(o, "waiters",
			       json_object_new_uint64(ev->waiters));
	if (ev->type == DLEASE_EV_WAIT)
		json_object_object_add(o, "cluster_place",
				       json_object_new_uint64(ev->cluster_place));
	json_print(o);
}

static void print_overflow(bool json)
{
	if (json)
		puts("{\"event\":\"overflow\"}");
	else
		puts("overflow: events were lost");
}

static int stop_signals_fd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int watch(struct dlease_nl *nl, bool json, unsigned long count,
		 int sigfd)
{
	struct pollfd p[2] = {
		{ .fd = dlease_nl_event_fd(nl), .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	int64_t off = realtime_offset();
	struct dlease_nl_event ev;
	unsigned long seen = 0;
	int err;

	while (!count || seen < count) {
		err = dlease_nl_read_event(nl, &ev, 0);
		if (err == -EAGAIN) {
			if (poll(p, 2, -1) < 0 && errno != EINTR)
				return fail(-errno, "poll");
			if (p[1].revents)
				return 0;
			continue;
		}
		if (err == -ENOBUFS) {
			print_overflow(json);
			continue;
		}
		if (err)
			return fail(err, "watch");
		if (json)
			print_json(&ev, off);
		else
			print_human(&ev, off);
		seen++;
	}
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct num_opt count = { "count", 1, ULONG_MAX, 0 };
	struct dlease_nl *nl;
	bool json = false;
	int rc, err, sigfd, first;

	rc = parse_json_num(argc, argv, usage, &count, &json, &first);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (first < argc)
		return usage_error("unexpected argument '%s'", argv[first]);
	rc = nl_open_or_fail(&nl);
	if (rc)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	err = dlease_nl_subscribe(nl);
	sigfd = err ? -1 : stop_signals_fd();
	if (err)
		rc = nl_fail(nl, err, "subscribe");
	else if (sigfd < 0)
		rc = fail(sigfd, "signalfd");
	else
		rc = watch(nl, json, count.value, sigfd);
	if (sigfd >= 0)
		close(sigfd);
	dlease_nl_close(nl);
	return rc;
}
