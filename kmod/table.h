/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resilient weighted bucket tables: the O(1) link choice for new flows.
 *
 * A tier of a policy owns MWAN_BUCKETS buckets, each naming one link. A flow
 * hashes to a bucket. Rebuilding after a weight or state change keeps every
 * bucket whose link still deserves it, so only the minimum number of buckets
 * (and hence of sticky keys) moves. This file has no kernel dependencies so
 * the same code is unit-tested in userspace.
 */
#ifndef _MWAN_TABLE_H
#define _MWAN_TABLE_H

#ifdef __KERNEL__
#include <linux/math64.h>
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;

/* <linux/math64.h>: 32-bit kernels have no 64-bit '/' and '%' */
static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

static inline u64 div64_u64_rem(u64 dividend, u64 divisor, u64 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}
#endif

#define MWAN_BUCKETS 1024	/* a power of two: flows index it with a mask */
#define MWAN_TABLE_MAX_ENTRIES 64	/* MWAN_MAX_MEMBERS */

struct mwan_table_entry {
	u8 link;	/* link id, never 0 */
	u32 weight;	/* > 0 */
};

/* Working space for a build: too large for a kernel stack frame. */
struct mwan_table_scratch {
	struct mwan_table_entry entries[MWAN_TABLE_MAX_ENTRIES];
	u32 quota[MWAN_TABLE_MAX_ENTRIES];
	u32 count[MWAN_TABLE_MAX_ENTRIES];
	u64 rem[MWAN_TABLE_MAX_ENTRIES];
};

void mwan_table_quotas(const struct mwan_table_entry *entries, unsigned int n,
		       struct mwan_table_scratch *s);
void mwan_table_build(u8 *buckets, const struct mwan_table_entry *entries,
		      unsigned int n, struct mwan_table_scratch *s);

#endif /* _MWAN_TABLE_H */
