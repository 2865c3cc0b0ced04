// SPDX-License-Identifier: GPL-2.0
/*
 * One walk over a namespace's conntrack table removes every entry bound to
 * a set of links. It may take a while with a million entries, so callers
 * hold neither RTNL nor the namespace's config lock: only the writers' lock,
 * which keeps a link id from being handed out again before its old
 * connections are gone.
 */
#include <net/netfilter/nf_conntrack.h>
#include "ct_forget.h"

void mwan_forget_init(struct mwan_forget *f, const struct mwan_config *cfg)
{
	memset(f, 0, sizeof(*f));
	f->mask = cfg->mark_mask;
	f->shift = cfg->mark_shift;
}

/* Did a link's 1:1 IPv4 map set up this connection's NAT? */
static bool mapped(const struct mwan_config *cfg, const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *orig, *reply;
	unsigned int i;
	__be32 twin;

	if (nf_ct_l3num(ct) != NFPROTO_IPV4 || !(ct->status & IPS_NAT_MASK))
		return false;
	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	for (i = 0; i < cfg->nxlat; i++) {
		const struct mwan_link *l = &cfg->links[cfg->xlat_order[i]];

		if (!l->has_map4)
			continue;
		if (mwan_map4_out(&l->map4, orig->src.u3.ip, &twin) &&
		    twin == reply->dst.u3.ip)
			return true;
		if (mwan_map4_in(&l->map4, orig->dst.u3.ip, &twin) &&
		    twin == reply->src.u3.ip)
			return true;
	}
	return false;
}

static int forget_one(struct nf_conn *ct, void *data)
{
	struct mwan_forget *f = data;
	u32 bits = READ_ONCE(ct->mark) & f->mask;

	if ((bits && test_bit(bits >> f->shift, f->links)) ||
	    (f->map4 && mapped(f->map4, ct))) {
		f->count++;
		return 1;
	}
	return 0;
}

void mwan_forget_run(struct net *net, struct mwan_forget *f, u32 portid,
		     bool report)
{
	struct nf_ct_iter_data iter = {
		.net = net,
		.data = f,
		.portid = portid,
		.report = report,
	};

	if (bitmap_empty(f->links, MWAN_LINK_ID_MAX + 1) && !f->map4)
		return;
	nf_ct_iterate_cleanup_net(forget_one, &iter);
}
