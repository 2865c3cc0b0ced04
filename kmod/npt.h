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
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/cdefs.h>	/* __always_inline */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
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
	/*
	 * What a packet needs, as numbers: the first 64 bits of the internal
	 * ([0]) and external ([1]) prefix, read big-endian, and the mask of
	 * the prefix's bits among them (no prefix is longer than 64).
	 */
	u64 hi[2];
	u64 hi_mask;
};

int mwan_npt_init(struct mwan_npt *npt, const u8 *internal,
		  const u8 *external, unsigned int len, bool rfc6296);
bool mwan_npt_match(const u8 *prefix, unsigned int len, const u8 *addr);

/*
 * The translation runs for every packet on a translating link: inline, so
 * that the packet path pays for no calls.
 */

/* Half an address as a number; compilers make this one load and a swap. */
static inline u64 npt_get_half(const u8 *p)
{
	return (u64)p[0] << 56 | (u64)p[1] << 48 | (u64)p[2] << 40 |
	       (u64)p[3] << 32 | (u64)p[4] << 24 | (u64)p[5] << 16 |
	       (u64)p[6] << 8 | p[7];
}

static inline void npt_put_half(u8 *p, u64 v)
{
	p[0] = v >> 56;
	p[1] = v >> 48;
	p[2] = v >> 40;
	p[3] = v >> 32;
	p[4] = v >> 24;
	p[5] = v >> 16;
	p[6] = v >> 8;
	p[7] = v;
}

/*
 * Ones'-complement sum. Two 16-bit values carry at most once, so one fold
 * suffices; the result may be 0xffff, the other representation of zero.
 */
static inline u16 npt_oc_add(u16 a, u16 b)
{
	u32 s = (u32)a + b;

	return (u16)((s & 0xffff) + (s >> 16));
}

/*
 * Whether @addr is in the prefix a translation starts from: the internal
 * one outbound (a source leaving), the external one inbound (a destination
 * arriving). Every prefix lies in the address's first half.
 */
static __always_inline bool mwan_npt_in(const struct mwan_npt *npt,
					const u8 *addr, bool outbound)
{
	return !((npt_get_half(addr) ^ npt->hi[!outbound]) & npt->hi_mask);
}

/*
 * The word that absorbs the adjustment (RFC 6296 3.4, 3.5; ip6t_NPT):
 * the subnet word 3 up to /48, else the first IID word (4..7) that is not
 * 0xffff. A 0xffff word is skipped because, 0xffff and 0 being the same
 * number, its image would map back to 0 instead. Words 4..7 are @lo, the
 * address's second half: returns the shift of the word in it, -1 if all
 * four are 0xffff.
 */
static inline int npt_iid_word(u64 lo)
{
	int shift;

	for (shift = 48; shift >= 0; shift -= 16)
		if (((lo >> shift) & 0xffff) != 0xffff)
			return shift;
	return -1;
}

/*
 * Add @adj to the word at @shift of @half, keeping zero as 0x0000 (RFC
 * 1071): a word is then never 0xffff after translation, so the way back
 * picks the same word.
 */
static inline u64 npt_adjust(u64 half, int shift, u16 adj)
{
	u16 v = npt_oc_add((u16)(half >> shift), adj);

	if (v == 0xffff)
		v = 0;
	return (half & ~(0xffffULL << shift)) | (u64)v << shift;
}

/*
 * Translate @addr in place: outbound from the internal prefix to the
 * external one, inbound back. Returns 0; -ENOENT, address untouched, when
 * @addr is not in the prefix translated from; in RFC 6296 mode -ERANGE,
 * untouched too, when no word can be adjusted (a /49../64 mapping and an
 * all-ones IID): the caller drops the packet with an ICMPv6 parameter
 * problem, as RFC 6296 3.5 says. A prefix swap maps every address of the
 * prefix: it rewrites the prefix's bits of the first half under a mask.
 */
static __always_inline int mwan_npt_translate(const struct mwan_npt *npt,
					      u8 *addr, bool outbound)
{
	u64 hi = npt_get_half(addr), lo;
	u16 adj;
	int shift;

	if ((hi ^ npt->hi[!outbound]) & npt->hi_mask)
		return -ENOENT;
	hi = (hi & ~npt->hi_mask) | npt->hi[outbound];
	if (npt->rfc6296) {
		adj = outbound ? npt->adj_out : npt->adj_in;
		if (npt->len <= 48) {
			hi = npt_adjust(hi, 0, adj);	/* word 3 */
		} else {
			/* checked first: nothing is written on failure */
			lo = npt_get_half(addr + 8);
			shift = npt_iid_word(lo);
			if (shift < 0)
				return -ERANGE;
			npt_put_half(addr + 8, npt_adjust(lo, shift, adj));
		}
	}
	npt_put_half(addr, hi);
	return 0;
}

#endif /* _MWAN_NPT_H */
