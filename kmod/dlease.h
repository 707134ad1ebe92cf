/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dlease internals shared by the files of the module.
 *
 * Objects and their locks:
 *
 *  dlease_net       per network namespace: the table of resources (an
 *                   rhashtable keyed by name), the token counter and the
 *                   limits in force.
 *  dlease_resource  one name with leases on it: the holders and the FIFO
 *                   of waiters, under resource->lock.  A resource is in
 *                   the table while it has holders or waiters; it is
 *                   refcounted by the table and by every lease on it and
 *                   freed after an RCU grace period.
 *  dlease_session   one open file description of /dev/dlease: its leases
 *                   by id (an xarray) and its event queue (ev_lock).
 *  dlease_lease     one request: waiting, then held, then dead.  Its state
 *                   and list membership change only under resource->lock;
 *                   it is refcounted (one reference while it is live, in
 *                   the resource's lists and the session's xarray, plus
 *                   one per user in flight).
 *
 * Lock order: resource->lock, then the xa_locks of session->leases and
 * dn->handles and dn->resources, then session->ev_lock and
 * dn->bridge_lock; requests to the cluster bridge are sent (without
 * sleeping) under resource->lock, from process context and from lease
 * timers.  Lease timers are soft hrtimers, so every lock is taken with
 * bottom halves disabled from process context.
 *
 * A live cluster lease that was forwarded to the bridge is also in
 * dn->handles (which holds no reference: it leaves it when it dies).
 */
#ifndef _DLEASE_H
#define _DLEASE_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <uapi/linux/dlease.h>

struct net;
struct task_struct;

/* Lease ids carry a slot of this many bits: at most 2^20 per session. */
#define DLEASE_SLOT_BITS	20
#define DLEASE_SLOTS		BIT(DLEASE_SLOT_BITS)

/* Longest TTL or grace period: now + TTL + grace must fit in a ktime_t. */
#define DLEASE_TIME_CAP_NS	(10ULL * 366 * 86400 * NSEC_PER_SEC)

/* Limits in force in one network namespace. */
struct dlease_limits {
	u32 max_per_session;
	u32 max_holders;
	u32 max_waiters;
	u32 max_events;
	u64 ttl_min_ns;
	u64 ttl_max_ns;
	u64 grace_max_ns;
	u64 cluster_margin_ns;
	u64 bridge_timeout_ns;
};

/* Counters of a namespace; the order of the netlink stats attributes. */
enum dlease_counter {
	DLEASE_C_ACQUIRES,
	DLEASE_C_GRANTS,
	DLEASE_C_CONTENDED,
	DLEASE_C_TIMEOUTS,
	DLEASE_C_INTERRUPTS,
	DLEASE_C_EXPIRIES,
	DLEASE_C_REVOCATIONS,
	DLEASE_C_RENEWALS,
	DLEASE_C_LATE_RENEWALS,
	DLEASE_C_QUOTA_HITS,
	DLEASE_C_RELEASES,
	__DLEASE_C_MAX,
};

#define DLEASE_HIST_BUCKETS	64
#define DLEASE_TOP_SLOTS	32

struct dlease_pcpu_stats {
	u64 c[__DLEASE_C_MAX];
	u64 wait[DLEASE_HIST_BUCKETS];
	u64 hold[DLEASE_HIST_BUCKETS];
};

struct dlease_top_slot {
	u64 count;
	u32 len;
	bool cluster;
	u8 name[DLEASE_NAME_MAX];
};

struct dlease_top {
	spinlock_t lock;		/* the slots */
	unsigned int used;
	struct dlease_top_slot slot[DLEASE_TOP_SLOTS];
};

struct dlease_net {
	struct net *net;
	struct rhashtable names;
	atomic64_t last_token;
	atomic64_t last_session;
	atomic_t generation;		/* changes with every transition */
	atomic_t nresources;
	struct xarray resources;	/* id -> resource, for dumps */
	atomic_t nsessions;
	struct xarray sessions;		/* session id -> session */
	struct dlease_limits limits;
	struct dlease_pcpu_stats __percpu *stats;
	struct dlease_top *top;
	spinlock_t bridge_lock;		/* bridge_portid and bridge_gen */
	u32 bridge_portid;		/* the bridge's socket, 0 if none */
	u32 bridge_gen;			/* bumped at every registration */
	atomic_t handle_seq;
	struct xarray handles;		/* index of a cluster handle -> lease */
};

/* An answer of the bridge (DLEASE_CMD_BRIDGE_ANSWER). */
struct dlease_answer {
	u64 handle;
	u32 result;			/* DLEASE_BRIDGE_RESULT_* */
	u32 error;
	u32 count;			/* BREAK: waiters; WAIT: place */
	u64 token;
	u64 expires;			/* WAIT: the expected grant */
};

/* Lookup key of a resource: the name bytes and their scope. */
struct dlease_key {
	const u8 *name;
	u32 len;
	bool cluster;			/* cluster names are a space apart */
};

struct dlease_resource {
	struct rhash_head node;
	u32 id;				/* in dn->resources */
	struct dlease_key key;		/* points at name[] */
	refcount_t ref;
	spinlock_t lock;		/* everything below, and its leases */
	bool unhashed;			/* left the table: look it up again */
	u8 held_mode;			/* mode of the holders, 0 if none */
	u32 nholders;
	u32 nwaiters;
	struct list_head holders;
	struct list_head waiters;	/* FIFO */
	struct dlease_net *dn;
	struct rcu_head rcu;
	u8 name[];
};

/* Lease states: the UAPI's plus the two internal ones. */
#define DLEASE_STATE_NEW	0	/* being set up */
#define DLEASE_STATE_DEAD	0xff	/* released, expired or revoked */

struct dlease_user {
	struct hlist_node node;
	kuid_t uid;
	refcount_t sessions;
	atomic_t count;			/* leases + waiters */
};

struct dlease_session {
	u64 id;				/* unique in its namespace */
	struct dlease_net *dn;
	struct net *net;
	struct pid_namespace *pid_ns;	/* of the opener */
	struct dlease_user *user;
	struct xarray leases;		/* slot of id -> lease; LOCK_BH */
	u64 last_seq;			/* under xa_lock(&leases) */
	u64 last_id;			/* the last lease id given */
	atomic_t count;			/* leases + waiters */
	bool closing;

	struct mutex ev_read_lock;	/* one reader at a time */
	spinlock_t ev_lock;
	u32 ev_mask;
	u32 ev_head;
	u32 ev_len;
	u32 ev_cap;
	struct dlease_event *ev_ring;
	wait_queue_head_t ev_wait;
};

struct dlease_lease {
	refcount_t ref;
	u8 state;
	u8 mode;
	bool async;
	bool published;			/* in sess->leases, under res->lock */
	bool cluster;			/* DLEASE_ACQ_CLUSTER */
	bool ctry;			/* cluster request with DLEASE_ACQ_TRY */
	bool forwarded;			/* with the bridge, under res->lock */
	bool renewing;			/* cluster renewal under way */
	bool denied;			/* the cluster refused the request */
	u64 handle;			/* cluster handle: seq << 32 | index */
	u32 bridge_gen;			/* registration it was forwarded to */
	struct task_struct *renewer;	/* cluster renewal, under res->lock */
	int cluster_err;		/* why a cluster request failed */
	int renew_err;			/* outcome of a cluster renewal */
	u64 renew_ttl;
	ktime_t cluster_end;		/* cluster expiry less the margin */
	u32 cluster_place;		/* in the cluster's line, 0: unknown */
	ktime_t wait_until;		/* expected cluster grant, or 0 */
	struct list_head node;		/* in res->holders or res->waiters */
	struct dlease_resource *res;
	struct dlease_session *sess;
	struct task_struct *waiter;	/* blocked acquirer, under res->lock */
	struct pid *pid;		/* thread group that asked */
	char comm[TASK_COMM_LEN];
	struct hrtimer timer;
	u64 id;
	u64 token;
	u64 cookie;
	u64 ttl_ns;
	u64 grace_ns;
	ktime_t expires;		/* end of the TTL */
	ktime_t queued_at;
	ktime_t granted_at;
};

/* netns.c */
int dlease_netns_init(void);
void dlease_netns_exit(void);
struct dlease_net *dlease_net(const struct net *net);
struct dlease_resource *dlease_resource_get(struct dlease_net *dn,
					    const struct dlease_key *key);
struct dlease_resource *dlease_resource_find(struct dlease_net *dn,
					     const struct dlease_key *key);
void dlease_resource_unhash_if_idle(struct dlease_resource *res);
void dlease_resource_put(struct dlease_resource *res);
struct dlease_lease *dlease_xa_next_lease(struct xarray *xa,
					  unsigned long *index);

/* lease.c */
int dlease_lease_init(void);
void dlease_lease_exit(void);
int dlease_acquire(struct dlease_session *sess, struct dlease_acquire *req,
		   const u8 *name);
int dlease_renew(struct dlease_session *sess, struct dlease_renew *req);
int dlease_release(struct dlease_session *sess, u64 id);
int dlease_query(struct dlease_session *sess, struct dlease_query *q,
		 u8 *name);
int dlease_revoke_name(struct dlease_net *dn, const u8 *name, u32 len);
struct dlease_lease *dlease_lease_find(struct dlease_session *sess, u64 id);
void dlease_lease_drop(struct dlease_lease *lease);
int dlease_revoke_id(struct dlease_net *dn, u64 session, u64 id);
void dlease_session_release_all(struct dlease_session *sess);

/* lease.c, for cluster.c: the engine's steps, under res->lock */
void dlease_arm(struct dlease_lease *lease, ktime_t now, u64 ttl_ns);
void dlease_grant(struct dlease_resource *res, struct dlease_lease *lease,
		  ktime_t now);
void dlease_publish(struct dlease_lease *lease);
void dlease_unlink(struct dlease_lease *lease, u32 event);
void dlease_kill(struct dlease_lease *lease, u32 event);
void dlease_post_break(struct dlease_resource *res);

/* cluster.c */
int dlease_cluster_reserve(struct dlease_lease *lease);
void dlease_cluster_unreserve(struct dlease_lease *lease);
bool dlease_cluster_forward(struct dlease_lease *lease, int *err);
void dlease_cluster_unlink(struct dlease_lease *lease);
int dlease_cluster_answer(struct dlease_net *dn, const struct dlease_answer *a);
int dlease_cluster_renew(struct dlease_lease *lease, struct dlease_renew *req);
void dlease_cluster_bridge_gone(struct dlease_net *dn, u32 gen);

/* bridge.c */
struct genl_info;
struct sk_buff;
int dlease_bridge_init(void);
void dlease_bridge_exit(void);
int dlease_bridge_send(struct dlease_lease *lease, u32 op);
int dlease_bridge_register_doit(struct sk_buff *skb, struct genl_info *info);
int dlease_bridge_answer_doit(struct sk_buff *skb, struct genl_info *info);

/* transition.c */
void dlease_transition(struct dlease_lease *lease, u32 ev);

/* stats.c */
int dlease_stats_init(struct dlease_net *dn);
void dlease_stats_free(struct dlease_net *dn);
void dlease_stats_inc(struct dlease_net *dn, enum dlease_counter counter);
void dlease_stats_wait(struct dlease_net *dn, u64 ns);
void dlease_stats_hold(struct dlease_net *dn, u64 ns);
void dlease_stats_contended(struct dlease_net *dn,
			    const struct dlease_resource *res);
void dlease_stats_read(struct dlease_net *dn, struct dlease_pcpu_stats *sum);
unsigned int dlease_stats_top(struct dlease_net *dn,
			      struct dlease_top_slot *out);

/* event.c */
int dlease_events_init(struct dlease_session *sess, u32 cap);
void dlease_events_free(struct dlease_session *sess);
void dlease_event_post(struct dlease_session *sess, u32 type,
		       const struct dlease_lease *lease, u32 count);
ssize_t dlease_events_read(struct dlease_session *sess, char __user *buf,
			   size_t len, bool nonblock);
bool dlease_events_pending(struct dlease_session *sess);

/* quota.c */
struct dlease_user *dlease_user_get(kuid_t uid);
void dlease_user_put(struct dlease_user *user);
int dlease_quota_charge(struct dlease_session *sess);
void dlease_quota_uncharge(struct dlease_session *sess);

/* netlink.c */
extern struct genl_family dlease_family;
int dlease_netlink_init(void);
void dlease_netlink_exit(void);
void dlease_nl_notify(const struct dlease_lease *lease, u32 ev);

/* chardev.c */
int dlease_chardev_init(void);
void dlease_chardev_exit(void);

/* main.c: module parameters, the defaults of every new namespace */
extern unsigned int dlease_max_per_user;
void dlease_default_limits(struct dlease_limits *limits);

#endif /* _DLEASE_H */
