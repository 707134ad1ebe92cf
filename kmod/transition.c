// SPDX-License-Identifier: GPL-2.0
/*
 * Observability of lease transitions: one function that the lease engine
 * calls at every transition, so that statistics, tracepoints and netlink
 * events always tell the same story.
 */

#include <linux/ktime.h>

#include "dlease.h"
#include "trace.h"

static u64 dlease_held_ns(const struct dlease_lease *lease)
{
	return ktime_to_ns(ktime_sub(ktime_get(), lease->granted_at));
}

/**
 * dlease_transition() - the side effects of a lease transition
 * @lease: the lease, its resource locked, not yet marked dead
 * @ev: DLEASE_EV_* but OVERFLOW
 *
 * Moves the generation that dumps check, counts the transition, fires its
 * tracepoint and sends its netlink notification.
 *
 * Context: under res->lock; any but hard interrupt.
 */
void dlease_transition(struct dlease_lease *lease, u32 ev)
{
	struct dlease_net *dn = lease->res->dn;
	bool held = lease->state == DLEASE_STATE_HELD ||
		    lease->state == DLEASE_STATE_LATE;

	if (ev != DLEASE_EV_BREAK)
		atomic_inc(&dn->generation);
	switch (ev) {
	case DLEASE_EV_QUEUED:
		trace_dlease_queued(lease);
		break;
	case DLEASE_EV_GRANTED:
		dlease_stats_inc(dn, DLEASE_C_GRANTS);
		dlease_stats_wait(dn, ktime_to_ns(ktime_sub(lease->granted_at,
							    lease->queued_at)));
		if (lease->granted_at != lease->queued_at)
			dlease_stats_contended(dn, lease->res);
		trace_dlease_granted(lease);
		break;
	case DLEASE_EV_RENEWED:
		dlease_stats_inc(dn, DLEASE_C_RENEWALS);
		trace_dlease_renewed(lease);
		break;
	case DLEASE_EV_LATE:
		trace_dlease_late(lease);
		break;
	case DLEASE_EV_EXPIRED:
		dlease_stats_inc(dn, DLEASE_C_EXPIRIES);
		dlease_stats_hold(dn, dlease_held_ns(lease));
		trace_dlease_expired(lease);
		break;
	case DLEASE_EV_REVOKED:
		dlease_stats_inc(dn, DLEASE_C_REVOCATIONS);
		dlease_stats_hold(dn, dlease_held_ns(lease));
		trace_dlease_revoked(lease);
		break;
	case DLEASE_EV_BREAK:
		trace_dlease_break(lease);
		break;
	case DLEASE_EV_WAIT:
		trace_dlease_wait(lease);
		break;
	case DLEASE_EV_RELEASED:
		dlease_stats_inc(dn, DLEASE_C_RELEASES);
		if (held)
			dlease_stats_hold(dn, dlease_held_ns(lease));
		trace_dlease_released(lease);
		break;
	}
	dlease_nl_notify(lease, ev);
}
