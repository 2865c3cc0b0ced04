/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 1:1 IPv4 range mapping: internal [first, last] <-> external
 * [ext_first, ext_first + (last - first)], address for address in order.
 * E.g. hosts 10.250.250.2-.6 reach the Internet as 104.57.226.193-.197 on
 * one link and as 136.25.91.242-.246 on another: one map per link.
 *
 * Only the address arithmetic lives here; rewriting packets is left to
 * conntrack NAT, which also fixes the checksums an IPv4 rewrite breaks.
 * Addresses are in network order at the API, host order inside. No kernel
 * dependencies, so the same code is unit-tested in userspace
 * (selftests/unit/test_map4.c).
 */
#ifndef _MWAN_MAP4_H
#define _MWAN_MAP4_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>	/* __be32 */
typedef uint32_t u32;
#endif

struct mwan_map4 {
	u32 first;	/* internal range, host order */
	u32 last;
	u32 ext_first;	/* the twin of first */
};

int mwan_map4_init(struct mwan_map4 *map, __be32 first, __be32 last,
		   __be32 ext_first);
bool mwan_map4_out(const struct mwan_map4 *map, __be32 addr, __be32 *twin);
bool mwan_map4_in(const struct mwan_map4 *map, __be32 addr, __be32 *twin);

#endif /* _MWAN_MAP4_H */
