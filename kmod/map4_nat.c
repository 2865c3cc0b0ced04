// SPDX-License-Identifier: GPL-2.0
/*
 * 1:1 IPv4 mapping through the conntrack NAT core, the way iptable_nat and
 * nft's nat chains plug into it: the core asks its lookup functions once
 * per new connection and direction, and then rewrites every packet of it,
 * checksums, ICMP errors, helpers and flowtable offload included. A
 * stateless rewrite would have to redo all of that, and an IPv4 address
 * has no spare word to keep it checksum-neutral.
 *
 * Run just before the user's own nat chains: a mapped connection is bound
 * here and the core stops asking, so the user's masquerade still applies
 * to every source the map leaves alone.
 */
#include <linux/netfilter_ipv4.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>
#include "map4_nat.h"
#include "netns.h"

static unsigned int map4_lookup(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	bool outbound = state->hook == NF_INET_POST_ROUTING;
	const struct net_device *dev = outbound ? state->out : state->in;
	struct nf_nat_range2 range = { .flags = NF_NAT_RANGE_MAP_IPS };
	struct mwan_net *mn = priv;
	const struct mwan_config *cfg = rcu_dereference(mn->config);
	const struct nf_conntrack_tuple *t;
	const struct mwan_link *l;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	unsigned int verdict;
	__be32 twin;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW || !cfg)
		return NF_ACCEPT;	/* expected flows follow their master */
	l = mwan_xlat_link(cfg, dev->ifindex);
	if (!l || !l->has_map4 || l->retiring)
		return NF_ACCEPT;
	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	if (outbound ? !mwan_map4_out(&l->map4, t->src.u3.ip, &twin) :
		       !mwan_map4_in(&l->map4, t->dst.u3.ip, &twin))
		return NF_ACCEPT;
	range.min_addr.ip = twin;
	range.max_addr.ip = twin;
	verdict = nf_nat_setup_info(ct, &range, outbound ? NF_NAT_MANIP_SRC :
							   NF_NAT_MANIP_DST);
	if (verdict == NF_ACCEPT)
		mwan_count(l->stats, outbound ?
			   MWAN_COUNT_MAP4_OUT : MWAN_COUNT_MAP4_IN, 0);
	return verdict;
}

static bool any_map(const struct mwan_config *cfg)
{
	unsigned int i;

	for (i = 0; cfg && i < cfg->nxlat; i++)
		if (cfg->links[cfg->xlat_order[i]].has_map4)
			return true;
	return false;
}

static void set_ops(struct nf_hook_ops *ops, struct mwan_net *mn,
		    enum nf_inet_hooks hook, int priority)
{
	ops->hook = map4_lookup;
	ops->priv = mn;
	ops->pf = NFPROTO_IPV4;
	ops->hooknum = hook;
	ops->priority = priority;
}

/* Register the lookups if @cfg maps and they are not yet. mn->lock. */
int mwan_map4_nat_attach(struct mwan_net *mn, const struct mwan_config *cfg)
{
	int ret;

	if (mn->map4_on || !any_map(cfg))
		return 0;
	set_ops(&mn->map4_ops[0], mn, NF_INET_PRE_ROUTING,
		NF_IP_PRI_NAT_DST - 1);
	set_ops(&mn->map4_ops[1], mn, NF_INET_POST_ROUTING,
		NF_IP_PRI_NAT_SRC - 1);
	ret = nf_nat_ipv4_register_fn(mn->net, &mn->map4_ops[0]);
	if (ret)
		return ret;
	ret = nf_nat_ipv4_register_fn(mn->net, &mn->map4_ops[1]);
	if (ret) {
		nf_nat_ipv4_unregister_fn(mn->net, &mn->map4_ops[0]);
		return ret;
	}
	mn->map4_on = true;
	return 0;
}

/*
 * Once registered, the lookups stay until the namespace goes: connections
 * mapped earlier need the NAT core, which lives only while it has users.
 */
void mwan_map4_nat_release(struct mwan_net *mn)
{
	if (!mn->map4_on)
		return;
	nf_nat_ipv4_unregister_fn(mn->net, &mn->map4_ops[1]);
	nf_nat_ipv4_unregister_fn(mn->net, &mn->map4_ops[0]);
	mn->map4_on = false;
}
