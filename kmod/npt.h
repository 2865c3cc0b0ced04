/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stateless IPv6-to-IPv6 network prefix translation (NPTv6).
 *
 * One struct mwan_npt maps an internal prefix to an external prefix of the
 * same length (1..64) and back, in one of two ways:
 *
 * - a prefix swap: only the prefix bits change, the rest of the address
 *   (subnet bits past a short prefix, the interface identifier) is kept,
 *   as sites that document "3d06:bad:b01:1::100 leaves as
 *   2600:1700:2f71:c81::100" expect, and as nftables' "snat ip6 prefix
 *   to" does. The address's checksum contribution changes, so whoever
 *   rewrites a packet must update the checksums that cover it;
 * - RFC 6296: checksum-neutral. One 16-bit word outside the prefix absorbs
 *   the ones'-complement difference of the two prefixes, so no checksum
 *   changes, at the price of a rewritten word of the subnet or interface
 *   identifier. The arithmetic follows net/ipv6/netfilter/ip6t_NPT.c bit
 *   for bit (the unit tests check it against vectors recorded from that
 *   module), so a site moving from SNPT/DNPT rules keeps its addresses.
 *
 * Pure, allocation-free and lock-free: no kernel dependencies, so the same
 * code is unit-tested in userspace (selftests/unit/test_npt.c).
 */
#ifndef _MWAN_NPT_H
#define _MWAN_NPT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
#endif

#define MWAN_NPT_MAX_LEN 64	/* longer prefixes leave no spare word */

struct mwan_npt {
	u8 internal[16];	/* network order, bits past len zero */
	u8 external[16];
	u8 len;			/* common prefix length, 1..64 */
	bool rfc6296;		/* checksum-neutral; else a prefix swap */
	/*
	 * Ones'-complement (internal - external), added to the adjusted word
	 * going out, and its negation coming in; host order, for the word
	 * read big-endian from the address.
	 */
	u16 adj_out;
	u16 adj_in;
};

int mwan_npt_init(struct mwan_npt *npt, const u8 *internal,
		  const u8 *external, unsigned int len, bool rfc6296);
bool mwan_npt_match(const u8 *prefix, unsigned int len, const u8 *addr);
int mwan_npt_translate(const struct mwan_npt *npt, u8 *addr, bool outbound);

#endif /* _MWAN_NPT_H */
