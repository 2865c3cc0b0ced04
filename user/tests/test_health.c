// SPDX-License-Identifier: GPL-2.0
/*
 * mwan-agent's per-link state machine (agent/health.c), round by round:
 * when a link goes down and comes back, what the intervals are meanwhile,
 * carrier loss, loss and RTT figures, latency and loss thresholds.
 */
#include <string.h>

#include "health.h"
#include "ktap.h"

static const struct health_conf conf = {
	.interval_ms = 1000,
	.failure_interval_ms = 200,
	.recovery_interval_ms = 500,
	.timeout_ms = 300,
	.count = 1,
	.reliability = 2,
	.down = 3,
	.up = 2,
	.initial_up = true,
};

/* A round over 3 targets of which @answered answered, 10 ms each */
static enum health_change run_round(struct health *h, unsigned int answered)
{
	struct health_target t[3] = { { 1, 0, 0 }, { 1, 0, 0 }, { 1, 0, 0 } };
	unsigned int i;

	for (i = 0; i < answered; i++) {
		t[i].replies = 1;
		t[i].rtt_sum_us = 10000;
	}
	return health_round(h, &conf, t, 3);
}

static void test_down_up(void)
{
	struct health h;
	bool ok;

	health_init(&h, &conf);
	ktap_check(h.up && health_next_ms(&h, &conf) == 1000,
		   "health: starts up (initial up), probing at the interval");
	ok = run_round(&h, 1) == HEALTH_SAME && h.up &&
	     health_next_ms(&h, &conf) == 200;
	ktap_check(ok, "health: 1 of 3 answered, reliability 2: a failed round, failure interval");
	ok = run_round(&h, 3) == HEALTH_SAME && health_next_ms(&h, &conf) == 1000;
	ktap_check(ok, "health: a good round resets the count, back to the interval");
	ok = run_round(&h, 0) == HEALTH_SAME && run_round(&h, 1) == HEALTH_SAME;
	ktap_check(ok && h.up, "health: 2 failed rounds of down 3: still up");
	ok = run_round(&h, 0) == HEALTH_WENT_DOWN && !h.up;
	ktap_check(ok, "health: the 3rd failed round in a row takes it down");
	ktap_check(strstr(h.reason, "3 rounds failed") &&
		   strstr(h.reason, "0 of 3 targets answered, 2 needed"),
		   "health: the reason says why: %s", h.reason);
	ktap_check(run_round(&h, 0) == HEALTH_SAME && !h.up &&
		   health_next_ms(&h, &conf) == 1000,
		   "health: down and failing: steady interval, no change");
	ok = run_round(&h, 2) == HEALTH_SAME && !h.up &&
	     health_next_ms(&h, &conf) == 500;
	ktap_check(ok, "health: a good round while down: recovery interval");
	ok = run_round(&h, 1) == HEALTH_SAME && run_round(&h, 2) == HEALTH_SAME;
	ktap_check(ok && !h.up, "health: a failed round restarts the recovery");
	ok = run_round(&h, 3) == HEALTH_WENT_UP && h.up;
	ktap_check(ok && strstr(h.reason, "2 rounds good"),
		   "health: up 2: the 2nd good round in a row brings it up (%s)",
		   h.reason);
}

static void test_initial_down(void)
{
	struct health_conf c = conf;
	struct health h;

	c.initial_up = false;
	c.reliability = 1;
	health_init(&h, &c);
	ktap_check(!h.up, "health: initial down starts down");
	ktap_check(health_round(&h, &c, &(struct health_target){ 1, 1, 5 }, 1)
		   == HEALTH_SAME &&
		   health_round(&h, &c, &(struct health_target){ 1, 1, 5 }, 1)
		   == HEALTH_WENT_UP,
		   "health: initial down comes up after up good rounds");
}

static void test_carrier(void)
{
	struct health h;
	bool ok;

	health_init(&h, &conf);
	run_round(&h, 0);
	ok = health_carrier(&h, false, "carrier lost") == HEALTH_WENT_DOWN &&
	     !h.up && !strcmp(h.reason, "carrier lost");
	ktap_check(ok, "health: carrier loss takes an up link down at once");
	ktap_check(run_round(&h, 3) == HEALTH_SAME && run_round(&h, 3) == HEALTH_SAME &&
		   !h.up, "health: rounds without carrier change nothing");
	ktap_check(health_carrier(&h, false, "device removed") == HEALTH_SAME,
		   "health: losing a lost carrier again is no change");
	ok = health_carrier(&h, true, NULL) == HEALTH_SAME && !h.up &&
	     health_next_ms(&h, &conf) == 500;
	ktap_check(ok, "health: carrier back: still down, probing at the recovery interval");
	ok = run_round(&h, 3) == HEALTH_SAME && run_round(&h, 3) == HEALTH_WENT_UP;
	ktap_check(ok, "health: carrier back, then up good rounds: up");

	health_init(&h, &conf);
	health_carrier(&h, false, "carrier lost");
	health_carrier(&h, true, NULL);
	run_round(&h, 0);
	ktap_check(health_next_ms(&h, &conf) == 1000,
		   "health: a failed round after carrier back: steady interval again");
}

static void test_loss_rtt(void)
{
	struct health h;
	unsigned int i;

	health_init(&h, &conf);
	ktap_check(health_loss_ppm(&h) == 0 && h.rtt_us == 0,
		   "health: no rounds, no loss, no RTT");
	run_round(&h, 3);
	run_round(&h, 0);
	ktap_check(health_loss_ppm(&h) == 500000 && h.rtt_us == 10000,
		   "health: 3 of 6 probes lost: 500000 ppm; RTT from the last round with replies");
	for (i = 0; i < HEALTH_LOSS_WINDOW; i++)
		run_round(&h, 3);
	ktap_check(health_loss_ppm(&h) == 0,
		   "health: loss counts only the last %d rounds",
		   HEALTH_LOSS_WINDOW);
}

/*
 * One target, 10 probes a round, @replies of them answered after
 * @latency_ms each; reliability 1, down 1, up 1 to see each round's verdict.
 */
static enum health_change quality_round(struct health *h,
					const struct health_conf *c,
					unsigned int replies,
					unsigned int latency_ms)
{
	struct health_target t = {
		.sent = 10,
		.replies = replies,
		.rtt_sum_us = replies * latency_ms * 1000ULL,
	};

	return health_round(h, c, &t, 1);
}

static void test_quality(void)
{
	struct health_conf c = conf;
	struct health h;

	c.reliability = 1;
	c.down = 1;
	c.up = 1;
	c.quality = true;
	c.failure_latency_ms = 200;
	c.recovery_latency_ms = 100;
	c.failure_loss_pct = 40;
	c.recovery_loss_pct = 10;
	health_init(&h, &c);
	ktap_check(quality_round(&h, &c, 10, 150) == HEALTH_SAME && h.up,
		   "quality: up, 150 ms between the thresholds: stays up");
	ktap_check(quality_round(&h, &c, 7, 50) == HEALTH_SAME && h.up,
		   "quality: up, 30 %% loss below failure-loss 40 %%: stays up");
	ktap_check(quality_round(&h, &c, 10, 200) == HEALTH_WENT_DOWN &&
		   strstr(h.reason, "0 of 1 targets good"),
		   "quality: 200 ms reaches failure-latency: down (%s)",
		   h.reason);
	ktap_check(quality_round(&h, &c, 10, 150) == HEALTH_SAME && !h.up,
		   "quality: down, 150 ms above recovery-latency: stays down");
	ktap_check(quality_round(&h, &c, 8, 50) == HEALTH_SAME && !h.up,
		   "quality: down, 20 %% loss above recovery-loss 10 %%: stays down");
	ktap_check(quality_round(&h, &c, 9, 100) == HEALTH_WENT_UP,
		   "quality: 100 ms and 10 %% loss, at the recovery thresholds: up");
	ktap_check(quality_round(&h, &c, 6, 50) == HEALTH_WENT_DOWN,
		   "quality: 40 %% loss reaches failure-loss: down");
	c.quality = false;
	health_init(&h, &c);
	ktap_check(quality_round(&h, &c, 1, 5000) == HEALTH_SAME && h.up,
		   "quality off: one late-but-in-time reply of 10 is enough");
}

int main(void)
{
	ktap_start();
	test_down_up();
	test_initial_down();
	test_carrier();
	test_loss_rtt();
	test_quality();
	return ktap_finish("test_health");
}
