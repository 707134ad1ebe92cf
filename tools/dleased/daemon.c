// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's life: start-up in order (state, codec, core, sockets,
 * signals, timer, control socket, kernel bridge), the loop, a clean stop that releases
 * held leases through the core, and the core's outputs turned into
 * datagrams, fsyncs and answers.
 *
 * The loop is plain epoll with a timerfd and a signalfd rather than
 * sd-event or libev: it watches a handful of descriptors and one timer,
 * which epoll does in a page of code, and the core already owns all
 * protocol timing (dl_core_next_tick()), so a library would add a
 * dependency without removing any logic.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sysexits.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

#define DLD_CLOCK_CHECK_NS	(10 * 1000000000ull)

/**
 * dld_daemon_fail() - stop at once after an error the daemon cannot
 *	survive; held leases then expire at their deadline (fail closed)
 * @d: daemon
 * @exit_code: sysexits code
 * @what: what failed
 * @err: negative errno
 */
void dld_daemon_fail(struct dld_daemon *d, int exit_code, const char *what,
		     int err)
{
	dld_err("%s: %s; stopping", what, strerror(-err));
	if (!d->exit_code)
		d->exit_code = exit_code;
	d->stopping = true;
}

/**
 * dld_daemon_peer() - a peer by node id
 * @d: daemon
 * @id: node id
 *
 * Return: the peer, or NULL (ourselves or a stranger).
 */
struct dld_peer *dld_daemon_peer(struct dld_daemon *d, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < d->n_peers; i++)
		if (d->peers[i].id == id)
			return &d->peers[i];
	return NULL;
}

static void dld_daemon_arm(struct dld_daemon *d)
{
	struct itimerspec its = { };
	uint64_t next = dl_core_next_tick(d->core);

	if (next != UINT64_MAX)
		next = dld_clock_to_mono(&d->clock, next);
	if (d->watchdog_ns && d->next_watchdog < next)
		next = d->next_watchdog;
	if (d->next_clock_check < next)
		next = d->next_clock_check;
	if (!next)
		next = 1;
	its.it_value.tv_sec = (time_t)(next / 1000000000ull);
	its.it_value.tv_nsec = (long)(next % 1000000000ull);
	timerfd_settime(d->timer.fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int dld_daemon_persist(struct dld_daemon *d, uint64_t hwm)
{
	int err;

	d->state.token_hwm = hwm;
	err = dl_state_save(d->state_path, &d->state);
	if (err)
		dld_daemon_fail(d, EX_IOERR, d->state_path, err);
	return err;
}

/**
 * dld_daemon_flush() - act on the core's outputs, in order
 * @d: daemon
 * @err: result of the core call that made them; -ENOMEM is fatal
 *
 * A PERSIST is fsynced before any later output is acted on; if that
 * fails, nothing later is sent and the daemon stops.
 */
void dld_daemon_flush(struct dld_daemon *d, int err)
{
	uint64_t now = dld_clock_now(&d->clock);
	struct dl_output out;

	if (err) {
		dld_daemon_fail(d, EX_SOFTWARE, "protocol core", err);
		return;
	}
	while (!d->exit_code && dl_core_pop(d->core, &out)) {
		if (out.type == DL_OUT_SEND)
			dld_packet_send(d, out.node, &out.msg, now);
		else if (out.type == DL_OUT_PERSIST)
			dld_daemon_persist(d, out.token);
		else
			dld_bridge_output(&d->bridge, &out);
	}
	dld_daemon_arm(d);
}

static void dld_daemon_clock_check(struct dld_daemon *d)
{
	int64_t step = dld_clock_step(&d->clock);
	uint64_t size = (uint64_t)(step < 0 ? -step : step);

	if (size > d->conf->epsilon_ns / 2 && !d->clock_warned)
		dld_warn("the wall clock was stepped by %lld ms since start; protocol time keeps its old course, restart dleased once clocks agree",
			 (long long)(step / 1000000));
	d->clock_warned = size > d->conf->epsilon_ns / 2;
}

static void dld_daemon_timer(struct dld_watch *w, uint32_t events)
{
	struct dld_daemon *d = container_of(w, struct dld_daemon, timer);
	uint64_t expirations, mono;

	if (read(w->fd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		dld_warn("timer: %s", strerror(errno));
	mono = dld_mono_now();
	if (d->watchdog_ns && mono >= d->next_watchdog) {
		sd_notify(0, "WATCHDOG=1");
		d->next_watchdog = mono + d->watchdog_ns / 2;
	}
	if (mono >= d->next_clock_check) {
		dld_daemon_clock_check(d);
		d->next_clock_check = mono + DLD_CLOCK_CHECK_NS;
	}
	dld_daemon_flush(d, dl_core_tick(d->core, dld_clock_now(&d->clock)));
}

static void dld_daemon_signal(struct dld_watch *w, uint32_t events)
{
	struct dld_daemon *d = container_of(w, struct dld_daemon, signals);
	struct signalfd_siginfo si;

	if (read(w->fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		dld_notice("SIGHUP ignored: logs go to stderr, there is nothing to reopen; restart dleased to change its configuration");
		return;
	}
	dld_notice("%s: releasing leases and stopping",
		   strsignal((int)si.ssi_signo));
	d->stopping = true;
}

static int dld_daemon_state(struct dld_daemon *d)
{
	int err;

	if (snprintf(d->state_path, sizeof(d->state_path), "%s/state",
		     d->conf->state_dir) >= (int)sizeof(d->state_path)) {
		dld_err("%s: path too long", d->conf->state_dir);
		return -ENAMETOOLONG;
	}
	err = dl_state_load(d->state_path, &d->state);
	if (err) {
		dld_err("%s: %s", d->state_path, err == -EBADMSG ?
			"corrupt state file; refusing to guess tokens" :
			strerror(-err));
		return err;
	}
	d->state.incarnation++;
	err = dl_state_save(d->state_path, &d->state);
	if (err)
		dld_err("%s: %s", d->state_path, strerror(-err));
	return err;
}

static int dld_daemon_core(struct dld_daemon *d)
{
	struct dl_config cfg;
	uint64_t seed = 0;
	uint32_t i;

	dld_conf_core(d->conf, &cfg);
	cfg.token_hwm = d->state.token_hwm;
	if (dl_wire_init(&d->wire, d->conf->key, d->conf->cluster_id,
			 cfg.self, d->state.incarnation, cfg.nodes,
			 cfg.n_nodes))
		return -EIO;
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = d->state.incarnation ^ d->started;
	d->core = dl_core_create(&cfg, d->started, seed);
	if (!d->core)
		return -ENOMEM;
	for (i = 0; i < d->conf->n_peers; i++) {
		d->peers[i].id = d->conf->peers[i].id;
		d->peers[i].addr = d->conf->peers[i].addr;
	}
	d->n_peers = d->conf->n_peers;
	return 0;
}

static int dld_daemon_sockets(struct dld_daemon *d)
{
	unsigned int i;
	int err;

	err = dld_udp_open(&d->udp, d->conf);
	if (err)
		return err;
	for (i = 0; i < d->udp.n; i++) {
		d->udp_watch[i].d = d;
		err = dld_loop_add(&d->loop, &d->udp_watch[i].watch,
				   d->udp.fd[i], dld_packet_ready, EPOLLIN);
		if (err)
			return err;
	}
	for (i = 0; i < d->n_peers; i++)
		d->peers[i].fd = dld_udp_fd(&d->udp,
					    d->peers[i].addr.ss.ss_family);
	return 0;
}

static int dld_daemon_events(struct dld_daemon *d)
{
	sigset_t mask;
	int fd, err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = dld_loop_add(&d->loop, &d->signals, fd, dld_daemon_signal,
			   EPOLLIN);
	if (err) {
		close(fd);
		return err;
	}
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = dld_loop_add(&d->loop, &d->timer, fd, dld_daemon_timer,
			   EPOLLIN);
	if (err)
		close(fd);
	return err;
}

static void dld_daemon_close_events(struct dld_daemon *d)
{
	if (d->timer.fd >= 0)
		close(d->timer.fd);
	if (d->signals.fd >= 0)
		close(d->signals.fd);
}

/* Clean stop: release every lease so waiters elsewhere start at once. */
static void dld_daemon_release_all(struct dld_daemon *d)
{
	if (d->exit_code)
		return;
	dld_daemon_flush(d, dld_bridge_shutdown(&d->bridge,
						dld_clock_now(&d->clock)));
}

static int dld_daemon_run(struct dld_daemon *d)
{
	uint64_t usec;
	int err = 0;

	if (sd_watchdog_enabled(0, &usec) > 0)
		d->watchdog_ns = usec * 1000;
	d->next_watchdog = dld_mono_now();
	d->next_clock_check = d->next_watchdog + DLD_CLOCK_CHECK_NS;
	dld_daemon_flush(d, 0);
	sd_notifyf(0, "READY=1\nSTATUS=node %u, %u peers",
		   d->conf->node_id, d->n_peers);
	dld_info("node %u of cluster %u ready: incarnation %llu, %u peers",
		 d->conf->node_id, d->conf->cluster_id,
		 (unsigned long long)d->state.incarnation, d->n_peers);
	while (!d->stopping && !err) {
		err = dld_loop_wait(&d->loop);
		if (d->control.reap)
			dld_control_reap(&d->control);
	}
	if (err)
		dld_daemon_fail(d, EX_OSERR, "epoll", err);
	sd_notify(0, "STOPPING=1");
	dld_daemon_release_all(d);
	return d->exit_code;
}

/**
 * dld_daemon_main() - run the daemon until a signal or a fatal error
 * @conf: checked configuration
 *
 * Return: a sysexits code, 0 after a clean stop.
 */
int dld_daemon_main(const struct dld_conf *conf)
{
	static struct dld_daemon daemon;
	struct dld_daemon *d = &daemon;
	int code = EX_OSERR;

	d->conf = conf;
	d->timer.fd = -1;
	d->signals.fd = -1;
	dld_clock_init(&d->clock);
	d->started = dld_clock_now(&d->clock);
	if (dld_daemon_state(d))
		return EX_IOERR;
	if (dld_daemon_core(d)) {
		dld_err("cannot start the protocol core");
		return EX_SOFTWARE;
	}
	dld_bridge_init(&d->bridge, d->core, &d->clock);
	if (dld_loop_init(&d->loop))
		goto destroy_core;
	if (dld_daemon_sockets(d))
		goto close_udp;
	if (dld_daemon_events(d)) {
		dld_err("signals and timer: %s", strerror(errno));
		goto close_events;
	}
	if (dld_control_open(&d->control, d))
		goto close_events;
	code = dld_kbridge_open(&d->kbridge, d);
	if (code)
		goto close_control;
	code = dld_daemon_run(d);
	dld_kbridge_close(&d->kbridge);
close_control:
	dld_control_close(&d->control);
close_events:
	dld_daemon_close_events(d);
close_udp:
	dld_udp_close(&d->udp);
	dld_loop_fini(&d->loop);
destroy_core:
	dl_core_destroy(d->core);
	return code;
}
