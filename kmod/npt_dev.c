// SPDX-License-Identifier: GPL-2.0
/*
 * NPTv6 runs where packets cross a link's device: the egress hook is the
 * last thing a packet meets before the wire, the ingress hook the first
 * after it. So conntrack, the firewall and mwan's own flow marks only
 * ever see internal addresses, and flows an nftables flowtable offloads
 * (whose packets skip the inet hooks but not the device's) are translated
 * all the same.
 *
 * A device's hooks exist while a link translates on it. They are added
 * before a config that needs them is published and removed after the
 * last config that needed them was replaced; the hooks themselves look up
 * the running config, so one present a moment too long does nothing.
 * Devices come and go under RTNL, which every config change that hooks or
 * unhooks a device also holds: the netdevice notifier hooks a device that
 * appears under a translating link's ifindex and unhooks one that leaves.
 */
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include "netns.h"
#include "npt_dev.h"
#include "npt_packet.h"

/*
 * Before an nftables flowtable or filter chain at the usual priority 0 on
 * the way in, and after them on the way out: only the wire sees external
 * addresses.
 */
#define MWAN_NPT_PRI_INGRESS	(-500)
#define MWAN_NPT_PRI_EGRESS	500

struct mwan_npt_dev {
	struct list_head list;
	struct net_device *dev;
	struct nf_hook_ops ops[2];
};

static struct mwan_npt_dev *find(struct mwan_net *mn,
				 const struct net_device *dev)
{
	struct mwan_npt_dev *d;

	list_for_each_entry(d, &mn->npt_devs, list)
		if (d->dev == dev)
			return d;
	return NULL;
}

static void set_ops(struct nf_hook_ops *ops, struct mwan_net *mn,
		    struct net_device *dev, nf_hookfn *fn,
		    enum nf_dev_hooks hook, int priority)
{
	ops->hook = fn;
	ops->priv = mn;
	ops->pf = NFPROTO_NETDEV;
	ops->hooknum = hook;
	ops->priority = priority;
	ops->dev = dev;
}

static int attach(struct mwan_net *mn, struct net_device *dev)
{
	struct mwan_npt_dev *d;
	int ret;

	if (find(mn, dev))
		return 0;
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	d->dev = dev;
	set_ops(&d->ops[0], mn, dev, mwan_npt_ingress, NF_NETDEV_INGRESS,
		MWAN_NPT_PRI_INGRESS);
	set_ops(&d->ops[1], mn, dev, mwan_npt_egress, NF_NETDEV_EGRESS,
		MWAN_NPT_PRI_EGRESS);
	ret = nf_register_net_hooks(mn->net, d->ops, ARRAY_SIZE(d->ops));
	if (ret) {
		kfree(d);
		return ret;
	}
	list_add(&d->list, &mn->npt_devs);
	return 0;
}

/* In-flight hook runs only use the ops' copies in the old hook blob. */
static void detach(struct mwan_net *mn, struct mwan_npt_dev *d)
{
	nf_unregister_net_hooks(mn->net, d->ops, ARRAY_SIZE(d->ops));
	list_del(&d->list);
	kfree(d);
}

static bool wanted(const struct mwan_config *cfg, int ifindex)
{
	const struct mwan_link *l = cfg ? mwan_xlat_link(cfg, ifindex) : NULL;

	return l && l->npt.len;
}

/* Scans, rather than the derived lists: a change is compared unfinalized. */
static bool npt_on(const struct mwan_config *cfg, int ifindex)
{
	unsigned int i;

	for (i = 1; cfg && i <= MWAN_LINK_ID_MAX; i++) {
		const struct mwan_link *l = &cfg->links[i];

		if (l->id && l->npt.len && l->ifindex == ifindex)
			return true;
	}
	return false;
}

static bool covers(const struct mwan_config *a, const struct mwan_config *b)
{
	unsigned int i;

	for (i = 1; a && i <= MWAN_LINK_ID_MAX; i++) {
		const struct mwan_link *l = &a->links[i];

		if (l->id && l->npt.len && !npt_on(b, l->ifindex))
			return false;
	}
	return true;
}

/*
 * Do @a and @b (either may be NULL) translate on the same devices? Then
 * going from one to the other hooks and unhooks nothing, and needs no RTNL.
 */
bool mwan_npt_devs_same(const struct mwan_config *a,
			const struct mwan_config *b)
{
	return covers(a, b) && covers(b, a);
}

/* Hook every present device that @cfg translates on. RTNL and mn->lock. */
int mwan_npt_devs_attach(struct mwan_net *mn, const struct mwan_config *cfg)
{
	struct net_device *dev;
	unsigned int i;
	int ret;

	ASSERT_RTNL();
	for (i = 0; i < cfg->nxlat; i++) {
		const struct mwan_link *l = &cfg->links[cfg->xlat_order[i]];

		if (!l->npt.len)
			continue;
		dev = __dev_get_by_index(mn->net, l->ifindex);
		if (!dev)
			continue;	/* hooked when it appears */
		ret = attach(mn, dev);
		if (ret)
			return ret;
	}
	return 0;
}

/* Unhook the devices @cfg (NULL: none) does not translate on. */
void mwan_npt_devs_prune(struct mwan_net *mn, const struct mwan_config *cfg)
{
	struct mwan_npt_dev *d, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(d, tmp, &mn->npt_devs, list)
		if (!wanted(cfg, d->dev->ifindex))
			detach(mn, d);
}

static int netdev_event(struct notifier_block *nb, unsigned long event,
			void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct mwan_net *mn = mwan_net(dev_net(dev));
	struct mwan_npt_dev *d;
	const struct mwan_config *cfg;

	if (event != NETDEV_REGISTER && event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	mutex_lock(&mn->lock);
	cfg = mwan_net_config(mn);
	if (event == NETDEV_UNREGISTER) {
		d = find(mn, dev);
		if (d)
			detach(mn, d);
	} else if (mn->active && wanted(cfg, dev->ifindex) &&
		   attach(mn, dev)) {
		net_warn_ratelimited("no memory to translate on %s\n",
				     dev->name);
	}
	mutex_unlock(&mn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block mwan_netdev_notifier = {
	.notifier_call = netdev_event,
};

int mwan_npt_dev_init(void)
{
	return register_netdevice_notifier(&mwan_netdev_notifier);
}

void mwan_npt_dev_exit(void)
{
	unregister_netdevice_notifier(&mwan_netdev_notifier);
}
