// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol core: lifetime, resource table, output plumbing and dispatch.
 * The protocol rules themselves live in acceptor.c and proposer.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DL_OUTQ_START	64

static uint32_t dl_hash(const char *name, unsigned int len)
{
	uint32_t h = 2166136261u;
	unsigned int i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h & (DL_HASH_SIZE - 1);
}

/**
 * dl_res_find() - look up a tracked resource
 * @core: core
 * @name: resource name
 * @len: name length
 *
 * Return: the resource or NULL.
 */
struct dl_res *dl_res_find(struct dl_core *core, const char *name,
			   unsigned int len)
{
	struct dl_res *res;

	for (res = core->table[dl_hash(name, len)]; res; res = res->next)
		if (res->name_len == len && !memcmp(res->name, name, len))
			return res;
	return NULL;
}

/**
 * dl_res_get() - look up a resource, tracking it if new
 * @core: core
 * @name: resource name, 1..DL_NAME_MAX bytes
 * @len: name length
 * @err: set to -ENOSPC or -ENOMEM when NULL is returned
 *
 * A new resource starts with the token floor at the reserved high-water
 * mark: whatever this node accepted for it before (if it forgot it), the
 * token was at most that.
 *
 * Return: the resource or NULL.
 */
struct dl_res *dl_res_get(struct dl_core *core, const char *name,
			  unsigned int len, int *err)
{
	struct dl_res *res = dl_res_find(core, name, len);
	uint32_t h;

	if (res)
		return res;
	if (core->n_res >= core->cfg.max_resources) {
		*err = -ENOSPC;
		return NULL;
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		*err = -ENOMEM;
		return NULL;
	}
	res->name_len = len;
	memcpy(res->name, name, len);
	res->acc.token_seen = core->hwm;
	h = dl_hash(name, len);
	res->next = core->table[h];
	core->table[h] = res;
	core->n_res++;
	return res;
}

/**
 * dl_node_index() - position of a node in the configuration
 * @core: core
 * @node: node id
 *
 * Return: index into cfg.nodes, or -1 for a stranger.
 */
int dl_node_index(const struct dl_core *core, uint32_t node)
{
	uint32_t i;

	for (i = 0; i < core->cfg.n_nodes; i++)
		if (core->cfg.nodes[i] == node)
			return (int)i;
	return -1;
}

/**
 * dl_random() - jitter source, deterministic per seed
 * @core: core
 * @bound: exclusive upper bound, 0 gives 0
 *
 * Return: a pseudo-random number below @bound.
 */
uint64_t dl_random(struct dl_core *core, uint64_t bound)
{
	uint64_t x = core->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	core->rng = x;
	return bound ? x % bound : 0;
}

/**
 * dl_lease_live() - may the lease still be in use by its holder?
 * @core: core
 * @l: lease value
 * @now: local time
 *
 * The holder stops at its expiry by its own clock; ours may be behind by
 * up to epsilon, so the lease counts as live until expiry + epsilon here.
 * An explicitly released lease is dead at once: its holder stopped before
 * it sent the release.
 *
 * Return: true while nobody else may take the lease.
 */
bool dl_lease_live(const struct dl_core *core, const struct dl_lease *l,
		   uint64_t now)
{
	if (!l->owner || (l->flags & DL_LEASE_RELEASED))
		return false;
	return now <= l->expiry + dl_safety_margin(core);
}

/**
 * dl_safety_margin() - how long after a lease's end others must wait
 * @core: core
 *
 * Return: epsilon, the bound on clock offsets (FLease's safety period).
 */
uint64_t dl_safety_margin(const struct dl_core *core)
{
#ifdef DL_MUTATION_NO_EPSILON
	return 0 * core->cfg.epsilon_ns;
#else
	return core->cfg.epsilon_ns;
#endif
}

/**
 * dl_msg_init() - start a message about a resource
 * @msg: message to fill
 * @res: resource
 * @type: enum dl_msg_type
 */
void dl_msg_init(struct dl_msg *msg, const struct dl_res *res, uint8_t type)
{
	memset(msg, 0, sizeof(*msg));
	msg->type = type;
	msg->name_len = res->name_len;
	memcpy(msg->name, res->name, res->name_len);
}

/**
 * dl_send() - queue a message for a node (ourselves included)
 * @core: core
 * @node: destination node id
 * @msg: message
 *
 * A message that cannot be queued is lost like a dropped packet, which
 * the protocol tolerates.
 */
void dl_send(struct dl_core *core, uint32_t node, const struct dl_msg *msg)
{
	struct dl_output out = { .type = DL_OUT_SEND, .node = node };
	struct dl_outq *q = &core->out;

	out.msg = *msg;
	if (node == core->cfg.self)
		q = &core->loop;
	if (!dl_outq_push(q, &out))
		core->stats.sent++;
}

/**
 * dl_broadcast() - send a message to every member, ourselves included
 * @core: core
 * @msg: message
 */
void dl_broadcast(struct dl_core *core, const struct dl_msg *msg)
{
	uint32_t i;

	for (i = 0; i < core->cfg.n_nodes; i++)
		dl_send(core, core->cfg.nodes[i], msg);
}

/**
 * dl_notify() - queue an output for the local client or the store
 * @core: core
 * @out: output
 *
 * These outputs must not be lost; if one cannot be queued the core is
 * marked broken and every later call fails with -ENOMEM.
 */
void dl_notify(struct dl_core *core, const struct dl_output *out)
{
	if (dl_outq_push(&core->out, out))
		core->broken = true;
}

/**
 * dl_core_create() - start a node's protocol core
 * @cfg: configuration, checked with dl_config_check()
 * @now: local time
 * @seed: seed of the retry jitter
 *
 * The acceptor stays silent for max lease + 2 * epsilon + message timeout
 * after creation (the FLease restart rule): it may have promised or
 * accepted things before a crash that it no longer remembers.
 *
 * Return: the core, or NULL if @cfg is invalid or memory is short.
 */
struct dl_core *dl_core_create(const struct dl_config *cfg, uint64_t now,
			       uint64_t seed)
{
	struct dl_core *core;

	if (dl_config_check(cfg, NULL))
		return NULL;
	core = calloc(1, sizeof(*core));
	if (!core)
		return NULL;
	if (dl_outq_init(&core->out, DL_OUTQ_START))
		goto free_core;
	if (dl_outq_init(&core->loop, DL_OUTQ_START))
		goto free_out;
	core->cfg = *cfg;
	core->quorum = cfg->n_nodes / 2 + 1;
#ifdef DL_MUTATION_QUORUM_ONE
	core->quorum = 1;
#endif
	core->quiet_until = now + cfg->max_lease_ns + 2 * cfg->epsilon_ns +
			    cfg->msg_timeout_ns;
	/*
	 * An earlier run of this node may have made ballots up to epsilon
	 * ahead of its clock (just above another node's); ours start above
	 * them, or a reused ballot could tie two values (dl_value_cmp()).
	 */
	core->ballot_floor = now + cfg->epsilon_ns + cfg->msg_timeout_ns;
	core->hwm = cfg->token_hwm;
	core->rng = seed | 1;
	return core;

free_out:
	dl_outq_free(&core->out);
free_core:
	free(core);
	return NULL;
}

/**
 * dl_core_destroy() - free a core and everything it tracks
 * @core: core, may be NULL
 */
void dl_core_destroy(struct dl_core *core)
{
	struct dl_res *res, *next;
	uint32_t h;

	if (!core)
		return;
	for (h = 0; h < DL_HASH_SIZE; h++) {
		for (res = core->table[h]; res; res = next) {
			next = res->next;
			free(res);
		}
	}
	dl_outq_free(&core->loop);
	dl_outq_free(&core->out);
	free(core);
}

static bool dl_name_ok(const char *name, unsigned int len)
{
	return name && len && len <= DL_NAME_MAX && !memchr(name, 0, len);
}

static void dl_dispatch(struct dl_core *core, uint64_t now, uint32_t from,
			const struct dl_msg *msg)
{
	struct dl_res *res;
	int err = 0;

	core->stats.received++;
	if (msg->type == DL_MSG_PREPARE || msg->type == DL_MSG_ACCEPT) {
		res = dl_res_get(core, msg->name, msg->name_len, &err);
		if (!res) {
			core->stats.drops[err == -ENOSPC ?
					  DL_CDROP_TABLE_FULL :
					  DL_CDROP_NO_MEMORY]++;
			return;
		}
		if (msg->type == DL_MSG_PREPARE)
			dl_acc_prepare(core, res, now, from, msg);
		else
			dl_acc_accept(core, res, now, from, msg);
		return;
	}
	res = dl_res_find(core, msg->name, msg->name_len);
	if (!res) {
		core->stats.drops[DL_CDROP_NO_ROUND]++;
		return;
	}
	dl_prop_reply(core, res, now, from, msg);
}

static int dl_drain_loop(struct dl_core *core, uint64_t now)
{
	struct dl_output out;

	while (dl_outq_pop(&core->loop, &out))
		dl_dispatch(core, now, core->cfg.self, &out.msg);
	return core->broken ? -ENOMEM : 0;
}

/**
 * dl_core_receive() - feed an authenticated message from a peer
 * @core: core
 * @now: local time
 * @from: sender node id (from the authenticated header)
 * @msg: decoded message
 *
 * Return: 0, or -ENOMEM if the core broke (see proto.h).
 */
int dl_core_receive(struct dl_core *core, uint64_t now, uint32_t from,
		    const struct dl_msg *msg)
{
	if (core->broken)
		return -ENOMEM;
	if (dl_node_index(core, from) < 0 || from == core->cfg.self) {
		core->stats.drops[DL_CDROP_NOT_MEMBER]++;
		return 0;
	}
	if (!dl_name_ok(msg->name, msg->name_len) || !msg->type ||
	    msg->type > DL_MSG_MAX) {
		core->stats.drops[DL_CDROP_MALFORMED]++;
		return 0;
	}
	dl_dispatch(core, now, from, msg);
	return dl_drain_loop(core, now);
}

static int dl_request(struct dl_core *core, uint64_t now, const char *name,
		      unsigned int len, bool create)
{
	struct dl_res *res;
	int err = -ENOENT;

	if (core->broken)
		return -ENOMEM;
	if (!dl_name_ok(name, len))
		return -EINVAL;
	res = create ? dl_res_get(core, name, len, &err) :
		       dl_res_find(core, name, len);
	if (!res)
		return err;
	res->last_used = now;
	return 0;
}

/**
 * dl_core_acquire() - ask for the exclusive cluster lease on a resource
 * @core: core
 * @now: local time
 * @name: resource name, 1..255 bytes without NUL
 * @name_len: length of @name
 * @ttl_ns: lease duration wanted, at most the configured max lease
 * @give_up_at: local time after which to answer DENIED(-ETIMEDOUT), 0 for
 *	never
 *
 * The answer comes later as DL_OUT_GRANTED or DL_OUT_DENIED, possibly
 * preceded by DL_OUT_WAIT outputs.
 *
 * Return: 0, -EINVAL (bad name or TTL), -EBUSY (a request for @name is
 * already pending or held), -ENOSPC (too many resources), -ENOMEM.
 */
int dl_core_acquire(struct dl_core *core, uint64_t now, const char *name,
		    unsigned int name_len, uint64_t ttl_ns, uint64_t give_up_at)
{
	int err;

	if (!ttl_ns || ttl_ns > core->cfg.max_lease_ns ||
	    ttl_ns <= 2 * (core->cfg.epsilon_ns + core->cfg.msg_timeout_ns))
		return -EINVAL;
	err = dl_request(core, now, name, name_len, true);
	if (err)
		return err;
	err = dl_prop_acquire(core, dl_res_find(core, name, name_len), now,
			      ttl_ns, give_up_at);
	return err ? err : dl_drain_loop(core, now);
}

/**
 * dl_core_renew() - extend a held lease
 * @core: core
 * @now: local time
 * @name: resource name
 * @name_len: length of @name
 * @ttl_ns: new duration from now, at most the configured max lease
 *
 * One round trip when no other proposer interfered, two otherwise. The
 * answer is DL_OUT_RENEWED or DL_OUT_LOST.
 *
 * Return: 0, -EINVAL, -ENOENT (not held), -EBUSY (renewal in progress),
 * -ENOMEM.
 */
int dl_core_renew(struct dl_core *core, uint64_t now, const char *name,
		  unsigned int name_len, uint64_t ttl_ns)
{
	int err;

	if (!ttl_ns || ttl_ns > core->cfg.max_lease_ns ||
	    ttl_ns <= 2 * (core->cfg.epsilon_ns + core->cfg.msg_timeout_ns))
		return -EINVAL;
	err = dl_request(core, now, name, name_len, false);
	if (err)
		return err;
	err = dl_prop_renew(core, dl_res_find(core, name, name_len), now,
			    ttl_ns);
	return err ? err : dl_drain_loop(core, now);
}

/**
 * dl_core_release() - give up a held lease or cancel a pending acquire
 * @core: core
 * @now: local time
 * @name: resource name
 * @name_len: length of @name
 *
 * The caller must have stopped using the lease already. The release is
 * written to the acceptors in one round so the head waiter is woken at
 * once instead of waiting for the expiry.
 *
 * Return: 0, -EINVAL, -ENOENT (nothing held or pending), -ENOMEM.
 */
int dl_core_release(struct dl_core *core, uint64_t now, const char *name,
		    unsigned int name_len)
{
	int err;

	err = dl_request(core, now, name, name_len, false);
	if (err)
		return err;
	err = dl_prop_release(core, dl_res_find(core, name, name_len), now);
	return err ? err : dl_drain_loop(core, now);
}

/**
 * dl_core_tick() - let time pass
 * @core: core
 * @now: local time
 *
 * Times out rounds, starts retries, reports losses at the holder's
 * deadline. Call it at dl_core_next_tick() or later.
 *
 * Return: 0 or -ENOMEM (see proto.h).
 */
int dl_core_tick(struct dl_core *core, uint64_t now)
{
	struct dl_res *res;
	uint32_t h;

	if (core->broken)
		return -ENOMEM;
	for (h = 0; h < DL_HASH_SIZE; h++)
		for (res = core->table[h]; res; res = res->next)
			dl_prop_tick(core, res, now);
	return dl_drain_loop(core, now);
}

/**
 * dl_core_next_tick() - when the core next needs dl_core_tick()
 * @core: core
 *
 * Return: local time of the next deadline, UINT64_MAX if none.
 */
uint64_t dl_core_next_tick(const struct dl_core *core)
{
	const struct dl_res *res;
	uint64_t next = UINT64_MAX, t;
	uint32_t h;

	for (h = 0; h < DL_HASH_SIZE; h++) {
		for (res = core->table[h]; res; res = res->next) {
			t = dl_prop_next_tick(core, res);
			if (t < next)
				next = t;
		}
	}
	return next;
}

/**
 * dl_core_pop() - take the next output
 * @core: core
 * @out: where to store it
 *
 * Return: false when there is none.
 */
bool dl_core_pop(struct dl_core *core, struct dl_output *out)
{
	return dl_outq_pop(&core->out, out);
}

/**
 * dl_core_stats() - counters of the core
 * @core: core
 *
 * Return: the counters, valid until dl_core_destroy().
 */
const struct dl_core_stats *dl_core_stats(const struct dl_core *core)
{
	return &core->stats;
}
