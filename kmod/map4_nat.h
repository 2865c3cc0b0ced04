/* SPDX-License-Identifier: GPL-2.0 */
/* 1:1 IPv4 mapping as conntrack NAT lookups, while some link maps. */
#ifndef _MWAN_MAP4_NAT_H
#define _MWAN_MAP4_NAT_H

#include "config.h"

struct mwan_net;

int mwan_map4_nat_attach(struct mwan_net *mn, const struct mwan_config *cfg);
void mwan_map4_nat_release(struct mwan_net *mn);

#endif /* _MWAN_MAP4_NAT_H */
