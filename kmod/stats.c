// SPDX-License-Identifier: GPL-2.0
#include <net/netlink.h>
#include "stats.h"

static struct mwan_counters __percpu *alloc_array(unsigned int n)
{
	struct mwan_counters __percpu *array;
	int cpu;
	unsigned int i;

	array = __alloc_percpu_gfp(n * sizeof(struct mwan_counters),
				   __alignof__(struct mwan_counters),
				   GFP_KERNEL_ACCOUNT);
	if (!array)
		return NULL;
	for_each_possible_cpu(cpu)
		for (i = 0; i < n; i++)
			u64_stats_init(&(per_cpu_ptr(array, cpu) + i)->syncp);
	return array;
}

int mwan_stats_init(struct mwan_stats *stats)
{
	stats->links = alloc_array(MWAN_LINK_ID_MAX + 1);
	stats->policies = alloc_array(MWAN_POLICY_ID_MAX + 1);
	if (stats->links && stats->policies)
		return 0;
	mwan_stats_free(stats);
	return -ENOMEM;
}

void mwan_stats_free(struct mwan_stats *stats)
{
	free_percpu(stats->links);
	free_percpu(stats->policies);
	stats->links = NULL;
	stats->policies = NULL;
}

/* The sum over all CPUs, less @base (NULL: nothing) where the object began. */
void mwan_stats_read(struct mwan_counters __percpu *array, unsigned int id,
		     const struct mwan_totals *base, struct mwan_totals *t)
{
	unsigned int k, start;
	int cpu;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct mwan_counters *c = per_cpu_ptr(array, cpu) + id;
		struct mwan_totals one;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			for (k = 0; k < MWAN_NR_COUNTS; k++)
				one.v[k] = u64_stats_read(&c->v[k]);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		for (k = 0; k < MWAN_NR_COUNTS; k++)
			t->v[k] += one.v[k];
	}
	for (k = 0; base && k < MWAN_NR_COUNTS; k++)
		t->v[k] -= base->v[k];
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

int mwan_stats_put(struct sk_buff *msg, int attr, const struct mwan_totals *t)
{
	struct nlattr *nest = nla_nest_start(msg, attr);
	unsigned int k;

	if (!nest)
		return -EMSGSIZE;
	for (k = 0; k < MWAN_NR_COUNTS; k++)
		if (nla_put_u64_64bit(msg, count_attr[k], t->v[k],
				      MWAN_STATS_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}
