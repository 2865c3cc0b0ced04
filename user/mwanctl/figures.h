/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Figures derived from the kernel's objects, as the kernel itself would
 * derive them (kmod/config.c picks the tier, kmod/table.c shares it by
 * weight): which tier of a policy takes new connections now, each
 * member's share of them, whether a link's state was set by hand. Pure:
 * status, metrics and the unit tests use them alike.
 */
#ifndef MWANCTL_FIGURES_H
#define MWANCTL_FIGURES_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* A member's weight: its own, or its link's; 0 if the link is unknown */
uint32_t member_weight_of(const struct mwan_config *cfg,
			  const struct mwan_member *m);
/* The lowest metric of @p that has a member whose link is up */
bool policy_active_metric(const struct mwan_config *cfg,
			  const struct mwan_policy *p, uint32_t *metric);
/* Member @i takes new connections now: its link is up, in that tier */
bool member_active(const struct mwan_config *cfg, const struct mwan_policy *p,
		   unsigned int i);
/* Its share of the policy's new connections now, in parts per million */
uint32_t member_share_ppm(const struct mwan_config *cfg,
			  const struct mwan_policy *p, unsigned int i);
/* The link's state differs from its checks' verdict: set by hand */
bool link_held(const struct mwan_link *l);

#endif /* MWANCTL_FIGURES_H */
