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

/* One per MWAN_STATS_A_* counter; mwan_stats_put() maps them. */
enum mwan_count {
	MWAN_COUNT_NEW_FLOW,
	MWAN_COUNT_TX_PACKETS,
	MWAN_COUNT_TX_BYTES,
	MWAN_COUNT_RX_PACKETS,
	MWAN_COUNT_RX_BYTES,
	MWAN_COUNT_REFUSED,
	MWAN_COUNT_NPT_OUT,
	MWAN_COUNT_NPT_IN,
	MWAN_COUNT_NPT_DROPPED,
	MWAN_COUNT_MAP4_OUT,
	MWAN_COUNT_MAP4_IN,
	MWAN_NR_COUNTS,
	/* what mwan_count() is told: a packet and its bytes */
	MWAN_COUNT_TX = MWAN_NR_COUNTS,
	MWAN_COUNT_RX,
};

struct mwan_counters {
	u64_stats_t v[MWAN_NR_COUNTS];
	struct u64_stats_sync syncp;
};

/* What a reader gets: a sum over all CPUs. */
struct mwan_totals {
	u64 v[MWAN_NR_COUNTS];
};

struct mwan_stats {
	struct mwan_counters __percpu *links;		/* [MWAN_LINK_ID_MAX + 1] */
	struct mwan_counters __percpu *policies;	/* [MWAN_POLICY_ID_MAX + 1] */
};

int mwan_stats_init(struct mwan_stats *stats);
void mwan_stats_free(struct mwan_stats *stats);
void mwan_stats_read(struct mwan_counters __percpu *array, unsigned int id,
		     const struct mwan_totals *base, struct mwan_totals *t);
int mwan_stats_put(struct sk_buff *msg, int attr, const struct mwan_totals *t);

/*
 * Hooks run in softirq (PRE_ROUTING, netdev ingress) and in process context
 * (LOCAL_OUT); disabling bottom halves keeps one CPU's counters
 * single-writer. @what is a counter, or MWAN_COUNT_TX/RX: a packet of @len
 * bytes.
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
	case MWAN_COUNT_TX:
		u64_stats_inc(&c->v[MWAN_COUNT_TX_PACKETS]);
		u64_stats_add(&c->v[MWAN_COUNT_TX_BYTES], len);
		break;
	case MWAN_COUNT_RX:
		u64_stats_inc(&c->v[MWAN_COUNT_RX_PACKETS]);
		u64_stats_add(&c->v[MWAN_COUNT_RX_BYTES], len);
		break;
	default:
		u64_stats_inc(&c->v[what]);
		break;
	}
	u64_stats_update_end(&c->syncp);
	local_bh_enable();
}

#endif /* _MWAN_STATS_H */
