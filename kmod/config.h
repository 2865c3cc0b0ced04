/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration of one network namespace, as one immutable snapshot.
 *
 * Hooks read the current snapshot under RCU and never lock. Every change,
 * from a weight tweak to a whole replace, clones the snapshot, edits the
 * clone, validates it as a whole and publishes it; the old one is freed after
 * a grace period. So a change is atomic, and an invalid one changes nothing.
 */
#ifndef _MWAN_CONFIG_H
#define _MWAN_CONFIG_H

#include <linux/netfilter.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <uapi/linux/mwan.h>
#include "devindex.h"
#include "map4.h"
#include "npt.h"
#include "stats.h"
#include "table.h"

struct mwan_link {
	char name[MWAN_NAME_MAX];
	u32 ifindex;
	u32 weight;
	u32 rtt_us;
	u32 loss_ppm;
	u8 id;		/* 0: this slot is empty */
	u8 state;	/* enum mwan_link_state */
	u8 health;	/* enum mwan_link_health, for show only */
	bool has_map4;
	/*
	 * Going away: its connections are being removed from conntrack, and
	 * meanwhile no new connection is bound to it or mapped by it (its
	 * existing ones still leave by it until they are gone).
	 */
	bool retiring;
	struct mwan_npt npt;	/* .len 0: no NPTv6 */
	struct mwan_map4 map4;
	struct mwan_stats *stats;	/* shared by the snapshots holding it */
	u64 state_since;	/* jiffies_64 of the last state change */
};

static inline bool mwan_link_translates(const struct mwan_link *l)
{
	return l->npt.len || l->has_map4;
}

struct mwan_member {
	u32 metric;
	u32 weight;	/* 0: the link's own weight */
	u8 link;
};

struct mwan_tier {
	u32 metric;
	bool usable;	/* has a member that is up */
	u8 buckets[MWAN_BUCKETS];
};

/*
 * Policies are shared between snapshots: a change that leaves a policy and
 * the state and weight of its members alone keeps the same object, tables
 * and all. A shared policy is never written; mwan_policy_writable() gives
 * the snapshot a copy of its own first.
 */
struct mwan_policy {
	refcount_t refs;		/* snapshots holding it */
	char name[MWAN_NAME_MAX];
	u8 id;
	u8 mode;		/* enum mwan_balance_mode */
	u8 last_resort;		/* enum mwan_last_resort */
	u8 nmembers;
	u8 ntiers;
	s8 active;		/* first usable tier, or -1 */
	struct mwan_member members[MWAN_MAX_MEMBERS];
	struct mwan_stats *stats;	/* outlives copies of the policy */
	struct mwan_tier tiers[MWAN_MAX_TIERS];	/* by ascending metric */
};

enum {
	MWAN_MATCH_SRC = 1 << 0,
	MWAN_MATCH_DST = 1 << 1,
	MWAN_MATCH_SPORT = 1 << 2,
	MWAN_MATCH_DPORT = 1 << 3,
	MWAN_MATCH_IIF = 1 << 4,
	MWAN_MATCH_MARK = 1 << 5,
	MWAN_MATCH_CGROUP = 1 << 6,
};

struct mwan_rule {
	char name[MWAN_NAME_MAX];
	u32 id;
	u32 flags;		/* MWAN_RULE_F_* */
	u32 match;		/* MWAN_MATCH_* */
	u8 policy;
	u8 family;		/* 0: both */
	u8 proto;		/* 0: any */
	u8 src_len, dst_len;
	union nf_inet_addr src, dst;	/* already masked */
	u16 sport_min, sport_max, dport_min, dport_max;
	u32 iifindex;
	u32 mark, mark_mask;
	u64 cgroup_id;		/* the socket's ancestor at cgroup_level */
	u16 cgroup_level;
};

/* What every packet reads comes first, in the first cache line. */
struct mwan_config {
	u32 mark_mask;
	u8 mark_shift;
	bool enabled;
	u8 default_policy;
	u8 nlinks;
	u8 nxlat;
	unsigned int nrules;
	struct mwan_rule *rules;		/* sorted by id */
	u32 hash_seed;
	u32 generation;
	u8 link_order[MWAN_LINK_ID_MAX];	/* ids of the links in use */
	u8 xlat_order[MWAN_LINK_ID_MAX];	/* ids of translating links */
	struct mwan_dev_index devs;		/* each link's device */
	struct mwan_link links[MWAN_LINK_ID_MAX + 1];	/* by id */
	struct mwan_policy *policies[MWAN_POLICY_ID_MAX + 1];	/* by id */
	struct rcu_work free_work;
};

struct mwan_config *mwan_config_new(void);
struct mwan_config *mwan_config_clone(const struct mwan_config *old);
void mwan_config_free(struct mwan_config *cfg);
void mwan_config_free_rcu(struct mwan_config *cfg);
int mwan_config_finalize(struct mwan_config *cfg,
			 const struct mwan_config *old);
int mwan_config_init(void);
void mwan_config_exit(void);

struct mwan_policy *mwan_policy_alloc(void);
void mwan_policy_put(struct mwan_policy *p);
struct mwan_policy *mwan_policy_writable(struct mwan_config *cfg, u8 id);
void mwan_config_del_policy(struct mwan_config *cfg, u8 id);
int mwan_config_set_rule(struct mwan_config *cfg, const struct mwan_rule *rule);
void mwan_config_del_rule(struct mwan_config *cfg, unsigned int index);

struct mwan_link *mwan_link_by_name(struct mwan_config *cfg, const char *name);
struct mwan_policy *mwan_policy_by_name(struct mwan_config *cfg,
					const char *name);
int mwan_rule_by_id(const struct mwan_config *cfg, u32 id);
int mwan_rule_by_name(const struct mwan_config *cfg, const char *name);

static inline u32 mwan_link_mark(const struct mwan_config *cfg, u8 id)
{
	return (u32)id << cfg->mark_shift;
}

static inline u8 mwan_link_max_id(u32 mask)
{
	return min_t(u32, mask >> __ffs(mask), MWAN_LINK_ID_MAX);
}

/* The link on device @ifindex, or NULL. */
static inline const struct mwan_link *
mwan_dev_link_of(const struct mwan_config *cfg, int ifindex)
{
	u8 id = mwan_dev_link(&cfg->devs, ifindex);

	return id ? &cfg->links[id] : NULL;
}

/* The link that translates on device @ifindex, or NULL. */
static inline const struct mwan_link *
mwan_xlat_link(const struct mwan_config *cfg, int ifindex)
{
	const struct mwan_link *l = mwan_dev_link_of(cfg, ifindex);

	return l && mwan_link_translates(l) ? l : NULL;
}

/* May new connections be bound to link @id? */
static inline bool mwan_link_usable(const struct mwan_config *cfg, u8 id)
{
	const struct mwan_link *l = &cfg->links[id];

	return l->id && l->state == MWAN_LINK_UP && !l->retiring;
}

static inline u32 mwan_member_weight(const struct mwan_config *cfg,
				     const struct mwan_member *m)
{
	return m->weight ?: cfg->links[m->link].weight;
}

#endif /* _MWAN_CONFIG_H */
