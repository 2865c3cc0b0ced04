// SPDX-License-Identifier: GPL-2.0
/*
 * The device-to-link table: every link's device is found, devices of no
 * link are not, however the interface numbers collide in the table.
 */
#include <stdlib.h>
#include "devindex.h"
#include "ktap.h"

static struct mwan_dev_index idx;

/* Links 1..n on devices first, first + step, ...; then every lookup. */
static int fill_and_find(u32 first, u32 step, unsigned int n)
{
	unsigned int i;
	u32 dev;

	mwan_dev_index_clear(&idx);
	for (i = 0; i < n; i++)
		mwan_dev_index_add(&idx, first + i * step, i + 1);
	for (i = 0; i < n; i++)
		if (mwan_dev_link(&idx, first + i * step) != i + 1)
			return 0;
	/* between and beyond them: nothing */
	for (dev = 1; dev < first + n * step + MWAN_DEV_SLOTS; dev++)
		if ((dev < first || (dev - first) % step ||
		     (dev - first) / step >= n) && mwan_dev_link(&idx, dev))
			return 0;
	return 1;
}

int main(void)
{
	ktap_plan("devindex", 7);
	mwan_dev_index_clear(&idx);
	ktap_check(!mwan_dev_link(&idx, 1) && !mwan_dev_link(&idx, 0),
		   "an empty table finds no device, not even 0");
	ktap_check(fill_and_find(2, 1, 3), "three links on devices 2, 3, 4");
	ktap_check(fill_and_find(1, 1, 255), "255 links on devices 1-255");
	ktap_check(fill_and_find(7, MWAN_DEV_SLOTS, 255),
		   "255 devices in one slot's chain, wrapping round the table");
	ktap_check(fill_and_find(MWAN_DEV_SLOTS - 3, 1, 200),
		   "a run across the table's end");
	ktap_check(fill_and_find(100000, 37, 255),
		   "large interface numbers, spread");

	mwan_dev_index_clear(&idx);
	mwan_dev_index_add(&idx, 5, 1);
	mwan_dev_index_add(&idx, 5, 2);
	mwan_dev_index_add(&idx, 0, 3);
	ktap_check(mwan_dev_link(&idx, 5) == 1 && !mwan_dev_link(&idx, 0),
		   "a second link on a device and a link with none leave the table as it was");
	return ktap_finish();
}
