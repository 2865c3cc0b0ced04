// SPDX-License-Identifier: GPL-2.0
/*
 * NPTv6 set-up and prefix matching; the translation itself is inline, in
 * npt.h. Addresses are handled as bytes and their 16-bit words read
 * big-endian, so the results do not depend on the host's byte order.
 */
#include "npt.h"

static u16 get_word(const u8 *addr, unsigned int w)
{
	return (u16)(addr[2 * w] << 8 | addr[2 * w + 1]);
}

static u16 oc_sum(const u8 *addr)
{
	unsigned int w;
	u16 s = 0;

	for (w = 0; w < 8; w++)
		s = npt_oc_add(s, get_word(addr, w));
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
	npt->hi[0] = npt_get_half(internal);
	npt->hi[1] = npt_get_half(external);
	npt->hi_mask = ~0ULL << (64 - len);
	/* a - b is a + ~b in ones' complement */
	npt->adj_out = npt_oc_add(oc_sum(internal), (u16)~oc_sum(external));
	npt->adj_in = (u16)~npt->adj_out;
	return 0;
}
