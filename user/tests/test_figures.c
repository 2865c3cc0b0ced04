// SPDX-License-Identifier: GPL-2.0
/*
 * What status and metrics derive from the kernel's objects
 * (mwanctl/figures.c): the active tier, each member's share of it, and
 * whether a link's state is held by hand.
 */
#include <string.h>

#include "figures.h"
#include "ktap.h"
#include "util.h"

static struct mwan_link links[3];
static struct mwan_member members[3];
static struct mwan_config cfg = { .links = links, .n_links = 3 };
static struct mwan_policy pol = { .members = members, .n_members = 3 };

/* link i+1 in @state with @weight; member i at @metric, weight @mw (0: none) */
static void set(unsigned int i, uint8_t state, uint32_t weight,
		uint32_t metric, uint32_t mw)
{
	struct mwan_link *l = &links[i];
	struct mwan_member *m = &members[i];

	memset(l, 0, sizeof(*l));
	l->id = i + 1;
	l->state = state;
	l->weight = weight;
	l->set = BIT(MWAN_LINK_A_ID) | BIT(MWAN_LINK_A_STATE) |
		 BIT(MWAN_LINK_A_WEIGHT);
	memset(m, 0, sizeof(*m));
	m->link = i + 1;
	m->metric = metric;
	m->weight = mw;
	m->set = BIT(MWAN_MEMBER_A_LINK) | BIT(MWAN_MEMBER_A_METRIC) |
		 (mw ? BIT(MWAN_MEMBER_A_WEIGHT) : 0);
}

static void test_tiers(void)
{
	uint32_t metric = 99;

	set(0, MWAN_LINK_UP, 1, 0, 0);
	set(1, MWAN_LINK_UP, 1, 0, 3);
	set(2, MWAN_LINK_UP, 5, 10, 0);
	ktap_check(policy_active_metric(&cfg, &pol, &metric) && metric == 0,
		   "tier: the lowest metric with an up link");
	ktap_check(member_active(&cfg, &pol, 0) && member_active(&cfg, &pol, 1) &&
		   !member_active(&cfg, &pol, 2),
		   "tier: its members are active, the failover tier is not");
	ktap_check(member_weight_of(&cfg, &members[1]) == 3 &&
		   member_weight_of(&cfg, &members[2]) == 5,
		   "weight: the member's own, else its link's");
	ktap_check(member_share_ppm(&cfg, &pol, 0) == 250000 &&
		   member_share_ppm(&cfg, &pol, 1) == 750000 &&
		   member_share_ppm(&cfg, &pol, 2) == 0,
		   "share: 1:3 in the active tier, none for the failover");

	set(0, MWAN_LINK_DRAIN, 1, 0, 0);
	ktap_check(!member_active(&cfg, &pol, 0) &&
		   member_share_ppm(&cfg, &pol, 1) == 1000000,
		   "share: a draining link takes none, the rest of its tier all");
	set(1, MWAN_LINK_DOWN, 1, 0, 3);
	ktap_check(policy_active_metric(&cfg, &pol, &metric) && metric == 10 &&
		   member_share_ppm(&cfg, &pol, 2) == 1000000,
		   "tier: with the first tier down, the failover takes all");
	set(2, MWAN_LINK_DOWN, 5, 10, 0);
	ktap_check(!policy_active_metric(&cfg, &pol, &metric) &&
		   !member_share_ppm(&cfg, &pol, 2),
		   "tier: none up, none active: the last resort");
}

static void test_held(void)
{
	struct mwan_link l = { .state = MWAN_LINK_UP,
			       .health = MWAN_LINK_HEALTH_UNKNOWN };

	l.set = BIT(MWAN_LINK_A_STATE) | BIT(MWAN_LINK_A_HEALTH);
	ktap_check(!link_held(&l), "held: no checks, nothing held");
	l.health = MWAN_LINK_HEALTH_UP;
	ktap_check(!link_held(&l), "held: up as the checks say");
	l.state = MWAN_LINK_DRAIN;
	ktap_check(link_held(&l), "held: drain by hand while the checks say up");
	l.health = MWAN_LINK_HEALTH_DOWN;
	l.state = MWAN_LINK_DOWN;
	ktap_check(!link_held(&l), "held: down as the checks say");
	l.state = MWAN_LINK_UP;
	ktap_check(link_held(&l), "held: up by hand while the checks say down");
	l.set = BIT(MWAN_LINK_A_STATE);
	ktap_check(!link_held(&l), "held: a kernel without health, nothing held");
}

int main(void)
{
	ktap_start();
	test_tiers();
	test_held();
	return ktap_finish("test_figures");
}
