/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU counters for links and policies, indexed by object id. They live
 * outside the config snapshots so they survive changes that keep the object.
 */
#ifndef _MWAN_STATS_H
#define _MWAN_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/mwan.h>

struct sk_buff;

struct mwan_counters {
	u64_stats_t new_flows;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t refused;
	struct u64_stats_sync syncp;
};

/* What a reader gets: a sum over all CPUs. */
struct mwan_totals {
	u64 new_flows, tx_packets, tx_bytes, rx_packets, rx_bytes, refused;
};

struct mwan_stats {
	struct mwan_counters __percpu *links;		/* [MWAN_LINK_ID_MAX + 1] */
	struct mwan_counters __percpu *policies;	/* [MWAN_POLICY_ID_MAX + 1] */
};

int mwan_stats_init(struct mwan_stats *stats);
void mwan_stats_free(struct mwan_stats *stats);
void mwan_stats_reset(struct mwan_counters __percpu *array, unsigned int id);
void mwan_stats_read(struct mwan_counters __percpu *array, unsigned int id,
		     struct mwan_totals *t);
int mwan_stats_put(struct sk_buff *msg, int attr, const struct mwan_totals *t);

enum mwan_count {
	MWAN_COUNT_NEW_FLOW,
	MWAN_COUNT_TX,
	MWAN_COUNT_RX,
	MWAN_COUNT_REFUSED,
};

/*
 * Hooks run in softirq (PRE_ROUTING) and in process context (LOCAL_OUT);
 * disabling bottom halves keeps one CPU's counters single-writer.
 */
static inline void mwan_count(struct mwan_counters __percpu *array,
			      unsigned int id, enum mwan_count what,
			      unsigned int len)
{
	struct mwan_counters *c;

	local_bh_disable();
	c = this_cpu_ptr(array) + id;
	u64_stats_update_begin(&c->syncp);
	switch (what) {
	case MWAN_COUNT_NEW_FLOW:
		u64_stats_inc(&c->new_flows);
		break;
	case MWAN_COUNT_TX:
		u64_stats_inc(&c->tx_packets);
		u64_stats_add(&c->tx_bytes, len);
		break;
	case MWAN_COUNT_RX:
		u64_stats_inc(&c->rx_packets);
		u64_stats_add(&c->rx_bytes, len);
		break;
	case MWAN_COUNT_REFUSED:
		u64_stats_inc(&c->refused);
		break;
	}
	u64_stats_update_end(&c->syncp);
	local_bh_enable();
}

#endif /* _MWAN_STATS_H */
