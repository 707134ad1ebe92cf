/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dlease cluster protocol core: public API.
 *
 * The core runs the FLease-based quorum lease protocol of one node. It is
 * pure: it does no I/O, reads no clock, keeps no global state. The caller
 * (dleased, or the simulator) drives it with three kinds of input:
 *
 *   - local requests:  dl_core_acquire(), dl_core_renew(), dl_core_release()
 *   - received packets: dl_core_receive() (already authenticated and decoded
 *                       by wire.h, with the sender's node id)
 *   - time:            dl_core_tick(), at or after dl_core_next_tick()
 *
 * Every entry point takes "now", the node's CLOCK_MONOTONIC-like time in
 * nanoseconds, assumed to be within epsilon of every other node's clock
 * (see Documentation/cluster-protocol.rst). Time passed in must never go
 * backwards.
 *
 * Outputs are queued in order and fetched with dl_core_pop(). The caller
 * must act on them in order; in particular a DL_OUT_PERSIST must have
 * reached stable storage (fsync) before any later output is acted on,
 * because the acceptor replies that follow it rely on the persisted
 * token high-water mark.
 *
 * Errors: functions return 0 or a negative errno. -ENOMEM from
 * dl_core_receive() or dl_core_tick() means an output that a client
 * depends on could not be queued; the core is then unusable and the
 * daemon must exit, which makes the kernel fail closed.
 *
 * Only exclusive leases are supported (see the documentation for why);
 * the mode field exists on the wire for a later shared mode.
 */
#ifndef DLEASED_PROTO_H
#define DLEASED_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#define DL_MAX_NODES		32
#define DL_NAME_MAX		255

/**
 * struct dl_ballot - a proposal number
 * @time: proposer's local time when the ballot was made, ns
 * @node: proposer's node id, breaks ties between equal times
 */
struct dl_ballot {
	uint64_t time;
	uint32_t node;
};

/* lease flags */
#define DL_LEASE_RELEASED	0x01	/* holder gave it up explicitly */
/*
 * With RELEASED: the value released was granted (a quorum accepted it), so
 * its token is never proposed again. Without it, RELEASED cancels an
 * acquire whose value may never have been chosen, and whose token a later
 * proposal may reuse.
 */
#define DL_LEASE_WAS_HELD	0x02
/*
 * With RELEASED, from the value's own proposer: a quorum refused the
 * ACCEPT, the round failed, so the value was never granted and no client
 * uses it (no node proposes another node's value, and late replies of a
 * failed round are dropped). Acceptors that still hold exactly it (same
 * owner, token and accepted ballot) mark it released whatever they
 * promised since, and wake their head waiter: a waiter whose round read
 * it would otherwise wait for a lease nobody holds. Its token may be
 * proposed again, so a WAKE for it does not kill the token as WAS_HELD
 * does.
 */
#define DL_LEASE_UNCHOSEN	0x04
#define DL_LEASE_FLAGS		(DL_LEASE_RELEASED | DL_LEASE_WAS_HELD | \
				 DL_LEASE_UNCHOSEN)

/**
 * struct dl_lease - the value the acceptors agree on for one resource
 * @owner: node id of the holder, 0 when there is no lease
 * @vseq: rewrite number of this value within one ballot (renew, release)
 * @token: fencing token, strictly increasing per resource
 * @expiry: end of the lease in synchronised time, ns
 * @flags: DL_LEASE_*
 */
struct dl_lease {
	uint32_t owner;
	uint32_t vseq;
	uint64_t token;
	uint64_t expiry;
	uint8_t flags;
};

/**
 * enum dl_msg_type - protocol messages between cores
 * @DL_MSG_PREPARE: phase 1 request (READ in FLease)
 * @DL_MSG_PROMISE: phase 1 ack with the acceptor's value and queue place
 * @DL_MSG_ACCEPT: phase 2 request (WRITE), also used for renew/release
 * @DL_MSG_ACCEPTED: phase 2 ack
 * @DL_MSG_NACK: rejection of a PREPARE or ACCEPT, with the highest ballot
 * @DL_MSG_WAKE: acceptor to the head waiter: the lease was released
 * @DL_MSG_BREAK: acceptor to the holder: someone waits
 */
enum dl_msg_type {
	DL_MSG_PREPARE = 1,
	DL_MSG_PROMISE,
	DL_MSG_ACCEPT,
	DL_MSG_ACCEPTED,
	DL_MSG_NACK,
	DL_MSG_WAKE,
	DL_MSG_BREAK,
	DL_MSG_MAX = DL_MSG_BREAK,
};

/**
 * struct dl_msg - a decoded protocol message
 * @type: enum dl_msg_type
 * @name_len: length of @name, 1..DL_NAME_MAX
 * @name: resource name (not NUL terminated)
 * @ballot: the ballot the message is about
 * @sent_at: sender's clock when sending PREPARE/ACCEPT, for staleness
 * @lease: proposed (ACCEPT), accepted (PROMISE, NACK, ACCEPTED) value
 * @accepted: ballot of @lease at the acceptor (PROMISE), or highest
 *	ballot the acceptor has seen (NACK)
 * @floor: token floor of the acceptor for this resource (PROMISE)
 * @position: the requester's place in the acceptor's waiter queue
 * @waiters: length of the acceptor's waiter queue
 *
 * Which fields are on the wire depends on @type (see wire.c); the others
 * are zero after decoding.
 */
struct dl_msg {
	uint8_t type;
	uint8_t name_len;
	char name[DL_NAME_MAX];
	struct dl_ballot ballot;
	uint64_t sent_at;
	struct dl_lease lease;
	struct dl_ballot accepted;
	uint64_t floor;
	uint16_t position;
	uint16_t waiters;
};

/**
 * struct dl_config - node configuration, checked by dl_config_check()
 * @self: this node's id (non-zero, present in @nodes)
 * @n_nodes: number of cluster members including self
 * @nodes: ids of all cluster members
 * @max_lease_ns: longest lease (TTL) anyone may ask for
 * @epsilon_ns: bound on the offset between any two nodes' clocks
 * @msg_timeout_ns: a protocol round fails if not complete within this
 * @retry_slot_ns: spacing between successive waiters' retry slots
 * @token_hwm: token high-water mark loaded from stable storage
 * @token_block: how far beyond a new token the high-water mark is reserved
 * @max_resources: bound on the resources the node tracks at once
 */
struct dl_config {
	uint32_t self;
	uint32_t n_nodes;
	uint32_t nodes[DL_MAX_NODES];
	uint64_t max_lease_ns;
	uint64_t epsilon_ns;
	uint64_t msg_timeout_ns;
	uint64_t retry_slot_ns;
	uint64_t token_hwm;
	uint64_t token_block;
	uint32_t max_resources;
};

/**
 * enum dl_out_type - what the core asks its caller to do or tell
 * @DL_OUT_SEND: send @msg to node @node
 * @DL_OUT_PERSIST: store @token as the new token high-water mark (fsync)
 *	before acting on any later output
 * @DL_OUT_GRANTED: the acquire of @name succeeded: @token, @expiry
 * @DL_OUT_WAIT: @name is held elsewhere; expect to wait @wait_ns, we are
 *	at @position in line (informational, the core keeps trying)
 * @DL_OUT_RENEWED: the renewal succeeded, new @expiry
 * @DL_OUT_LOST: the lease is gone (renewal failed, deadline reached or
 *	someone else owns it); stop using it at once
 * @DL_OUT_DENIED: the acquire failed with @error (-ETIMEDOUT, ...)
 * @DL_OUT_BREAK: another node waits for the lease we hold
 *
 * For GRANTED and RENEWED, @expiry is the synchronised lease end; @deadline
 * = @expiry - epsilon is when the holder must stop at the latest, by its
 * own clock: the kernel's local expiry must not be later. @phases counts
 * request/response rounds the operation took.
 */
enum dl_out_type {
	DL_OUT_SEND = 1,
	DL_OUT_PERSIST,
	DL_OUT_GRANTED,
	DL_OUT_WAIT,
	DL_OUT_RENEWED,
	DL_OUT_LOST,
	DL_OUT_DENIED,
	DL_OUT_BREAK,
};

/**
 * struct dl_output - one queued output of the core
 * @type: enum dl_out_type
 * @node: destination node id (SEND)
 * @error: negative errno (DENIED, LOST)
 * @position: place in line (WAIT)
 * @phases: round trips the operation took (GRANTED, RENEWED)
 * @token: fencing token (GRANTED, RENEWED, LOST, BREAK) or hwm (PERSIST)
 * @expiry: lease end (GRANTED, RENEWED)
 * @deadline: latest local stop time (GRANTED, RENEWED)
 * @wait_ns: expected wait (WAIT)
 * @msg: message to send (SEND); for client outputs only @msg.name and
 *	@msg.name_len are set
 */
struct dl_output {
	uint8_t type;
	uint32_t node;
	int error;
	uint32_t position;
	uint32_t phases;
	uint64_t token;
	uint64_t expiry;
	uint64_t deadline;
	uint64_t wait_ns;
	struct dl_msg msg;
};

/* drop reasons counted by the core (the wire layer has its own) */
enum dl_core_drop {
	DL_CDROP_NOT_MEMBER,	/* sender id not in the configuration */
	DL_CDROP_QUIET,		/* restart silence: acceptor not active yet */
	DL_CDROP_STALE,		/* sent_at older than the message timeout */
	DL_CDROP_NO_ROUND,	/* reply to no round of ours (late or dup) */
	DL_CDROP_NO_MEMORY,	/* could not track a new resource */
	DL_CDROP_TABLE_FULL,	/* max_resources reached */
	DL_CDROP_MALFORMED,	/* message fields make no sense */
	DL_CDROP_MAX,
};

/**
 * struct dl_core_stats - counters for observability and the simulator
 */
struct dl_core_stats {
	uint64_t sent;
	uint64_t received;
	uint64_t rounds;
	uint64_t grants;
	uint64_t renews;
	uint64_t renew_fallbacks;
	uint64_t losses;
	uint64_t persists;
	uint64_t drops[DL_CDROP_MAX];
};

struct dl_core;

int dl_config_check(const struct dl_config *cfg, const char **why);
struct dl_core *dl_core_create(const struct dl_config *cfg, uint64_t now,
			       uint64_t seed);
void dl_core_destroy(struct dl_core *core);

int dl_core_acquire(struct dl_core *core, uint64_t now, const char *name,
		    unsigned int name_len, uint64_t ttl_ns, uint64_t give_up_at);
int dl_core_renew(struct dl_core *core, uint64_t now, const char *name,
		  unsigned int name_len, uint64_t ttl_ns);
int dl_core_release(struct dl_core *core, uint64_t now, const char *name,
		    unsigned int name_len);
int dl_core_receive(struct dl_core *core, uint64_t now, uint32_t from,
		    const struct dl_msg *msg);
int dl_core_tick(struct dl_core *core, uint64_t now);
uint64_t dl_core_next_tick(const struct dl_core *core);
bool dl_core_pop(struct dl_core *core, struct dl_output *out);
const struct dl_core_stats *dl_core_stats(const struct dl_core *core);

#endif /* DLEASED_PROTO_H */
