// SPDX-License-Identifier: GPL-2.0
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack.h>
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

	ret = mwan_stats_init(&mn->stats);
	if (ret)
		return ret;
	ret = nf_ct_netns_get(mn->net, NFPROTO_INET);
	if (ret)
		goto err_stats;
	ret = mwan_hooks_register(mn);
	if (ret)
		goto err_conntrack;
	mn->active = true;
	return 0;

err_conntrack:
	nf_ct_netns_put(mn->net, NFPROTO_INET);
err_stats:
	mwan_stats_free(&mn->stats);
	return ret;
}

static void deactivate(struct mwan_net *mn)
{
	if (!mn->active)
		return;
	mwan_npt_devs_prune(mn, NULL);
	mwan_map4_nat_release(mn);
	mwan_hooks_unregister(mn);
	nf_ct_netns_put(mn->net, NFPROTO_INET);
	mn->active = false;
}

/* Objects that are new, or now stand for another device, count from zero. */
static void reset_new_counters(struct mwan_net *mn,
			       const struct mwan_config *cfg,
			       const struct mwan_config *old)
{
	unsigned int i;

	for (i = 1; i <= MWAN_LINK_ID_MAX; i++) {
		const struct mwan_link *l = &cfg->links[i];

		if (l->id && (!old || !old->links[i].id ||
			      old->links[i].ifindex != l->ifindex))
			mwan_stats_reset(mn->stats.links, i);
	}
	for (i = 1; i <= MWAN_POLICY_ID_MAX; i++)
		if (cfg->policies[i] && (!old || !old->policies[i]))
			mwan_stats_reset(mn->stats.policies, i);
}

/* What translation in @cfg needs is in place before it runs. */
static int attach_xlat(struct mwan_net *mn, const struct mwan_config *cfg)
{
	return mwan_npt_devs_attach(mn, cfg) ?: mwan_map4_nat_attach(mn, cfg);
}

/*
 * Make @cfg the running configuration, or free it and change nothing. The
 * caller holds RTNL and mn->lock and has validated every object in @cfg.
 */
int mwan_net_commit(struct mwan_net *mn, struct mwan_config *cfg)
{
	struct mwan_config *old = mwan_net_config(mn);
	int ret;

	ret = mwan_config_finalize(cfg, old);
	if (!ret && !mn->active)
		ret = activate(mn);
	if (!ret)
		ret = attach_xlat(mn, cfg);
	if (ret) {
		if (mn->active)
			mwan_npt_devs_prune(mn, old);
		mwan_config_free(cfg);
		return ret;
	}
	reset_new_counters(mn, cfg, old);
	rcu_assign_pointer(mn->config, cfg);
	mwan_config_free_rcu(old);
	mwan_npt_devs_prune(mn, cfg);
	return 0;
}

static int __net_init mwan_net_init(struct net *net)
{
	struct mwan_net *mn = mwan_net(net);

	mn->net = net;
	mutex_init(&mn->lock);
	INIT_LIST_HEAD(&mn->npt_devs);
	return 0;
}

static void __net_exit mwan_net_pre_exit(struct net *net)
{
	struct mwan_net *mn = mwan_net(net);

	rtnl_lock();
	mutex_lock(&mn->lock);
	deactivate(mn);
	mutex_unlock(&mn->lock);
	rtnl_unlock();
}

/* Runs a grace period after pre_exit: no hook can see the config any more. */
static void __net_exit mwan_net_exit(struct net *net)
{
	struct mwan_net *mn = mwan_net(net);

	mwan_config_free(rcu_dereference_protected(mn->config, true));
	RCU_INIT_POINTER(mn->config, NULL);
	mwan_stats_free(&mn->stats);
}

static struct pernet_operations mwan_net_ops = {
	.init = mwan_net_init,
	.pre_exit = mwan_net_pre_exit,
	.exit = mwan_net_exit,
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
