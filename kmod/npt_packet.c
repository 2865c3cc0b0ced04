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
 * The mapping is checksum-neutral, so neither L4 nor ICMPv6 checksums nor
 * skb->csum change. Only the IPv6 header and, for errors, the quoted IPv6
 * header are written; both are made writable (and linear) first.
 */
#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include "npt_packet.h"

static int addr_offset(bool source)
{
	return source ? offsetof(struct ipv6hdr, saddr) :
			offsetof(struct ipv6hdr, daddr);
}

/*
 * Translate the address at @off (an IPv6 header's saddr or daddr), if it
 * is in the prefix. Returns 0 if it was rewritten, or the error of
 * mwan_npt_translate() or of making the skb writable.
 */
static int rewrite(struct sk_buff *skb, unsigned int off,
		   const struct mwan_npt *npt, bool outbound)
{
	struct in6_addr addr;
	int ret;

	if (skb_copy_bits(skb, off, &addr, sizeof(addr)))
		return -EINVAL;
	ret = mwan_npt_translate(npt, addr.s6_addr, outbound);
	if (ret)
		return ret;
	if (skb_ensure_writable(skb, off + sizeof(addr)))
		return -ENOMEM;
	memcpy(skb->data + off, &addr, sizeof(addr));
	return 0;
}

/*
 * The offset of the IPv6 header an ICMPv6 error quotes, after walking the
 * outer extension headers; -1 if @skb is no such error. Only the first
 * fragment carries the ICMPv6 header.
 */
static int quoted_header(struct sk_buff *skb, unsigned int nh, u8 nexthdr)
{
	struct icmp6hdr _icmp, *icmp;
	struct ipv6hdr _ip, *ip;
	__be16 frag_off;
	int off;

	off = ipv6_skip_exthdr(skb, nh + sizeof(struct ipv6hdr), &nexthdr,
			       &frag_off);
	if (off < 0 || nexthdr != IPPROTO_ICMPV6 ||
	    (frag_off & htons(~0x7)))
		return -1;
	icmp = skb_header_pointer(skb, off, sizeof(_icmp), &_icmp);
	if (!icmp || !icmpv6_is_err(icmp->icmp6_type))
		return -1;
	off += sizeof(_icmp);
	ip = skb_header_pointer(skb, off, sizeof(_ip), &_ip);
	if (!ip || ip->version != 6)
		return -1;
	return off;
}

/*
 * On a device hook skb->cb is not (yet, or any more) IPv6's control block:
 * give the sender an empty one, as icmpv6_ndo_send() does for tunnels.
 */
static void param_problem(struct sk_buff *skb, unsigned int pointer)
{
	struct inet6_skb_parm parm = {};

	__icmpv6_send(skb, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD, pointer, &parm);
}

/*
 * @skb's network header is at skb_network_offset() (past the link-layer
 * header on egress). Unmappable packets get a parameter problem pointing
 * at the address, quoting the packet as it was: unlike ip6t_NPT, the
 * address is left untouched when it cannot be mapped.
 */
enum mwan_npt_result mwan_npt_packet(struct sk_buff *skb,
				     const struct mwan_npt *npt,
				     bool outbound)
{
	enum mwan_npt_result res = MWAN_NPT_UNTOUCHED;
	unsigned int nh = skb_network_offset(skb);
	struct ipv6hdr _ip, *ip;
	u8 nexthdr;
	int ret, quoted;

	ip = skb_header_pointer(skb, nh, sizeof(_ip), &_ip);
	if (!ip || ip->version != 6)
		return MWAN_NPT_UNTOUCHED;
	nexthdr = ip->nexthdr;
	ret = rewrite(skb, nh + addr_offset(outbound), npt, outbound);
	if (ret == -ERANGE) {
		param_problem(skb, addr_offset(outbound));
		return MWAN_NPT_UNMAPPABLE;
	}
	if (ret == -ENOMEM || ret == -EINVAL)
		return MWAN_NPT_ERROR;
	if (!ret)
		res = MWAN_NPT_TRANSLATED;

	quoted = quoted_header(skb, nh, nexthdr);
	if (quoted < 0)
		return res;
	ret = rewrite(skb, quoted + addr_offset(!outbound), npt, outbound);
	if (ret == -ENOMEM)
		return MWAN_NPT_ERROR;
	return ret ? res : MWAN_NPT_TRANSLATED;
}
