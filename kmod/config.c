// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration snapshots: allocation, cloning, lookups, and the derived
 * state (bucket tables, link order) computed before a snapshot goes live.
 */
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "config.h"

static struct workqueue_struct *mwan_free_wq;

struct mwan_config *mwan_config_new(void)
{
	struct mwan_config *cfg = kvzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);

	if (!cfg)
		return NULL;
	cfg->mark_mask = MWAN_DEFAULT_MARK_MASK;
	cfg->mark_shift = __ffs(MWAN_DEFAULT_MARK_MASK);
	cfg->enabled = true;
	cfg->hash_seed = get_random_u32();
	return cfg;
}

struct mwan_policy *mwan_policy_alloc(void)
{
	struct mwan_policy *p = kvzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);

	if (p)
		refcount_set(&p->refs, 1);
	return p;
}

void mwan_policy_put(struct mwan_policy *p)
{
	if (p && refcount_dec_and_test(&p->refs)) {
		mwan_stats_put(p->stats);
		kvfree(p);
	}
}

/*
 * The policy @id of the unpublished @cfg, made its own. A policy only @cfg
 * holds is unknown to readers; one shared with other snapshots is copied.
 */
struct mwan_policy *mwan_policy_writable(struct mwan_config *cfg, u8 id)
{
	struct mwan_policy *p = cfg->policies[id], *copy;

	if (refcount_read(&p->refs) == 1)
		return p;
	copy = kvmalloc(sizeof(*copy), GFP_KERNEL_ACCOUNT);
	if (!copy)
		return NULL;
	memcpy(copy, p, sizeof(*copy));
	refcount_set(&copy->refs, 1);
	mwan_stats_get(copy->stats);
	mwan_policy_put(p);
	cfg->policies[id] = copy;
	return copy;
}

void mwan_config_del_policy(struct mwan_config *cfg, u8 id)
{
	mwan_policy_put(cfg->policies[id]);
	cfg->policies[id] = NULL;
}

void mwan_config_free(struct mwan_config *cfg)
{
	unsigned int i;

	if (!cfg)
		return;
	for (i = 1; i <= MWAN_LINK_ID_MAX; i++)
		mwan_stats_put(cfg->links[i].stats);
	for (i = 0; i <= MWAN_POLICY_ID_MAX; i++)
		mwan_policy_put(cfg->policies[i]);
	kvfree(cfg->rules);
	kvfree(cfg);
}

static void free_work(struct work_struct *work)
{
	mwan_config_free(container_of(to_rcu_work(work), struct mwan_config,
				      free_work));
}

/* vfree may sleep, so the free runs from a workqueue after a grace period. */
void mwan_config_free_rcu(struct mwan_config *cfg)
{
	if (!cfg)
		return;
	INIT_RCU_WORK(&cfg->free_work, free_work);
	queue_rcu_work(mwan_free_wq, &cfg->free_work);
}

/* Policies are shared, not copied: most changes leave them alone. */
struct mwan_config *mwan_config_clone(const struct mwan_config *old)
{
	struct mwan_config *cfg;
	unsigned int i;

	cfg = kvmalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return NULL;
	memcpy(cfg, old, sizeof(*cfg));
	cfg->rules = NULL;
	if (old->nrules) {
		cfg->rules = kvmalloc_array(old->nrules, sizeof(*cfg->rules),
					    GFP_KERNEL_ACCOUNT);
		if (!cfg->rules) {
			kvfree(cfg);
			return NULL;
		}
		memcpy(cfg->rules, old->rules,
		       old->nrules * sizeof(*cfg->rules));
	}
	for (i = 0; i <= MWAN_POLICY_ID_MAX; i++)
		if (cfg->policies[i])
			refcount_inc(&cfg->policies[i]->refs);
	for (i = 1; i <= MWAN_LINK_ID_MAX; i++) {
		mwan_stats_get(cfg->links[i].stats);
		cfg->links[i].retiring = false;
	}
	return cfg;
}

struct mwan_link *mwan_link_by_name(struct mwan_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 1; i <= MWAN_LINK_ID_MAX; i++)
		if (cfg->links[i].id && !strcmp(cfg->links[i].name, name))
			return &cfg->links[i];
	return NULL;
}

struct mwan_policy *mwan_policy_by_name(struct mwan_config *cfg,
					const char *name)
{
	unsigned int i;

	for (i = 1; i <= MWAN_POLICY_ID_MAX; i++)
		if (cfg->policies[i] && !strcmp(cfg->policies[i]->name, name))
			return cfg->policies[i];
	return NULL;
}

int mwan_rule_by_id(const struct mwan_config *cfg, u32 id)
{
	unsigned int i;

	for (i = 0; i < cfg->nrules; i++)
		if (cfg->rules[i].id == id)
			return i;
	return -1;
}

int mwan_rule_by_name(const struct mwan_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->nrules; i++)
		if (!strcmp(cfg->rules[i].name, name))
			return i;
	return -1;
}

/* Insert @rule, or overwrite the rule with its id, keeping id order. */
int mwan_config_set_rule(struct mwan_config *cfg, const struct mwan_rule *rule)
{
	struct mwan_rule *rules;
	unsigned int pos;
	int at = mwan_rule_by_id(cfg, rule->id);

	if (at >= 0) {
		cfg->rules[at] = *rule;
		return 0;
	}
	rules = kvmalloc_array(cfg->nrules + 1, sizeof(*rules),
				GFP_KERNEL_ACCOUNT);
	if (!rules)
		return -ENOMEM;
	for (pos = 0; pos < cfg->nrules && cfg->rules[pos].id < rule->id; pos++)
		;
	memcpy(rules, cfg->rules, pos * sizeof(*rules));
	rules[pos] = *rule;
	memcpy(rules + pos + 1, cfg->rules + pos,
	       (cfg->nrules - pos) * sizeof(*rules));
	kvfree(cfg->rules);
	cfg->rules = rules;
	cfg->nrules++;
	return 0;
}

void mwan_config_del_rule(struct mwan_config *cfg, unsigned int index)
{
	memmove(cfg->rules + index, cfg->rules + index + 1,
		(cfg->nrules - index - 1) * sizeof(*cfg->rules));
	cfg->nrules--;
}

static const struct mwan_tier *old_tier(const struct mwan_config *old, u8 id,
					u32 metric)
{
	const struct mwan_policy *p = old ? old->policies[id] : NULL;
	unsigned int i;

	for (i = 0; p && i < p->ntiers; i++)
		if (p->tiers[i].metric == metric)
			return &p->tiers[i];
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Distinct member metrics, ascending; parsing allowed MWAN_MAX_TIERS. */
static unsigned int tier_metrics(const struct mwan_policy *p, u32 *metrics)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < p->nmembers; i++) {
		for (j = 0; j < n && metrics[j] != p->members[i].metric; j++)
			;
		if (j == n)
			metrics[n++] = p->members[i].metric;
	}
	sort(metrics, n, sizeof(*metrics), cmp_u32, NULL);
	return n;
}

/*
 * Rebuild one tier from the links of this metric that are up, starting from
 * the tier's previous buckets so that as few buckets as possible move.
 */
static void build_tier(const struct mwan_config *cfg, struct mwan_policy *p,
		       struct mwan_tier *tier, const struct mwan_tier *prev,
		       struct mwan_table_scratch *scratch)
{
	struct mwan_table_entry *entries = scratch->entries;
	unsigned int i, n = 0;

	BUILD_BUG_ON(MWAN_MAX_MEMBERS > MWAN_TABLE_MAX_ENTRIES);
	if (prev)
		memcpy(tier->buckets, prev->buckets, sizeof(tier->buckets));
	else
		memset(tier->buckets, 0, sizeof(tier->buckets));
	for (i = 0; i < p->nmembers; i++) {
		const struct mwan_member *m = &p->members[i];

		if (m->metric != tier->metric || !mwan_link_usable(cfg, m->link))
			continue;
		entries[n].link = m->link;
		entries[n].weight = mwan_member_weight(cfg, m);
		n++;
	}
	tier->usable = n > 0;
	mwan_table_build(tier->buckets, entries, n, scratch);
}

static void build_policy(const struct mwan_config *cfg, struct mwan_policy *p,
			 const struct mwan_config *old,
			 struct mwan_table_scratch *scratch)
{
	u32 metrics[MWAN_MAX_TIERS];
	unsigned int i;

	p->ntiers = tier_metrics(p, metrics);
	p->active = -1;
	for (i = 0; i < p->ntiers; i++) {
		struct mwan_tier *tier = &p->tiers[i];

		tier->metric = metrics[i];
		build_tier(cfg, p, tier, old_tier(old, p->id, metrics[i]),
			   scratch);
		if (tier->usable && p->active < 0)
			p->active = i;
	}
}

/* Would @p's tables in @cfg come out as those of its predecessor in @old? */
static const struct mwan_policy *same_tables(const struct mwan_config *cfg,
					     const struct mwan_policy *p,
					     const struct mwan_config *old)
{
	const struct mwan_policy *prev = old ? old->policies[p->id] : NULL;
	unsigned int i;

	if (!prev || prev->nmembers != p->nmembers ||
	    memcmp(prev->members, p->members,
		   p->nmembers * sizeof(p->members[0])))
		return NULL;
	for (i = 0; i < p->nmembers; i++) {
		const struct mwan_member *m = &p->members[i];

		if (mwan_link_usable(cfg, m->link) !=
		    mwan_link_usable(old, m->link) ||
		    mwan_member_weight(cfg, m) != mwan_member_weight(old, m))
			return NULL;
	}
	return prev;
}

/*
 * Rebuild the tables of policy @id if its members or their state or weight
 * changed: an RTT figure pushed at probe rate rebuilds and copies nothing.
 */
static int finalize_policy(struct mwan_config *cfg, u8 id,
			   const struct mwan_config *old,
			   struct mwan_table_scratch *scratch)
{
	const struct mwan_policy *prev = same_tables(cfg, cfg->policies[id], old);
	struct mwan_policy *p;

	if (prev == cfg->policies[id])
		return 0;
	p = mwan_policy_writable(cfg, id);
	if (!p)
		return -ENOMEM;
	if (!prev) {
		build_policy(cfg, p, old, scratch);
		return 0;
	}
	p->ntiers = prev->ntiers;
	p->active = prev->active;
	memcpy(p->tiers, prev->tiers, sizeof(p->tiers));
	return 0;
}

/*
 * Compute what the data path reads from the validated objects of @cfg:
 * mark shift, the links in use and their devices, and every policy's
 * bucket tables, each rebuilt from its predecessor in @old (may be NULL).
 */
int mwan_config_finalize(struct mwan_config *cfg,
			 const struct mwan_config *old)
{
	struct mwan_table_scratch *scratch;
	unsigned int i;
	int ret = 0;

	scratch = kmalloc(sizeof(*scratch), GFP_KERNEL);
	if (!scratch)
		return -ENOMEM;
	cfg->mark_shift = __ffs(cfg->mark_mask);
	cfg->nlinks = 0;
	cfg->nxlat = 0;
	mwan_dev_index_clear(&cfg->devs);
	for (i = 1; i <= MWAN_LINK_ID_MAX; i++) {
		if (!cfg->links[i].id)
			continue;
		cfg->link_order[cfg->nlinks++] = i;
		mwan_dev_index_add(&cfg->devs, cfg->links[i].ifindex, i);
		if (mwan_link_translates(&cfg->links[i]))
			cfg->xlat_order[cfg->nxlat++] = i;
	}
	for (i = 1; i <= MWAN_POLICY_ID_MAX && !ret; i++)
		if (cfg->policies[i])
			ret = finalize_policy(cfg, i, old, scratch);
	kfree(scratch);
	return ret;
}

int mwan_config_init(void)
{
	mwan_free_wq = alloc_workqueue("mwan_free", WQ_UNBOUND, 0);
	return mwan_free_wq ? 0 : -ENOMEM;
}

/* Called after every netns is gone: wait out pending frees. */
void mwan_config_exit(void)
{
	rcu_barrier();
	destroy_workqueue(mwan_free_wq);
}
