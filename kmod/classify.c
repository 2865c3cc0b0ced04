// SPDX-License-Identifier: GPL-2.0
/*
 * New-flow decisions: which rule matches, and which link of the policy's
 * active tier takes the flow. Runs once per connection, never per packet.
 */
#include <linux/cgroup.h>
#include <linux/jhash.h>
#include <linux/percpu.h>
#include <net/ipv6.h>
#include "classify.h"

/*
 * Per-connection balancing walks the buckets with a per-CPU counter and an
 * odd stride near MWAN_BUCKETS / phi: every bucket is visited once per
 * MWAN_BUCKETS flows, and any run of consecutive flows spreads across the
 * table, so the split follows the weights closely even for few flows.
 */
#define MWAN_FLOW_STRIDE 633
static DEFINE_PER_CPU(u32, flow_seq);

static bool has_ports(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return true;
	}
	return false;
}

void mwan_flow_init(struct mwan_flow *f, const struct nf_conn *ct,
		    const struct sk_buff *skb,
		    const struct nf_hook_state *state)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	f->family = t->src.l3num;
	f->proto = t->dst.protonum;
	f->src = &t->src.u3;
	f->dst = &t->dst.u3;
	f->sport = has_ports(f->proto) ? t->src.u.all : 0;
	f->dport = has_ports(f->proto) ? t->dst.u.all : 0;
	f->local = state->hook == NF_INET_LOCAL_OUT;
	f->iif = state->in ? state->in->ifindex : 0;
	f->mark = skb->mark;
	f->sk = f->local ? skb_to_full_sk(skb) : NULL;
	if (f->sk && !sk_fullsock(f->sk))
		f->sk = NULL;
}

static bool prefix_match(u8 family, const union nf_inet_addr *addr,
			 const union nf_inet_addr *prefix, u8 len)
{
	if (family == AF_INET)
		return !len ||
		       !((addr->ip ^ prefix->ip) & htonl(~0U << (32 - len)));
	return ipv6_prefix_equal(&addr->in6, &prefix->in6, len);
}

static bool port_match(__be16 port, u16 min, u16 max)
{
	u16 p = ntohs(port);

	return p >= min && p <= max;
}

/*
 * As nft's "socket cgroupv2": the socket keeps the cgroup it was created
 * in, and holds a reference on it, so the pointer and its ancestor array
 * are stable while we look; nothing sleeps or locks.
 */
static bool cgroup_match(const struct mwan_rule *r, struct sock *sk)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	struct cgroup *cgrp;

	if (!sk)
		return false;
	cgrp = cgroup_ancestor(sock_cgroup_ptr(&sk->sk_cgrp_data),
			       r->cgroup_level);
	return cgrp && cgroup_id(cgrp) == r->cgroup_id;
#else
	return false;
#endif
}

static bool rule_match(const struct mwan_rule *r, const struct mwan_flow *f)
{
	if (f->local ? !(r->flags & MWAN_RULE_F_LOCAL) :
		       (r->flags & MWAN_RULE_F_NO_FORWARD))
		return false;
	if (r->family && r->family != f->family)
		return false;
	if (r->proto && r->proto != f->proto)
		return false;
	if ((r->match & MWAN_MATCH_SRC) &&
	    !prefix_match(f->family, f->src, &r->src, r->src_len))
		return false;
	if ((r->match & MWAN_MATCH_DST) &&
	    !prefix_match(f->family, f->dst, &r->dst, r->dst_len))
		return false;
	if ((r->match & MWAN_MATCH_SPORT) &&
	    !port_match(f->sport, r->sport_min, r->sport_max))
		return false;
	if ((r->match & MWAN_MATCH_DPORT) &&
	    !port_match(f->dport, r->dport_min, r->dport_max))
		return false;
	if ((r->match & MWAN_MATCH_IIF) && r->iifindex != f->iif)
		return false;
	if ((r->match & MWAN_MATCH_MARK) &&
	    (f->mark & r->mark_mask) != r->mark)
		return false;
	if ((r->match & MWAN_MATCH_CGROUP) && !cgroup_match(r, f->sk))
		return false;
	return true;
}

/*
 * The first matching rule names the policy. Forwarded flows that match no
 * rule take the default policy; router-originated ones are left alone.
 */
const struct mwan_policy *mwan_classify(const struct mwan_config *cfg,
					const struct mwan_flow *f)
{
	unsigned int i;

	for (i = 0; i < cfg->nrules; i++)
		if (rule_match(&cfg->rules[i], f))
			return cfg->policies[cfg->rules[i].policy];
	if (f->local || !cfg->default_policy)
		return NULL;
	return cfg->policies[cfg->default_policy];
}

static u32 addr_hash(const struct mwan_flow *f,
		     const union nf_inet_addr *addr, u32 seed)
{
	if (f->family == AF_INET)
		return jhash_1word((__force u32)addr->ip, seed);
	return jhash2((const u32 *)addr->all, 4, seed);
}

static u32 flow_bucket(const struct mwan_policy *p, const struct mwan_flow *f,
		       u32 seed)
{
	u32 h;

	switch (p->mode) {
	case MWAN_MODE_SRC:
		h = addr_hash(f, f->src, seed);
		break;
	case MWAN_MODE_SRC_DST:
		h = addr_hash(f, f->dst, addr_hash(f, f->src, seed));
		break;
	default:
		h = this_cpu_inc_return(flow_seq) * MWAN_FLOW_STRIDE;
		break;
	}
	return h & (MWAN_BUCKETS - 1);
}

/* A link id, or 0 when no member of @p is usable (the last resort applies). */
u8 mwan_pick_link(const struct mwan_config *cfg, const struct mwan_policy *p,
		  const struct mwan_flow *f)
{
	if (p->active < 0)
		return 0;
	return p->tiers[p->active].buckets[flow_bucket(p, f, cfg->hash_seed)];
}
