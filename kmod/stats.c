// SPDX-License-Identifier: GPL-2.0
#include <net/netlink.h>
#include "stats.h"

static struct mwan_counters __percpu *alloc_array(unsigned int n)
{
	struct mwan_counters __percpu *array;
	int cpu;
	unsigned int i;

	array = __alloc_percpu(n * sizeof(struct mwan_counters),
			       __alignof__(struct mwan_counters));
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

/* A new object starts from zero. A packet racing the reset may survive it. */
void mwan_stats_reset(struct mwan_counters __percpu *array, unsigned int id)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct mwan_counters *c = per_cpu_ptr(array, cpu) + id;

		u64_stats_update_begin(&c->syncp);
		u64_stats_set(&c->new_flows, 0);
		u64_stats_set(&c->tx_packets, 0);
		u64_stats_set(&c->tx_bytes, 0);
		u64_stats_set(&c->rx_packets, 0);
		u64_stats_set(&c->rx_bytes, 0);
		u64_stats_set(&c->refused, 0);
		u64_stats_update_end(&c->syncp);
	}
}

void mwan_stats_read(struct mwan_counters __percpu *array, unsigned int id,
		     struct mwan_totals *t)
{
	int cpu;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct mwan_counters *c = per_cpu_ptr(array, cpu) + id;
		struct mwan_totals one;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			one.new_flows = u64_stats_read(&c->new_flows);
			one.tx_packets = u64_stats_read(&c->tx_packets);
			one.tx_bytes = u64_stats_read(&c->tx_bytes);
			one.rx_packets = u64_stats_read(&c->rx_packets);
			one.rx_bytes = u64_stats_read(&c->rx_bytes);
			one.refused = u64_stats_read(&c->refused);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		t->new_flows += one.new_flows;
		t->tx_packets += one.tx_packets;
		t->tx_bytes += one.tx_bytes;
		t->rx_packets += one.rx_packets;
		t->rx_bytes += one.rx_bytes;
		t->refused += one.refused;
	}
}

int mwan_stats_put(struct sk_buff *msg, int attr, const struct mwan_totals *t)
{
	struct nlattr *nest = nla_nest_start(msg, attr);

	if (!nest ||
	    nla_put_u64_64bit(msg, MWAN_STATS_A_NEW_FLOWS, t->new_flows,
			      MWAN_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MWAN_STATS_A_TX_PACKETS, t->tx_packets,
			      MWAN_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MWAN_STATS_A_TX_BYTES, t->tx_bytes,
			      MWAN_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MWAN_STATS_A_RX_PACKETS, t->rx_packets,
			      MWAN_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MWAN_STATS_A_RX_BYTES, t->rx_bytes,
			      MWAN_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MWAN_STATS_A_REFUSED, t->refused,
			      MWAN_STATS_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}
