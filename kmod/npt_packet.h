/* SPDX-License-Identifier: GPL-2.0 */
/* NPTv6 applied to one packet as it crosses a link's device. */
#ifndef _MWAN_NPT_PACKET_H
#define _MWAN_NPT_PACKET_H

#include <linux/skbuff.h>
#include "npt.h"

enum mwan_npt_result {
	MWAN_NPT_UNTOUCHED,	/* nothing of it is in the prefix */
	MWAN_NPT_TRANSLATED,
	MWAN_NPT_UNMAPPABLE,	/* parameter problem sent; drop it */
	MWAN_NPT_ERROR,		/* could not be made writable; drop it */
};

enum mwan_npt_result mwan_npt_packet(struct sk_buff *skb,
				     const struct mwan_npt *npt,
				     bool outbound);

#endif /* _MWAN_NPT_PACKET_H */
