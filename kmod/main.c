// SPDX-License-Identifier: GPL-2.0
/*
 * dlease: leases on named resources with fair queueing, expiry and fencing
 * tokens.  Module parameters and the init/exit ladder.
 */

#include <linux/module.h>

#include "dlease.h"
#include "version.h"

static unsigned int max_per_session = 1024;
module_param(max_per_session, uint, 0444);
MODULE_PARM_DESC(max_per_session, "leases + waiters per session (default 1024)");

unsigned int dlease_max_per_user = 16384;
module_param_named(max_per_user, dlease_max_per_user, uint, 0644);
MODULE_PARM_DESC(max_per_user, "leases + waiters per user, all namespaces (default 16384)");

static unsigned int max_holders = 1024;
module_param(max_holders, uint, 0444);
MODULE_PARM_DESC(max_holders, "leases held at once on one resource (default 1024)");

static unsigned int max_waiters = 1024;
module_param(max_waiters, uint, 0444);
MODULE_PARM_DESC(max_waiters, "waiters queued per resource (default 1024, at most 65536)");

static unsigned int max_events = 256;
module_param(max_events, uint, 0444);
MODULE_PARM_DESC(max_events, "event queue slots per session, a power of two (default 256)");

static unsigned long long ttl_min_ns = 1000000ULL;
module_param(ttl_min_ns, ullong, 0444);
MODULE_PARM_DESC(ttl_min_ns, "shortest TTL in ns (default 1 ms)");

static unsigned long long ttl_max_ns = 86400000000000ULL;
module_param(ttl_max_ns, ullong, 0444);
MODULE_PARM_DESC(ttl_max_ns, "longest TTL in ns (default 1 day)");

static unsigned long long grace_max_ns = 3600000000000ULL;
module_param(grace_max_ns, ullong, 0444);
MODULE_PARM_DESC(grace_max_ns, "longest grace period in ns (default 1 hour)");

/**
 * dlease_default_limits() - the limits a new namespace starts with
 * @limits: filled from the module parameters, within sane bounds
 */
void dlease_default_limits(struct dlease_limits *limits)
{
	limits->max_per_session = clamp_t(u32, max_per_session, 1, DLEASE_SLOTS);
	limits->max_holders = max(max_holders, 1U);
	limits->max_waiters = min(max_waiters, 65536U);
	limits->max_events = clamp(max_events, 4U, 65536U);
	limits->ttl_max_ns = clamp(ttl_max_ns, 1ULL, DLEASE_TIME_CAP_NS);
	limits->ttl_min_ns = clamp(ttl_min_ns, 1ULL, limits->ttl_max_ns);
	limits->grace_max_ns = min(grace_max_ns, DLEASE_TIME_CAP_NS);
	limits->cluster_margin_ns = 50 * NSEC_PER_MSEC;
	limits->bridge_timeout_ns = NSEC_PER_SEC;
}

static int __init dlease_init(void)
{
	int err;

	err = dlease_lease_init();
	if (err)
		return err;
	err = dlease_netns_init();
	if (err)
		goto err_lease;
	err = dlease_netlink_init();
	if (err)
		goto err_netns;
	err = dlease_bridge_init();
	if (err)
		goto err_netlink;
	err = dlease_chardev_init();
	if (err)
		goto err_bridge;
	pr_info("dlease %s loaded\n", DLEASE_VERSION);
	return 0;

err_bridge:
	dlease_bridge_exit();
err_netlink:
	dlease_netlink_exit();
err_netns:
	dlease_netns_exit();
err_lease:
	dlease_lease_exit();
	return err;
}

static void __exit dlease_exit(void)
{
	dlease_chardev_exit();
	dlease_bridge_exit();
	dlease_netlink_exit();
	dlease_netns_exit();
	dlease_lease_exit();
}

module_init(dlease_init);
module_exit(dlease_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Leases on named resources: fair queues, expiry, fencing tokens");
MODULE_AUTHOR("The dlease developers");
MODULE_VERSION(DLEASE_VERSION);
