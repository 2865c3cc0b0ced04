/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MWAN_NETNS_H
#define _MWAN_NETNS_H

#include <linux/mutex.h>
#include <linux/netfilter.h>
#include "config.h"
#include "stats.h"

#define MWAN_NUM_HOOKS 4

/*
 * Per network namespace state. Hooks and conntrack are only switched on in a
 * namespace once it gets a configuration, so loading the module costs
 * nothing in namespaces that never use it.
 */
struct mwan_net {
	struct net *net;
	/*
	 * Writers hold change_lock from start to end, conntrack walks
	 * included, and take RTNL (only when a change hooks or unhooks a
	 * device) and then lock around each publication. The device
	 * notifier takes lock under RTNL, and readers take it alone; hooks
	 * take no lock.
	 */
	struct mutex change_lock;
	struct mutex lock;
	struct mwan_config __rcu *config;
	bool active;		/* hooks registered, conntrack held */
	bool map4_on;		/* NAT lookups registered */
	struct nf_hook_ops hook_ops[MWAN_NUM_HOOKS];
	struct nf_hook_ops map4_ops[2];
	struct list_head npt_devs;	/* devices hooked for NPTv6 */
};

struct mwan_net *mwan_net(const struct net *net);
struct mwan_config *mwan_net_config(struct mwan_net *mn);
int mwan_net_change(struct mwan_net *mn, struct mwan_config *cfg, bool rtnl);
int mwan_netns_init(void);
void mwan_netns_exit(void);

#endif /* _MWAN_NETNS_H */
