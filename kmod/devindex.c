// SPDX-License-Identifier: GPL-2.0
/* The device-to-link table of devindex.h, built with each snapshot. */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif
#include "devindex.h"

void mwan_dev_index_clear(struct mwan_dev_index *idx)
{
	memset(idx, 0, sizeof(*idx));
}

void mwan_dev_index_add(struct mwan_dev_index *idx, u32 ifindex, u8 link)
{
	unsigned int i = ifindex & (MWAN_DEV_SLOTS - 1);

	if (!ifindex)
		return;
	while (idx->slots[i].ifindex) {
		if (idx->slots[i].ifindex == ifindex)
			return;
		i = (i + 1) & (MWAN_DEV_SLOTS - 1);
	}
	idx->slots[i].ifindex = ifindex;
	idx->slots[i].link = link;
}
