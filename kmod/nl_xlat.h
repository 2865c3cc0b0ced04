/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A link's address translation (MWAN_LINK_A_NPT, MWAN_LINK_A_MAP4) to and
 * from netlink attributes.
 */
#ifndef _MWAN_NL_XLAT_H
#define _MWAN_NL_XLAT_H

#include <net/netlink.h>
#include "config.h"

extern const struct nla_policy mwan_npt_policy[MWAN_NPT_A_MAX + 1];
extern const struct nla_policy mwan_map4_policy[MWAN_MAP4_A_MAX + 1];

int mwan_apply_npt(struct mwan_link *l, const struct nlattr *nest,
		   struct netlink_ext_ack *extack);
int mwan_apply_map4(struct mwan_link *l, const struct nlattr *nest,
		    struct netlink_ext_ack *extack);
int mwan_check_xlat(const struct mwan_config *cfg,
		    struct netlink_ext_ack *extack);
int mwan_fill_xlat(struct sk_buff *msg, const struct mwan_link *l);

#endif /* _MWAN_NL_XLAT_H */
