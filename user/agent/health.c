// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include <linux/mwan.h>

#include "health.h"

void health_init(struct health *h, const struct health_conf *c)
{
	memset(h, 0, sizeof(*h));
	h->up = c->initial_up;
	h->carrier = true;
}

/* Loss and RTT over all the round's probes */
static void count_loss(struct health *h, const struct health_target *t,
		       unsigned int n)
{
	unsigned int i, sent = 0, replies = 0;
	uint64_t rtt = 0;

	for (i = 0; i < n; i++) {
		sent += t[i].sent;
		replies += t[i].replies;
		rtt += t[i].rtt_sum_us;
	}
	h->sent[h->slot] = sent;
	h->lost[h->slot] = sent - replies;
	h->slot = (h->slot + 1) % HEALTH_LOSS_WINDOW;
	if (replies)
		h->rtt_us = rtt / replies;
}

static bool target_good(const struct health *h, const struct health_conf *c,
			const struct health_target *t)
{
	unsigned int latency_ms, loss_pct;

	if (!t->replies)
		return false;
	if (!c->quality)
		return true;
	latency_ms = t->rtt_sum_us / t->replies / 1000;
	loss_pct = (t->sent - t->replies) * 100 / t->sent;
	if (h->up)
		return latency_ms < c->failure_latency_ms &&
		       loss_pct < c->failure_loss_pct;
	return latency_ms <= c->recovery_latency_ms &&
	       loss_pct <= c->recovery_loss_pct;
}

enum health_change health_round(struct health *h, const struct health_conf *c,
				const struct health_target *t, unsigned int n)
{
	const char *what = c->quality ? "good" : "answered";
	unsigned int i, good_targets = 0;
	bool good;

	if (!h->carrier)
		return HEALTH_SAME;
	count_loss(h, t, n);
	for (i = 0; i < n; i++)
		good_targets += target_good(h, c, &t[i]);
	good = good_targets >= c->reliability;
	if (h->up) {
		h->fails = good ? 0 : h->fails + 1;
		if (h->fails < c->down)
			return HEALTH_SAME;
		snprintf(h->reason, sizeof(h->reason),
			 "%u rounds failed (last: %u of %u targets %s, %u needed)",
			 h->fails, good_targets, n, what, c->reliability);
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
		 "%u rounds good (last: %u of %u targets %s)", h->goods,
		 good_targets, n, what);
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

const char *link_state_name(uint8_t state)
{
	switch (state) {
	case MWAN_LINK_DOWN:
		return "down";
	case MWAN_LINK_UP:
		return "up";
	case MWAN_LINK_DRAIN:
		return "drain";
	}
	return "?";
}
