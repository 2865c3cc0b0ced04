/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A link's health from its probe rounds, as mwan3track judges it: the link
 * goes down after @down failed rounds in a row and comes back after @up
 * good ones; carrier loss takes it down at once. Pure logic, no I/O and no
 * clock: the caller says what a round found, this says what it means and
 * when to probe next. user/tests/test_health.c runs it.
 *
 * With quality thresholds a target that answers must also answer well:
 * an up link's target fails from the failure latency or loss on, a down
 * link's target is good only at the recovery latency and loss or below.
 * The gap between the two keeps a link near a threshold from flapping.
 */
#ifndef MWAN_HEALTH_H
#define MWAN_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

/* Rounds over which loss is counted */
#define HEALTH_LOSS_WINDOW	16

struct health_conf {
	unsigned int interval_ms;	/* between rounds while steady */
	unsigned int failure_interval_ms; /* while an up link fails */
	unsigned int recovery_interval_ms; /* while a down link recovers */
	unsigned int timeout_ms;	/* a probe's answer is late after it */
	unsigned int count;		/* probes per target per round */
	unsigned int reliability;	/* targets that must answer */
	unsigned int down;		/* failed rounds to go down */
	unsigned int up;		/* good rounds to come back up */
	bool initial_up;
	bool quality;			/* judge latency and loss too */
	unsigned int failure_latency_ms, recovery_latency_ms;
	unsigned int failure_loss_pct, recovery_loss_pct;
};

/* What one round found of one target: it answers if any probe did. */
struct health_target {
	unsigned int sent;		/* probes */
	unsigned int replies;		/* probes answered in time */
	uint64_t rtt_sum_us;		/* over the replies */
};

enum health_change {
	HEALTH_SAME,
	HEALTH_WENT_DOWN,
	HEALTH_WENT_UP,
};

struct health {
	bool up;
	bool carrier;
	bool recovering;		/* carrier came back: probe quickly */
	unsigned int fails;		/* failed rounds in a row while up */
	unsigned int goods;		/* good rounds in a row while down */
	uint32_t rtt_us;		/* mean of the last round with replies */
	uint16_t sent[HEALTH_LOSS_WINDOW], lost[HEALTH_LOSS_WINDOW];
	unsigned int slot;
	char reason[128];		/* why the last change happened */
};

void health_init(struct health *h, const struct health_conf *c);
/* A finished round of @n targets; ignored while the carrier is down. */
enum health_change health_round(struct health *h, const struct health_conf *c,
				const struct health_target *t, unsigned int n);
/* Carrier lost (@up false, @why: "carrier lost", ...) or back. */
enum health_change health_carrier(struct health *h, bool up, const char *why);
/* Milliseconds from this round's start to the next one's. */
unsigned int health_next_ms(const struct health *h,
			    const struct health_conf *c);
/* Lost probes over the last HEALTH_LOSS_WINDOW rounds, in ppm */
uint32_t health_loss_ppm(const struct health *h);
/* "down", "up", "drain": an enum mwan_link_state in words */
const char *link_state_name(uint8_t state);

#endif /* MWAN_HEALTH_H */
