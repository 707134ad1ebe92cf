/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bridge: how cluster lease requests reach the protocol core and how
 * their outcomes go back. This is the seam between the daemon and
 * whatever asks for cluster leases.
 *
 * A requester is one source of requests with its own answer callback:
 * today each connection of the control socket (control.c); with the
 * kernel bridge, the netlink socket registered as the netns's bridge.
 * The kernel side maps onto it one to one:
 *
 *   register            a struct dld_requester whose answer() sends the
 *                       netlink replies, set up once the registration
 *                       succeeds (the kernel refuses a second one)
 *   acquire/renew/      dld_bridge_submit() with the kernel's request id,
 *   release request     name, TTL and (acquire) how long to keep trying
 *   grant/deny/renewed/ the requester's answer() callback, with the same
 *   lost/break/wait     request id; times are on CLOCK_MONOTONIC, the
 *                       kernel's clock
 *   socket closed       dld_bridge_detach(): every lease of the requester
 *                       is released in the cluster
 *
 * The core keeps one request per resource per node, so a resource is
 * claimed by at most one requester at a time; a second claim is denied
 * with EBUSY (the kernel forwards only its head waiter anyway).
 */
#ifndef DLEASED_BRIDGE_H
#define DLEASED_BRIDGE_H

#include <stdint.h>

#include "clock.h"
#include "proto.h"

enum dld_op {
	DLD_OP_ACQUIRE = 1,
	DLD_OP_RENEW,
	DLD_OP_RELEASE,
};

/**
 * struct dld_request - a cluster lease request
 * @op: enum dld_op
 * @name_len: length of @name, 1..DL_NAME_MAX
 * @name: resource name, no NUL
 * @id: the requester's id for it, echoed in the answers
 * @ttl_ns: lease duration (ACQUIRE, RENEW)
 * @timeout_ns: how long an ACQUIRE may wait, 0 for as long as it takes
 */
struct dld_request {
	uint8_t op;
	uint8_t name_len;
	char name[DL_NAME_MAX];
	uint64_t id;
	uint64_t ttl_ns;
	uint64_t timeout_ns;
};

/**
 * enum dld_answer_type - outcomes reported to a requester
 * @DLD_ANS_GRANTED: the acquire succeeded: token, expiry, deadline
 * @DLD_ANS_DENIED: the request failed: error (a negative errno)
 * @DLD_ANS_RENEWED: the renewal succeeded: new expiry and deadline
 * @DLD_ANS_RELEASED: the release was sent to the cluster
 * @DLD_ANS_LOST: a held lease is gone (error says why); stop using it
 * @DLD_ANS_WAIT: the acquire waits: position in line, expected wait
 * @DLD_ANS_BREAK: another node waits for the lease held
 */
enum dld_answer_type {
	DLD_ANS_GRANTED = 1,
	DLD_ANS_DENIED,
	DLD_ANS_RENEWED,
	DLD_ANS_RELEASED,
	DLD_ANS_LOST,
	DLD_ANS_WAIT,
	DLD_ANS_BREAK,
};

/**
 * struct dld_answer - one outcome
 * @type: enum dld_answer_type
 * @id: id of the request it answers (for LOST, WAIT and BREAK: of the
 *	latest request about the resource)
 * @name_len: length of @name
 * @name: resource name
 * @error: negative errno (DENIED, LOST)
 * @token: fencing token (GRANTED, RENEWED, LOST, BREAK)
 * @expiry: cluster end of the lease, CLOCK_MONOTONIC ns
 * @deadline: when the holder must stop at the latest (@expiry - epsilon),
 *	CLOCK_MONOTONIC ns; the kernel's local expiry must not be later
 * @wait_ns: expected wait (WAIT)
 * @position: place in line (WAIT)
 * @phases: protocol round trips the operation took (GRANTED, RENEWED)
 */
struct dld_answer {
	uint8_t type;
	uint64_t id;
	uint8_t name_len;
	const char *name;
	int error;
	uint64_t token;
	uint64_t expiry;
	uint64_t deadline;
	uint64_t wait_ns;
	uint32_t position;
	uint32_t phases;
};

/**
 * struct dld_requester - a source of requests
 * @kind: short name for logs ("control", "kernel")
 * @answer: delivers an outcome; must not call back into the bridge
 */
struct dld_requester {
	const char *kind;
	void (*answer)(struct dld_requester *rq, const struct dld_answer *ans);
};

struct dld_claim;

/**
 * struct dld_latency - how long operations took, request to answer
 * @count: operations measured
 * @sum_ns: their total time
 * @max_ns: the longest
 */
struct dld_latency {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t max_ns;
};

/**
 * struct dld_bridge - requests in flight and leases held, by resource
 * @core: the protocol core
 * @clock: protocol time, to convert times for requesters
 * @claims: resources claimed by a requester
 * @held: number of leases held
 * @pending: number of acquires in progress
 * @acquire_idle: acquires granted without waiting for a holder (no WAIT
 *	on the way): the cost of the protocol itself
 * @renew: renewals
 */
struct dld_bridge {
	struct dl_core *core;
	const struct dld_clock *clock;
	struct dld_claim *claims;
	uint32_t held;
	uint32_t pending;
	struct dld_latency acquire_idle;
	struct dld_latency renew;
};

void dld_bridge_init(struct dld_bridge *br, struct dl_core *core,
		     const struct dld_clock *clock);
int dld_bridge_submit(struct dld_bridge *br, struct dld_requester *rq,
		      const struct dld_request *req, uint64_t now);
void dld_bridge_output(struct dld_bridge *br, const struct dl_output *out);
int dld_bridge_detach(struct dld_bridge *br, struct dld_requester *rq,
		      uint64_t now);
int dld_bridge_shutdown(struct dld_bridge *br, uint64_t now);

#endif /* DLEASED_BRIDGE_H */
