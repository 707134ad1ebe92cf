/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of dlease: one per lease transition, all of one class.
 *
 *   dlease:dlease_queued    a request joined a wait queue (waiters: queue
 *                           length after it joined)
 *   dlease:dlease_granted   a request was granted (wait_ns: time queued)
 *   dlease:dlease_renewed   a lease was renewed
 *   dlease:dlease_late      a lease's TTL ended, grace began
 *   dlease:dlease_expired   a lease's grace ended; it is gone
 *   dlease:dlease_revoked   an administrator revoked a lease
 *   dlease:dlease_break     someone queued behind a held lease
 *   dlease:dlease_wait      the cluster bridge told a waiting cluster
 *                           request its place in the cluster's line
 *                           (own fields: netns, session, id, place,
 *                           wait_until_ns: CLOCK_MONOTONIC, name)
 *   dlease:dlease_released  a lease was released or a request left its
 *                           queue (cancelled, timed out, interrupted,
 *                           session closed)
 *
 * Fields: netns (inode number), session, id, token, mode, waiters (queue
 * length now), wait_ns (time the request was queued, 0 if never), name.
 * Example: bpftrace -e 'tracepoint:dlease:dlease_granted
 *   { @wait = hist(args->wait_ns); }'
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dlease

#if !defined(_DLEASE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _DLEASE_TRACE_H

#include <linux/tracepoint.h>
#include <net/net_namespace.h>

#include "dlease.h"

#ifndef DLEASE_TRACE_HELPERS
#define DLEASE_TRACE_HELPERS
/* Who the event is about: netns, session and id, every event's first. */
#define DLEASE_TP_WHO_ASSIGN(lease)					\
	do {								\
		__entry->netns = (lease)->sess->net->ns.inum;		\
		__entry->session = (lease)->sess->id;			\
		__entry->id = (lease)->id;				\
	} while (0)

/* The resource's name, NUL-terminated, into a dynamic array of len + 1. */
static inline void dlease_trace_name(char *dst,
				     const struct dlease_lease *lease)
{
	memcpy(dst, lease->res->name, lease->res->key.len);
	dst[lease->res->key.len] = 0;
}
#endif

DECLARE_EVENT_CLASS(dlease_lease_class,
	TP_PROTO(const struct dlease_lease *lease),
	TP_ARGS(lease),
	TP_STRUCT__entry(
		__field(u32, netns)
		__field(u64, session)
		__field(u64, id)
		__field(u64, token)
		__field(u32, mode)
		__field(u32, waiters)
		__field(u64, wait_ns)
		__dynamic_array(char, name, lease->res->key.len + 1)
	),
	TP_fast_assign(
		DLEASE_TP_WHO_ASSIGN(lease);
		__entry->token = lease->token;
		__entry->mode = lease->mode;
		__entry->waiters = lease->res->nwaiters;
		__entry->wait_ns = lease->granted_at ?
			ktime_to_ns(ktime_sub(lease->granted_at,
					      lease->queued_at)) : 0;
		dlease_trace_name(__get_dynamic_array(name), lease);
	),
	TP_printk("netns=%u session=%llu id=%llu name=%s mode=%s token=%llu waiters=%u wait_ns=%llu",
		  __entry->netns, __entry->session, __entry->id,
		  (char *)__get_dynamic_array(name),
		  __entry->mode == DLEASE_MODE_SHARED ? "shared" : "exclusive",
		  __entry->token, __entry->waiters, __entry->wait_ns)
);

#define DLEASE_TRACE_EVENT(ev)						\
	DEFINE_EVENT(dlease_lease_class, dlease_##ev,			\
		TP_PROTO(const struct dlease_lease *lease),		\
		TP_ARGS(lease))

DLEASE_TRACE_EVENT(queued);
DLEASE_TRACE_EVENT(granted);
DLEASE_TRACE_EVENT(renewed);
DLEASE_TRACE_EVENT(late);
DLEASE_TRACE_EVENT(expired);
DLEASE_TRACE_EVENT(revoked);
DLEASE_TRACE_EVENT(break);
DLEASE_TRACE_EVENT(released);

TRACE_EVENT(dlease_wait,
	TP_PROTO(const struct dlease_lease *lease),
	TP_ARGS(lease),
	TP_STRUCT__entry(
		__field(u32, netns)
		__field(u64, session)
		__field(u64, id)
		__field(u32, place)
		__field(u64, wait_until_ns)
		__dynamic_array(char, name, lease->res->key.len + 1)
	),
	TP_fast_assign(
		DLEASE_TP_WHO_ASSIGN(lease);
		__entry->place = lease->cluster_place;
		__entry->wait_until_ns = ktime_to_ns(lease->wait_until);
		dlease_trace_name(__get_dynamic_array(name), lease);
	),
	TP_printk("netns=%u session=%llu id=%llu name=%s place=%u wait_until_ns=%llu",
		  __entry->netns, __entry->session, __entry->id,
		  (char *)__get_dynamic_array(name), __entry->place,
		  __entry->wait_until_ns)
);

#endif /* _DLEASE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
