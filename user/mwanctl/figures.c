// SPDX-License-Identifier: GPL-2.0
#include "figures.h"

uint32_t member_weight_of(const struct mwan_config *cfg,
			  const struct mwan_member *m)
{
	const struct mwan_link *l;

	if (HAS(m, MWAN_MEMBER_A_WEIGHT) && m->weight)
		return m->weight;
	l = mwan_link_by_id(cfg, m->link);
	return l && HAS(l, MWAN_LINK_A_WEIGHT) ? l->weight : 0;
}

static bool member_up(const struct mwan_config *cfg,
		      const struct mwan_member *m)
{
	const struct mwan_link *l = mwan_link_by_id(cfg, m->link);

	return l && HAS(l, MWAN_LINK_A_STATE) && l->state == MWAN_LINK_UP;
}

static uint32_t metric_of(const struct mwan_member *m)
{
	return HAS(m, MWAN_MEMBER_A_METRIC) ? m->metric : 0;
}

bool policy_active_metric(const struct mwan_config *cfg,
			  const struct mwan_policy *p, uint32_t *metric)
{
	bool found = false;
	unsigned int i;

	for (i = 0; i < p->n_members; i++) {
		uint32_t m = metric_of(&p->members[i]);

		if (!member_up(cfg, &p->members[i]) || (found && m >= *metric))
			continue;
		*metric = m;
		found = true;
	}
	return found;
}

bool member_active(const struct mwan_config *cfg, const struct mwan_policy *p,
		   unsigned int i)
{
	uint32_t metric;

	return member_up(cfg, &p->members[i]) &&
	       policy_active_metric(cfg, p, &metric) &&
	       metric_of(&p->members[i]) == metric;
}

uint32_t member_share_ppm(const struct mwan_config *cfg,
			  const struct mwan_policy *p, unsigned int i)
{
	uint64_t sum = 0;
	unsigned int j;

	if (!member_active(cfg, p, i))
		return 0;
	for (j = 0; j < p->n_members; j++)
		if (member_active(cfg, p, j))
			sum += member_weight_of(cfg, &p->members[j]);
	if (!sum)
		return 0;
	return member_weight_of(cfg, &p->members[i]) * 1000000ULL / sum;
}

bool link_held(const struct mwan_link *l)
{
	if (!HAS(l, MWAN_LINK_A_HEALTH) || !HAS(l, MWAN_LINK_A_STATE) ||
	    l->health == MWAN_LINK_HEALTH_UNKNOWN)
		return false;
	return (l->health == MWAN_LINK_HEALTH_UP) != (l->state == MWAN_LINK_UP);
}
