// SPDX-License-Identifier: GPL-2.0
/* 1:1 IPv4 range mapping; see map4.h. */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <asm/byteorder.h>
#else
#include <errno.h>
#include <arpa/inet.h>
#define be32_to_cpu(x) ntohl(x)
#define cpu_to_be32(x) htonl(x)
#endif
#include "map4.h"

/*
 * Set up @map for internal [@first, @last] and the external range of the
 * same size starting at @ext_first. Returns 0, or -EINVAL when the range
 * is reversed or the external one would run past 255.255.255.255.
 */
int mwan_map4_init(struct mwan_map4 *map, __be32 first, __be32 last,
		   __be32 ext_first)
{
	u32 f = be32_to_cpu(first), l = be32_to_cpu(last);
	u32 e = be32_to_cpu(ext_first);

	if (f > l || l - f > ~e)
		return -EINVAL;
	map->first = f;
	map->last = l;
	map->ext_first = e;
	return 0;
}

/* Whether @addr is in [@lo, @lo + @span]; if so *@twin is its image. */
static bool shift(u32 lo, u32 span, u32 to, __be32 addr, __be32 *twin)
{
	u32 off = be32_to_cpu(addr) - lo;	/* wraps below lo: too big */

	if (off > span)
		return false;
	*twin = cpu_to_be32(to + off);
	return true;
}

/* Internal @addr to its external twin: false if @addr is not mapped. */
bool mwan_map4_out(const struct mwan_map4 *map, __be32 addr, __be32 *twin)
{
	return shift(map->first, map->last - map->first, map->ext_first,
		     addr, twin);
}

/* External @addr back to its internal twin: false if it is not mapped. */
bool mwan_map4_in(const struct mwan_map4 *map, __be32 addr, __be32 *twin)
{
	return shift(map->ext_first, map->last - map->first, map->first,
		     addr, twin);
}
