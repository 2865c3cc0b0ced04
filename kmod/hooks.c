// SPDX-License-Identifier: GPL-2.0
/*
 * The data path. A new connection gets a link once, kept in the conntrack
 * mark; every later packet has it restored into the packet mark, which
 * `ip rule fwmark` turns into the link's routing table.
 */
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/nf_conntrack_ecache.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/route.h>
#include "classify.h"
#include "hooks.h"
#include "netns.h"

static bool from_link_dev(const struct nf_hook_state *state,
			  const struct mwan_link *link)
{
	return state->hook == NF_INET_PRE_ROUTING &&
	       state->in->ifindex == link->ifindex;
}

/*
 * A connected socket sends all its packets the same way: give it the
 * link's bits, as SO_MARK would, and drop its cached route. From its next
 * packet on the socket routes by the link itself, the packet arrives here
 * with the mark already right, and nothing needs routing twice.
 * Unconnected sockets (a DNS server, a WireGuard endpoint) serve many
 * connections, so their packets keep being re-routed here one by one.
 */
static void mark_socket(struct sock *sk, const struct mwan_config *cfg,
			u32 bits)
{
	if (!sk || !sk_fullsock(sk))
		return;
	if (!(sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP &&
	      (sk->sk_state == TCP_ESTABLISHED ||
	       sk->sk_state == TCP_SYN_SENT)) &&
	    !(sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_UDP &&
	      sk->sk_state == TCP_ESTABLISHED))
		return;
	WRITE_ONCE(sk->sk_mark,
		   (READ_ONCE(sk->sk_mark) & ~cfg->mark_mask) | bits);
	sk_dst_reset(sk);
}

/* Locally generated packets were routed before the mark was known. */
static unsigned int reroute(struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	int err;

	if (state->pf == NFPROTO_IPV4)
		err = ip_route_me_harder(state->net, state->sk, skb,
					 RTN_UNSPEC);
	else
		err = nf_ip6_route_me_harder(state->net, state->sk, skb);
	return err < 0 ? NF_DROP_ERR(err) : NF_ACCEPT;
}

/*
 * Put the link's bits into the packet mark and count the packet, in both
 * directions: an nftables flowtable routes a flow's other direction with
 * the mark of the packet that offloads it (often a reply coming in), and
 * reverse-path filtering with src_valid_mark checks sources with it. So
 * packets coming in from a link carry its mark too, and routing must find
 * the LAN before the link's table (the "lookup main suppress_prefixlength
 * 0" rule of the README).
 */
static unsigned int steer(const struct mwan_config *cfg, struct sk_buff *skb,
			  const struct nf_hook_state *state, u32 bits)
{
	const struct mwan_link *link = &cfg->links[bits >> cfg->mark_shift];
	u32 old_mark = skb->mark;

	if (link->id)
		mwan_count(link->stats,
			   from_link_dev(state, link) ? MWAN_COUNT_RX :
							MWAN_COUNT_TX,
			   skb->len);
	skb->mark = (skb->mark & ~cfg->mark_mask) | bits;
	if (state->hook != NF_INET_LOCAL_OUT || skb->mark == old_mark)
		return NF_ACCEPT;
	mark_socket(skb->sk, cfg, bits);
	return reroute(skb, state);
}

static unsigned int bind_flow(const struct mwan_config *cfg,
			      struct sk_buff *skb, struct nf_conn *ct,
			      const struct nf_hook_state *state, u8 link)
{
	u32 bits = mwan_link_mark(cfg, link);
	u32 ctmark = READ_ONCE(ct->mark);

	if (unlikely(cfg->links[link].retiring))
		return NF_ACCEPT;
	if ((ctmark & cfg->mark_mask) != bits) {
		WRITE_ONCE(ct->mark, (ctmark & ~cfg->mark_mask) | bits);
		nf_conntrack_event_cache(IPCT_MARK, ct);
	}
	mwan_count(cfg->links[link].stats, MWAN_COUNT_NEW_FLOW, 0);
	return steer(cfg, skb, state, bits);
}

static unsigned int last_resort(const struct mwan_policy *p,
				struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	mwan_count(p->stats, MWAN_COUNT_REFUSED, 0);
	switch (p->last_resort) {
	case MWAN_LAST_RESORT_DEFAULT:
		return NF_ACCEPT;
	case MWAN_LAST_RESORT_BLACKHOLE:
		return NF_DROP;
	}
	/* A local sender learns from the error; a forwarded one from ICMP. */
	if (state->hook == NF_INET_LOCAL_OUT)
		return NF_DROP_ERR(-ENETUNREACH);
	if (state->pf == NFPROTO_IPV4)
		nf_send_unreach(skb, ICMP_NET_UNREACH, state->hook);
	else
		nf_send_unreach6(state->net, skb, ICMPV6_NOROUTE, state->hook);
	return NF_DROP;
}

/*
 * The first packet of a connection. In order: a link mark that is already
 * there (SO_MARK, or an nft rule before this hook) is kept; a
 * connection coming in on a link is bound to it so replies leave the same
 * way; otherwise the rules choose a policy and the policy a link.
 */
static unsigned int new_flow(const struct mwan_config *cfg,
			     struct sk_buff *skb, struct nf_conn *ct,
			     const struct nf_hook_state *state)
{
	u32 preset = (READ_ONCE(ct->mark) & cfg->mark_mask) ?:
		     (skb->mark & cfg->mark_mask);
	const struct mwan_policy *policy;
	const struct mwan_link *in_link;
	struct mwan_flow flow;
	u8 link;

	if (preset) {
		link = preset >> cfg->mark_shift;
		/* bits that name no link belong to someone else */
		if (!cfg->links[link].id)
			return NF_ACCEPT;
		return bind_flow(cfg, skb, ct, state, link);
	}
	if (state->hook == NF_INET_PRE_ROUTING) {
		in_link = mwan_dev_link_of(cfg, state->in->ifindex);
		if (in_link)
			return bind_flow(cfg, skb, ct, state, in_link->id);
	}
	mwan_flow_init(&flow, ct, skb, state);
	policy = mwan_classify(cfg, &flow);
	if (!policy)
		return NF_ACCEPT;
	mwan_count(policy->stats, MWAN_COUNT_NEW_FLOW, 0);
	link = mwan_pick_link(cfg, policy, &flow);
	if (!link)
		return last_resort(policy, skb, state);
	return bind_flow(cfg, skb, ct, state, link);
}

static unsigned int mwan_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct mwan_net *mn = priv;
	const struct mwan_config *cfg = rcu_dereference(mn->config);
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	u32 bits;

	if (unlikely(!cfg))
		return NF_ACCEPT;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return NF_ACCEPT;
	/* disabled: new flows are left alone, existing ones keep their link */
	if (ctinfo == IP_CT_NEW && !nf_ct_is_confirmed(ct))
		return cfg->enabled ? new_flow(cfg, skb, ct, state) :
				      NF_ACCEPT;
	bits = READ_ONCE(ct->mark) & cfg->mark_mask;
	if (!bits)
		return NF_ACCEPT;
	return steer(cfg, skb, state, bits);
}

static const struct nf_hook_ops mwan_hook_template[MWAN_NUM_HOOKS] = {
	{ .hook = mwan_hook, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = MWAN_HOOK_PRIORITY },
	{ .hook = mwan_hook, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = MWAN_HOOK_PRIORITY },
	{ .hook = mwan_hook, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = MWAN_HOOK_PRIORITY6 },
	{ .hook = mwan_hook, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = MWAN_HOOK_PRIORITY6 },
};

int mwan_hooks_register(struct mwan_net *mn)
{
	unsigned int i;

	memcpy(mn->hook_ops, mwan_hook_template, sizeof(mn->hook_ops));
	for (i = 0; i < MWAN_NUM_HOOKS; i++)
		mn->hook_ops[i].priv = mn;
	return nf_register_net_hooks(mn->net, mn->hook_ops, MWAN_NUM_HOOKS);
}

void mwan_hooks_unregister(struct mwan_net *mn)
{
	nf_unregister_net_hooks(mn->net, mn->hook_ops, MWAN_NUM_HOOKS);
}
