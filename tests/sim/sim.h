/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deterministic simulator of dleased clusters: N real protocol cores, a
 * simulated network and simulated clocks, all driven from one seed.
 */
#ifndef DLSIM_SIM_H
#define DLSIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"
#include "wire.h"

#define SIM_MAX_NODES	7
#define SIM_MAX_RES	4
#define SIM_NONE	UINT64_MAX
#define MS		1000000ull

enum sim_ev_kind {
	EV_PACKET,
	EV_TICK,
	EV_CLIENT,
	EV_FAULT,
	EV_HEAL,
	EV_RESTART,
	EV_ATTACK,
	EV_SNIPE,
};

struct sim_event {
	uint64_t time;
	uint64_t seq;
	uint8_t kind;
	uint8_t node;
	uint8_t src;
	uint8_t res;
	uint32_t gen;		/* node boot / tick generation */
	uint32_t chain;		/* client timer generation (EV_CLIENT) */
	uint16_t len;
	uint8_t *pkt;
};

enum client_state {
	CL_IDLE,
	CL_WANT,
	CL_HOLD,
};

struct sim_client {
	uint8_t state;
	bool riding;		/* holds on without renewing until LOST */
	uint32_t chain;		/* generation of the pending client timer */
	uint64_t want_since;	/* real time */
	uint64_t hold_until;	/* real time the client means to release */
	uint64_t token;
	uint64_t expiry;	/* lease end, node-local clock */
};

struct sim_node {
	uint32_t id;
	bool up;
	uint32_t gen;
	uint32_t tick_gen;
	uint64_t tick_at;	/* real time of the scheduled tick */
	uint64_t incarnation;	/* "persisted" */
	uint64_t hwm;		/* "persisted" token high-water mark */
	uint64_t boot;		/* real time of the last start */
	double clock_bias;	/* centre of the offset, ns */
	double clock_amp;	/* amplitude of the wave around it, ns */
	double clock_period;	/* ns */
	double clock_phase;	/* ns */
	uint64_t isolated_since;
	struct dl_core *core;
	struct dl_wire wire;
	struct sim_client cl[SIM_MAX_RES];
};

/* per-seed figures */
struct sim_report {
	uint64_t seed;
	uint32_t nodes;
	bool failed;
	uint64_t ops;
	uint64_t grants;
	uint64_t renewals;
	uint64_t losses;
	uint64_t packets;
	uint64_t acquire_phases;
	uint64_t quick_grants;	/* granted in two round trips */
	uint64_t renew_phases;
	uint64_t deaths;	/* holder crashes with a waiter behind */
	uint64_t death_to_grant;	/* summed, ns */
	uint64_t death_to_grant_max;
	uint64_t releases_waited;
	uint64_t release_to_grant;	/* summed, ns */
	uint64_t release_to_grant_max;
	uint64_t releases_slow;		/* calm part: successor after > 2 slots */
	uint64_t crashes;
	uint64_t partitions;
	uint64_t snipes;	/* acquires timed at another's lease end */
	uint64_t forged_dropped;
	uint64_t sim_ns;
	uint64_t wall_ns;
};

struct sim_params {
	uint32_t n_nodes;
	uint32_t n_res;
	uint64_t duration;
	uint64_t calm_at;	/* faults stop, everything heals */
	uint64_t max_lease;
	uint64_t epsilon;
	uint64_t timeout;
	uint64_t slot;
	uint64_t delay_min;
	uint64_t delay_max;
	uint32_t loss_pct_x10;
	uint32_t dup_pct_x10;
	double drift;
};

struct sim_trace {
	uint64_t time;
	uint8_t what;
	uint8_t node;
	uint8_t peer;
	uint8_t res;
	uint64_t a;
	uint64_t b;
};

#define SIM_TRACE_LEN	48

struct sim {
	struct sim_params p;
	uint64_t rng;
	uint64_t now;
	uint64_t ev_seq;
	struct sim_event *heap;
	uint32_t heap_len;
	uint32_t heap_cap;
	struct sim_node nodes[SIM_MAX_NODES];
	bool link[SIM_MAX_NODES][SIM_MAX_NODES];	/* i can send to j */
	uint32_t loss_boost_x10;
	uint8_t key[DL_WIRE_KEY_LEN];
	/* checker state */
	uint64_t max_token[SIM_MAX_RES];
	uint64_t death_at[SIM_MAX_RES];
	uint64_t release_at[SIM_MAX_RES];
	bool violated;
	bool verbose;		/* DLSIM_TRACE=1: print every event */
	char why[256];
	struct sim_trace trace[SIM_TRACE_LEN];
	uint32_t trace_pos;
	/* a captured packet for the replay attacker */
	uint8_t old_pkt[DL_WIRE_MAX_LEN];
	uint16_t old_len;
	uint8_t old_dst;
	uint32_t old_gen;	/* receiver's boot when captured */
	struct sim_report rep;
};

/* sim.c: world, clocks, network */
uint64_t sim_rand(struct sim *s, uint64_t bound);
uint64_t sim_local(const struct sim *s, uint32_t node, uint64_t t);
uint64_t sim_real(const struct sim *s, uint32_t node, uint64_t local);
void sim_push(struct sim *s, const struct sim_event *ev);
void sim_schedule_tick(struct sim *s, uint32_t node);
void sim_drain(struct sim *s, uint32_t node);
void sim_boot(struct sim *s, uint32_t node);
void sim_crash(struct sim *s, uint32_t node);
void sim_update_isolation(struct sim *s);
int sim_run(struct sim *s, uint64_t seed, uint32_t n_nodes);

/* workload.c: clients and faults */
void wl_start(struct sim *s);
void wl_clients(struct sim *s, uint32_t node);
void wl_client_event(struct sim *s, uint32_t node, uint32_t res);
void wl_snipe(struct sim *s, uint32_t node, uint32_t res);
void wl_output(struct sim *s, uint32_t node, const struct dl_output *out);
void wl_fault(struct sim *s);
void wl_heal(struct sim *s);
void wl_attack(struct sim *s);
int wl_res_index(const struct sim *s, const struct dl_msg *msg);
void wl_name(uint32_t res, char *name, uint8_t *len);

/* checker.c */
void chk_trace(struct sim *s, uint8_t what, uint32_t node, uint32_t peer,
	       uint32_t res, uint64_t a, uint64_t b);
void chk_grant(struct sim *s, uint32_t node, uint32_t res, bool renew,
	       const struct dl_output *out);
void chk_end(struct sim *s, uint32_t node, uint32_t res, bool released);
void chk_crash(struct sim *s, uint32_t node);
void chk_liveness(struct sim *s);
void chk_fail(struct sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void chk_dump(const struct sim *s, uint64_t seed);

enum trace_what {
	TR_SEND = 1,
	TR_DROP,
	TR_GRANT,
	TR_RENEW,
	TR_RELEASE,
	TR_LOST,
	TR_WAIT,
	TR_CRASH,
	TR_RESTART,
	TR_PARTITION,
	TR_HEAL,
	TR_ACQUIRE,
	TR_DENIED,
	TR_SNIPE,
};

#endif /* DLSIM_SIM_H */
