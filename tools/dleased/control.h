/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local control socket of dleased: an AF_UNIX stream socket, mode
 * 0660, speaking the line protocol documented in dleased(8). Each
 * connection is a requester of the bridge; its leases are released when
 * it closes, like a kernel session's.
 */
#ifndef DLEASED_CONTROL_H
#define DLEASED_CONTROL_H

#include <stdint.h>

#include "loop.h"

struct dld_daemon;
struct dld_conn;

/**
 * struct dld_control - the listening socket and its connections
 * @d: daemon
 * @watch: the listening socket
 * @conns: open connections
 * @n_conns: their number
 * @reap: some connection is to be closed (dld_control_reap())
 */
struct dld_control {
	struct dld_daemon *d;
	struct dld_watch watch;
	struct dld_conn *conns;
	unsigned int n_conns;
	bool reap;
};

int dld_control_open(struct dld_control *ctl, struct dld_daemon *d);
void dld_control_reap(struct dld_control *ctl);
void dld_control_close(struct dld_control *ctl);

#endif /* DLEASED_CONTROL_H */
