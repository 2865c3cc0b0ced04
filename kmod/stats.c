// SPDX-License-Identifier: GPL-2.0
#include <linux/slab.h>
#include <net/netlink.h>
#include "stats.h"

struct mwan_stats *mwan_stats_new(void)
{
	struct mwan_stats *stats;
	int cpu;

	stats = kmalloc(sizeof(*stats), GFP_KERNEL_ACCOUNT);
	if (!stats)
		return NULL;
	stats->pcpu = alloc_percpu_gfp(struct mwan_counters,
				       GFP_KERNEL_ACCOUNT);
	if (!stats->pcpu) {
		kfree(stats);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats->pcpu, cpu)->syncp);
	refcount_set(&stats->refs, 1);
	return stats;
}

/* The last holder is freed a grace period after any hook could count. */
void mwan_stats_put(struct mwan_stats *stats)
{
	if (stats && refcount_dec_and_test(&stats->refs)) {
		free_percpu(stats->pcpu);
		kfree(stats);
	}
}

void mwan_stats_read(const struct mwan_stats *stats, struct mwan_totals *t)
{
	unsigned int k, start;
	int cpu;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct mwan_counters *c = per_cpu_ptr(stats->pcpu, cpu);
		struct mwan_totals one;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			for (k = 0; k < MWAN_NR_COUNTS; k++)
				one.v[k] = u64_stats_read(&c->v[k]);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		for (k = 0; k < MWAN_NR_COUNTS; k++)
			t->v[k] += one.v[k];
	}
}

static const u8 count_attr[MWAN_NR_COUNTS] = {
	[MWAN_COUNT_NEW_FLOW]		= MWAN_STATS_A_NEW_FLOWS,
	[MWAN_COUNT_TX_PACKETS]		= MWAN_STATS_A_TX_PACKETS,
	[MWAN_COUNT_TX_BYTES]		= MWAN_STATS_A_TX_BYTES,
	[MWAN_COUNT_RX_PACKETS]		= MWAN_STATS_A_RX_PACKETS,
	[MWAN_COUNT_RX_BYTES]		= MWAN_STATS_A_RX_BYTES,
	[MWAN_COUNT_REFUSED]		= MWAN_STATS_A_REFUSED,
	[MWAN_COUNT_NPT_OUT]		= MWAN_STATS_A_NPT_OUT,
	[MWAN_COUNT_NPT_IN]		= MWAN_STATS_A_NPT_IN,
	[MWAN_COUNT_NPT_DROPPED]	= MWAN_STATS_A_NPT_DROPPED,
	[MWAN_COUNT_MAP4_OUT]		= MWAN_STATS_A_MAP4_OUT,
	[MWAN_COUNT_MAP4_IN]		= MWAN_STATS_A_MAP4_IN,
};

int mwan_stats_fill(struct sk_buff *msg, int attr, const struct mwan_stats *s)
{
	struct nlattr *nest = nla_nest_start(msg, attr);
	struct mwan_totals t;
	unsigned int k;

	if (!nest)
		return -EMSGSIZE;
	mwan_stats_read(s, &t);
	for (k = 0; k < MWAN_NR_COUNTS; k++)
		if (nla_put_u64_64bit(msg, count_attr[k], t.v[k],
				      MWAN_STATS_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}
