// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics of a network namespace: per-CPU counters, log2 histograms of
 * wait and hold times, and a bounded table of the most contended names.
 *
 * The contention table runs the Space-Saving algorithm (Metwally et al.,
 * "Efficient computation of frequent and top-k elements in data
 * streams", 2005): DLEASE_TOP_SLOTS counters; a name not in the table
 * replaces the one with the smallest count and inherits that count plus
 * one.  Counts are never below the true ones, and every name whose true
 * count exceeds (contended grants / slots) is in the table.  It costs a
 * lock and a short scan per contended grant only.
 */

#include <linux/bitops.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "dlease.h"

/**
 * dlease_stats_init() - allocate the statistics of a namespace
 * @dn: the namespace's state
 *
 * Return: 0 or -ENOMEM.
 */
int dlease_stats_init(struct dlease_net *dn)
{
	dn->stats = alloc_percpu_gfp(struct dlease_pcpu_stats,
				     GFP_KERNEL_ACCOUNT);
	if (!dn->stats)
		return -ENOMEM;
	dn->top = kzalloc(sizeof(*dn->top), GFP_KERNEL_ACCOUNT);
	if (!dn->top) {
		free_percpu(dn->stats);
		return -ENOMEM;
	}
	spin_lock_init(&dn->top->lock);
	return 0;
}

/**
 * dlease_stats_free() - free the statistics of a namespace
 * @dn: the namespace's state
 */
void dlease_stats_free(struct dlease_net *dn)
{
	kfree(dn->top);
	free_percpu(dn->stats);
}

/**
 * dlease_stats_inc() - count one event
 * @dn: the namespace's state
 * @counter: DLEASE_C_*
 *
 * Context: any.
 */
void dlease_stats_inc(struct dlease_net *dn, enum dlease_counter counter)
{
	this_cpu_inc(dn->stats->c[counter]);
}

static unsigned int dlease_hist_bucket(u64 ns)
{
	return ns ? min_t(unsigned int, fls64(ns) - 1,
			  DLEASE_HIST_BUCKETS - 1) : 0;
}

/**
 * dlease_stats_wait() - record how long a request waited for its grant
 * @dn: the namespace's state
 * @ns: the wait
 */
void dlease_stats_wait(struct dlease_net *dn, u64 ns)
{
	this_cpu_inc(dn->stats->wait[dlease_hist_bucket(ns)]);
}

/**
 * dlease_stats_hold() - record how long a lease was held
 * @dn: the namespace's state
 * @ns: from grant to end
 */
void dlease_stats_hold(struct dlease_net *dn, u64 ns)
{
	this_cpu_inc(dn->stats->hold[dlease_hist_bucket(ns)]);
}

static bool dlease_top_match(const struct dlease_top_slot *slot,
			     const struct dlease_resource *res)
{
	return slot->len == res->key.len && slot->cluster == res->key.cluster &&
	       !memcmp(slot->name, res->name, res->key.len);
}

/**
 * dlease_stats_contended() - count a grant of @res that had to wait
 * @dn: the namespace's state
 * @res: the resource
 *
 * Context: any but hard interrupt.
 */
void dlease_stats_contended(struct dlease_net *dn,
			    const struct dlease_resource *res)
{
	struct dlease_top *top = dn->top;
	struct dlease_top_slot *slot, *min = NULL;
	unsigned int i;

	this_cpu_inc(dn->stats->c[DLEASE_C_CONTENDED]);
	spin_lock_bh(&top->lock);
	for (i = 0; i < top->used; i++) {
		slot = &top->slot[i];
		if (dlease_top_match(slot, res)) {
			slot->count++;
			goto out;
		}
		if (!min || slot->count < min->count)
			min = slot;
	}
	if (top->used < DLEASE_TOP_SLOTS) {
		slot = &top->slot[top->used++];
		slot->count = 1;
	} else {
		slot = min;
		slot->count++;
	}
	slot->len = res->key.len;
	slot->cluster = res->key.cluster;
	memcpy(slot->name, res->name, res->key.len);
out:
	spin_unlock_bh(&top->lock);
}

/**
 * dlease_stats_read() - sum the per-CPU statistics
 * @dn: the namespace's state
 * @sum: filled with the totals
 */
void dlease_stats_read(struct dlease_net *dn, struct dlease_pcpu_stats *sum)
{
	const struct dlease_pcpu_stats *pc;
	unsigned int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		pc = per_cpu_ptr(dn->stats, cpu);
		for (i = 0; i < __DLEASE_C_MAX; i++)
			sum->c[i] += READ_ONCE(pc->c[i]);
		for (i = 0; i < DLEASE_HIST_BUCKETS; i++) {
			sum->wait[i] += READ_ONCE(pc->wait[i]);
			sum->hold[i] += READ_ONCE(pc->hold[i]);
		}
	}
}

static int dlease_top_cmp(const void *a, const void *b)
{
	const struct dlease_top_slot *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return 0;
}

/**
 * dlease_stats_top() - the most contended names, most contended first
 * @dn: the namespace's state
 * @out: DLEASE_TOP_SLOTS slots to fill
 *
 * Return: how many slots were filled.
 */
unsigned int dlease_stats_top(struct dlease_net *dn,
			      struct dlease_top_slot *out)
{
	unsigned int n;

	spin_lock_bh(&dn->top->lock);
	n = dn->top->used;
	memcpy(out, dn->top->slot, n * sizeof(*out));
	spin_unlock_bh(&dn->top->lock);
	sort(out, n, sizeof(*out), dlease_top_cmp, NULL);
	return n;
}
