// SPDX-License-Identifier: GPL-2.0
/*
 * NPTv6 on a packet: the outer address, and the address quoted inside an
 * ICMPv6 error, so that the error makes sense on the other side.
 *
 * Leaving a link (@outbound), a source in the internal prefix becomes
 * external, and an error's quoted destination does too: an error about an
 * inbound packet quotes it as it was delivered inside. Arriving, a
 * destination in the external prefix becomes internal, and an error's
 * quoted source does too: it quotes our packet as the Internet saw it. The
 * quoted address is translated whatever the outer one is, so errors the
 * router sends from its own address are fixed as well.
 *
 * The RFC 6296 mapping is checksum-neutral: no checksum nor skb->csum
 * changes. A prefix swap changes the address's sum, so the checksums
 * covering it follow, incrementally as NAT does: the transport checksum
 * through its pseudo-header; for an error, the quoted transport checksum
 * (its pseudo-header is the quoted header) and the ICMPv6 checksum, which
 * covers the quote as data. Every change is absorbed by a checksum field
 * inside the packet, so skb->csum (CHECKSUM_COMPLETE) stays right, except
 * where no field covers the address (no transport header in this fragment,
 * a UDP datagram without checksum): there skb->csum takes the difference.
 *
 * Everything written lies in the headers, which are made writable (and
 * linear) first, once.
 */
#include <linux/dccp.h>
#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ipv6.h>
#include "netns.h"
#include "npt_packet.h"

enum mwan_npt_result {
	MWAN_NPT_UNTOUCHED,	/* nothing of it is in the prefix */
	MWAN_NPT_TRANSLATED,
	MWAN_NPT_UNMAPPABLE,	/* parameter problem sent; drop it */
	MWAN_NPT_ERROR,		/* could not be made writable; drop it */
};

/* An address the packet carries, and what it becomes. */
struct npt_addr {
	unsigned int off;
	struct in6_addr from, to;
};

/* A checksum covering an address through a pseudo-header. */
struct npt_csum {
	int off;		/* of the field; -1: there is none */
	u8 proto;
};

static int addr_offset(bool source)
{
	return source ? offsetof(struct ipv6hdr, saddr) :
			offsetof(struct ipv6hdr, daddr);
}

/*
 * Translate the address at @a->off (an IPv6 header's saddr or daddr) into
 * @a->to. Returns 0, the error of mwan_npt_translate(), or -EINVAL if the
 * packet is too short.
 */
static int map(struct sk_buff *skb, struct npt_addr *a,
	       const struct mwan_npt *npt, bool outbound)
{
	if (skb_copy_bits(skb, a->off, &a->from, sizeof(a->from)))
		return -EINVAL;
	a->to = a->from;
	return mwan_npt_translate(npt, a->to.s6_addr, outbound);
}

/*
 * The offset of the transport header of the IPv6 packet at @nh and its
 * protocol, past extension headers; -1 if this fragment has none, -EPROTO
 * if there is no IPv6 header at @nh.
 */
static int transport(struct sk_buff *skb, unsigned int nh, u8 *proto)
{
	struct ipv6hdr _ip, *ip;
	__be16 frag_off;
	int off;

	ip = skb_header_pointer(skb, nh, sizeof(_ip), &_ip);
	if (!ip || ip->version != 6)
		return -EPROTO;
	*proto = ip->nexthdr;
	off = ipv6_skip_exthdr(skb, nh + sizeof(*ip), proto, &frag_off);
	if (off < 0 || (frag_off & htons(~0x7)))
		return -1;
	return off;
}

/*
 * The fixed header length of transport protocol @proto and the offset of
 * its checksum field in it; false if it has no checksum covering the
 * addresses.
 */
static bool csum_layout(u8 proto, unsigned int *len, unsigned int *at)
{
	switch (proto) {
	case IPPROTO_TCP:
		*len = sizeof(struct tcphdr);
		*at = offsetof(struct tcphdr, check);
		return true;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		*len = sizeof(struct udphdr);
		*at = offsetof(struct udphdr, check);
		return true;
	case IPPROTO_ICMPV6:
		*len = sizeof(struct icmp6hdr);
		*at = offsetof(struct icmp6hdr, icmp6_cksum);
		return true;
	case IPPROTO_DCCP:
		*len = sizeof(struct dccp_hdr);
		*at = offsetof(struct dccp_hdr, dccph_checksum);
		return true;
	}
	return false;
}

/*
 * The checksum field of the transport header at @th, if the packet holds
 * the whole fixed header (as NAT asks of a quoted one) and its protocol's
 * checksum covers the addresses.
 */
static struct npt_csum csum_field(struct sk_buff *skb, int th, u8 proto)
{
	struct npt_csum c = { .off = -1, .proto = proto };
	unsigned int len, at;

	if (csum_layout(proto, &len, &at) && th >= 0 && th + len <= skb->len)
		c.off = th + at;
	return c;
}

/*
 * The offset of the IPv6 header an ICMPv6 error at @th quotes; -1 if it is
 * no error.
 */
static int quoted_header(struct sk_buff *skb, int th)
{
	struct icmp6hdr _icmp, *icmp;
	struct ipv6hdr _ip, *ip;

	icmp = skb_header_pointer(skb, th, sizeof(_icmp), &_icmp);
	if (!icmp || !icmpv6_is_err(icmp->icmp6_type))
		return -1;
	th += sizeof(_icmp);
	ip = skb_header_pointer(skb, th, sizeof(_ip), &_ip);
	if (!ip || ip->version != 6)
		return -1;
	return th;
}

static __sum16 *csum_ptr(struct sk_buff *skb, const struct npt_csum *c)
{
	return (__sum16 *)(skb->data + c->off);
}

/*
 * A UDP checksum of zero means none (RFC 6935 allows it for tunnels), and
 * a computed zero is sent as all ones. UDP-Lite always has one.
 */
static bool csum_absent(const struct npt_csum *c, __sum16 check)
{
	return c->proto == IPPROTO_UDP && !check;
}

static void csum_mangle_zero(const struct npt_csum *c, __sum16 *check)
{
	if ((c->proto == IPPROTO_UDP || c->proto == IPPROTO_UDPLITE) &&
	    !*check)
		*check = CSUM_MANGLED_0;
}

/*
 * The outer transport checksum after its address changed, honouring
 * CHECKSUM_PARTIAL (the field then holds the pseudo-header sum only).
 */
static void fix_outer(struct sk_buff *skb, const struct npt_csum *c,
		      const struct npt_addr *a)
{
	__sum16 *check = c->off >= 0 ? csum_ptr(skb, c) : NULL;

	if (!check || (csum_absent(c, *check) &&
		       skb->ip_summed != CHECKSUM_PARTIAL)) {
		/* nothing in the packet absorbs the change */
		if (skb->ip_summed == CHECKSUM_COMPLETE) {
			__be32 diff[] = {
				~a->from.s6_addr32[0], ~a->from.s6_addr32[1],
				~a->from.s6_addr32[2], ~a->from.s6_addr32[3],
				a->to.s6_addr32[0], a->to.s6_addr32[1],
				a->to.s6_addr32[2], a->to.s6_addr32[3],
			};

			skb->csum = csum_partial(diff, sizeof(diff), skb->csum);
		}
		return;
	}
	inet_proto_csum_replace16(check, skb, a->from.s6_addr32,
				  a->to.s6_addr32, true);
	csum_mangle_zero(c, check);
}

/*
 * An error's quote changed: its transport checksum is plain data of the
 * ICMPv6 message, complete whatever skb->ip_summed says, and the ICMPv6
 * checksum @icmp covers both it and the quoted address.
 */
static void fix_quoted(struct sk_buff *skb, const struct npt_csum *icmp,
		       const struct npt_csum *c, const struct npt_addr *a)
{
	__sum16 *outer = csum_ptr(skb, icmp);
	__sum16 *check, old;
	__be32 diff[] = {
		~a->from.s6_addr32[0], ~a->from.s6_addr32[1],
		~a->from.s6_addr32[2], ~a->from.s6_addr32[3],
		a->to.s6_addr32[0], a->to.s6_addr32[1],
		a->to.s6_addr32[2], a->to.s6_addr32[3],
	};

	inet_proto_csum_replace16(outer, skb, a->from.s6_addr32,
				  a->to.s6_addr32, false);
	if (c->off < 0)
		return;
	check = csum_ptr(skb, c);
	old = *check;
	if (csum_absent(c, old))
		return;
	csum_replace_by_diff(check, csum_partial(diff, sizeof(diff), 0));
	csum_mangle_zero(c, check);
	inet_proto_csum_replace2(outer, skb, (__force __be16)old,
				 (__force __be16)*check, false);
}

/*
 * On a device hook skb->cb is not (yet, or any more) IPv6's control block:
 * give the sender an empty one, as icmpv6_ndo_send() does for tunnels.
 * The sender reads the offending header from the linear data and quietly
 * sends nothing if it is not all there, so it is made so first.
 */
static void param_problem(struct sk_buff *skb, unsigned int pointer)
{
	struct inet6_skb_parm parm = {};

	if (!pskb_network_may_pull(skb, sizeof(struct ipv6hdr)))
		return;
	__icmpv6_send(skb, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD, pointer, &parm);
}

static unsigned int end_of(unsigned int end, int off, unsigned int len)
{
	return off >= 0 ? max(end, off + len) : end;
}

/*
 * A prefix swap changes the checksum field at @check of transport protocol
 * @proto by @diff, what the address's sum changed by: fix_outer() from a
 * constant, with the same cases.
 */
static __always_inline void fix_by_diff(struct sk_buff *skb, __sum16 *check,
					u8 proto, __wsum diff)
{
	if (proto == IPPROTO_UDP && !*check &&
	    skb->ip_summed != CHECKSUM_PARTIAL) {
		/* no checksum: nothing in the packet absorbs the change */
		if (skb->ip_summed == CHECKSUM_COMPLETE)
			skb->csum = csum_add(skb->csum, diff);
		return;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL)	/* the pseudo-header's sum */
		*check = ~csum_fold(csum_add(diff, csum_unfold(*check)));
	else
		csum_replace_by_diff(check, diff);
	if ((proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE) && !*check)
		*check = CSUM_MANGLED_0;
}

#define NPT_SLOW (-1)

/*
 * Nearly every packet, without a parse: the IPv6 header right before a
 * TCP, UDP, UDP-Lite or DCCP header or an ICMPv6 message that is not an
 * error, both in the linear data. Only its outer address can need
 * translating, and in prefix mode the transport checksum changes by a
 * constant: the bits past the prefix stay, so the address's sum changes
 * by the new prefix's sum less the old one's, which is what RFC 6296 mode
 * puts into its adjusted word (npt->adj_in going out, adj_out coming in).
 * NPT_SLOW for every other packet, and for one RFC 6296 mode cannot map.
 */
static __always_inline int npt_fast(struct sk_buff *skb,
				    const struct mwan_npt *npt, bool outbound)
{
	unsigned int nh = skb_network_offset(skb);
	unsigned int th = nh + sizeof(struct ipv6hdr), len, at;
	struct ipv6hdr *ip;
	u16 diff;

	if (skb_headlen(skb) < th)
		return NPT_SLOW;
	ip = (struct ipv6hdr *)(skb->data + nh);
	if (ip->version != 6 || !csum_layout(ip->nexthdr, &len, &at) ||
	    skb_headlen(skb) < th + len)
		return NPT_SLOW;
	if (ip->nexthdr == IPPROTO_ICMPV6 &&
	    icmpv6_is_err(((struct icmp6hdr *)(skb->data + th))->icmp6_type))
		return NPT_SLOW;
	if (!mwan_npt_in(npt, outbound ? ip->saddr.s6_addr :
					 ip->daddr.s6_addr, outbound))
		return MWAN_NPT_UNTOUCHED;
	/* all of it is in the linear data: only a clone needs copying */
	if (unlikely(skb_cloned(skb)) &&
	    skb_ensure_writable(skb, th + at + sizeof(__sum16)))
		return MWAN_NPT_ERROR;
	ip = (struct ipv6hdr *)(skb->data + nh);	/* may have moved */
	/* unmappable, address untouched: the slow path says why */
	if (unlikely(mwan_npt_translate(npt, outbound ? ip->saddr.s6_addr :
							ip->daddr.s6_addr,
					outbound)))
		return NPT_SLOW;
	if (!npt->rfc6296) {
		diff = outbound ? npt->adj_in : npt->adj_out;
		fix_by_diff(skb, (__sum16 *)(skb->data + th + at), ip->nexthdr,
			    csum_unfold((__force __sum16)htons(diff)));
	}
	return MWAN_NPT_TRANSLATED;
}

/*
 * Every packet npt_fast() leaves: extension headers, fragments, ICMPv6
 * errors and their quotes, headers not in the linear data, unmappable
 * addresses. Unmappable packets get a parameter problem pointing at the
 * address, quoting the packet as it was: unlike ip6t_NPT, the address is
 * left untouched when it cannot be mapped.
 */
static noinline enum mwan_npt_result npt_slow(struct sk_buff *skb,
					      const struct mwan_npt *npt,
					      bool outbound)
{
	struct npt_csum csum = { .off = -1 }, qcsum = { .off = -1 };
	unsigned int nh = skb_network_offset(skb), end = 0;
	struct npt_addr outer, inner;
	bool do_outer, do_inner = false;
	int ret, th, qth, quoted = -1;
	u8 proto = 0, qproto = 0;

	th = transport(skb, nh, &proto);
	if (th == -EPROTO)
		return MWAN_NPT_UNTOUCHED;
	outer.off = nh + addr_offset(outbound);
	ret = map(skb, &outer, npt, outbound);
	if (ret == -ERANGE) {
		param_problem(skb, addr_offset(outbound));
		return MWAN_NPT_UNMAPPABLE;
	}
	if (ret == -EINVAL)
		return MWAN_NPT_ERROR;
	do_outer = !ret;

	if (th >= 0 && proto == IPPROTO_ICMPV6)
		quoted = quoted_header(skb, th);
	if (quoted >= 0) {
		inner.off = quoted + addr_offset(!outbound);
		/* an unmappable quote is left as it is */
		do_inner = !map(skb, &inner, npt, outbound);
	}
	if (!do_outer && !do_inner)
		return MWAN_NPT_UNTOUCHED;

	if (do_outer)
		end = outer.off + sizeof(outer.to);
	if (do_inner)
		end = max_t(unsigned int, end, inner.off + sizeof(inner.to));
	if (!npt->rfc6296) {
		csum = csum_field(skb, th, proto);
		end = end_of(end, csum.off, sizeof(__sum16));
		if (do_inner) {
			qth = transport(skb, quoted, &qproto);
			qcsum = csum_field(skb, qth, qproto);
			end = end_of(end, qcsum.off, sizeof(__sum16));
		}
	}
	if (skb_ensure_writable(skb, end))
		return MWAN_NPT_ERROR;

	if (do_outer)
		memcpy(skb->data + outer.off, &outer.to, sizeof(outer.to));
	if (do_inner)
		memcpy(skb->data + inner.off, &inner.to, sizeof(inner.to));
	if (npt->rfc6296)
		return MWAN_NPT_TRANSLATED;
	if (do_outer)
		fix_outer(skb, &csum, &outer);
	/* an error's ICMPv6 header is whole: it was read to find the quote */
	if (do_inner)
		fix_quoted(skb, &csum, &qcsum, &inner);
	return MWAN_NPT_TRANSLATED;
}

/*
 * @skb's network header is at skb_network_offset() (past the link-layer
 * header on egress).
 */
static __always_inline enum mwan_npt_result
npt_packet(struct sk_buff *skb, const struct mwan_npt *npt, bool outbound)
{
	int ret = npt_fast(skb, npt, outbound);

	return ret != NPT_SLOW ? ret : npt_slow(skb, npt, outbound);
}

/*
 * The hooks: all of the above inlined into each, so that a packet pays
 * for one call, nf_hook_slow()'s.
 */
static __always_inline unsigned int npt_hook(struct mwan_net *mn,
					     struct sk_buff *skb,
					     const struct net_device *dev,
					     bool outbound)
{
	const struct mwan_config *cfg = rcu_dereference(mn->config);
	const struct mwan_link *l;
	enum mwan_count count = outbound ? MWAN_COUNT_NPT_OUT :
					   MWAN_COUNT_NPT_IN;

	if (skb->protocol != htons(ETH_P_IPV6) || !cfg)
		return NF_ACCEPT;
	l = mwan_xlat_link(cfg, dev->ifindex);
	if (!l || !l->npt.len)
		return NF_ACCEPT;
	switch (npt_packet(skb, &l->npt, outbound)) {
	case MWAN_NPT_UNTOUCHED:
		return NF_ACCEPT;
	case MWAN_NPT_TRANSLATED:
		break;
	default:
		count = MWAN_COUNT_NPT_DROPPED;
		break;
	}
	/* netdev ingress runs in softirq, egress with bottom halves off */
	__mwan_count(l->stats, count, 0);
	return count == MWAN_COUNT_NPT_DROPPED ? NF_DROP : NF_ACCEPT;
}

unsigned int mwan_npt_ingress(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	return npt_hook(priv, skb, state->in, false);
}

/*
 * A packet socket sending whole frames on a device with a link-layer
 * header leaves the network header at the frame's start: such frames were
 * not built by IPv6 and are left alone. (hard_header_len cannot tell: a
 * VLAN device counts a tag it inserts later, PPP a header it has not.)
 */
unsigned int mwan_npt_egress(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	if (!skb_network_offset(skb) && dev_has_header(state->out))
		return NF_ACCEPT;
	return npt_hook(priv, skb, state->out, true);
}
