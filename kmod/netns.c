// SPDX-License-Identifier: GPL-2.0
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack.h>
#include "ct_forget.h"
#include "hooks.h"
#include "map4_nat.h"
#include "netns.h"
#include "npt_dev.h"

static unsigned int mwan_net_id __read_mostly;

struct mwan_net *mwan_net(const struct net *net)
{
	return net_generic(net, mwan_net_id);
}

/* The running config for a writer holding mn->lock; NULL before the first. */
struct mwan_config *mwan_net_config(struct mwan_net *mn)
{
	return rcu_dereference_protected(mn->config,
					 lockdep_is_held(&mn->lock));
}

static int activate(struct mwan_net *mn)
{
	int ret;

	ret = nf_ct_netns_get(mn->net, NFPROTO_INET);
	if (ret)
		return ret;
	ret = mwan_hooks_register(mn);
	if (ret) {
		nf_ct_netns_put(mn->net, NFPROTO_INET);
		return ret;
	}
	mn->active = true;
	return 0;
}

static void deactivate(struct mwan_net *mn)
{
	mwan_npt_devs_prune(mn, NULL);
	mwan_map4_nat_release(mn);
	mwan_hooks_unregister(mn);
	nf_ct_netns_put(mn->net, NFPROTO_INET);
	mn->active = false;
}

/* Counters of a link go on while it keeps its name and device. */
static bool counts_on(const struct mwan_link *l, const struct mwan_link *prev)
{
	return prev->id && prev->ifindex == l->ifindex &&
	       !strcmp(prev->name, l->name);
}

/* Make *@slot hold @stats (NULL: a new set). */
static int hold_stats(struct mwan_stats **slot, struct mwan_stats *stats)
{
	if (stats && *slot == stats)
		return 0;
	if (!stats) {
		stats = mwan_stats_new();
		if (!stats)
			return -ENOMEM;
	} else {
		mwan_stats_get(stats);
	}
	mwan_stats_put(*slot);
	*slot = stats;
	return 0;
}

/*
 * Every object of @cfg takes the counters of its predecessor in @old, or
 * new ones if it is new, or now stands for another device.
 */
static int share_stats(struct mwan_config *cfg, const struct mwan_config *old)
{
	unsigned int i;
	int ret;

	for (i = 1; i <= MWAN_LINK_ID_MAX; i++) {
		struct mwan_link *l = &cfg->links[i];
		const struct mwan_link *prev = old ? &old->links[i] : NULL;

		if (!l->id)
			continue;
		ret = hold_stats(&l->stats, prev && counts_on(l, prev) ?
					    prev->stats : NULL);
		if (ret)
			return ret;
	}
	for (i = 1; i <= MWAN_POLICY_ID_MAX; i++) {
		struct mwan_policy *p = cfg->policies[i];
		const struct mwan_policy *prev = old ? old->policies[i] : NULL;

		/* finalizing left a policy shared only if it is old's */
		if (!p || p == prev)
			continue;
		if (!prev && p->stats)
			continue;
		ret = hold_stats(&p->stats, prev ? prev->stats : NULL);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * A link's state keeps its age while the link keeps its state, name and
 * device; a new state, or a new link, starts from now.
 */
static void stamp_states(struct mwan_config *cfg,
			 const struct mwan_config *old)
{
	u64 now = get_jiffies_64();
	unsigned int i;

	for (i = 1; i <= MWAN_LINK_ID_MAX; i++) {
		struct mwan_link *l = &cfg->links[i];
		const struct mwan_link *prev = old ? &old->links[i] : NULL;

		if (!l->id)
			continue;
		if (prev && counts_on(l, prev) && prev->state == l->state)
			l->state_since = prev->state_since;
		else
			l->state_since = now;
	}
}

/*
 * Make @cfg the running configuration, or free it and change nothing. The
 * caller holds mn->lock, and RTNL if @cfg hooks or unhooks a device. A
 * change that readers cannot see (links retiring) keeps the generation.
 */
static int commit(struct mwan_net *mn, struct mwan_config *cfg, bool seen)
{
	struct mwan_config *old = mwan_net_config(mn);
	bool devs = !mwan_npt_devs_same(old, cfg);
	int ret;

	ret = mwan_config_finalize(cfg, old) ?: share_stats(cfg, old);
	if (!ret && !mn->active)
		ret = activate(mn);
	if (!ret && devs)
		ret = mwan_npt_devs_attach(mn, cfg);
	if (!ret)
		ret = mwan_map4_nat_attach(mn, cfg);
	if (ret) {
		if (devs && mn->active)
			mwan_npt_devs_prune(mn, old);
		mwan_config_free(cfg);
		return ret;
	}
	stamp_states(cfg, old);
	cfg->generation = old ? old->generation + seen : 1;
	rcu_assign_pointer(mn->config, cfg);
	mwan_config_free_rcu(old);
	if (devs)
		mwan_npt_devs_prune(mn, cfg);
	return 0;
}

/*
 * Links of @old that @cfg ends: gone, or their id now names a link with
 * another name and device. All of them if the mark mask changes, since the
 * bits in their connections' marks would then be read under the new mask.
 */
static bool ending_links(const struct mwan_config *old,
			 const struct mwan_config *cfg, struct mwan_forget *f)
{
	unsigned int i;

	mwan_forget_init(f, old);
	for (i = 1; i <= MWAN_LINK_ID_MAX; i++) {
		const struct mwan_link *was = &old->links[i];
		const struct mwan_link *now = &cfg->links[i];

		if (!was->id)
			continue;
		if (cfg->mark_mask != old->mark_mask || !now->id ||
		    (strcmp(was->name, now->name) && was->ifindex != now->ifindex))
			__set_bit(i, f->links);
	}
	return !bitmap_empty(f->links, MWAN_LINK_ID_MAX + 1);
}

/*
 * The running config with the ending links retired: no new connection is
 * bound to them or mapped by them, while their existing ones still leave by
 * them until the walk removes them. When every link ends (a mark mask
 * change, an unload), new connections are left alone meanwhile rather than
 * refused.
 */
static struct mwan_config *retired(const struct mwan_config *old,
				   const struct mwan_forget *f)
{
	struct mwan_config *cfg = mwan_config_clone(old);
	unsigned int i;

	if (!cfg)
		return NULL;
	for_each_set_bit(i, f->links, MWAN_LINK_ID_MAX + 1)
		cfg->links[i].retiring = true;
	if (bitmap_weight(f->links, MWAN_LINK_ID_MAX + 1) == old->nlinks)
		cfg->enabled = false;
	return cfg;
}

/*
 * Make @cfg the running configuration, or free it and change nothing
 * visible. The caller holds mn->change_lock and mn->lock, and RTNL if
 * @rtnl (needed if @cfg hooks or unhooks a device); both locks are let go
 * and taken again while the connections of links that end are removed.
 *
 * Those connections carry their link's id in the conntrack mark. Were the
 * id handed to another link (or read under another mask) while they live,
 * their packets would leave by that link with the old link's source
 * address. So first their links are retired in the running config, then
 * the connections are removed, and only then does @cfg take over.
 */
int mwan_net_change(struct mwan_net *mn, struct mwan_config *cfg, bool rtnl)
{
	struct mwan_config *old = mwan_net_config(mn), *quiet;
	struct mwan_forget f;
	int ret;

	lockdep_assert_held(&mn->change_lock);
	if (!old || !ending_links(old, cfg, &f))
		return commit(mn, cfg, true);
	quiet = retired(old, &f);
	ret = quiet ? commit(mn, quiet, false) : -ENOMEM;
	if (ret) {
		mwan_config_free(cfg);
		return ret;
	}
	mutex_unlock(&mn->lock);
	if (rtnl)
		rtnl_unlock();
	mwan_forget_run(mn->net, &f, 0, false);
	if (rtnl)
		rtnl_lock();
	mutex_lock(&mn->lock);
	ret = commit(mn, cfg, true);
	if (ret) {
		/* back to the old links: their connections just start over */
		quiet = mwan_config_clone(mwan_net_config(mn));
		if (quiet)
			commit(mn, quiet, false);
	}
	return ret;
}

static int __net_init mwan_net_init(struct net *net)
{
	struct mwan_net *mn = mwan_net(net);

	mn->net = net;
	mutex_init(&mn->change_lock);
	mutex_init(&mn->lock);
	INIT_LIST_HEAD(&mn->npt_devs);
	return 0;
}

/*
 * Connections bound to links would otherwise outlive mwan with link bits
 * nobody restores (they fall to the main table with another link's source
 * address), and 1:1-mapped ones would lose the NAT core if mwan was its only
 * user. So when mwan leaves a namespace that lives on (module unload), every
 * link retires first, as for a mark mask change, and their connections are
 * removed; only then do the hooks go.
 */
static void forget_all(struct mwan_net *mn)
{
	struct mwan_config *cfg, *quiet, *dying = NULL;
	struct mwan_forget f;
	unsigned int i;

	mutex_lock(&mn->lock);
	cfg = mwan_net_config(mn);
	mwan_forget_init(&f, cfg);
	for (i = 0; i < cfg->nlinks; i++)
		__set_bit(cfg->link_order[i], f.links);
	quiet = retired(cfg, &f);
	if (quiet && !commit(mn, quiet, false)) {
		cfg = quiet;	/* runs until the hooks go */
	} else {
		RCU_INIT_POINTER(mn->config, NULL);
		dying = cfg;
	}
	f.map4 = cfg;
	mutex_unlock(&mn->lock);
	synchronize_rcu();	/* no hook binds or maps new connections now */
	mwan_forget_run(mn->net, &f, 0, false);
	mwan_config_free(dying);
}

static void __net_exit mwan_net_pre_exit(struct net *net)
{
	struct mwan_net *mn = mwan_net(net);
	struct mwan_config *cfg;

	if (!mn->active)	/* never used here: no RTNL, nothing to undo */
		return;
	if (check_net(net))
		forget_all(mn);
	rtnl_lock();
	mutex_lock(&mn->lock);
	cfg = mwan_net_config(mn);
	RCU_INIT_POINTER(mn->config, NULL);
	deactivate(mn);
	mutex_unlock(&mn->lock);
	rtnl_unlock();
	mwan_config_free_rcu(cfg);
}

static struct pernet_operations mwan_net_ops = {
	.init = mwan_net_init,
	.pre_exit = mwan_net_pre_exit,
	.id = &mwan_net_id,
	.size = sizeof(struct mwan_net),
};

int mwan_netns_init(void)
{
	return register_pernet_subsys(&mwan_net_ops);
}

void mwan_netns_exit(void)
{
	unregister_pernet_subsys(&mwan_net_ops);
}
