/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Removing the conntrack entries that belong to links, so that their
 * connections start over (and pick a link again) instead of following
 * link bits that no longer mean what they meant.
 */
#ifndef _MWAN_CT_FORGET_H
#define _MWAN_CT_FORGET_H

#include <linux/bitmap.h>
#include "config.h"

struct mwan_forget {
	u32 mask;		/* the mark mask the links' bits were set under */
	u8 shift;
	DECLARE_BITMAP(links, MWAN_LINK_ID_MAX + 1);
	/* also the connections these links' 1:1 IPv4 maps translated */
	const struct mwan_config *map4;
	unsigned int count;	/* how many were removed */
};

void mwan_forget_init(struct mwan_forget *f, const struct mwan_config *cfg);
void mwan_forget_run(struct net *net, struct mwan_forget *f, u32 portid,
		     bool report);

#endif /* _MWAN_CT_FORGET_H */
