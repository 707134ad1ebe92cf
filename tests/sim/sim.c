// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated world: event heap, clocks with bounded offset and drift, a
 * lossy, duplicating, reordering network with partitions, node crashes
 * and restarts. Packets go through the real wire codec and MAC.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define SIM_BASE_TIME	1000000000000ull	/* local clocks start here */

/**
 * sim_rand() - the simulator's own random stream (xorshift64*)
 * @s: simulator
 * @bound: exclusive bound, 0 gives 0
 *
 * Return: a number below @bound.
 */
uint64_t sim_rand(struct sim *s, uint64_t bound)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return bound ? (s->rng * 2685821657736338717ull) % bound : 0;
}

/* offset of a node's clock from real time at real time @t, ns */
static double sim_offset(const struct sim *s, uint32_t node, uint64_t t)
{
	const struct sim_node *n = &s->nodes[node];
	double half = (double)(s->p.epsilon / 2), u, off = n->clock_bias;

	if (n->clock_amp > 0) {
		u = fmod((double)t + n->clock_phase, n->clock_period) /
		    n->clock_period;
		off += u < 0.5 ? -n->clock_amp + 4 * n->clock_amp * u :
				 3 * n->clock_amp - 4 * n->clock_amp * u;
	}
	return off < -half ? -half : off > half ? half : off;
}

/**
 * sim_local() - a node's clock at a real time
 * @s: simulator
 * @node: node index
 * @t: real (simulated) time
 *
 * The offset from real time is a triangle wave around a bias, clipped to
 * [-epsilon / 2, +epsilon / 2]: any two clocks differ by at most epsilon
 * (the protocol's assumption), and a clock may sit at either end of the
 * range for long stretches. The wave's slope is the node's drift, so
 * every clock runs at 1 +- drift and never goes backwards.
 *
 * Return: the node's local time.
 */
uint64_t sim_local(const struct sim *s, uint32_t node, uint64_t t)
{
	return SIM_BASE_TIME + t + (int64_t)sim_offset(s, node, t);
}

/**
 * sim_real() - the real time at which a node's clock shows @local
 * @s: simulator
 * @node: node index
 * @local: a reading of the node's clock
 *
 * Return: the real time, approximately (within the drift over one offset
 * step); 0 if @local is before the simulation started.
 */
uint64_t sim_real(const struct sim *s, uint32_t node, uint64_t local)
{
	double t = (double)local - (double)SIM_BASE_TIME;
	int i;

	for (i = 0; i < 3 && t > 0; i++)
		t = (double)local - (double)SIM_BASE_TIME -
		    sim_offset(s, node, (uint64_t)t);
	return t > 0 ? (uint64_t)t : 0;
}

static bool ev_less(const struct sim_event *a, const struct sim_event *b)
{
	return a->time != b->time ? a->time < b->time : a->seq < b->seq;
}

/**
 * sim_push() - schedule an event
 * @s: simulator
 * @ev: event, copied; its seq is assigned here
 */
void sim_push(struct sim *s, const struct sim_event *ev)
{
	struct sim_event tmp;
	uint32_t i, parent;

	if (s->heap_len == s->heap_cap) {
		s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 1024;
		s->heap = realloc(s->heap, s->heap_cap * sizeof(*s->heap));
		if (!s->heap) {
			perror("dlsim: heap");
			exit(2);
		}
	}
	i = s->heap_len++;
	s->heap[i] = *ev;
	s->heap[i].seq = s->ev_seq++;
	while (i && ev_less(&s->heap[i], &s->heap[parent = (i - 1) / 2])) {
		tmp = s->heap[i];
		s->heap[i] = s->heap[parent];
		s->heap[parent] = tmp;
		i = parent;
	}
}

static bool sim_pop(struct sim *s, struct sim_event *ev)
{
	struct sim_event tmp;
	uint32_t i = 0, c;

	if (!s->heap_len)
		return false;
	*ev = s->heap[0];
	s->heap[0] = s->heap[--s->heap_len];
	for (;;) {
		c = 2 * i + 1;
		if (c >= s->heap_len)
			break;
		if (c + 1 < s->heap_len && ev_less(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!ev_less(&s->heap[c], &s->heap[i]))
			break;
		tmp = s->heap[i];
		s->heap[i] = s->heap[c];
		s->heap[c] = tmp;
		i = c;
	}
	return true;
}

/**
 * sim_schedule_tick() - (re)arm a node's timer from its core's deadline
 * @s: simulator
 * @node: node index
 */
void sim_schedule_tick(struct sim *s, uint32_t node)
{
	struct sim_node *n = &s->nodes[node];
	struct sim_event ev = { .kind = EV_TICK, .node = (uint8_t)node };
	uint64_t next = dl_core_next_tick(n->core), local;

	if (next == UINT64_MAX)
		return;
	local = sim_local(s, node, s->now);
	ev.time = s->now + (next > local ? next - local : 0) + 1;
	if (ev.time >= n->tick_at && n->tick_at > s->now)
		return;
	n->tick_at = ev.time;
	ev.gen = ++n->tick_gen;
	sim_push(s, &ev);
}

static uint64_t sim_delay(struct sim *s)
{
	const struct sim_params *p = &s->p;

	/* 1% of packets are very late: older than the message timeout */
	if (sim_rand(s, 100) == 0)
		return p->timeout + sim_rand(s, 3 * p->timeout);
	return p->delay_min + sim_rand(s, p->delay_max - p->delay_min + 1);
}

static void sim_transmit(struct sim *s, uint32_t src, uint32_t dst,
			 const uint8_t *pkt, uint16_t len)
{
	struct sim_event ev = { .kind = EV_PACKET, .node = (uint8_t)dst,
				.src = (uint8_t)src, .len = len };
	uint32_t loss = s->p.loss_pct_x10 + s->loss_boost_x10;
	int copies = 1 + (sim_rand(s, 1000) < s->p.dup_pct_x10);

	s->rep.packets++;
	if (!s->link[src][dst] || sim_rand(s, 1000) < loss)
		return;
	while (copies--) {
		ev.time = s->now + sim_delay(s);
		ev.pkt = malloc(len);
		if (!ev.pkt) {
			perror("dlsim: packet");
			exit(2);
		}
		memcpy(ev.pkt, pkt, len);
		sim_push(s, &ev);
	}
}

static void sim_send(struct sim *s, uint32_t node, const struct dl_output *o)
{
	struct sim_node *n = &s->nodes[node];
	uint8_t buf[DL_WIRE_MAX_LEN];
	uint32_t dst;
	int len;

	for (dst = 0; dst < s->p.n_nodes; dst++)
		if (s->nodes[dst].id == o->node)
			break;
	len = dl_wire_seal(&n->wire, &o->msg, buf, sizeof(buf));
	if (dst == s->p.n_nodes || len < 0) {
		chk_fail(s, "node %u emitted an unsendable message", n->id);
		return;
	}
	chk_trace(s, TR_SEND, node, dst, 0, o->msg.type, o->msg.ballot.time);
	sim_transmit(s, node, dst, buf, (uint16_t)len);
	/*
	 * A resend sealed anew, which the replay window cannot tell from a
	 * new packet: the core itself sees the message twice (the copies
	 * sim_transmit() makes are the same bytes, which the wire drops).
	 */
	if (sim_rand(s, 1000) < s->p.dup_pct_x10) {
		len = dl_wire_seal(&n->wire, &o->msg, buf, sizeof(buf));
		if (len > 0)
			sim_transmit(s, node, dst, buf, (uint16_t)len);
	}
}

/**
 * sim_drain() - act on everything a node's core queued
 * @s: simulator
 * @node: node index
 */
void sim_drain(struct sim *s, uint32_t node)
{
	struct sim_node *n = &s->nodes[node];
	struct dl_output out;

	while (n->up && dl_core_pop(n->core, &out)) {
		if (out.type == DL_OUT_SEND)
			sim_send(s, node, &out);
		else if (out.type == DL_OUT_PERSIST)
			n->hwm = out.token;	/* "fsync" */
		else
			wl_output(s, node, &out);
	}
	if (n->up)
		sim_schedule_tick(s, node);
}

/**
 * sim_boot() - start (or restart) a node from its persisted state
 * @s: simulator
 * @node: node index
 */
void sim_boot(struct sim *s, uint32_t node)
{
	struct sim_node *n = &s->nodes[node];
	struct dl_config cfg = {
		.self = n->id, .n_nodes = s->p.n_nodes,
		.max_lease_ns = s->p.max_lease, .epsilon_ns = s->p.epsilon,
		.msg_timeout_ns = s->p.timeout, .retry_slot_ns = s->p.slot,
		.token_hwm = n->hwm, .token_block = 16, .max_resources = 64,
	};
	uint32_t i;

	for (i = 0; i < s->p.n_nodes; i++)
		cfg.nodes[i] = s->nodes[i].id;
	n->incarnation++;
	n->core = dl_core_create(&cfg, sim_local(s, node, s->now),
				 sim_rand(s, UINT64_MAX));
	if (!n->core || dl_wire_init(&n->wire, s->key, 77, n->id,
				     n->incarnation, cfg.nodes,
				     cfg.n_nodes)) {
		fprintf(stderr, "dlsim: cannot start node %u\n", n->id);
		exit(2);
	}
	n->up = true;
	n->gen++;
	n->boot = s->now;
	n->tick_at = 0;
	memset(n->cl, 0, sizeof(n->cl));
	chk_trace(s, TR_RESTART, node, 0, 0, n->incarnation, n->hwm);
	sim_update_isolation(s);
}

/**
 * sim_crash() - kill a node: it loses all memory but its persisted state
 * @s: simulator
 * @node: node index
 */
void sim_crash(struct sim *s, uint32_t node)
{
	struct sim_node *n = &s->nodes[node];

	chk_crash(s, node);
	dl_core_destroy(n->core);
	n->core = NULL;
	n->up = false;
	sim_update_isolation(s);
}

/**
 * sim_update_isolation() - note which nodes can reach no majority
 * @s: simulator
 *
 * A node is isolated when fewer than a majority of members (itself
 * included) are up and connected to it in both directions.
 */
void sim_update_isolation(struct sim *s)
{
	uint32_t i, j, reach, quorum = s->p.n_nodes / 2 + 1;

	for (i = 0; i < s->p.n_nodes; i++) {
		reach = 0;
		for (j = 0; j < s->p.n_nodes; j++)
			reach += s->nodes[j].up &&
				 (i == j || (s->link[i][j] && s->link[j][i]));
		if (reach >= quorum || !s->nodes[i].up)
			s->nodes[i].isolated_since = SIM_NONE;
		else if (s->nodes[i].isolated_since == SIM_NONE)
			s->nodes[i].isolated_since = s->now;
	}
}

static void sim_deliver(struct sim *s, const struct sim_event *ev)
{
	struct sim_node *n = &s->nodes[ev->node];
	enum dl_drop why;
	struct dl_msg msg;
	uint32_t from;

	if (!n->up)
		return;
	why = dl_wire_open(&n->wire, ev->pkt, ev->len, &from, &msg);
	if (why) {
		chk_trace(s, TR_DROP, ev->node, ev->src, 0, why, 0);
		return;
	}
	if (sim_rand(s, 64) == 0) {
		/* keep a delivered packet for the replay attacker */
		memcpy(s->old_pkt, ev->pkt, ev->len);
		s->old_len = ev->len;
		s->old_dst = ev->node;
		s->old_gen = n->gen;
	}
	if (dl_core_receive(n->core, sim_local(s, ev->node, s->now), from,
			    &msg))
		chk_fail(s, "node %u core broke", n->id);
	sim_drain(s, ev->node);
}

static void sim_tick(struct sim *s, const struct sim_event *ev)
{
	struct sim_node *n = &s->nodes[ev->node];

	if (!n->up || ev->gen != n->tick_gen)
		return;
	n->tick_at = 0;
	if (dl_core_tick(n->core, sim_local(s, ev->node, s->now)))
		chk_fail(s, "node %u core broke", n->id);
	sim_drain(s, ev->node);
}

/* a client's timer counts only if it is its latest one in this boot */
static bool sim_client_current(const struct sim *s,
			       const struct sim_event *ev)
{
	const struct sim_node *n = &s->nodes[ev->node];

	return n->up && n->gen == ev->gen &&
	       n->cl[ev->res].chain == ev->chain;
}

static void sim_dispatch(struct sim *s, struct sim_event *ev)
{
	switch (ev->kind) {
	case EV_PACKET:
		sim_deliver(s, ev);
		free(ev->pkt);
		break;
	case EV_TICK:
		sim_tick(s, ev);
		break;
	case EV_CLIENT:
		if (sim_client_current(s, ev))
			wl_client_event(s, ev->node, ev->res);
		break;
	case EV_SNIPE:
		if (s->nodes[ev->node].up && s->nodes[ev->node].gen == ev->gen)
			wl_snipe(s, ev->node, ev->res);
		break;
	case EV_FAULT:
		wl_fault(s);
		break;
	case EV_HEAL:
		wl_heal(s);
		break;
	case EV_RESTART:
		if (!s->nodes[ev->node].up)
			sim_boot(s, ev->node);
		break;
	case EV_ATTACK:
		wl_attack(s);
		break;
	}
}

/*
 * A node's clock: "fast" sits at +epsilon / 2 with dips, "slow" at
 * -epsilon / 2, "wave" swings across the whole range, spending time at
 * both ends when its amplitude is above epsilon / 2.
 */
static void sim_clock(struct sim *s, uint32_t node, int side)
{
	struct sim_node *n = &s->nodes[node];
	uint64_t eps = s->p.epsilon;

	n->clock_bias = side * (double)(eps / 2);
	n->clock_amp = (double)(side ? sim_rand(s, eps / 4 + 1) :
				eps / 4 + sim_rand(s, 3 * eps / 4 + 1));
	n->clock_period = 4 * (n->clock_amp + 1) /
		(s->p.drift * (0.2 + sim_rand(s, 800) / 1000.0));
	n->clock_phase = (double)sim_rand(s, 1ull << 40);
}

/*
 * Per seed: epsilon (4, 10 or 25 ms), the network (LAN: round trips far
 * below epsilon; WAN-like: comparable to it) and the clocks. Half of the
 * seeds split the nodes into fast and slow clocks at the two ends of the
 * allowed range, so that fast-clock acquirers meet slow-clock holders.
 */
static void sim_profile(struct sim *s)
{
	static const uint64_t eps[] = { 4 * MS, 10 * MS, 25 * MS };
	uint32_t i, split = (uint32_t)sim_rand(s, 2), first;

	s->p.epsilon = eps[sim_rand(s, 3)];
	if (sim_rand(s, 2)) {
		s->p.delay_min = MS / 50;
		s->p.delay_max = 3 * MS / 10;
	}
	first = (uint32_t)sim_rand(s, 2);
	for (i = 0; i < s->p.n_nodes; i++)
		sim_clock(s, i, split ? ((i + first) & 1 ? 1 : -1) :
				(int)sim_rand(s, 3) - 1);
}

static void sim_setup(struct sim *s, uint64_t seed, uint32_t n_nodes)
{
	uint32_t i, j;

	memset(s, 0, sizeof(*s));
	s->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	s->rep.seed = seed;
	s->rep.nodes = n_nodes;
	s->p = (struct sim_params){
		.n_nodes = n_nodes, .n_res = SIM_MAX_RES,
		.duration = 120000 * MS, .max_lease = 400 * MS,
		.epsilon = 4 * MS, .timeout = 8 * MS, .slot = 10 * MS,
		.delay_min = MS / 10, .delay_max = 2 * MS,
		.loss_pct_x10 = 10, .dup_pct_x10 = 10, .drift = 2e-4,
	};
	s->p.calm_at = s->p.duration * 3 / 4;
	s->verbose = getenv("DLSIM_TRACE") != NULL;
	for (i = 0; i < DL_WIRE_KEY_LEN; i++)
		s->key[i] = (uint8_t)sim_rand(s, 256);
	sim_profile(s);
	for (i = 0; i < n_nodes; i++) {
		s->nodes[i].id = 10 + i * 7;
		for (j = 0; j < n_nodes; j++)
			s->link[i][j] = true;
	}
	for (i = 0; i < n_nodes; i++)
		sim_boot(s, i);
}

static void sim_teardown(struct sim *s)
{
	struct sim_event ev;
	uint32_t i;

	while (sim_pop(s, &ev))
		if (ev.kind == EV_PACKET)
			free(ev.pkt);
	free(s->heap);
	for (i = 0; i < s->p.n_nodes; i++)
		dl_core_destroy(s->nodes[i].core);
}

/**
 * sim_run() - simulate one seed
 * @s: simulator state (overwritten)
 * @seed: seed; the same seed gives the same run
 * @n_nodes: cluster size
 *
 * Return: 0 if the checker found nothing, 1 on a violation.
 */
int sim_run(struct sim *s, uint64_t seed, uint32_t n_nodes)
{
	struct sim_event ev;

	sim_setup(s, seed, n_nodes);
	wl_start(s);
	while (!s->violated && sim_pop(s, &ev)) {
		if (ev.time > s->p.duration) {
			if (ev.kind == EV_PACKET)
				free(ev.pkt);
			break;
		}
		s->now = ev.time;
		sim_dispatch(s, &ev);
	}
	if (!s->violated)
		chk_liveness(s);
	s->rep.sim_ns = s->now;
	s->rep.failed = s->violated;
	if (s->violated)
		chk_dump(s, seed);
	sim_teardown(s);
	return s->violated;
}
