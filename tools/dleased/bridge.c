// SPDX-License-Identifier: GPL-2.0
/*
 * The bridge between requesters and the protocol core: which requester
 * claimed which resource under which request id, and the translation of
 * the core's client outputs into answers.
 *
 * Claims are a list: there is one per resource this node asks for or
 * holds, a few in practice, and at most max-resources.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"

enum dld_claim_state {
	DLD_CLAIM_ACQUIRING,
	DLD_CLAIM_HELD,
};

/**
 * struct dld_claim - a resource a requester asks for or holds
 * @next: list link
 * @rq: the requester
 * @id: id of its latest request about the resource
 * @state: enum dld_claim_state
 * @name_len: length of @name
 * @name: resource name
 * @since: protocol time of the latest acquire or renew request
 * @waited: the acquire was told to wait (DL_OUT_WAIT)
 */
struct dld_claim {
	struct dld_claim *next;
	struct dld_requester *rq;
	uint64_t id;
	uint8_t state;
	uint8_t name_len;
	char name[DL_NAME_MAX];
	uint64_t since;
	bool waited;
};

/**
 * dld_bridge_init() - start with no claims
 * @br: bridge
 * @core: protocol core
 * @clock: protocol clock
 */
void dld_bridge_init(struct dld_bridge *br, struct dl_core *core,
		     const struct dld_clock *clock)
{
	memset(br, 0, sizeof(*br));
	br->core = core;
	br->clock = clock;
}

static struct dld_claim **dld_claim_find(struct dld_bridge *br,
					 const char *name, uint8_t len)
{
	struct dld_claim **pos;

	for (pos = &br->claims; *pos; pos = &(*pos)->next)
		if ((*pos)->name_len == len && !memcmp((*pos)->name, name, len))
			return pos;
	return pos;
}

static void dld_claim_drop(struct dld_bridge *br, struct dld_claim **pos)
{
	struct dld_claim *c = *pos;

	if (c->state == DLD_CLAIM_HELD)
		br->held--;
	else
		br->pending--;
	*pos = c->next;
	free(c);
}

static void dld_answer(struct dld_requester *rq, uint8_t type, uint64_t id,
		       const char *name, uint8_t len, int error)
{
	struct dld_answer ans = { .type = type, .id = id, .name = name,
				  .name_len = len, .error = error };

	rq->answer(rq, &ans);
}

static int dld_bridge_acquire(struct dld_bridge *br, struct dld_requester *rq,
			      const struct dld_request *req, uint64_t now)
{
	struct dld_claim **pos = dld_claim_find(br, req->name, req->name_len);
	struct dld_claim *c;
	int err;

	if (*pos)
		return -EBUSY;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = dl_core_acquire(br->core, now, req->name, req->name_len,
			      req->ttl_ns,
			      req->timeout_ns ? now + req->timeout_ns : 0);
	if (err) {
		free(c);
		return err;
	}
	c->rq = rq;
	c->id = req->id;
	c->since = now;
	c->state = DLD_CLAIM_ACQUIRING;
	c->name_len = req->name_len;
	memcpy(c->name, req->name, req->name_len);
	*pos = c;
	br->pending++;
	return 0;
}

/*
 * Release a lease or cancel an acquire (answered with @cancel_error if
 * not 0). The core writes a released value; no answer comes back.
 */
static int dld_bridge_release(struct dld_bridge *br, struct dld_claim **pos,
			      uint64_t now, int cancel_error)
{
	struct dld_claim *c = *pos;
	int err;

	err = dl_core_release(br->core, now, c->name, c->name_len);
	if (c->state == DLD_CLAIM_ACQUIRING && cancel_error)
		dld_answer(c->rq, DLD_ANS_DENIED, c->id, c->name, c->name_len,
			   cancel_error);
	dld_claim_drop(br, pos);
	return err == -ENOENT ? 0 : err;
}

/**
 * dld_bridge_submit() - pass a request to the core
 * @br: bridge
 * @rq: who asks
 * @req: the request
 * @now: protocol time
 *
 * Every request is answered through @rq->answer: at once when it fails
 * here (DENIED) or for a release (RELEASED), later for the others.
 *
 * Return: 0, or -ENOMEM when the core broke and the daemon must exit.
 */
int dld_bridge_submit(struct dld_bridge *br, struct dld_requester *rq,
		      const struct dld_request *req, uint64_t now)
{
	struct dld_claim **pos = dld_claim_find(br, req->name, req->name_len);
	int err;

	switch (req->op) {
	case DLD_OP_ACQUIRE:
		err = dld_bridge_acquire(br, rq, req, now);
		break;
	case DLD_OP_RENEW:
		err = -ENOENT;
		if (*pos && (*pos)->rq == rq &&
		    (*pos)->state == DLD_CLAIM_HELD)
			err = dl_core_renew(br->core, now, req->name,
					    req->name_len, req->ttl_ns);
		if (!err) {
			(*pos)->id = req->id;
			(*pos)->since = now;
		}
		break;
	case DLD_OP_RELEASE:
		err = -ENOENT;
		if (*pos && (*pos)->rq == rq)
			err = dld_bridge_release(br, pos, now, -ECANCELED);
		break;
	default:
		err = -EINVAL;
	}
	if (err == -ENOMEM)
		return err;
	if (err)
		dld_answer(rq, DLD_ANS_DENIED, req->id, req->name,
			   req->name_len, err);
	else if (req->op == DLD_OP_RELEASE)
		dld_answer(rq, DLD_ANS_RELEASED, req->id, req->name,
			   req->name_len, 0);
	return 0;
}

static void dld_latency_add(struct dld_latency *l, uint64_t since,
			    uint64_t now)
{
	uint64_t ns = now > since ? now - since : 0;

	l->count++;
	l->sum_ns += ns;
	if (ns > l->max_ns)
		l->max_ns = ns;
}

/* Time the answer to the latest request of @c. */
static void dld_bridge_measure(struct dld_bridge *br, struct dld_claim *c,
			       uint8_t type)
{
	uint64_t now = dld_clock_now(br->clock);

	if (type == DL_OUT_WAIT)
		c->waited = true;
	else if (type == DL_OUT_GRANTED && !c->waited)
		dld_latency_add(&br->acquire_idle, c->since, now);
	else if (type == DL_OUT_RENEWED)
		dld_latency_add(&br->renew, c->since, now);
}

static const uint8_t dld_answer_of[] = {
	[DL_OUT_GRANTED] = DLD_ANS_GRANTED,
	[DL_OUT_WAIT] = DLD_ANS_WAIT,
	[DL_OUT_RENEWED] = DLD_ANS_RENEWED,
	[DL_OUT_LOST] = DLD_ANS_LOST,
	[DL_OUT_DENIED] = DLD_ANS_DENIED,
	[DL_OUT_BREAK] = DLD_ANS_BREAK,
};

/**
 * dld_bridge_output() - deliver a client output of the core
 * @br: bridge
 * @out: GRANTED, WAIT, RENEWED, LOST, DENIED or BREAK
 *
 * Outputs about resources nobody claims any more (released meanwhile)
 * are dropped.
 */
void dld_bridge_output(struct dld_bridge *br, const struct dl_output *out)
{
	struct dld_claim **pos = dld_claim_find(br, out->msg.name,
						out->msg.name_len);
	struct dld_answer ans = { .error = out->error, .token = out->token,
				  .wait_ns = out->wait_ns,
				  .position = out->position,
				  .phases = out->phases };
	struct dld_claim *c = *pos;

	if (!c || out->type >= sizeof(dld_answer_of) ||
	    !dld_answer_of[out->type])
		return;
	dld_bridge_measure(br, c, out->type);
	ans.type = dld_answer_of[out->type];
	ans.id = c->id;
	ans.name = c->name;
	ans.name_len = c->name_len;
	if (out->type == DL_OUT_GRANTED || out->type == DL_OUT_RENEWED) {
		ans.expiry = dld_clock_to_mono(br->clock, out->expiry);
		ans.deadline = dld_clock_to_mono(br->clock, out->deadline);
	}
	c->rq->answer(c->rq, &ans);
	if (out->type == DL_OUT_GRANTED) {
		c->state = DLD_CLAIM_HELD;
		br->pending--;
		br->held++;
	} else if (out->type == DL_OUT_LOST || out->type == DL_OUT_DENIED) {
		dld_claim_drop(br, pos);
	}
}

/**
 * dld_bridge_detach() - a requester went away: release all it claimed
 * @br: bridge
 * @rq: the requester; not called again
 * @now: protocol time
 *
 * Return: 0, or -ENOMEM when the core broke.
 */
int dld_bridge_detach(struct dld_bridge *br, struct dld_requester *rq,
		      uint64_t now)
{
	struct dld_claim **pos = &br->claims;
	int err = 0;

	while (*pos && !err) {
		if ((*pos)->rq != rq) {
			pos = &(*pos)->next;
			continue;
		}
		err = dld_bridge_release(br, pos, now, 0);
	}
	return err;
}

/**
 * dld_bridge_shutdown() - release everything, telling each requester
 * @br: bridge
 * @now: protocol time
 *
 * Each claim is answered LOST (or DENIED for an acquire) with
 * -ESHUTDOWN, then released in the cluster so waiters elsewhere need
 * not wait for the expiry.
 *
 * Return: 0, or -ENOMEM when the core broke.
 */
int dld_bridge_shutdown(struct dld_bridge *br, uint64_t now)
{
	struct dld_claim *c;
	int err = 0;

	while (br->claims && !err) {
		c = br->claims;
		dld_answer(c->rq, c->state == DLD_CLAIM_HELD ? DLD_ANS_LOST :
			   DLD_ANS_DENIED, c->id, c->name, c->name_len,
			   -ESHUTDOWN);
		err = dld_bridge_release(br, &br->claims, now, 0);
	}
	return err;
}
