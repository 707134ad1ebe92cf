// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration bounds. Unsafe combinations are refused with a message
 * naming the problem, so the daemon can print it and exit.
 */
#include <errno.h>
#include <stddef.h>

#include "proto.h"

#define MSEC			1000000ull
#define SEC			(1000 * MSEC)
#define DL_MIN_LEASE		(10 * MSEC)
#define DL_MAX_LEASE		(3600 * SEC)
#define DL_MIN_TIMEOUT		(100 * 1000ull)

static const char *dl_config_members(const struct dl_config *cfg)
{
	bool self_found = false;
	uint32_t i, j;

	if (!cfg->self)
		return "node id must not be 0";
	if (!cfg->n_nodes || cfg->n_nodes > DL_MAX_NODES)
		return "number of nodes must be 1..32";
	for (i = 0; i < cfg->n_nodes; i++) {
		if (!cfg->nodes[i])
			return "peer node id must not be 0";
		if (cfg->nodes[i] == cfg->self)
			self_found = true;
		for (j = 0; j < i; j++)
			if (cfg->nodes[j] == cfg->nodes[i])
				return "node ids must be unique";
	}
	return self_found ? NULL : "own node id missing from the node list";
}

static const char *dl_config_times(const struct dl_config *cfg)
{
	if (cfg->max_lease_ns < DL_MIN_LEASE ||
	    cfg->max_lease_ns > DL_MAX_LEASE)
		return "max lease time must be 10 ms..1 h";
	if (cfg->msg_timeout_ns < DL_MIN_TIMEOUT)
		return "message timeout must be at least 100 us";
	if (cfg->retry_slot_ns < cfg->msg_timeout_ns)
		return "retry slot must be at least the message timeout";
	/*
	 * A lease must stay usable after the round that granted it, the
	 * holder's epsilon margin and one renewal round: otherwise every
	 * grant would be born expired.
	 */
	if (4 * (cfg->epsilon_ns + cfg->msg_timeout_ns) > cfg->max_lease_ns)
		return "epsilon + message timeout must be under max lease / 4";
	if (cfg->retry_slot_ns > cfg->max_lease_ns)
		return "retry slot must not exceed the max lease time";
	return NULL;
}

/**
 * dl_config_check() - validate a node configuration
 * @cfg: configuration
 * @why: set to a static message when the configuration is refused
 *
 * Return: 0 or -EINVAL.
 */
int dl_config_check(const struct dl_config *cfg, const char **why)
{
	const char *msg;

	msg = dl_config_members(cfg);
	if (!msg)
		msg = dl_config_times(cfg);
	if (!msg && !cfg->token_block)
		msg = "token block must not be 0";
	if (!msg && !cfg->max_resources)
		msg = "max resources must not be 0";
	if (!msg && cfg->token_hwm > UINT64_MAX / 2)
		msg = "token high-water mark is implausibly large";
	if (why)
		*why = msg;
	return msg ? -EINVAL : 0;
}
