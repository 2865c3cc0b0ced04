// SPDX-License-Identifier: GPL-2.0
/*
 * Resilient weighted bucket tables; see table.h. Control path only: the
 * data path just reads buckets[hash & (MWAN_BUCKETS - 1)].
 */
#include "table.h"

/*
 * Share the buckets out in proportion to the weights: floors first, then the
 * leftover buckets one each to the largest remainders (ties to the earlier
 * entry), so the quotas always sum to MWAN_BUCKETS.
 */
void mwan_table_quotas(const struct mwan_table_entry *entries, unsigned int n,
		       struct mwan_table_scratch *s)
{
	u32 *quota = s->quota;
	u64 total = 0, *rem = s->rem;
	unsigned int i, given = 0;

	for (i = 0; i < n; i++)
		total += entries[i].weight;
	for (i = 0; i < n; i++) {
		u64 share = (u64)entries[i].weight * MWAN_BUCKETS;

		quota[i] = div64_u64_rem(share, total, &rem[i]);
		given += quota[i];
	}
	while (given < MWAN_BUCKETS) {
		unsigned int best = 0;

		for (i = 1; i < n; i++)
			if (rem[i] > rem[best])
				best = i;
		quota[best]++;
		rem[best] = 0;
		given++;
	}
}

static int entry_of(const struct mwan_table_entry *entries, unsigned int n,
		    u8 link)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (entries[i].link == link)
			return i;
	return -1;
}

/* The entry furthest below its quota takes the next free bucket, which
 * interleaves links smoothly when a table is built from scratch.
 */
static unsigned int neediest(const u32 *quota, const u32 *count,
			     unsigned int n)
{
	unsigned int i, best = 0;
	u64 best_need = 0;

	for (i = 0; i < n; i++) {
		/* compare (quota - count) / quota without dividing */
		u64 need = quota[i] > count[i] ?
			div_u64((u64)(quota[i] - count[i]) << 32, quota[i]) : 0;

		if (need > best_need) {
			best_need = need;
			best = i;
		}
	}
	return best;
}

/*
 * Rebuild @buckets in place for @entries (1..MWAN_TABLE_MAX_ENTRIES usable
 * links with distinct ids).
 * A bucket keeps its link while that link is still an entry and under its
 * quota; every other bucket is handed to the links short of theirs. With
 * n == 0 the table is left alone: the caller marks the tier unusable, and
 * keeping the old assignment lets keys return to the same links later.
 */
void mwan_table_build(u8 *buckets, const struct mwan_table_entry *entries,
		      unsigned int n, struct mwan_table_scratch *s)
{
	u32 *quota = s->quota, *count = s->count;
	unsigned int b, i;

	if (!n)
		return;
	mwan_table_quotas(entries, n, s);
	for (i = 0; i < n; i++)
		count[i] = 0;
	for (b = 0; b < MWAN_BUCKETS; b++) {
		int e = entry_of(entries, n, buckets[b]);

		if (e >= 0 && count[e] < quota[e])
			count[e]++;
		else
			buckets[b] = 0;
	}
	for (b = 0; b < MWAN_BUCKETS; b++) {
		unsigned int e;

		if (buckets[b])
			continue;
		e = neediest(quota, count, n);
		buckets[b] = entries[e].link;
		count[e]++;
	}
}
