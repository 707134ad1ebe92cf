// SPDX-License-Identifier: GPL-2.0
/*
 * Proposer role: runs the two-phase FLease rounds for local requests,
 * the one-round renew and release, waiting in line with staggered retry
 * slots, and the holder's deadline.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define DL_NO_POSITION	UINT32_MAX

static uint32_t dl_bits(uint32_t mask)
{
	return (uint32_t)__builtin_popcount(mask);
}

/*
 * A rewrite of a held lease never ends earlier than what the holder was
 * last told: if it became the accepted value without the holder hearing
 * of it, waiters would otherwise start before the holder stops.
 */
static uint64_t dl_later(uint64_t a, uint64_t b)
{
#ifdef DL_MUTATION_SHORTEN_RENEW
	return a + 0 * b;
#endif
	return a > b ? a : b;
}

/*
 * Is @l live for us? A token an acceptor told us was released (WAKE) is
 * dead even where the release has not arrived yet: otherwise the woken
 * waiter, racing the release to the other acceptors, would go back to
 * sleep for the whole lease while others take the resource.
 */
static bool dl_prop_live(const struct dl_core *core,
			 const struct dl_prop *prop, const struct dl_lease *l,
			 uint64_t now)
{
	if (prop->woken_token && l->token == prop->woken_token)
		return false;
	return dl_lease_live(core, l, now);
}

static void dl_prop_emit(struct dl_core *core, struct dl_res *res,
			 uint8_t type, int error)
{
	struct dl_prop *prop = &res->prop;
	struct dl_output out = { .type = type, .error = error };

	out.msg.name_len = res->name_len;
	memcpy(out.msg.name, res->name, res->name_len);
	out.phases = prop->phases;
	out.token = prop->held.token;
	out.expiry = prop->held.expiry;
	out.deadline = prop->held.expiry - dl_safety_margin(core);
	dl_notify(core, &out);
}

static void dl_prop_clear_round(struct dl_prop *prop)
{
	prop->acks = 0;
	prop->nacks = 0;
	prop->saw_holder = false;
	prop->holder_expiry = 0;
	prop->position = DL_NO_POSITION;
	prop->best_ballot = (struct dl_ballot){ 0 };
	prop->best = (struct dl_lease){ 0 };
	prop->floor = 0;
}

static void dl_prop_send(struct dl_core *core, struct dl_res *res,
			 uint8_t type, const struct dl_ballot *ballot,
			 const struct dl_lease *lease, uint64_t now)
{
	struct dl_msg msg;

	dl_msg_init(&msg, res, type);
	msg.ballot = *ballot;
	msg.sent_at = now;
	if (lease)
		msg.lease = *lease;
	dl_broadcast(core, &msg);
}

static void dl_prop_prepare(struct dl_core *core, struct dl_res *res,
			    uint64_t now)
{
	struct dl_prop *prop = &res->prop;

	dl_ballot_next(&prop->ballot,
		       now > core->ballot_floor ? now : core->ballot_floor,
		       core->cfg.self, &res->highest);
	res->highest = prop->ballot;
	dl_prop_clear_round(prop);
	prop->woken_in_round = false;
	prop->phase = DL_PH_PREPARE;
	prop->fast_renew = false;
	prop->round_start = now;
	prop->round_deadline = now + core->cfg.msg_timeout_ns;
	prop->phases++;
	core->stats.rounds++;
	dl_prop_send(core, res, DL_MSG_PREPARE, &prop->ballot, NULL, now);
}

static void dl_prop_accept(struct dl_core *core, struct dl_res *res,
			   uint64_t now, const struct dl_lease *value)
{
	struct dl_prop *prop = &res->prop;

	prop->proposal = *value;
	prop->phase = DL_PH_ACCEPT;
	prop->acks = 0;
	prop->nacks = 0;
	prop->round_deadline = now + core->cfg.msg_timeout_ns;
	prop->phases++;
	dl_prop_send(core, res, DL_MSG_ACCEPT, &prop->ballot, value, now);
}

static void dl_prop_lost(struct dl_core *core, struct dl_res *res, int error)
{
	struct dl_prop *prop = &res->prop;

	if (prop->holding) {
		prop->holding = false;
		core->stats.losses++;
		dl_prop_emit(core, res, DL_OUT_LOST, error);
	}
	prop->want = DL_WANT_NONE;
	prop->phase = DL_PH_NONE;
}

/* Wait for the holder: one slot per place in line, plus jitter. */
static void dl_prop_wait(struct dl_core *core, struct dl_res *res,
			 uint64_t now)
{
	struct dl_prop *prop = &res->prop;
	uint64_t slot = core->cfg.retry_slot_ns;
	uint32_t pos = prop->position == DL_NO_POSITION ? 0 : prop->position;
	struct dl_output out = { .type = DL_OUT_WAIT };

	prop->phase = DL_PH_NONE;
	prop->retry_at = prop->holder_expiry + dl_safety_margin(core) +
			 pos * slot + dl_random(core, slot / 2);
	/*
	 * Woken while this round ran: what it read may be the lease just
	 * released or withdrawn (the release killed its token only if it was
	 * granted), so look again soon rather than sleep it out.
	 */
	if (prop->woken_in_round || prop->retry_at <= now)
		prop->retry_at = now + 1 + dl_random(core, slot / 8);
	prop->woken_in_round = false;
	out.msg.name_len = res->name_len;
	memcpy(out.msg.name, res->name, res->name_len);
	out.position = pos;
	out.wait_ns = prop->retry_at - now;
	dl_notify(core, &out);
}

/* A round could not reach a quorum (NACKs or timeout). */
static void dl_prop_fail(struct dl_core *core, struct dl_res *res,
			 uint64_t now)
{
	struct dl_prop *prop = &res->prop;
	uint64_t slot = core->cfg.retry_slot_ns;

	prop->phase = DL_PH_NONE;
	if (prop->want == DL_WANT_RENEW && prop->fast_renew) {
		core->stats.renew_fallbacks++;
		dl_prop_prepare(core, res, now);
		return;
	}
	if (prop->want == DL_WANT_ACQUIRE && prop->saw_holder) {
		dl_prop_wait(core, res, now);
		return;
	}
	prop->retry_at = now + slot / 4 + dl_random(core, slot);
}

static void dl_prop_propose_new(struct dl_core *core, struct dl_res *res,
				uint64_t now)
{
	struct dl_prop *prop = &res->prop;
	struct dl_lease value = { .owner = core->cfg.self };
	uint64_t floor = prop->floor;

	if (prop->best.token > floor)
		floor = prop->best.token;
	value.token = floor + 1;
	value.expiry = prop->round_start + prop->ttl;
	dl_prop_accept(core, res, now, &value);
}

/* Phase 1 reached a quorum: choose what to write, or wait, or give up. */
static void dl_prop_decide(struct dl_core *core, struct dl_res *res,
			   uint64_t now)
{
	struct dl_prop *prop = &res->prop;
	struct dl_lease *best = &prop->best;
	struct dl_lease value;

	if (prop->want == DL_WANT_RENEW) {
		if (best->owner != core->cfg.self ||
		    best->token != prop->held.token ||
		    (best->flags & DL_LEASE_RELEASED) || now >= best->expiry) {
			dl_prop_lost(core, res, -ENOLCK);
			return;
		}
		/* still ours: extend it under the new ballot */
		value = *best;
		value.vseq = 0;
		value.expiry = dl_later(prop->round_start + prop->ttl,
					prop->held.expiry);
		dl_prop_accept(core, res, now, &value);
		return;
	}
	if (dl_prop_live(core, prop, best, now) &&
	    best->owner != core->cfg.self) {
		prop->saw_holder = true;
		if (best->expiry > prop->holder_expiry)
			prop->holder_expiry = best->expiry;
		dl_prop_wait(core, res, now);
		return;
	}
	/*
	 * Free, or a lease of ours that no client uses (e.g. its grant's
	 * replies were lost): a new grant with a new token.
	 */
	dl_prop_propose_new(core, res, now);
}

static void dl_prop_granted(struct dl_core *core, struct dl_res *res,
			    uint64_t now)
{
	struct dl_prop *prop = &res->prop;
	bool renew = prop->want == DL_WANT_RENEW;

	prop->phase = DL_PH_NONE;
	if (prop->proposal.expiry <= now + dl_safety_margin(core)) {
		/* decided too late to be of any use: treat as failed */
		dl_prop_fail(core, res, now);
		return;
	}
	prop->holding = true;
	prop->held = prop->proposal;
	prop->held_ballot = prop->ballot;
	prop->want = DL_WANT_NONE;
	if (renew)
		core->stats.renews++;
	else
		core->stats.grants++;
	dl_prop_emit(core, res, renew ? DL_OUT_RENEWED : DL_OUT_GRANTED, 0);
}

static void dl_prop_note_holder(struct dl_core *core, struct dl_prop *prop,
				const struct dl_msg *msg, uint64_t now)
{
	if (msg->lease.owner == core->cfg.self ||
	    !dl_prop_live(core, prop, &msg->lease, now))
		return;
	prop->saw_holder = true;
	if (msg->lease.expiry > prop->holder_expiry)
		prop->holder_expiry = msg->lease.expiry;
	if (msg->position < prop->position)
		prop->position = msg->position;
}

static void dl_prop_promise(struct dl_core *core, struct dl_res *res,
			    uint64_t now, uint32_t bit,
			    const struct dl_msg *msg)
{
	struct dl_prop *prop = &res->prop;

	if (prop->phase != DL_PH_PREPARE || (prop->acks & bit))
		return;
	prop->acks |= bit;
	if (dl_value_cmp(&msg->accepted, &msg->lease, &prop->best_ballot,
			 &prop->best) > 0) {
		prop->best_ballot = msg->accepted;
		prop->best = msg->lease;
	}
	if (msg->floor > prop->floor)
		prop->floor = msg->floor;
	dl_prop_note_holder(core, prop, msg, now);
	if (dl_bits(prop->acks) >= core->quorum)
		dl_prop_decide(core, res, now);
}

static void dl_prop_accepted(struct dl_core *core, struct dl_res *res,
			     uint64_t now, uint32_t bit,
			     const struct dl_msg *msg)
{
	struct dl_prop *prop = &res->prop;

	if (prop->phase != DL_PH_ACCEPT || (prop->acks & bit) ||
	    msg->lease.vseq != prop->proposal.vseq ||
	    msg->lease.token != prop->proposal.token)
		return;
	prop->acks |= bit;
	if (dl_bits(prop->acks) >= core->quorum)
		dl_prop_granted(core, res, now);
}

/*
 * A quorum refused our new value, and the round is over: it was never
 * granted, and no client uses it (only we write values we own under our
 * ballot, and a failed round's late replies are dropped). Where a
 * minority accepted it, it looks like a live lease to the next reader,
 * which would wait for it to run out (two woken waiters racing each leave
 * such a value behind for the other): withdraw it (DL_LEASE_UNCHOSEN).
 */
static void dl_prop_unchosen(struct dl_core *core, struct dl_res *res,
			     uint64_t now)
{
	struct dl_prop *prop = &res->prop;
	struct dl_lease value = prop->proposal;

	value.vseq++;
	value.flags |= DL_LEASE_RELEASED | DL_LEASE_UNCHOSEN;
	value.expiry = now;
	dl_prop_send(core, res, DL_MSG_ACCEPT, &prop->ballot, &value, now);
}

static void dl_prop_nack(struct dl_core *core, struct dl_res *res,
			 uint64_t now, uint32_t bit, const struct dl_msg *msg)
{
	struct dl_prop *prop = &res->prop;

	if (prop->phase == DL_PH_NONE || (prop->nacks & bit))
		return;
	/*
	 * Replies are matched by ballot only: in the ACCEPT phase, a NACK
	 * from an acceptor that took our value (its ACCEPTED counted, or the
	 * value in the NACK) answers our late PREPARE, not the ACCEPT.
	 */
	if (prop->phase == DL_PH_ACCEPT &&
	    ((prop->acks & bit) ||
	     (msg->lease.owner == core->cfg.self &&
	      msg->lease.token == prop->proposal.token &&
	      msg->lease.vseq == prop->proposal.vseq)))
		return;
	if (dl_ballot_cmp(&msg->accepted, &res->highest) > 0)
		res->highest = msg->accepted;
	prop->nacks |= bit;
	dl_prop_note_holder(core, prop, msg, now);
	if (dl_bits(prop->nacks) <= core->cfg.n_nodes - core->quorum)
		return;
	if (prop->phase == DL_PH_ACCEPT && prop->want == DL_WANT_ACQUIRE)
		dl_prop_unchosen(core, res, now);
	dl_prop_fail(core, res, now);
}

static void dl_prop_wake(struct dl_core *core, struct dl_res *res,
			 uint64_t now, const struct dl_msg *msg)
{
	struct dl_prop *prop = &res->prop;

	if (prop->want != DL_WANT_ACQUIRE)
		return;
	/* only a granted token is never reused: a cancelled one may be */
	if ((msg->lease.flags & DL_LEASE_RELEASED) &&
	    (msg->lease.flags & DL_LEASE_WAS_HELD))
		prop->woken_token = msg->lease.token;
	/*
	 * A round in progress decides with the woken token dead: its quorum
	 * may have answered before the release, and the WAKE, which goes to
	 * the head waiter only, must not be lost to it. Should the round
	 * still end in a wait, it looks again soon (dl_prop_wait()).
	 */
	if (prop->phase != DL_PH_NONE) {
		prop->woken_in_round = true;
		return;
	}
	dl_prop_prepare(core, res, now);
}

static void dl_prop_break(struct dl_core *core, struct dl_res *res,
			  const struct dl_msg *msg)
{
	struct dl_prop *prop = &res->prop;

	if (!prop->holding || msg->lease.token != prop->held.token ||
	    prop->break_token == prop->held.token)
		return;
	prop->break_token = prop->held.token;
	dl_prop_emit(core, res, DL_OUT_BREAK, 0);
}

/**
 * dl_prop_reply() - handle a message addressed to the proposer
 * @core: core
 * @res: resource
 * @now: local time
 * @from: sender
 * @msg: PROMISE, ACCEPTED, NACK, WAKE or BREAK
 */
void dl_prop_reply(struct dl_core *core, struct dl_res *res, uint64_t now,
		   uint32_t from, const struct dl_msg *msg)
{
	struct dl_prop *prop = &res->prop;
	uint32_t bit = 1u << dl_node_index(core, from);

	if (msg->type == DL_MSG_WAKE) {
		dl_prop_wake(core, res, now, msg);
		return;
	}
	if (msg->type == DL_MSG_BREAK) {
		dl_prop_break(core, res, msg);
		return;
	}
	if (prop->phase == DL_PH_NONE ||
	    dl_ballot_cmp(&msg->ballot, &prop->ballot) ||
	    now > prop->round_deadline) {
		core->stats.drops[DL_CDROP_NO_ROUND]++;
		return;
	}
	if (msg->type == DL_MSG_PROMISE)
		dl_prop_promise(core, res, now, bit, msg);
	else if (msg->type == DL_MSG_ACCEPTED)
		dl_prop_accepted(core, res, now, bit, msg);
	else if (msg->type == DL_MSG_NACK)
		dl_prop_nack(core, res, now, bit, msg);
}

/**
 * dl_prop_acquire() - start acquiring a resource
 * @core: core
 * @res: resource
 * @now: local time
 * @ttl: lease duration
 * @give_up_at: local time to stop trying, 0 for never
 *
 * Return: 0 or -EBUSY.
 */
int dl_prop_acquire(struct dl_core *core, struct dl_res *res, uint64_t now,
		    uint64_t ttl, uint64_t give_up_at)
{
	struct dl_prop *prop = &res->prop;

	if (prop->holding || prop->want != DL_WANT_NONE)
		return -EBUSY;
	prop->want = DL_WANT_ACQUIRE;
	prop->ttl = ttl;
	prop->give_up_at = give_up_at;
	prop->phases = 0;
	if (now < prop->yield_until) {
		/* let the woken waiter take it, then queue behind it */
		prop->phase = DL_PH_NONE;
		prop->retry_at = prop->yield_until +
				 dl_random(core, core->cfg.retry_slot_ns / 4);
		return 0;
	}
	dl_prop_prepare(core, res, now);
	return 0;
}

/**
 * dl_prop_renew() - renew a held lease in one round
 * @core: core
 * @res: resource
 * @now: local time
 * @ttl: new duration from now
 *
 * Rewrites the held value under the ballot it was chosen with: if no
 * acceptor promised a higher ballot since, one round suffices. Otherwise
 * the NACKs make dl_prop_fail() fall back to a full two-phase round.
 *
 * Return: 0, -ENOENT (not held) or -EBUSY.
 */
int dl_prop_renew(struct dl_core *core, struct dl_res *res, uint64_t now,
		  uint64_t ttl)
{
	struct dl_prop *prop = &res->prop;
	struct dl_lease value = prop->held;

	if (!prop->holding)
		return -ENOENT;
	if (prop->want != DL_WANT_NONE)
		return -EBUSY;
	prop->want = DL_WANT_RENEW;
	prop->ttl = ttl;
	prop->phases = 0;
	prop->ballot = prop->held_ballot;
	prop->round_start = now;
	prop->fast_renew = true;
	dl_prop_clear_round(prop);
	value.vseq++;
	value.expiry = dl_later(now + ttl, prop->held.expiry);
	dl_prop_accept(core, res, now, &value);
	return 0;
}

/**
 * dl_prop_release() - release a held lease or cancel an acquire
 * @core: core
 * @res: resource
 * @now: local time
 *
 * Writes a released value under the ballot of our latest value. The
 * release of a held lease is marked DL_LEASE_WAS_HELD, and acceptors take
 * it whatever they promised since; a cancelled acquire is refused if a
 * higher ballot came in, and its value, if chosen, simply runs out. If
 * others wait, an acquire of ours in the next message timeout starts only
 * after it (dl_prop_acquire()).
 *
 * Return: 0 or -ENOENT.
 */
int dl_prop_release(struct dl_core *core, struct dl_res *res, uint64_t now)
{
	struct dl_prop *prop = &res->prop;
	struct dl_ballot ballot = prop->held_ballot;
	struct dl_lease value = prop->held;

	if (!prop->holding && prop->want == DL_WANT_NONE)
		return -ENOENT;
	if (prop->phase == DL_PH_ACCEPT) {
		ballot = prop->ballot;
		value = prop->proposal;
	} else if (!prop->holding) {
		prop->want = DL_WANT_NONE;
		prop->phase = DL_PH_NONE;
		return 0;
	}
	if (prop->holding)
		value.flags |= DL_LEASE_WAS_HELD;
	/*
	 * Someone waits (BREAK): acceptors wake the head waiter with this
	 * release. A new acquire of ours right after it would race that
	 * waiter's round and, both preempting the other, could leave the
	 * resource idle until a retry slot; it waits one message timeout,
	 * in which the waiter's round completes or fails, and then queues.
	 */
	if (prop->holding && prop->break_token == prop->held.token)
		prop->yield_until = now + core->cfg.msg_timeout_ns;
	prop->holding = false;
	prop->want = DL_WANT_NONE;
	prop->phase = DL_PH_NONE;
	value.vseq++;
	value.flags |= DL_LEASE_RELEASED;
	value.expiry = now;
	dl_prop_send(core, res, DL_MSG_ACCEPT, &ballot, &value, now);
	return 0;
}

/**
 * dl_prop_tick() - time-driven proposer transitions
 * @core: core
 * @res: resource
 * @now: local time
 *
 * The holder's deadline is its expiry minus epsilon: by then a renewal
 * must have succeeded, or the holder is told it lost the lease, which is
 * no later than the lease end minus the drift margin.
 */
void dl_prop_tick(struct dl_core *core, struct dl_res *res, uint64_t now)
{
	struct dl_prop *prop = &res->prop;

	if (prop->holding &&
	    now + dl_safety_margin(core) >= prop->held.expiry) {
		dl_prop_lost(core, res, -ETIME);
		return;
	}
	if (prop->phase != DL_PH_NONE) {
		if (now > prop->round_deadline)
			dl_prop_fail(core, res, now);
		return;
	}
	if (prop->want == DL_WANT_ACQUIRE && prop->give_up_at &&
	    now >= prop->give_up_at) {
		prop->want = DL_WANT_NONE;
		dl_prop_emit(core, res, DL_OUT_DENIED, -ETIMEDOUT);
		return;
	}
	if (prop->want != DL_WANT_NONE && now >= prop->retry_at)
		dl_prop_prepare(core, res, now);
}

static uint64_t dl_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/**
 * dl_prop_next_tick() - next time dl_prop_tick() has work
 * @core: core
 * @res: resource
 *
 * Return: local time, or UINT64_MAX.
 */
uint64_t dl_prop_next_tick(const struct dl_core *core,
			   const struct dl_res *res)
{
	const struct dl_prop *prop = &res->prop;
	uint64_t next = UINT64_MAX;

	if (prop->holding)
		next = prop->held.expiry - dl_safety_margin(core);
	if (prop->phase != DL_PH_NONE)
		return dl_min(next, prop->round_deadline + 1);
	if (prop->want == DL_WANT_NONE)
		return next;
	next = dl_min(next, prop->retry_at);
	if (prop->want == DL_WANT_ACQUIRE && prop->give_up_at)
		next = dl_min(next, prop->give_up_at);
	return next;
}
