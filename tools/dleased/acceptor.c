// SPDX-License-Identifier: GPL-2.0
/*
 * Acceptor role (FLease: the per-resource register of every node): the
 * highest promised ballot, the highest accepted ballot and value, the
 * token floor, and the FIFO of nodes waiting for the resource.
 */
#include <string.h>

#include "internal.h"

static bool dl_acc_refuse(struct dl_core *core, uint64_t now,
			  const struct dl_msg *msg)
{
	const struct dl_config *cfg = &core->cfg;

	if (now < core->quiet_until) {
		core->stats.drops[DL_CDROP_QUIET]++;
		return true;
	}
	if (msg->sent_at + cfg->msg_timeout_ns + cfg->epsilon_ns < now) {
		core->stats.drops[DL_CDROP_STALE]++;
		return true;
	}
	return false;
}

static void dl_acc_seen(struct dl_res *res, const struct dl_ballot *b)
{
	if (dl_ballot_cmp(b, &res->highest) > 0)
		res->highest = *b;
}

static void dl_acc_forget_waiters(struct dl_core *core, struct dl_acc *acc,
				  uint64_t now)
{
	const struct dl_config *cfg = &core->cfg;
	uint64_t keep = 2 * cfg->max_lease_ns + cfg->epsilon_ns +
			cfg->n_nodes * cfg->retry_slot_ns;
	uint32_t i, j = 0;

	for (i = 0; i < acc->n_waiters; i++)
		if (acc->waiters[i].seen + keep >= now)
			acc->waiters[j++] = acc->waiters[i];
	acc->n_waiters = j;
}

static void dl_acc_dequeue(struct dl_acc *acc, uint32_t node)
{
	uint32_t i;

	for (i = 0; i < acc->n_waiters; i++) {
		if (acc->waiters[i].node != node)
			continue;
		memmove(&acc->waiters[i], &acc->waiters[i + 1],
			(acc->n_waiters - i - 1) * sizeof(acc->waiters[0]));
		acc->n_waiters--;
		return;
	}
}

static void dl_acc_break(struct dl_core *core, struct dl_res *res)
{
	struct dl_acc *acc = &res->acc;
	struct dl_msg msg;

	if (!acc->n_waiters || acc->break_token == acc->value.token)
		return;
	acc->break_token = acc->value.token;
	dl_msg_init(&msg, res, DL_MSG_BREAK);
	msg.lease = acc->value;
	dl_send(core, acc->value.owner, &msg);
}

/* Put @node in line (or refresh it) and return its place. */
static uint32_t dl_acc_enqueue(struct dl_core *core, struct dl_res *res,
			       uint32_t node, uint64_t now)
{
	struct dl_acc *acc = &res->acc;
	uint32_t i;

	dl_acc_forget_waiters(core, acc, now);
	for (i = 0; i < acc->n_waiters; i++) {
		if (acc->waiters[i].node == node) {
			acc->waiters[i].seen = now;
			return i;
		}
	}
	if (acc->n_waiters == DL_MAX_NODES)
		return i;
	acc->waiters[i].node = node;
	acc->waiters[i].seen = now;
	acc->n_waiters++;
	dl_acc_break(core, res);
	return i;
}

static void dl_acc_reply(struct dl_core *core, struct dl_res *res,
			 uint64_t now, uint32_t to, const struct dl_msg *req,
			 uint8_t type)
{
	struct dl_acc *acc = &res->acc;
	struct dl_msg msg;

	dl_msg_init(&msg, res, type);
	msg.ballot = req->ballot;
	msg.lease = acc->value;
	msg.accepted = type == DL_MSG_NACK ? res->highest : acc->accepted;
	msg.floor = acc->token_seen;
	if (acc->value.token > msg.floor)
		msg.floor = acc->value.token;
	if (type != DL_MSG_ACCEPTED && acc->value.owner != to &&
	    dl_lease_live(core, &acc->value, now))
		msg.position = dl_acc_enqueue(core, res, to, now);
	msg.waiters = acc->n_waiters;
	dl_send(core, to, &msg);
}

static bool dl_acc_behind(const struct dl_acc *acc, const struct dl_ballot *b)
{
	return dl_ballot_cmp(b, &acc->promised) < 0 ||
	       dl_ballot_cmp(b, &acc->accepted) < 0;
}

/**
 * dl_acc_prepare() - handle a PREPARE (FLease READ)
 * @core: core
 * @res: resource
 * @now: local time
 * @from: proposer
 * @msg: the PREPARE
 *
 * Promise not to accept lower ballots and report the accepted value, the
 * token floor and, if the lease is held by someone else, the proposer's
 * place in line.
 */
void dl_acc_prepare(struct dl_core *core, struct dl_res *res, uint64_t now,
		    uint32_t from, const struct dl_msg *msg)
{
	struct dl_acc *acc = &res->acc;

	if (dl_acc_refuse(core, now, msg))
		return;
	dl_acc_seen(res, &msg->ballot);
	if (dl_acc_behind(acc, &msg->ballot)) {
		dl_acc_reply(core, res, now, from, msg, DL_MSG_NACK);
		return;
	}
	acc->promised = msg->ballot;
	dl_acc_reply(core, res, now, from, msg, DL_MSG_PROMISE);
}

static void dl_acc_store(struct dl_core *core, struct dl_res *res,
			 const struct dl_msg *msg)
{
	struct dl_acc *acc = &res->acc;
	struct dl_output out = { .type = DL_OUT_PERSIST };

	if (dl_ballot_cmp(&msg->ballot, &acc->promised) > 0)
		acc->promised = msg->ballot;
	acc->accepted = msg->ballot;
	acc->value = msg->lease;
	if (msg->lease.token <= acc->token_seen)
		return;
	acc->token_seen = msg->lease.token;
	if (acc->token_seen <= core->hwm)
		return;
	/* reserve a block so most grants need no fsync */
	core->hwm = acc->token_seen + core->cfg.token_block;
	out.token = core->hwm;
	core->stats.persists++;
	dl_notify(core, &out);
}

static void dl_acc_wake(struct dl_core *core, struct dl_res *res)
{
	struct dl_msg msg;

	if (!res->acc.n_waiters)
		return;
	dl_msg_init(&msg, res, DL_MSG_WAKE);
	msg.lease = res->acc.value;
	dl_send(core, res->acc.waiters[0].node, &msg);
}

/*
 * A release by the holder of the accepted value only shortens its lease,
 * so it is taken whatever ballot was promised since: a waiter's PREPARE
 * has usually raised the promise above the holder's ballot, and refusing
 * the release would leave that waiter asleep until the lease ran out.
 * Only a granted lease (DL_LEASE_WAS_HELD: its token is never proposed
 * again) and only the value the acceptor has (same owner and token) are
 * released this way, so no newer value is ever undone; the cancel of an
 * acquire goes through the ballot checks like any write.
 */
static bool dl_acc_is_release(const struct dl_acc *acc, uint32_t from,
			      const struct dl_msg *msg)
{
	if (!(msg->lease.flags & DL_LEASE_RELEASED) ||
	    (acc->value.flags & DL_LEASE_RELEASED) ||
	    acc->value.owner != from ||
	    acc->value.token != msg->lease.token)
		return false;
	if (msg->lease.flags & DL_LEASE_WAS_HELD)
		return true;
	/*
	 * A value its proposer knows was not chosen (DL_LEASE_UNCHOSEN):
	 * the very one accepted here, by its ballot, as the token alone may
	 * come back in a later proposal of the same node.
	 */
#ifdef DL_MUTATION_UNCHOSEN_ANY_BALLOT
	return msg->lease.flags & DL_LEASE_UNCHOSEN;
#endif
	return (msg->lease.flags & DL_LEASE_UNCHOSEN) &&
	       !dl_ballot_cmp(&msg->ballot, &acc->accepted);
}

/*
 * Store a release without lowering the accepted ballot or touching the
 * promise: a released value then wins over the unreleased one at equal
 * ballots by its higher rewrite number, and loses to anything newer.
 */
static void dl_acc_store_release(struct dl_acc *acc, const struct dl_msg *msg)
{
	if (dl_ballot_cmp(&msg->ballot, &acc->accepted) > 0)
		acc->accepted = msg->ballot;
	if (msg->lease.vseq <= acc->value.vseq) {
		acc->value.vseq++;
		acc->value.flags |= msg->lease.flags;
		acc->value.expiry = msg->lease.expiry;
		return;
	}
	acc->value = msg->lease;
}

/**
 * dl_acc_accept() - handle an ACCEPT (FLease WRITE)
 * @core: core
 * @res: resource
 * @now: local time
 * @from: proposer, which must be the owner of the value it writes
 * @msg: the ACCEPT
 *
 * Accept unless a higher ballot was promised or accepted, or the value is
 * an older rewrite within the accepted ballot; a release of the value
 * held here is accepted whatever the ballots (dl_acc_is_release()). A
 * token above the reserved high-water mark is persisted (DL_OUT_PERSIST)
 * before the reply goes out. A release wakes the head waiter.
 */
void dl_acc_accept(struct dl_core *core, struct dl_res *res, uint64_t now,
		   uint32_t from, const struct dl_msg *msg)
{
	struct dl_acc *acc = &res->acc;

	if (msg->lease.owner != from || !msg->lease.token) {
		core->stats.drops[DL_CDROP_MALFORMED]++;
		return;
	}
	if (dl_acc_refuse(core, now, msg))
		return;
	dl_acc_seen(res, &msg->ballot);
	if (dl_acc_is_release(acc, from, msg)) {
		dl_acc_store_release(acc, msg);
		if (msg->lease.flags & DL_LEASE_WAS_HELD)
			dl_acc_dequeue(acc, from);
		dl_acc_wake(core, res);
		dl_acc_reply(core, res, now, from, msg, DL_MSG_ACCEPTED);
		return;
	}
	if (dl_acc_behind(acc, &msg->ballot) ||
	    (!dl_ballot_cmp(&msg->ballot, &acc->accepted) &&
	     msg->lease.vseq < acc->value.vseq)) {
		dl_acc_reply(core, res, now, from, msg, DL_MSG_NACK);
		return;
	}
	dl_acc_store(core, res, msg);
	dl_acc_dequeue(acc, from);
	if (msg->lease.flags & DL_LEASE_RELEASED)
		dl_acc_wake(core, res);
	else
		dl_acc_break(core, res);
	dl_acc_reply(core, res, now, from, msg, DL_MSG_ACCEPTED);
}
