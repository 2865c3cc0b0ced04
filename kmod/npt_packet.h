/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NPTv6 applied to one packet as it crosses a link's device: the netdev
 * hooks that npt_dev.c registers, their priv the namespace's mwan_net.
 */
#ifndef _MWAN_NPT_PACKET_H
#define _MWAN_NPT_PACKET_H

#include <linux/netfilter.h>

unsigned int mwan_npt_ingress(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state);
unsigned int mwan_npt_egress(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state);

#endif /* _MWAN_NPT_PACKET_H */
