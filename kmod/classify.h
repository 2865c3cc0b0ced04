/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MWAN_CLASSIFY_H
#define _MWAN_CLASSIFY_H

#include <net/netfilter/nf_conntrack.h>
#include "config.h"

/* What rules and balancing look at: a new flow's original direction. */
struct mwan_flow {
	const union nf_inet_addr *src, *dst;
	__be16 sport, dport;	/* 0 for protocols without ports */
	u8 family;		/* AF_INET or AF_INET6 */
	u8 proto;
	bool local;		/* originated by this host */
	u32 iif;
	u32 mark;
	struct sock *sk;	/* local flows: the sending full socket */
};

void mwan_flow_init(struct mwan_flow *f, const struct nf_conn *ct,
		    const struct sk_buff *skb,
		    const struct nf_hook_state *state);
const struct mwan_policy *mwan_classify(const struct mwan_config *cfg,
					const struct mwan_flow *f);
u8 mwan_pick_link(const struct mwan_config *cfg, const struct mwan_policy *p,
		  const struct mwan_flow *f);

#endif /* _MWAN_CLASSIFY_H */
