// SPDX-License-Identifier: GPL-2.0
/*
 * The status report of the control socket: one line per topic, fields as
 * key=value, ending with "end". The format is documented in dleased(8)
 * and parsed by tests, so fields are only ever added.
 */
#include <inttypes.h>
#include <stdio.h>

#include "daemon.h"
#include "dlease-bridge.h"

#define DLD_MS	UINT64_C(1000000)

static const char *const dld_core_drop_names[DL_CDROP_MAX] = {
	[DL_CDROP_NOT_MEMBER] = "not-member",
	[DL_CDROP_QUIET] = "quiet",
	[DL_CDROP_STALE] = "stale",
	[DL_CDROP_NO_ROUND] = "no-round",
	[DL_CDROP_NO_MEMORY] = "no-memory",
	[DL_CDROP_TABLE_FULL] = "table-full",
	[DL_CDROP_MALFORMED] = "malformed",
};

static void dld_status_peer(struct dld_daemon *d, FILE *f,
			    const struct dld_peer *p, uint64_t now)
{
	char addr[DLD_ADDR_STRLEN];

	fprintf(f, "peer id=%u address=%s state=%s", p->id,
		dld_addr_str(&p->addr, addr, sizeof(addr)),
		dld_peer_state(p, now, d->conf->msg_timeout_ns));
	if (p->last_heard)
		fprintf(f, " last-heard-ms=%" PRIu64,
			(now - p->last_heard) / DLD_MS);
	else
		fprintf(f, " last-heard-ms=never");
	if (p->rtt_ns)
		fprintf(f, " rtt-us=%" PRIu64, p->rtt_ns / 1000);
	else
		fprintf(f, " rtt-us=none");
	fprintf(f, " sent=%" PRIu64 " received=%" PRIu64
		" send-errors=%" PRIu64 "\n", p->sent, p->received,
		p->send_errors);
}

/* " WHAT-count=N WHAT-avg-us=N WHAT-max-us=N" */
static void dld_status_latency(FILE *f, const char *what,
			       const struct dld_latency *l)
{
	fprintf(f, " %s-count=%" PRIu64 " %s-avg-us=%" PRIu64
		" %s-max-us=%" PRIu64, what, l->count, what,
		l->count ? l->sum_ns / l->count / 1000 : 0, what,
		l->max_ns / 1000);
}

static void dld_status_core(struct dld_daemon *d, FILE *f)
{
	const struct dl_core_stats *st = dl_core_stats(d->core);
	unsigned int i;

	fprintf(f, "leases held=%u pending=%u\n", d->bridge.held,
		d->bridge.pending);
	fprintf(f, "latency");
	dld_status_latency(f, "acquire-idle", &d->bridge.acquire_idle);
	dld_status_latency(f, "renew", &d->bridge.renew);
	fprintf(f, "\n");
	fprintf(f, "core grants=%" PRIu64 " renews=%" PRIu64
		" renew-fallbacks=%" PRIu64 " losses=%" PRIu64
		" rounds=%" PRIu64 " persists=%" PRIu64 " sent=%" PRIu64
		" received=%" PRIu64 "\n", st->grants, st->renews,
		st->renew_fallbacks, st->losses, st->rounds, st->persists,
		st->sent, st->received);
	fprintf(f, "drops-wire");
	for (i = DL_DROP_NONE + 1; i < DL_DROP_MAX; i++)
		fprintf(f, " %s=%" PRIu64, dl_drop_name(i), d->wire.drops[i]);
	fprintf(f, "\ndrops-core");
	for (i = 0; i < DL_CDROP_MAX; i++)
		fprintf(f, " %s=%" PRIu64, dld_core_drop_names[i],
			st->drops[i]);
	fprintf(f, "\n");
}

static void dld_status_kbridge(struct dld_daemon *d, FILE *f)
{
	const struct dld_kbridge_stats *st = &d->kbridge.stats;

	fprintf(f, "kernel-bridge state=%s acquires=%" PRIu64
		" renewals=%" PRIu64 " releases=%" PRIu64
		" malformed=%" PRIu64 " answers=%" PRIu64
		" refused=%" PRIu64 " overruns=%" PRIu64 "\n",
		d->kbridge.nl ? "registered" : "off",
		st->requests[DLEASE_BRIDGE_OP_ACQUIRE],
		st->requests[DLEASE_BRIDGE_OP_RENEW],
		st->requests[DLEASE_BRIDGE_OP_RELEASE], st->requests[0],
		st->answers, st->refused, st->overruns);
}

/**
 * dld_status_write() - print the status report
 * @d: daemon
 * @f: where to
 */
void dld_status_write(struct dld_daemon *d, FILE *f)
{
	uint64_t now = dld_clock_now(&d->clock);
	uint32_t i;

	fprintf(f, "node id=%u cluster=%u incarnation=%" PRIu64
		" uptime-ms=%" PRIu64 " token-hwm=%" PRIu64
		" clock-step-ms=%" PRId64 "\n", d->conf->node_id,
		d->conf->cluster_id, d->state.incarnation,
		(now - d->started) / DLD_MS, d->state.token_hwm,
		dld_clock_step(&d->clock) / (int64_t)DLD_MS);
	for (i = 0; i < d->n_peers; i++)
		dld_status_peer(d, f, &d->peers[i], now);
	dld_status_core(d, f);
	dld_status_kbridge(d, f);
	fprintf(f, "end\n");
}
