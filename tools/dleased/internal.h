/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal state of the protocol core, shared by core.c, acceptor.c and
 * proposer.c. Nothing here is part of the API.
 */
#ifndef DLEASED_INTERNAL_H
#define DLEASED_INTERNAL_H

#include "proto.h"
#include "ballot.h"
#include "outq.h"

/* a node waiting for a resource, as an acceptor remembers it */
struct dl_waiter {
	uint32_t node;
	uint64_t seen;		/* acceptor's clock when last heard */
};

enum dl_phase {
	DL_PH_NONE,
	DL_PH_PREPARE,
	DL_PH_ACCEPT,
};

enum dl_want {
	DL_WANT_NONE,
	DL_WANT_ACQUIRE,
	DL_WANT_RENEW,
};

/*
 * Proposer side of one resource: at most one local request at a time
 * (the kernel forwards only the head local waiter).
 */
struct dl_prop {
	uint8_t phase;
	uint8_t want;
	bool holding;
	bool fast_renew;	/* current ACCEPT is the one-round renew */
	bool saw_holder;	/* a reply showed a live lease of another */
	uint64_t ttl;
	uint64_t give_up_at;
	uint64_t retry_at;
	uint64_t round_start;
	uint64_t round_deadline;
	uint64_t holder_expiry;	/* latest expiry of another's live lease */
	uint64_t break_token;	/* client already told about waiters */
	uint64_t woken_token;	/* a WAKE said this token was released */
	uint64_t yield_until;	/* released to waiters: do not race them */
	bool woken_in_round;	/* a WAKE came while this round ran */
	uint32_t phases;
	uint32_t acks;		/* bitmask by node index */
	uint32_t nacks;
	uint32_t position;	/* best place in line reported */
	struct dl_ballot ballot;	/* ballot of the current round */
	struct dl_ballot best_ballot;	/* highest accepted among PROMISEs */
	struct dl_lease best;
	uint64_t floor;
	struct dl_lease proposal;	/* value sent in ACCEPT */
	struct dl_ballot held_ballot;	/* ballot @held was chosen with */
	struct dl_lease held;
};

/* acceptor side of one resource */
struct dl_acc {
	struct dl_ballot promised;
	struct dl_ballot accepted;
	struct dl_lease value;
	uint64_t token_seen;
	uint64_t break_token;	/* holder already told about waiters */
	uint32_t n_waiters;
	struct dl_waiter waiters[DL_MAX_NODES];
};

struct dl_res {
	struct dl_res *next;
	uint8_t name_len;
	char name[DL_NAME_MAX];
	struct dl_ballot highest;	/* highest ballot seen in any role */
	uint64_t last_used;
	struct dl_acc acc;
	struct dl_prop prop;
};

#define DL_HASH_BITS	8
#define DL_HASH_SIZE	(1u << DL_HASH_BITS)

struct dl_core {
	struct dl_config cfg;
	uint32_t quorum;
	uint64_t quiet_until;	/* restart silence of the acceptor */
	uint64_t ballot_floor;	/* above every ballot of an earlier run */
	uint64_t hwm;		/* reserved and persisted token high-water */
	uint64_t rng;
	uint32_t n_res;
	bool broken;		/* a client output could not be queued */
	struct dl_res *table[DL_HASH_SIZE];
	struct dl_outq out;
	struct dl_outq loop;	/* messages to ourselves */
	struct dl_core_stats stats;
};

/* core.c */
struct dl_res *dl_res_find(struct dl_core *core, const char *name,
			   unsigned int len);
struct dl_res *dl_res_get(struct dl_core *core, const char *name,
			  unsigned int len, int *err);
int dl_node_index(const struct dl_core *core, uint32_t node);
void dl_send(struct dl_core *core, uint32_t node, const struct dl_msg *msg);
void dl_broadcast(struct dl_core *core, const struct dl_msg *msg);
void dl_msg_init(struct dl_msg *msg, const struct dl_res *res, uint8_t type);
void dl_notify(struct dl_core *core, const struct dl_output *out);
uint64_t dl_random(struct dl_core *core, uint64_t bound);
uint64_t dl_safety_margin(const struct dl_core *core);
bool dl_lease_live(const struct dl_core *core, const struct dl_lease *l,
		   uint64_t now);

/* acceptor.c */
void dl_acc_prepare(struct dl_core *core, struct dl_res *res, uint64_t now,
		    uint32_t from, const struct dl_msg *msg);
void dl_acc_accept(struct dl_core *core, struct dl_res *res, uint64_t now,
		   uint32_t from, const struct dl_msg *msg);

/* proposer.c */
int dl_prop_acquire(struct dl_core *core, struct dl_res *res, uint64_t now,
		    uint64_t ttl, uint64_t give_up_at);
int dl_prop_renew(struct dl_core *core, struct dl_res *res, uint64_t now,
		  uint64_t ttl);
int dl_prop_release(struct dl_core *core, struct dl_res *res, uint64_t now);
void dl_prop_reply(struct dl_core *core, struct dl_res *res, uint64_t now,
		   uint32_t from, const struct dl_msg *msg);
void dl_prop_tick(struct dl_core *core, struct dl_res *res, uint64_t now);
uint64_t dl_prop_next_tick(const struct dl_core *core,
			   const struct dl_res *res);

#endif /* DLEASED_INTERNAL_H */
