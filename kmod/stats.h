/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU counters, one set per link and per policy. A set belongs to its
 * object for as long as the object keeps its identity, across every
 * snapshot that holds it, so counters survive changes; a new object gets a
 * new set, zeroed. Sets exist only for configured objects, and their
 * memory is charged to whoever configured them.
 */
#ifndef _MWAN_STATS_H
#define _MWAN_STATS_H

#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
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
	refcount_t refs;	/* snapshots (or policy objects) holding it */
	struct mwan_counters __percpu *pcpu;
};

struct mwan_stats *mwan_stats_new(void);
void mwan_stats_put(struct mwan_stats *stats);

static inline struct mwan_stats *mwan_stats_get(struct mwan_stats *stats)
{
	if (stats)
		refcount_inc(&stats->refs);
	return stats;
}

void mwan_stats_read(const struct mwan_stats *stats, struct mwan_totals *t);
int mwan_stats_fill(struct sk_buff *msg, int attr, const struct mwan_stats *s);

/*
 * Count, where bottom halves are off already (softirq, the netdev hooks):
 * one CPU's counters then have a single writer, and no CPU ever writes
 * another's. @what is a counter, or MWAN_COUNT_TX/RX: a packet of @len
 * bytes.
 */
static inline void __mwan_count(struct mwan_stats *stats,
				enum mwan_count what, unsigned int len)
{
	struct mwan_counters *c;

	lockdep_assert_in_softirq();
	c = this_cpu_ptr(stats->pcpu);
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
}

/*
 * The inet hooks run in softirq (PRE_ROUTING) and in process context
 * (LOCAL_OUT): they count with bottom halves disabled.
 */
static inline void mwan_count(struct mwan_stats *stats, enum mwan_count what,
			      unsigned int len)
{
	local_bh_disable();
	__mwan_count(stats, what, len);
	local_bh_enable();
}

#endif /* _MWAN_STATS_H */
