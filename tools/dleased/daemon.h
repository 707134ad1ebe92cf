/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dleased: the event-loop shell around the protocol core. One struct
 * dld_daemon holds everything; the files of the shell share it:
 *
 *   daemon.c   start, stop, signals, timer, the core's outputs
 *   packet.c   datagrams to and from the peers
 *   control.c  the local control socket
 *   status.c   the status report
 *   bridge.c   requests and answers between requesters and the core
 *   kbridge.c  the kernel's requests, through the netlink bridge
 */
#ifndef DLEASED_DAEMON_H
#define DLEASED_DAEMON_H

#include <limits.h>
#include <stdio.h>
#include <stdbool.h>

#include "bridge.h"
#include "clock.h"
#include "conffile.h"
#include "control.h"
#include "kbridge.h"
#include "loop.h"
#include "peers.h"
#include "statefile.h"
#include "udp.h"
#include "wire.h"

/* a UDP socket in the loop */
struct dld_udp_watch {
	struct dld_watch watch;
	struct dld_daemon *d;
};

/**
 * struct dld_daemon - the running daemon
 * @conf: configuration
 * @core: protocol core
 * @wire: packet codec state (MAC key, replay windows, drop counters)
 * @clock: protocol time
 * @loop: epoll
 * @udp: UDP sockets
 * @udp_watch: their watches
 * @timer: timerfd: the core's next tick, the watchdog, clock checks
 * @signals: signalfd: SIGTERM, SIGINT, SIGHUP
 * @n_peers: entries in @peers
 * @peers: every other member
 * @bridge: requests and leases of requesters
 * @control: the control socket
 * @kbridge: the kernel bridge
 * @state: durable state (token high-water mark, incarnation)
 * @state_path: the state file
 * @started: protocol time at start
 * @watchdog_ns: systemd watchdog interval, 0 if off
 * @next_watchdog: CLOCK_MONOTONIC time of the next watchdog ping
 * @next_clock_check: CLOCK_MONOTONIC time of the next wall clock check
 * @clock_warned: a wall clock step was reported and has not healed
 * @stopping: leave the loop
 * @exit_code: sysexits code to exit with
 */
struct dld_daemon {
	const struct dld_conf *conf;
	struct dl_core *core;
	struct dl_wire wire;
	struct dld_clock clock;
	struct dld_loop loop;
	struct dld_udp udp;
	struct dld_udp_watch udp_watch[DLD_MAX_LISTEN];
	struct dld_watch timer;
	struct dld_watch signals;
	uint32_t n_peers;
	struct dld_peer peers[DL_MAX_NODES];
	struct dld_bridge bridge;
	struct dld_control control;
	struct dld_kbridge kbridge;
	struct dl_state state;
	char state_path[PATH_MAX];
	uint64_t started;
	uint64_t watchdog_ns;
	uint64_t next_watchdog;
	uint64_t next_clock_check;
	bool clock_warned;
	bool stopping;
	int exit_code;
};

int dld_daemon_main(const struct dld_conf *conf);
void dld_daemon_flush(struct dld_daemon *d, int err);
void dld_daemon_fail(struct dld_daemon *d, int exit_code, const char *what,
		     int err);
struct dld_peer *dld_daemon_peer(struct dld_daemon *d, uint32_t id);

/* packet.c */
void dld_packet_send(struct dld_daemon *d, uint32_t node,
		     const struct dl_msg *msg, uint64_t now);
void dld_packet_ready(struct dld_watch *w, uint32_t events);

/* status.c */
void dld_status_write(struct dld_daemon *d, FILE *f);

#endif /* DLEASED_DAEMON_H */
