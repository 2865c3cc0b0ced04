// SPDX-License-Identifier: GPL-2.0
/*
 * The bucket tables behind link choice: shares follow weights, rebuilds move
 * the fewest buckets, and a fresh table interleaves links evenly.
 */
#include <stdlib.h>
#include <string.h>
#include "table.h"
#include "ktap.h"

static struct mwan_table_scratch scratch;

static void counts(const u8 *b, unsigned int *c)
{
	unsigned int i;

	memset(c, 0, 256 * sizeof(*c));
	for (i = 0; i < MWAN_BUCKETS; i++)
		c[b[i]]++;
}

static unsigned int moved(const u8 *a, const u8 *b)
{
	unsigned int i, n = 0;

	for (i = 0; i < MWAN_BUCKETS; i++)
		n += a[i] != b[i];
	return n;
}

static void test_quotas(void)
{
	struct mwan_table_entry e[3] = { { 1, 1 }, { 2, 2 }, { 3, 3 } };
	unsigned int sum;

	mwan_table_quotas(e, 3, &scratch);
	sum = scratch.quota[0] + scratch.quota[1] + scratch.quota[2];
	ktap_check(sum == MWAN_BUCKETS, "quotas sum to the table size (%u)", sum);
	ktap_check(scratch.quota[0] == 171 && scratch.quota[1] == 341 &&
		   scratch.quota[2] == 512,
		   "1:2:3 gives 171/341/512 buckets (got %u/%u/%u)",
		   scratch.quota[0], scratch.quota[1], scratch.quota[2]);
}

static void test_fresh_build(void)
{
	struct mwan_table_entry e[3] = { { 1, 1 }, { 2, 2 }, { 3, 3 } };
	u8 b[MWAN_BUCKETS] = { 0 };
	unsigned int c[256], i, worst = 0;

	mwan_table_build(b, e, 3, &scratch);
	counts(b, c);
	ktap_check(c[0] == 0 && c[1] == 171 && c[2] == 341 && c[3] == 512,
		   "fresh table has exactly the quotas");
	/* every window of 60 buckets holds about 10/20/30 of each */
	for (i = 0; i + 60 <= MWAN_BUCKETS; i++) {
		unsigned int w[4] = { 0 }, j, d;

		for (j = i; j < i + 60; j++)
			w[b[j]]++;
		for (j = 1; j <= 3; j++) {
			d = abs((int)w[j] - (int)(10 * j));
			worst = d > worst ? d : worst;
		}
	}
	ktap_check(worst <= 2, "fresh table interleaves links (worst window off by %u)",
		   worst);
}

static void test_weight_change_moves_minimum(void)
{
	struct mwan_table_entry e[3] = { { 1, 1 }, { 2, 2 }, { 3, 3 } };
	u8 b[MWAN_BUCKETS] = { 0 }, before[MWAN_BUCKETS];
	unsigned int c_old[256], c_new[256], need = 0, i;

	mwan_table_build(b, e, 3, &scratch);
	memcpy(before, b, sizeof(b));
	counts(b, c_old);
	e[2].weight = 5;
	mwan_table_build(b, e, 3, &scratch);
	counts(b, c_new);
	for (i = 1; i <= 3; i++)
		need += c_new[i] > c_old[i] ? c_new[i] - c_old[i] : 0;
	ktap_check(moved(before, b) == need,
		   "weight 3->5 moves only the %u buckets that must move (moved %u)",
		   need, moved(before, b));
}

static void test_link_down_and_back(void)
{
	struct mwan_table_entry e[3] = { { 1, 1 }, { 2, 1 }, { 3, 1 } };
	u8 b[MWAN_BUCKETS] = { 0 }, start[MWAN_BUCKETS], down[MWAN_BUCKETS];
	unsigned int c[256], i, others_kept = 1, own;

	mwan_table_build(b, e, 3, &scratch);
	memcpy(start, b, sizeof(b));
	counts(b, c);
	own = c[2];
	mwan_table_build(b, (struct mwan_table_entry[]){ { 1, 1 }, { 3, 1 } },
			 2, &scratch);
	memcpy(down, b, sizeof(b));
	for (i = 0; i < MWAN_BUCKETS; i++)
		if (start[i] != 2 && down[i] != start[i])
			others_kept = 0;
	counts(b, c);
	ktap_check(others_kept && c[2] == 0 && moved(start, down) == own,
		   "a link going down moves only its own %u buckets", own);
	mwan_table_build(b, e, 3, &scratch);
	counts(b, c);
	ktap_check(moved(down, b) == c[2] && c[2] == own,
		   "coming back it takes exactly its share again (%u)", c[2]);
}

static void test_edges(void)
{
	u8 b[MWAN_BUCKETS], before[MWAN_BUCKETS];
	unsigned int c[256];

	memset(b, 7, sizeof(b));
	memcpy(before, b, sizeof(b));
	mwan_table_build(b, NULL, 0, &scratch);
	ktap_check(!moved(before, b), "no usable entry leaves the table alone");
	mwan_table_build(b, (struct mwan_table_entry[]){ { 9, 1000 } }, 1,
			 &scratch);
	counts(b, c);
	ktap_check(c[9] == MWAN_BUCKETS, "a single link owns every bucket");
	memset(b, 0, sizeof(b));
	mwan_table_build(b, (struct mwan_table_entry[]){ { 1, 1 }, { 2, 1000 } },
			 2, &scratch);
	counts(b, c);
	ktap_check(c[1] == 1 && c[2] == MWAN_BUCKETS - 1,
		   "weight 1 against 1000 still gets a bucket (%u)", c[1]);
}

int main(void)
{
	ktap_plan("table", 10);
	test_quotas();
	test_fresh_build();
	test_weight_change_moves_minimum();
	test_link_down_and_back();
	test_edges();
	return ktap_finish();
}
