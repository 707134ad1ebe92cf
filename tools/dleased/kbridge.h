/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel bridge: dleased registered as the cluster bridge of its
 * network namespace (DLEASE_CMD_BRIDGE_REGISTER), a requester of the
 * bridge seam (bridge.h) whose requests are the kernel's.
 */
#ifndef DLEASED_KBRIDGE_H
#define DLEASED_KBRIDGE_H

#include <stdint.h>

#include "bridge.h"
#include "loop.h"

struct dld_daemon;
struct dlease_bridge;
struct dld_ktry;

/**
 * struct dld_kbridge_stats - what went between the kernel and the daemon
 * @requests: requests read, by DLEASE_BRIDGE_OP_* (index 0: malformed)
 * @answers: answers the kernel took
 * @refused: answers the kernel refused (the request ended meanwhile)
 * @overruns: times the socket overflowed (ENOBUFS)
 */
struct dld_kbridge_stats {
	uint64_t requests[4];
	uint64_t answers;
	uint64_t refused;
	uint64_t overruns;
};

/**
 * struct dld_kbridge - the registered netlink bridge socket
 * @rq: requester identity towards the bridge seam
 * @watch: its socket in the loop
 * @d: daemon
 * @nl: the libdlease bridge handle, NULL when off
 * @tries: acquires the kernel asked with DLEASE_A_BRIDGE_TRY
 * @stats: counters for the status report
 */
struct dld_kbridge {
	struct dld_requester rq;
	struct dld_watch watch;
	struct dld_daemon *d;
	struct dlease_bridge *nl;
	struct dld_ktry *tries;
	struct dld_kbridge_stats stats;
};

int dld_kbridge_open(struct dld_kbridge *kb, struct dld_daemon *d);
void dld_kbridge_close(struct dld_kbridge *kb);

#endif /* DLEASED_KBRIDGE_H */
