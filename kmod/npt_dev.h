/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NPTv6 hooks on the devices of translating links: netdev ingress and
 * egress, registered while some link translates on that device.
 */
#ifndef _MWAN_NPT_DEV_H
#define _MWAN_NPT_DEV_H

#include "config.h"

struct mwan_net;

bool mwan_npt_devs_same(const struct mwan_config *a,
			const struct mwan_config *b);
int mwan_npt_devs_attach(struct mwan_net *mn, const struct mwan_config *cfg);
void mwan_npt_devs_prune(struct mwan_net *mn, const struct mwan_config *cfg);
int mwan_npt_dev_init(void);
void mwan_npt_dev_exit(void);

#endif /* _MWAN_NPT_DEV_H */
