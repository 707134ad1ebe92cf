/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dleased.conf: the daemon's INI configuration file, documented in
 * dleased.conf(5).
 */
#ifndef DLEASED_CONFFILE_H
#define DLEASED_CONFFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "netaddr.h"
#include "proto.h"
#include "wire.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define DLD_MAX_LISTEN	2	/* one IPv4 and one IPv6 address */

/* tokens reserved per fsync of the state file (see cluster-protocol.rst) */
#define DLD_TOKEN_BLOCK	256

/* [node] kernel-bridge */
enum dld_kbridge_mode {
	DLD_KBRIDGE_AUTO,	/* if the dlease module is loaded */
	DLD_KBRIDGE_YES,	/* required: failing to register is fatal */
	DLD_KBRIDGE_NO,
};

/**
 * struct dld_peer_conf - another member of the cluster
 * @id: its node id
 * @addr: where its daemon listens
 */
struct dld_peer_conf {
	uint32_t id;
	struct dld_addr addr;
};

/**
 * struct dld_conf - the daemon's configuration
 * @path: file it was read from
 * @node_id: our node id
 * @cluster_id: cluster id, carried in every packet
 * @n_listen: entries in @listen
 * @listen: local addresses, at most one per address family
 * @n_peers: entries in @peers
 * @peers: every other member
 * @key_file: name of the cluster key file
 * @key: the cluster key
 * @state_dir: directory of the state file
 * @control_socket: path of the AF_UNIX control socket
 * @log_level: least important level logged
 * @kernel_bridge: enum dld_kbridge_mode
 * @max_lease_ns: longest lease anyone may ask for
 * @epsilon_ns: bound on clock offsets between nodes
 * @msg_timeout_ns: a protocol round fails after this
 * @retry_slot_ns: spacing of waiters' retries
 * @max_resources: resources tracked at once
 * @seen: keys set in the file, by the internal key index
 */
struct dld_conf {
	const char *path;
	uint32_t node_id;
	uint32_t cluster_id;
	uint32_t n_listen;
	struct dld_addr listen[DLD_MAX_LISTEN];
	uint32_t n_peers;
	struct dld_peer_conf peers[DL_MAX_NODES];
	char key_file[PATH_MAX];
	uint8_t key[DL_WIRE_KEY_LEN];
	char state_dir[PATH_MAX];
	char control_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int log_level;
	int kernel_bridge;
	uint64_t max_lease_ns;
	uint64_t epsilon_ns;
	uint64_t msg_timeout_ns;
	uint64_t retry_slot_ns;
	uint32_t max_resources;
	uint32_t seen;
};

int dld_conf_load(const char *path, struct dld_conf *conf);
bool dld_conf_key_set(const struct dld_conf *conf, const char *section,
		      const char *key);
void dld_conf_error(const struct dld_conf *conf, const char *section,
		    const char *key, const char *why);
void dld_conf_core(const struct dld_conf *conf, struct dl_config *cfg);

#endif /* DLEASED_CONFFILE_H */
