// SPDX-License-Identifier: GPL-2.0
/*
 * NPTv6 arithmetic, prefix swap and RFC 6296; see npt.h. Addresses are handled as bytes and
 * their 16-bit words read big-endian, so the results do not depend on the
 * host's byte order.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif
#include "npt.h"

static u16 get_word(const u8 *addr, unsigned int w)
{
	return (u16)(addr[2 * w] << 8 | addr[2 * w + 1]);
}

static void put_word(u8 *addr, unsigned int w, u16 v)
{
	addr[2 * w] = v >> 8;
	addr[2 * w + 1] = v & 0xff;
}

/*
 * Ones'-complement sum. Two 16-bit values carry at most once, so one fold
 * suffices; the result may be 0xffff, the other representation of zero.
 */
static u16 oc_add(u16 a, u16 b)
{
	u32 s = (u32)a + b;

	return (u16)((s & 0xffff) + (s >> 16));
}

static u16 oc_sum(const u8 *addr)
{
	unsigned int w;
	u16 s = 0;

	for (w = 0; w < 8; w++)
		s = oc_add(s, get_word(addr, w));
	return s;
}

/* The mask of the prefix's bits in byte @i, 0 past the prefix. */
static u8 prefix_mask(unsigned int len, unsigned int i)
{
	if (len >= 8 * (i + 1))
		return 0xff;
	if (len <= 8 * i)
		return 0;
	return (u8)(0xff << (8 - (len - 8 * i)));
}

/* Whether @addr lies in @prefix/@len (len 0..128). */
bool mwan_npt_match(const u8 *prefix, unsigned int len, const u8 *addr)
{
	unsigned int i;

	for (i = 0; i < 16 && len > 8 * i; i++)
		if ((addr[i] ^ prefix[i]) & prefix_mask(len, i))
			return false;
	return true;
}

/* A prefix with host bits set is a configuration mistake: refuse it. */
static bool prefix_clean(const u8 *prefix, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		if (prefix[i] & ~prefix_mask(len, i))
			return false;
	return true;
}

/*
 * Set up @npt for @internal/@len <-> @external/@len, checksum-neutral if
 * @rfc6296. Unequal lengths are not offered: ip6t_NPT then overwrites the
 * bits between them and the mapping no longer reverses. Returns 0 or
 * -EINVAL.
 */
int mwan_npt_init(struct mwan_npt *npt, const u8 *internal,
		  const u8 *external, unsigned int len, bool rfc6296)
{
	unsigned int i;

	if (len < 1 || len > MWAN_NPT_MAX_LEN)
		return -EINVAL;
	if (!prefix_clean(internal, len) || !prefix_clean(external, len))
		return -EINVAL;
	for (i = 0; i < 16; i++) {
		npt->internal[i] = internal[i];
		npt->external[i] = external[i];
	}
	npt->len = len;
	npt->rfc6296 = rfc6296;
	/* a - b is a + ~b in ones' complement */
	npt->adj_out = oc_add(oc_sum(internal), (u16)~oc_sum(external));
	npt->adj_in = (u16)~npt->adj_out;
	return 0;
}

/*
 * The word that absorbs the adjustment (RFC 6296 3.4, 3.5; ip6t_NPT):
 * the subnet word 3 up to /48, else the first IID word (4..7) that is not
 * 0xffff. A 0xffff word is skipped because, 0xffff and 0 being the same
 * number, its image would map back to 0 instead. -1 if all four are.
 */
static int adjusted_word(const u8 *addr, unsigned int len)
{
	unsigned int w;

	if (len <= 48)
		return 3;
	for (w = 4; w < 8; w++)
		if (get_word(addr, w) != 0xffff)
			return w;
	return -1;
}

/*
 * Translate @addr in place: outbound from the internal prefix to the
 * external one (a source address leaving), inbound back (a destination
 * address arriving). Returns 0; -ENOENT, address untouched, when @addr is
 * not in the prefix translated from; in RFC 6296 mode -ERANGE, untouched
 * too, when no word can be adjusted (a /49../64 mapping and an all-ones
 * IID): the caller drops the packet with an ICMPv6 parameter problem, as
 * RFC 6296 3.5 says. A prefix swap maps every address of the prefix.
 */
int mwan_npt_translate(const struct mwan_npt *npt, u8 *addr, bool outbound)
{
	const u8 *from = outbound ? npt->internal : npt->external;
	const u8 *to = outbound ? npt->external : npt->internal;
	unsigned int i;
	int w = 0;
	u16 v;

	if (!mwan_npt_match(from, npt->len, addr))
		return -ENOENT;
	/* checked first: the word lies past the prefix, which is rewritten */
	if (npt->rfc6296) {
		w = adjusted_word(addr, npt->len);
		if (w < 0)
			return -ERANGE;
	}
	for (i = 0; i < 16 && npt->len > 8 * i; i++) {
		u8 m = prefix_mask(npt->len, i);

		addr[i] = (addr[i] & ~m) | (to[i] & m);
	}
	if (!npt->rfc6296)
		return 0;
	v = oc_add(get_word(addr, w), outbound ? npt->adj_out : npt->adj_in);
	/*
	 * Keep zero as 0x0000 (RFC 1071): a word is then never 0xffff after
	 * translation, so the way back picks the same word.
	 */
	put_word(addr, w, v == 0xffff ? 0 : v);
	return 0;
}
