/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which links a network device carries, found in one probe of a small
 * open-addressing table instead of a walk over the links: every new
 * connection from the LAN asks whether it came in on a link, and a walk
 * over 63 links touched 63 cache lines to learn that it did not. Rebuilt
 * with each configuration snapshot, read under RCU with it. No kernel
 * dependencies, so it is unit-tested in userspace too.
 */
#ifndef _MWAN_DEVINDEX_H
#define _MWAN_DEVINDEX_H

#include "table.h"	/* u8, u32 in userspace */

/*
 * A power of two, over twice the most links (255): probes stay short.
 * Interfaces are numbered from 1 up, so the low bits alone spread them.
 */
#define MWAN_DEV_SLOTS 512

struct mwan_dev_slot {
	u32 ifindex;	/* 0: empty */
	u8 link;	/* its link (each link has a device of its own) */
};

struct mwan_dev_index {
	struct mwan_dev_slot slots[MWAN_DEV_SLOTS];
};

void mwan_dev_index_clear(struct mwan_dev_index *idx);
/* Of two links on one device (never valid), the first added stays. */
void mwan_dev_index_add(struct mwan_dev_index *idx, u32 ifindex, u8 link);

/* The id of the link on device @ifindex, 0 if there is none. */
static inline u8 mwan_dev_link(const struct mwan_dev_index *idx, u32 ifindex)
{
	unsigned int i = ifindex & (MWAN_DEV_SLOTS - 1);

	/* never full, so an empty slot always ends the probe */
	for (;; i = (i + 1) & (MWAN_DEV_SLOTS - 1)) {
		const struct mwan_dev_slot *s = &idx->slots[i];

		if (!s->ifindex)
			return 0;
		if (s->ifindex == ifindex)
			return s->link;
	}
}

#endif /* _MWAN_DEVINDEX_H */
