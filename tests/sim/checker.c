// SPDX-License-Identifier: GPL-2.0
/*
 * The checker: (1) no two nodes hold a resource at the same simulated
 * instant, each judged by its own clock; (2) tokens strictly increase
 * per resource; (3) once faults heal, every waiting request is granted
 * within a bound; (4) a node cut off from a majority never grants or
 * renews. On a violation it prints the seed and the last events.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"

static void chk_print(const struct sim *s, const struct sim_trace *t);

/**
 * chk_trace() - remember an event for the failure report
 * @s: simulator
 * @what: enum trace_what
 * @node: node index
 * @peer: other node index, or a flag
 * @res: resource index
 * @a: first detail
 * @b: second detail
 */
void chk_trace(struct sim *s, uint8_t what, uint32_t node, uint32_t peer,
	       uint32_t res, uint64_t a, uint64_t b)
{
	struct sim_trace *t = &s->trace[s->trace_pos++ % SIM_TRACE_LEN];

	t->time = s->now;
	t->what = what;
	t->node = (uint8_t)node;
	t->peer = (uint8_t)peer;
	t->res = (uint8_t)res;
	t->a = a;
	t->b = b;
	if (s->verbose)
		chk_print(s, t);
}

/**
 * chk_fail() - record a violation; the run stops at the next event
 * @s: simulator
 * @fmt: printf format of the explanation
 */
void chk_fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->violated)
		return;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->violated = true;
}

static void chk_minority(struct sim *s, uint32_t node)
{
	uint64_t since = s->nodes[node].isolated_since;
	uint64_t slack = 2 * s->p.timeout + 2 * s->p.epsilon + MS;

	if (since != SIM_NONE && s->now > since + slack)
		chk_fail(s, "node %u granted or renewed while cut off from "
			 "a majority since %.3f s", s->nodes[node].id,
			 since / 1e9);
}

static void chk_exclusive(struct sim *s, uint32_t node, uint32_t res)
{
	const struct sim_client *c;
	uint32_t j;

	for (j = 0; j < s->p.n_nodes; j++) {
		c = &s->nodes[j].cl[res];
		if (j == node || c->state != CL_HOLD)
			continue;
		if (sim_local(s, j, s->now) < c->expiry)
			chk_fail(s, "resource %u held by nodes %u (token %lu) "
				 "and %u at once", res, s->nodes[j].id,
				 (unsigned long)c->token, s->nodes[node].id);
	}
}

static uint64_t chk_bound(const struct sim *s)
{
	const struct sim_params *p = &s->p;

	return p->n_nodes * (4 * p->max_lease + p->n_nodes * p->slot +
			     10 * p->timeout);
}

static void chk_waited(struct sim *s, uint32_t node, uint32_t res)
{
	const struct sim_client *c = &s->nodes[node].cl[res];
	uint64_t settle = s->p.calm_at + 4 * s->p.max_lease;

	if (c->want_since >= settle && s->now - c->want_since > chk_bound(s))
		chk_fail(s, "node %u waited %.3f s for resource %u after "
			 "the faults healed", s->nodes[node].id,
			 (s->now - c->want_since) / 1e9, res);
}

static void chk_handover(struct sim *s, uint32_t res)
{
	if (s->death_at[res]) {
		s->rep.deaths++;
		s->rep.death_to_grant += s->now - s->death_at[res];
		if (s->now - s->death_at[res] > s->rep.death_to_grant_max)
			s->rep.death_to_grant_max = s->now - s->death_at[res];
	}
	if (s->release_at[res]) {
		s->rep.releases_waited++;
		s->rep.release_to_grant += s->now - s->release_at[res];
		if (s->now - s->release_at[res] > s->rep.release_to_grant_max)
			s->rep.release_to_grant_max = s->now - s->release_at[res];
		if (s->release_at[res] >= s->p.calm_at &&
		    s->now - s->release_at[res] > 2 * s->p.slot) {
			s->rep.releases_slow++;
			if (getenv("DLSIM_SLOW"))
				printf("# slow hand-over of resource %u: released at %.6f s, granted %.3f ms later\n",
				       res, s->release_at[res] / 1e9,
				       (s->now - s->release_at[res]) / 1e6);
		}
	}
	s->death_at[res] = 0;
	s->release_at[res] = 0;
}

/**
 * chk_grant() - check a grant or renewal as it is reported
 * @s: simulator
 * @node: node index
 * @res: resource index
 * @renew: a renewal rather than a new grant
 * @out: the core's output
 */
void chk_grant(struct sim *s, uint32_t node, uint32_t res, bool renew,
	       const struct dl_output *out)
{
	const struct sim_client *c = &s->nodes[node].cl[res];

	chk_trace(s, renew ? TR_RENEW : TR_GRANT, node, 0, res, out->token,
		  out->expiry);
	chk_minority(s, node);
	chk_exclusive(s, node, res);
	if (renew && out->token != c->token)
		chk_fail(s, "renewal changed the token of node %u",
			 s->nodes[node].id);
	if (renew)
		return;
	if (out->token <= s->max_token[res])
		chk_fail(s, "token %lu for resource %u not above %lu",
			 (unsigned long)out->token, res,
			 (unsigned long)s->max_token[res]);
	s->max_token[res] = out->token;
	chk_waited(s, node, res);
	chk_handover(s, res);
}

static bool chk_someone_waits(const struct sim *s, uint32_t node,
			      uint32_t res)
{
	uint32_t j;

	for (j = 0; j < s->p.n_nodes; j++)
		if (j != node && s->nodes[j].up &&
		    s->nodes[j].cl[res].state == CL_WANT)
			return true;
	return false;
}

/**
 * chk_end() - a holder stops holding (release, walk-away, loss)
 * @s: simulator
 * @node: node index
 * @res: resource index
 * @released: the client released explicitly
 *
 * A release with someone waiting starts the release-to-successor clock.
 */
void chk_end(struct sim *s, uint32_t node, uint32_t res, bool released)
{
	if (released && s->nodes[node].cl[res].state == CL_HOLD &&
	    chk_someone_waits(s, node, res) && !s->release_at[res])
		s->release_at[res] = s->now;
}

/**
 * chk_crash() - a node dies: its holders stop, waiters behind them wait
 * @s: simulator
 * @node: node index
 */
void chk_crash(struct sim *s, uint32_t node)
{
	struct sim_client *c;
	uint32_t res;

	for (res = 0; res < s->p.n_res; res++) {
		c = &s->nodes[node].cl[res];
		if (c->state == CL_HOLD && chk_someone_waits(s, node, res) &&
		    !s->death_at[res])
			s->death_at[res] = s->now;
		c->state = CL_IDLE;
	}
}

/**
 * chk_liveness() - at the end, nobody may still wait beyond the bound
 * @s: simulator
 */
void chk_liveness(struct sim *s)
{
	uint32_t node, res;

	for (node = 0; node < s->p.n_nodes; node++)
		for (res = 0; res < s->p.n_res; res++)
			if (s->nodes[node].up &&
			    s->nodes[node].cl[res].state == CL_WANT)
				chk_waited(s, node, res);
}

static const char *const trace_names[] = {
	[TR_SEND] = "send", [TR_DROP] = "drop", [TR_GRANT] = "GRANT",
	[TR_RENEW] = "renew", [TR_RELEASE] = "release", [TR_LOST] = "LOST",
	[TR_WAIT] = "wait", [TR_CRASH] = "CRASH", [TR_RESTART] = "start",
	[TR_PARTITION] = "PARTITION", [TR_HEAL] = "heal",
	[TR_ACQUIRE] = "acquire", [TR_DENIED] = "denied",
	[TR_SNIPE] = "snipe",
};

static void chk_print(const struct sim *s, const struct sim_trace *t)
{
	printf("#  %12.6f node %-2u %-9s peer %-2u res %u  %lu %lu\n",
	       t->time / 1e9, s->nodes[t->node].id, trace_names[t->what],
	       t->peer, t->res, (unsigned long)t->a, (unsigned long)t->b);
}

/**
 * chk_dump() - print the violation, the seed and the last events
 * @s: simulator
 * @seed: the seed that reproduces the run
 */
void chk_dump(const struct sim *s, uint64_t seed)
{
	uint32_t i, n = s->trace_pos < SIM_TRACE_LEN ? s->trace_pos :
						       SIM_TRACE_LEN;

	printf("# VIOLATION seed %lu (%u nodes) at %.6f s: %s\n",
	       (unsigned long)seed, s->p.n_nodes, s->now / 1e9, s->why);
	printf("# reproduce: dlsim %lu   last %u events:\n",
	       (unsigned long)seed, n);
	for (i = s->trace_pos - n; i != s->trace_pos; i++)
		chk_print(s, &s->trace[i % SIM_TRACE_LEN]);
}
