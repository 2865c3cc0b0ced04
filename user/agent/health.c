// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "health.h"

void health_init(struct health *h, const struct health_conf *c)
{
	memset(h, 0, sizeof(*h));
	h->up = c->initial_up;
	h->carrier = true;
}

static void count_loss(struct health *h, const struct health_round *r)
{
	h->sent[h->slot] = r->sent;
	h->lost[h->slot] = r->sent - r->replies;
	h->slot = (h->slot + 1) % HEALTH_LOSS_WINDOW;
	if (r->replies)
		h->rtt_us = r->rtt_sum_us / r->replies;
}

static bool round_good(const struct health_conf *c,
		       const struct health_round *r)
{
	return r->answered >= c->reliability;
}

enum health_change health_round(struct health *h, const struct health_conf *c,
				const struct health_round *r)
{
	bool good = round_good(c, r);

	if (!h->carrier)
		return HEALTH_SAME;
	count_loss(h, r);
	if (h->up) {
		h->fails = good ? 0 : h->fails + 1;
		if (h->fails < c->down)
			return HEALTH_SAME;
		snprintf(h->reason, sizeof(h->reason),
			 "%u rounds failed (last: %u of %u targets answered, %u needed)",
			 h->fails, r->answered, r->targets, c->reliability);
		h->up = false;
		h->fails = 0;
		h->goods = 0;
		return HEALTH_WENT_DOWN;
	}
	h->goods = good ? h->goods + 1 : 0;
	/* a failed round after the carrier came back ends the hurry */
	if (!good)
		h->recovering = false;
	if (h->goods < c->up)
		return HEALTH_SAME;
	snprintf(h->reason, sizeof(h->reason),
		 "%u rounds good (last: %u of %u targets answered)",
		 h->goods, r->answered, r->targets);
	h->up = true;
	h->goods = 0;
	h->fails = 0;
	h->recovering = false;
	return HEALTH_WENT_UP;
}

enum health_change health_carrier(struct health *h, bool up, const char *why)
{
	if (h->carrier == up)
		return HEALTH_SAME;
	h->carrier = up;
	h->fails = 0;
	h->goods = 0;
	/* back: the link stays down until "up" good rounds say otherwise */
	h->recovering = up;
	if (up || !h->up)
		return HEALTH_SAME;
	snprintf(h->reason, sizeof(h->reason), "%s", why);
	h->up = false;
	return HEALTH_WENT_DOWN;
}

unsigned int health_next_ms(const struct health *h,
			    const struct health_conf *c)
{
	if (h->up && h->fails)
		return c->failure_interval_ms;
	if (!h->up && (h->goods || h->recovering))
		return c->recovery_interval_ms;
	return c->interval_ms;
}

uint32_t health_loss_ppm(const struct health *h)
{
	uint64_t sent = 0, lost = 0;
	unsigned int i;

	for (i = 0; i < HEALTH_LOSS_WINDOW; i++) {
		sent += h->sent[i];
		lost += h->lost[i];
	}
	return sent ? lost * 1000000 / sent : 0;
}
