// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of `make bench`: the least a kernel implementation of
 * per-connection multi-WAN must do per packet, which is to copy the
 * conntrack mark into the packet mark. Hooked where mwan hooks
 * (PREROUTING, mangle + 1), in one network namespace only, that of the
 * process given as pid= (the bench's router): hooks in the others would
 * charge the floor for packets mwan never sees.
 *
 *   insmod mwan_floor.ko pid=PID [mask=0x3f00]
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "a process in the network namespace to hook");
static unsigned int mask = 0x3f00;
module_param(mask, uint, 0444);
MODULE_PARM_DESC(mask, "the mark bits to copy (mwan's default mask)");

static struct net *floor_net;

static unsigned int floor_hook(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (ct)
		skb->mark = (skb->mark & ~mask) | (READ_ONCE(ct->mark) & mask);
	return NF_ACCEPT;
}

static const struct nf_hook_ops floor_ops[] = {
	{ .hook = floor_hook, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = NF_IP_PRI_MANGLE + 1 },
	{ .hook = floor_hook, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = NF_IP6_PRI_MANGLE + 1 },
};

static int __init floor_init(void)
{
	int err;

	if (pid <= 0)
		return -EINVAL;
	floor_net = get_net_ns_by_pid(pid);
	if (IS_ERR(floor_net))
		return PTR_ERR(floor_net);
	/* conntrack must run there for the hook to see a connection */
	err = nf_ct_netns_get(floor_net, NFPROTO_INET);
	if (err)
		goto put_net;
	err = nf_register_net_hooks(floor_net, floor_ops, ARRAY_SIZE(floor_ops));
	if (err)
		goto put_ct;
	return 0;
put_ct:
	nf_ct_netns_put(floor_net, NFPROTO_INET);
put_net:
	put_net(floor_net);
	return err;
}

static void __exit floor_exit(void)
{
	nf_unregister_net_hooks(floor_net, floor_ops, ARRAY_SIZE(floor_ops));
	nf_ct_netns_put(floor_net, NFPROTO_INET);
	put_net(floor_net);
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("make bench's floor: restore the conntrack mark, nothing else");
