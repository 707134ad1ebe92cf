// SPDX-License-Identifier: GPL-2.0
/*
 * Acceptor and proposer transitions of the protocol core, driven by hand
 * through a three-node cluster whose messages the test delivers itself;
 * configuration bounds; the state file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ballot.h"
#include "cluster_tap.h"
#include "proto.h"
#include "statefile.h"

#define MS	1000000ull
#define T0	(10000 * MS)	/* after every node's restart silence */

static struct dl_core *cores[3];
static struct dl_output last[3];	/* last client output per node */
static uint64_t persisted[3];
static bool cut[3];			/* node i receives nothing */

static struct dl_config config(uint32_t self)
{
	struct dl_config c = {
		.self = self, .n_nodes = 3, .nodes = { 1, 2, 3 },
		.max_lease_ns = 1000 * MS, .epsilon_ns = 5 * MS,
		.msg_timeout_ns = 10 * MS, .retry_slot_ns = 20 * MS,
		.token_block = 8, .max_resources = 16,
	};

	return c;
}

/* deliver every queued message until the cluster is quiet */
static void settle(uint64_t now)
{
	struct dl_output out;
	bool busy = true;
	int i;

	while (busy) {
		busy = false;
		for (i = 0; i < 3; i++) {
			while (dl_core_pop(cores[i], &out)) {
				busy = true;
				if (out.type == DL_OUT_PERSIST)
					persisted[i] = out.token;
				else if (out.type != DL_OUT_SEND)
					last[i] = out;
				else if (!cut[out.node - 1] && !cut[i])
					dl_core_receive(cores[out.node - 1],
							now, (uint32_t)i + 1,
							&out.msg);
			}
		}
	}
}

static void boot(void)
{
	struct dl_config c;
	int i;

	for (i = 0; i < 3; i++) {
		c = config((uint32_t)i + 1);
		cores[i] = dl_core_create(&c, 0, (uint64_t)i + 1);
		memset(&last[i], 0, sizeof(last[i]));
		cut[i] = false;
	}
}

static void shutdown_all(void)
{
	int i;

	for (i = 0; i < 3; i++)
		dl_core_destroy(cores[i]);
}

/*
 * Fresh cluster: node 1 holds @name from T0, node 2 asks for it at
 * T0 + 10 ms and queues. Returns node 1's token.
 */
static uint64_t hold_and_queue(const char *name)
{
	uint64_t token;

	boot();
	dl_core_acquire(cores[0], T0, name, 1, 500 * MS, 0);
	settle(T0);
	token = last[0].token;
	dl_core_acquire(cores[1], T0 + 10 * MS, name, 1, 500 * MS, 0);
	settle(T0 + 10 * MS);
	return token;
}

static void test_grant_renew_release(void)
{
	uint64_t token;

	boot();
	TAP_OK(dl_core_acquire(cores[0], T0, "r", 1, 500 * MS, 0) == 0,
	       "acquire accepted");
	settle(T0);
	TAP_OK(last[0].type == DL_OUT_GRANTED && last[0].phases == 2,
	       "uncontended acquire: granted in two round trips");
	TAP_OK(last[0].deadline == last[0].expiry - 5 * MS,
	       "deadline is expiry minus epsilon");
	TAP_OK(persisted[0] && persisted[1] && persisted[2],
	       "acceptors persisted the token high-water mark");
	token = last[0].token;
	dl_core_renew(cores[0], T0 + 50 * MS, "r", 1, 500 * MS);
	settle(T0 + 50 * MS);
	TAP_OK(last[0].type == DL_OUT_RENEWED && last[0].token == token &&
	       last[0].phases == 1, "renew in one round trip keeps the token");
	TAP_OK(dl_core_acquire(cores[0], T0, "r", 1, 500 * MS, 0) == -EBUSY,
	       "second acquire of a held resource is refused");
	dl_core_acquire(cores[1], T0 + 60 * MS, "r", 1, 500 * MS, 0);
	settle(T0 + 60 * MS);
	TAP_OK(last[1].type == DL_OUT_WAIT && last[1].wait_ns > 480 * MS,
	       "contender told to wait about the remaining lease time");
	TAP_OK(last[0].type == DL_OUT_BREAK, "holder told someone waits");
	dl_core_renew(cores[0], T0 + 100 * MS, "r", 1, 500 * MS);
	settle(T0 + 100 * MS);
	TAP_OK(last[0].type == DL_OUT_RENEWED && last[0].phases == 3,
	       "renew after a contender's higher ballot falls back to two "
	       "rounds");
	dl_core_release(cores[0], T0 + 200 * MS, "r", 1);
	settle(T0 + 200 * MS);
	TAP_OK(last[1].type == DL_OUT_GRANTED && last[1].token > token,
	       "release wakes the waiter at once, with a larger token");
	shutdown_all();
}

/*
 * The acceptor that took the release wakes the head waiter, whose round
 * may reach a quorum that has not seen the release yet: it must not go
 * back to sleep for the rest of the released lease.
 */
static void test_wake_races_release(void)
{
	struct dl_msg wake = { .type = DL_MSG_WAKE, .name_len = 1,
			       .name = "w" };
	uint64_t token;

	token = hold_and_queue("w");
	TAP_OK(last[1].type == DL_OUT_WAIT, "second node waits in line");
	cut[1] = cut[2] = true;
	dl_core_release(cores[0], T0 + 20 * MS, "w", 1);
	settle(T0 + 20 * MS);
	cut[1] = cut[2] = false;
	cut[0] = true;
	wake.lease = (struct dl_lease){ .owner = 1, .vseq = 1,
					.token = token,
					.expiry = T0 + 20 * MS,
					.flags = DL_LEASE_RELEASED |
						 DL_LEASE_WAS_HELD };
	dl_core_receive(cores[1], T0 + 21 * MS, 1, &wake);
	settle(T0 + 21 * MS);
	TAP_OK(last[1].type == DL_OUT_GRANTED && last[1].token > token,
	       "woken waiter granted although its quorum missed the release");
	shutdown_all();

	/*
	 * The cancel of an acquire (no WAS_HELD) does not kill its token: a
	 * later proposal may reuse a token that was never chosen.
	 */
	token = hold_and_queue("w");
	cut[0] = true;
	wake.lease.flags = DL_LEASE_RELEASED;
	dl_core_receive(cores[1], T0 + 21 * MS, 1, &wake);
	settle(T0 + 21 * MS);
	TAP_OK(last[1].type == DL_OUT_WAIT,
	       "a WAKE for a cancelled acquire leaves the live lease alone");
	shutdown_all();
}

/*
 * A waiter's PREPARE raised every acceptor's promise above the ballot the
 * holder was granted with; the holder's release, sent under that older
 * ballot, must still be taken and wake the waiter at once.
 */
static void test_release_under_older_ballot(void)
{
	struct dl_msg rel = { .type = DL_MSG_ACCEPT, .name_len = 1,
			      .name = "o" };
	uint64_t token;
	int i;

	token = hold_and_queue("o");
	TAP_OK(last[1].type == DL_OUT_WAIT, "waiter queued behind the holder");
	dl_core_release(cores[0], T0 + 20 * MS, "o", 1);
	settle(T0 + 20 * MS);
	TAP_OK(last[1].type == DL_OUT_GRANTED && last[1].token > token,
	       "release under the holder's older ballot wakes the waiter");
	/* a late copy of a release of the old token undoes nothing */
	rel.ballot.time = T0;
	rel.ballot.node = 1;
	rel.sent_at = T0 + 30 * MS;
	rel.lease = (struct dl_lease){ .owner = 1, .vseq = 1, .token = token,
				       .expiry = T0 + 30 * MS,
				       .flags = DL_LEASE_RELEASED |
						DL_LEASE_WAS_HELD };
	for (i = 0; i < 3; i++)
		dl_core_receive(cores[i], T0 + 30 * MS, 1, &rel);
	settle(T0 + 30 * MS);
	dl_core_acquire(cores[2], T0 + 40 * MS, "o", 1, 500 * MS, 0);
	settle(T0 + 40 * MS);
	TAP_OK(last[2].type == DL_OUT_WAIT,
	       "a release of an older token leaves the new grant alone");
	shutdown_all();
}

/*
 * A holder that releases while another node waits and asks again at once
 * (its kernel queue had a second local waiter) must not race the waiter
 * its release woke: the waiter is granted, and the releasing node then
 * queues behind it. Without waiters it asks again at once.
 */
static void test_release_yields_to_waiter(void)
{
	uint64_t next;

	boot();
	dl_core_acquire(cores[0], T0, "y", 1, 500 * MS, 0);
	settle(T0);
	dl_core_release(cores[0], T0 + 5 * MS, "y", 1);
	dl_core_acquire(cores[0], T0 + 5 * MS, "y", 1, 500 * MS, 0);
	settle(T0 + 5 * MS);
	TAP_OK(last[0].type == DL_OUT_GRANTED,
	       "with nobody waiting, a release and a new acquire go at once");
	dl_core_acquire(cores[1], T0 + 10 * MS, "y", 1, 500 * MS, 0);
	settle(T0 + 10 * MS);
	TAP_OK(last[0].type == DL_OUT_BREAK && last[1].type == DL_OUT_WAIT,
	       "holder told someone waits");
	dl_core_release(cores[0], T0 + 20 * MS, "y", 1);
	dl_core_acquire(cores[0], T0 + 20 * MS, "y", 1, 500 * MS, 0);
	settle(T0 + 20 * MS);
	next = dl_core_next_tick(cores[0]);
	TAP_OK(last[1].type == DL_OUT_GRANTED && next >= T0 + 30 * MS,
	       "release with a waiter: the waiter is granted, the releasing "
	       "node asks again only a message timeout later");
	dl_core_tick(cores[0], next);
	settle(next);
	TAP_OK(last[0].type == DL_OUT_WAIT && last[0].position == 0,
	       "... and then queues behind the new holder");
	shutdown_all();
}

/*
 * Pops every output of @core; returns how many sent a @type to @node and
 * copies the first of them to @first (if not NULL).
 */
static int sent_msg(struct dl_core *core, uint8_t type, uint32_t node,
		    struct dl_msg *first)
{
	struct dl_output out;
	int n = 0;

	while (dl_core_pop(core, &out))
		if (out.type == DL_OUT_SEND && out.msg.type == type &&
		    out.node == node && !n++ && first)
			*first = out.msg;
	return n;
}

static int sent_to(struct dl_core *core, uint8_t type, uint32_t node)
{
	return sent_msg(core, type, node, NULL);
}

/*
 * Node 1's new value is refused by nodes 2 and 3 (a quorum): node 1
 * withdraws it, under the same ballot, with the same token. A NACK that
 * carries the value itself answers the late PREPARE and does not count.
 */
static void test_refused_value_withdrawn(void)
{
	struct dl_msg prep, acc, m, w;
	int i;

	boot();
	dl_core_acquire(cores[0], T0, "x", 1, 500 * MS, 0);
	TAP_OK(sent_msg(cores[0], DL_MSG_PREPARE, 2, &prep) == 1,
	       "acquire sends PREPARE");
	m = prep;
	m.type = DL_MSG_PROMISE;
	dl_core_receive(cores[0], T0 + MS, 2, &m);
	TAP_OK(sent_msg(cores[0], DL_MSG_ACCEPT, 2, &acc) == 1 &&
	       acc.lease.owner == 1 && !acc.lease.flags,
	       "two promises: ACCEPT of a new value");
	/* node 2 took our value: its NACK answers the PREPARE, late */
	for (i = 0; i < 3; i++) {
		m = acc;
		m.type = DL_MSG_NACK;
		if (i)
			m.lease = (struct dl_lease){ 0 };
		m.accepted = (struct dl_ballot){ .time = acc.ballot.time + MS,
						 .node = 3 };
		dl_core_receive(cores[0], T0 + 2 * MS, i == 1 ? 3 : 2, &m);
		if (i == 1)
			TAP_OK(sent_to(cores[0], DL_MSG_ACCEPT, 2) == 0,
			       "a NACK from an acceptor holding our value is "
			       "not a refusal of the ACCEPT");
	}
	TAP_OK(sent_msg(cores[0], DL_MSG_ACCEPT, 2, &w) == 1 &&
	       (w.lease.flags & DL_LEASE_UNCHOSEN) &&
	       (w.lease.flags & DL_LEASE_RELEASED) &&
	       !(w.lease.flags & DL_LEASE_WAS_HELD) &&
	       w.lease.token == acc.lease.token &&
	       !dl_ballot_cmp(&w.ballot, &acc.ballot),
	       "refused by a quorum: the value is withdrawn under its ballot");
	shutdown_all();
}

/*
 * Acceptor 1 accepted node 2's new value, then promised node 3 (queued
 * behind that value) a higher ballot: node 2's ACCEPT was refused by a
 * quorum elsewhere. Node 2's withdrawal (UNCHOSEN, under the ballot the
 * value was accepted with) is taken whatever the promise and wakes node
 * 3; one under another ballot is not.
 */
static void test_unchosen_withdrawn(void)
{
	struct dl_msg m = { .type = DL_MSG_ACCEPT, .name_len = 1 };
	struct dl_ballot b1 = { .time = T0, .node = 2 };
	const char *name;
	int pass;

	boot();
	for (pass = 0; pass < 2; pass++) {
		name = pass ? "u" : "v";
		m.name[0] = name[0];
		m.type = DL_MSG_ACCEPT;
		m.ballot = b1;
		m.sent_at = T0;
		m.lease = (struct dl_lease){ .owner = 2, .token = 5,
					     .expiry = T0 + 500 * MS };
		dl_core_receive(cores[0], T0, 2, &m);
		sent_to(cores[0], 0, 0);
		m.type = DL_MSG_PREPARE;
		m.ballot = (struct dl_ballot){ .time = T0 + MS, .node = 3 };
		m.sent_at = T0 + MS;
		dl_core_receive(cores[0], T0 + MS, 3, &m);
		sent_to(cores[0], 0, 0);
		m.type = DL_MSG_ACCEPT;
		m.ballot = b1;
		if (!pass)
			m.ballot.time--;	/* not the value's ballot */
		m.sent_at = T0 + 2 * MS;
		m.lease.vseq = 1;
		m.lease.expiry = T0 + 2 * MS;
		m.lease.flags = DL_LEASE_RELEASED | DL_LEASE_UNCHOSEN;
		dl_core_receive(cores[0], T0 + 2 * MS, 2, &m);
		if (pass)
			TAP_OK(sent_to(cores[0], DL_MSG_WAKE, 3) == 1,
			       "a value a quorum refused is withdrawn and its "
			       "waiter woken");
		else
			TAP_OK(sent_to(cores[0], DL_MSG_WAKE, 3) == 0,
			       "a withdrawal under another ballot is refused");
	}
	shutdown_all();
}

static void test_minority(void)
{
	boot();
	cut[1] = cut[2] = true;
	dl_core_acquire(cores[0], T0, "m", 1, 500 * MS, T0 + 50 * MS);
	settle(T0);
	dl_core_tick(cores[0], T0 + 20 * MS);
	settle(T0 + 20 * MS);
	TAP_OK(last[0].type != DL_OUT_GRANTED, "a minority cannot grant");
	dl_core_tick(cores[0], T0 + 60 * MS);
	settle(T0 + 60 * MS);
	TAP_OK(last[0].type == DL_OUT_DENIED &&
	       last[0].error == -ETIMEDOUT, "acquire gives up at its limit");
	cut[1] = cut[2] = false;
	dl_core_acquire(cores[0], T0 + 100 * MS, "m", 1, 500 * MS, 0);
	settle(T0 + 100 * MS);
	cut[0] = true;
	dl_core_renew(cores[0], T0 + 200 * MS, "m", 1, 500 * MS);
	settle(T0 + 200 * MS);
	dl_core_tick(cores[0], T0 + 596 * MS);
	settle(T0 + 596 * MS);
	TAP_OK(last[0].type == DL_OUT_LOST,
	       "isolated holder told of the loss by expiry - epsilon");
	shutdown_all();
}

static void test_quiet_and_tokens(void)
{
	struct dl_config c = config(1);
	struct dl_core *fresh;
	struct dl_msg m = { .type = DL_MSG_PREPARE, .name_len = 1,
			    .name = "q" };
	uint64_t token;
	int i;

	c.token_hwm = 1000;
	fresh = dl_core_create(&c, T0, 9);
	m.ballot.time = T0;
	m.ballot.node = 2;
	m.sent_at = T0;
	dl_core_receive(fresh, T0 + MS, 2, &m);
	TAP_OK(dl_core_stats(fresh)->drops[DL_CDROP_QUIET] == 1,
	       "restarted acceptor stays silent for the max lease time");
	m.sent_at = T0 + 2000 * MS;
	m.ballot.time = m.sent_at;
	dl_core_receive(fresh, T0 + 2000 * MS, 9, &m);
	TAP_OK(dl_core_stats(fresh)->drops[DL_CDROP_NOT_MEMBER] == 1,
	       "message from a non-member dropped");
	dl_core_receive(fresh, T0 + 2100 * MS, 2, &m);
	TAP_OK(dl_core_stats(fresh)->drops[DL_CDROP_STALE] == 1,
	       "stale PREPARE dropped");
	dl_core_destroy(fresh);
	boot();
	dl_core_acquire(cores[1], T0, "t", 1, 500 * MS, 0);
	settle(T0);
	token = last[1].token;
	shutdown_all();
	for (i = 0; i < 3; i++) {
		c = config((uint32_t)i + 1);
		c.token_hwm = persisted[i];
		cores[i] = dl_core_create(&c, T0, (uint64_t)i + 7);
	}
	dl_core_acquire(cores[2], 2 * T0, "t", 1, 500 * MS, 0);
	settle(2 * T0);
	TAP_OK(last[2].type == DL_OUT_GRANTED && last[2].token > token,
	       "after every node restarted, tokens still increase (%lu > %lu)",
	       (unsigned long)last[2].token, (unsigned long)token);
	shutdown_all();
}

static void test_config(void)
{
	struct dl_config c = config(1);
	const char *why = NULL;

	TAP_OK(!dl_config_check(&c, &why) && !why, "sane config accepted");
	c.epsilon_ns = 300 * MS;
	TAP_OK(dl_config_check(&c, &why) == -EINVAL && why,
	       "epsilon too large refused: %s", why ? why : "");
	c = config(4);
	TAP_OK(dl_config_check(&c, &why) == -EINVAL,
	       "own id missing refused: %s", why ? why : "");
	c = config(1);
	c.nodes[2] = 2;
	TAP_OK(dl_config_check(&c, &why) == -EINVAL,
	       "duplicate ids refused: %s", why ? why : "");
	c = config(1);
	c.max_lease_ns = MS;
	TAP_OK(dl_config_check(&c, &why) == -EINVAL,
	       "tiny max lease refused: %s", why ? why : "");
}

static void test_statefile(void)
{
	char dir[] = "/tmp/dlstateXXXXXX", path[64];
	struct dl_state st = { 12345, 7 }, back;

	TAP_OK(mkdtemp(dir) != NULL, "temporary directory");
	snprintf(path, sizeof(path), "%s/state", dir);
	TAP_OK(dl_state_load(path, &back) == 0 && !back.token_hwm,
	       "missing state file reads as first start");
	TAP_OK(dl_state_save(path, &st) == 0, "state saved");
	TAP_OK(dl_state_load(path, &back) == 0 && back.token_hwm == 12345 &&
	       back.incarnation == 7, "state read back");
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_grant_renew_release();
	test_wake_races_release();
	test_release_under_older_ballot();
	test_release_yields_to_waiter();
	test_unchosen_withdrawn();
	test_refused_value_withdrawn();
	test_minority();
	test_quiet_and_tokens();
	test_config();
	test_statefile();
	return tap_done();
}
