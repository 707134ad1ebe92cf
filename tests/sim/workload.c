// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated clients (acquire, hold around the TTL with renewals, release
 * or walk away) and the fault schedule (partitions, one-way links, loss
 * bursts, crashes and restarts, forged and replayed packets).
 */
#include <string.h>

#include "sim.h"

static const char *const res_names[SIM_MAX_RES] = {
	"db/primary", "queue/7", "cron", "a-much-longer-resource-name/x",
};

/**
 * wl_name() - the name of simulated resource @res
 * @res: resource index
 * @name: buffer of DL_NAME_MAX bytes
 * @len: set to the length
 */
void wl_name(uint32_t res, char *name, uint8_t *len)
{
	*len = (uint8_t)strlen(res_names[res]);
	memcpy(name, res_names[res], *len);
}

/**
 * wl_res_index() - which simulated resource a message is about
 * @s: simulator
 * @msg: message (only its name is used)
 *
 * Return: index, or -1.
 */
int wl_res_index(const struct sim *s, const struct dl_msg *msg)
{
	uint32_t i;

	for (i = 0; i < s->p.n_res; i++)
		if (strlen(res_names[i]) == msg->name_len &&
		    !memcmp(res_names[i], msg->name, msg->name_len))
			return (int)i;
	return -1;
}

/* (re)arm a client's timer; an earlier pending one no longer counts */
static void wl_at(struct sim *s, uint64_t t, uint32_t node, uint32_t res)
{
	struct sim_event ev = { .time = t, .kind = EV_CLIENT,
				.node = (uint8_t)node, .res = (uint8_t)res,
				.gen = s->nodes[node].gen,
				.chain = ++s->nodes[node].cl[res].chain };

	sim_push(s, &ev);
}

/*
 * Other nodes try for @res right when their own clocks read @end (where
 * a protocol without the epsilon wait would let them in) or @end +
 * epsilon (where the real protocol does), less up to two network delays
 * so that the decision falls on either side of the boundary. Each other
 * node takes part with probability 1/2.
 */
static void wl_snipe_at(struct sim *s, uint32_t holder, uint32_t res,
			uint64_t end)
{
	struct sim_event ev = { .kind = EV_SNIPE, .res = (uint8_t)res };
	uint64_t local;
	uint32_t k;

	for (k = 0; k < s->p.n_nodes; k++) {
		if (k == holder || !s->nodes[k].up || !sim_rand(s, 2))
			continue;
		local = end + (sim_rand(s, 2) ? s->p.epsilon : 0) -
			sim_rand(s, 2 * s->p.delay_max);
		ev.time = sim_real(s, k, local);
		if (ev.time <= s->now)
			continue;
		ev.node = (uint8_t)k;
		ev.gen = s->nodes[k].gen;
		sim_push(s, &ev);
	}
}

static bool wl_calm(const struct sim *s)
{
	return s->now >= s->p.calm_at;
}

static uint64_t wl_ttl(struct sim *s)
{
	return s->p.max_lease / 2 + sim_rand(s, s->p.max_lease / 2);
}

static void wl_acquire(struct sim *s, uint32_t node, uint32_t res)
{
	struct sim_node *n = &s->nodes[node];
	struct sim_client *c = &n->cl[res];
	uint64_t local = sim_local(s, node, s->now), give_up = 0;
	char name[DL_NAME_MAX];
	uint8_t len;

	if (!wl_calm(s))
		give_up = local + 2 * s->p.max_lease + sim_rand(s, 4 *
							s->p.max_lease);
	wl_name(res, name, &len);
	if (dl_core_acquire(n->core, local, name, len, wl_ttl(s), give_up)) {
		wl_at(s, s->now + 50 * MS, node, res);
		return;
	}
	s->rep.ops++;
	c->state = CL_WANT;
	c->want_since = s->now;
	chk_trace(s, TR_ACQUIRE, node, 0, res, 0, 0);
	sim_drain(s, node);
}

static void wl_release(struct sim *s, uint32_t node, uint32_t res)
{
	struct sim_node *n = &s->nodes[node];
	char name[DL_NAME_MAX];
	uint8_t len;

	chk_end(s, node, res, true);
	n->cl[res].state = CL_IDLE;
	wl_name(res, name, &len);
	if (!dl_core_release(n->core, sim_local(s, node, s->now), name, len)) {
		s->rep.ops++;
		chk_trace(s, TR_RELEASE, node, 0, res, n->cl[res].token, 0);
	}
	sim_drain(s, node);
	wl_at(s, s->now + sim_rand(s, s->p.max_lease / 2), node, res);
}

/*
 * Renew with a random TTL. A renewal that asks for less than the lease
 * has left must not shorten it: others are sent in right at the end it
 * asked for.
 */
static void wl_renew(struct sim *s, uint32_t node, uint32_t res)
{
	struct sim_node *n = &s->nodes[node];
	uint64_t local = sim_local(s, node, s->now), ttl = wl_ttl(s);
	char name[DL_NAME_MAX];
	uint8_t len;

	wl_name(res, name, &len);
	if (!dl_core_renew(n->core, local, name, len, ttl)) {
		s->rep.ops++;
		if (local + ttl < n->cl[res].expiry && !wl_calm(s))
			wl_snipe_at(s, node, res, local + ttl);
	}
	sim_drain(s, node);
}

/* Stop renewing but go on using the lease until the core says LOST. */
static void wl_ride_out(struct sim *s, uint32_t node, uint32_t res)
{
	struct sim_client *c = &s->nodes[node].cl[res];

	c->riding = true;
	wl_snipe_at(s, node, res, c->expiry);
}

/**
 * wl_client_event() - a client's own timer
 * @s: simulator
 * @node: node index
 * @res: resource index
 *
 * Idle clients acquire; holders renew every sixth of the max lease until
 * they mean to stop. Then six in ten release, three ride the lease out
 * to its deadline without renewing, one walks away without releasing.
 * Riding out and the acquires timed against it ignore the waiters' turns,
 * so they stop with the other faults: the liveness bound is checked on
 * the calm part of the run.
 */
void wl_client_event(struct sim *s, uint32_t node, uint32_t res)
{
	struct sim_client *c = &s->nodes[node].cl[res];
	uint64_t local = sim_local(s, node, s->now), r;

	if (c->state == CL_IDLE) {
		wl_acquire(s, node, res);
		return;
	}
	if (c->state != CL_HOLD)
		return;
	if (s->now >= c->hold_until && !c->riding) {
		r = sim_rand(s, 10);
		if (r == 0) {
			chk_end(s, node, res, false);
			c->state = CL_IDLE;
			wl_at(s, s->now + s->p.max_lease, node, res);
			return;
		}
		if (r > 3 || wl_calm(s)) {
			wl_release(s, node, res);
			return;
		}
		wl_ride_out(s, node, res);
	}
	if (!c->riding && local < c->expiry)
		wl_renew(s, node, res);
	wl_at(s, s->now + s->p.max_lease / 6, node, res);
}

/**
 * wl_snipe() - an acquire timed at the end of another node's lease
 * @s: simulator
 * @node: node index
 * @res: resource index
 *
 * An idle client acquires; a waiting one gives up its wait and asks
 * again at once (its wait still counts from the first request).
 */
void wl_snipe(struct sim *s, uint32_t node, uint32_t res)
{
	struct sim_node *n = &s->nodes[node];
	struct sim_client *c = &n->cl[res];
	uint64_t since = c->want_since;
	bool waiting = c->state == CL_WANT;
	char name[DL_NAME_MAX];
	uint8_t len;

	if (c->state == CL_HOLD)
		return;
	s->rep.snipes++;
	chk_trace(s, TR_SNIPE, node, 0, res, waiting, 0);
	if (waiting) {
		wl_name(res, name, &len);
		dl_core_release(n->core, sim_local(s, node, s->now), name,
				len);
		c->state = CL_IDLE;
		sim_drain(s, node);
	}
	wl_acquire(s, node, res);
	if (waiting && c->state == CL_WANT)
		c->want_since = since;
}

static void wl_granted(struct sim *s, uint32_t node, uint32_t res,
		       const struct dl_output *out)
{
	struct sim_client *c = &s->nodes[node].cl[res];
	uint64_t hold = s->p.max_lease / 10 +
			sim_rand(s, 2 * s->p.max_lease);

	chk_grant(s, node, res, false, out);
	s->rep.grants++;
	s->rep.acquire_phases += out->phases;
	s->rep.quick_grants += out->phases <= 2;
	c->state = CL_HOLD;
	c->riding = false;
	c->token = out->token;
	c->expiry = out->expiry;
	c->hold_until = s->now + hold;
	wl_at(s, s->now + (hold < s->p.max_lease / 6 ? hold :
			   s->p.max_lease / 6), node, res);
}

static void wl_break(struct sim *s, uint32_t node, uint32_t res)
{
	struct sim_client *c = &s->nodes[node].cl[res];

	/* half of the holders honour a break by releasing soon */
	if (c->state == CL_HOLD && !c->riding && sim_rand(s, 2)) {
		c->hold_until = s->now + sim_rand(s, 5 * MS);
		wl_at(s, c->hold_until, node, res);
	}
}

/**
 * wl_output() - a client-facing output of a node's core
 * @s: simulator
 * @node: node index
 * @out: the output
 */
void wl_output(struct sim *s, uint32_t node, const struct dl_output *out)
{
	int res = wl_res_index(s, &out->msg);
	struct sim_client *c;

	if (res < 0) {
		chk_fail(s, "output for an unknown resource");
		return;
	}
	c = &s->nodes[node].cl[res];
	switch (out->type) {
	case DL_OUT_GRANTED:
		if (c->state == CL_WANT)
			wl_granted(s, node, (uint32_t)res, out);
		else
			chk_fail(s, "node %u: grant nobody asked for",
				 s->nodes[node].id);
		break;
	case DL_OUT_RENEWED:
		chk_grant(s, node, (uint32_t)res, true, out);
		s->rep.renewals++;
		s->rep.renew_phases += out->phases;
		c->expiry = out->expiry;
		break;
	case DL_OUT_LOST:
		chk_trace(s, TR_LOST, node, 0, (uint32_t)res, out->token, 0);
		s->rep.losses++;
		if (c->state == CL_HOLD) {
			chk_end(s, node, (uint32_t)res, false);
			c->state = CL_IDLE;
		}
		break;
	case DL_OUT_DENIED:
		chk_trace(s, TR_DENIED, node, 0, (uint32_t)res, 0, 0);
		c->state = CL_IDLE;
		wl_at(s, s->now + sim_rand(s, s->p.max_lease), node,
		      (uint32_t)res);
		break;
	case DL_OUT_WAIT:
		chk_trace(s, TR_WAIT, node, 0, (uint32_t)res, out->wait_ns,
			  out->position);
		break;
	case DL_OUT_BREAK:
		wl_break(s, node, (uint32_t)res);
		break;
	}
}

static void wl_partition(struct sim *s)
{
	uint32_t n = s->p.n_nodes, i, j, side = 0;
	bool one_way = sim_rand(s, 3) == 0;

	for (i = 0; i < n; i++)
		side |= (uint32_t)sim_rand(s, 2) << i;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (((side >> i) & 1) != ((side >> j) & 1) &&
			    (!one_way || ((side >> i) & 1)))
				s->link[i][j] = false;
	s->rep.partitions++;
	chk_trace(s, TR_PARTITION, 0, one_way, 0, side, 0);
	sim_update_isolation(s);
}

/*
 * A node that can send but not receive (a one-way link failure), chosen
 * among the current holders if there are any: its renewals reach the
 * acceptors but their replies do not reach it.
 */
static void wl_deafen(struct sim *s)
{
	uint32_t n = s->p.n_nodes, first = (uint32_t)sim_rand(s, n);
	uint32_t i, j, node = first, res;

	for (i = 0; i < n && node == first; i++)
		for (res = 0; res < s->p.n_res; res++)
			if (s->nodes[(first + i) % n].up &&
			    s->nodes[(first + i) % n].cl[res].state == CL_HOLD)
				node = (first + i) % n;
	for (j = 0; j < n; j++)
		if (j != node)
			s->link[j][node] = false;
	s->rep.partitions++;
	chk_trace(s, TR_PARTITION, node, 2, 0, 1u << node, 0);
	sim_update_isolation(s);
}

static void wl_crash_one(struct sim *s)
{
	uint32_t node = (uint32_t)sim_rand(s, s->p.n_nodes);
	struct sim_event ev = { .kind = EV_RESTART, .node = (uint8_t)node };

	if (!s->nodes[node].up)
		return;
	sim_crash(s, node);
	s->rep.crashes++;
	chk_trace(s, TR_CRASH, node, 0, 0, 0, 0);
	ev.time = s->now + sim_rand(s, 3 * s->p.max_lease);
	if (ev.time >= s->p.calm_at)
		ev.time = s->p.calm_at;
	sim_push(s, &ev);
}

/**
 * wl_fault() - inject the next fault and schedule its healing
 * @s: simulator
 */
void wl_fault(struct sim *s)
{
	struct sim_event ev = { .kind = EV_FAULT };
	uint64_t r = sim_rand(s, 10);

	if (wl_calm(s))
		return;
	if (r < 3)
		wl_partition(s);
	else if (r < 4)
		wl_deafen(s);
	else if (r < 8)
		wl_crash_one(s);
	else
		s->loss_boost_x10 = 300;
	ev.time = s->now + s->p.max_lease / 2 + sim_rand(s, 6 * s->p.max_lease);
	sim_push(s, &ev);
	ev.kind = EV_HEAL;
	ev.time = s->now + sim_rand(s, 5 * s->p.max_lease);
	if (ev.time > s->p.calm_at)
		ev.time = s->p.calm_at;
	sim_push(s, &ev);
}

/**
 * wl_heal() - reconnect every link and end loss bursts
 * @s: simulator
 */
void wl_heal(struct sim *s)
{
	uint32_t i, j;

	for (i = 0; i < s->p.n_nodes; i++)
		for (j = 0; j < s->p.n_nodes; j++)
			s->link[i][j] = true;
	s->loss_boost_x10 = 0;
	chk_trace(s, TR_HEAL, 0, 0, 0, 0, 0);
	sim_update_isolation(s);
}

/**
 * wl_attack() - inject a replayed or forged packet; it must be dropped
 * @s: simulator
 */
void wl_attack(struct sim *s)
{
	struct sim_event ev = { .kind = EV_ATTACK };
	struct sim_node *n;
	struct dl_msg msg;
	uint32_t from;
	uint8_t pkt[DL_WIRE_MAX_LEN];

	/*
	 * A restarted receiver forgot its replay windows; packets from
	 * before are then refused by the core (stale sent_at, unknown
	 * ballot), not by the wire layer. Replay only into the same boot.
	 */
	if (s->old_len && s->nodes[s->old_dst].up &&
	    s->nodes[s->old_dst].gen == s->old_gen) {
		n = &s->nodes[s->old_dst];
		memcpy(pkt, s->old_pkt, s->old_len);
		if (sim_rand(s, 2))
			pkt[sim_rand(s, s->old_len)] ^= 1 << sim_rand(s, 8);
		if (dl_wire_open(&n->wire, pkt, s->old_len, &from, &msg) ==
		    DL_DROP_NONE)
			chk_fail(s, "node %u accepted a replayed or forged "
				 "packet", n->id);
		else
			s->rep.forged_dropped++;
	}
	ev.time = s->now + sim_rand(s, s->p.max_lease);
	sim_push(s, &ev);
}

/**
 * wl_clients() - start the clients of a node that just booted
 * @s: simulator
 * @node: node index
 */
void wl_clients(struct sim *s, uint32_t node)
{
	uint64_t start = s->now + s->p.max_lease + 3 * s->p.timeout;
	uint32_t res;

	for (res = 0; res < s->p.n_res; res++)
		wl_at(s, start + sim_rand(s, s->p.max_lease), node, res);
}

/**
 * wl_start() - schedule the first client, fault and attack events
 * @s: simulator
 */
void wl_start(struct sim *s)
{
	struct sim_event ev = { .kind = EV_FAULT };
	uint64_t start = s->p.max_lease + 3 * s->p.timeout;
	uint32_t node;

	for (node = 0; node < s->p.n_nodes; node++)
		wl_clients(s, node);
	ev.time = start + sim_rand(s, 2 * s->p.max_lease);
	sim_push(s, &ev);
	ev.kind = EV_ATTACK;
	sim_push(s, &ev);
}
