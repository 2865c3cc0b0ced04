/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stateless IPv6-to-IPv6 network prefix translation (RFC 6296, NPTv6).
 *
 * One struct mwan_npt maps an internal prefix to an external prefix of the
 * same length (1..64) and back. The translation is checksum-neutral: one
 * 16-bit word outside the prefix absorbs the ones'-complement difference of
 * the two prefixes, so the address's contribution to every pseudo-header
 * checksum stays the same and no L4 checksum needs updating.
 *
 * The arithmetic follows net/ipv6/netfilter/ip6t_NPT.c bit for bit (the
 * unit tests check it against vectors recorded from that module), so a
 * site moving from SNPT/DNPT rules keeps its addresses.
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
	/*
	 * Ones'-complement (internal - external), added to the adjusted word
	 * going out, and its negation coming in; host order, for the word
	 * read big-endian from the address.
	 */
	u16 adj_out;
	u16 adj_in;
};

int mwan_npt_init(struct mwan_npt *npt, const u8 *internal,
		  const u8 *external, unsigned int len);
bool mwan_npt_match(const u8 *prefix, unsigned int len, const u8 *addr);
int mwan_npt_translate(const struct mwan_npt *npt, u8 *addr, bool outbound);

#endif /* _MWAN_NPT_H */
