// SPDX-License-Identifier: GPL-2.0
/*
 * mwan-agent's lines of mwan.conf(5) (agent/check.c), through the shared
 * file parser: what a check line sets, its defaults, and that every
 * mistake names file, line and word.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "confparse.h"
#include "ktap.h"
#include "util.h"

static FILE *saved_stderr;
static char *err_text;
static size_t err_len;

/* Parse @text as file "a.conf"; what it printed is in err_text. */
static int parse(const char *text, struct mwan_config *cfg,
		 struct checks *cs)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	memset(cfg, 0, sizeof(*cfg));
	memset(cs, 0, sizeof(*cs));
	fflush(stderr);
	saved_stderr = stderr;
	free(err_text);
	err_text = NULL;
	stderr = open_memstream(&err_text, &err_len);
	err = config_parse_agent(f, "a.conf", cfg, check_line, cs);
	if (!err)
		err = checks_resolve(cs, cfg, "a.conf");
	fclose(stderr);
	stderr = saved_stderr;
	fclose(f);
	return err;
}

static void test_durations(void)
{
	unsigned int ms = 0;

	ktap_check(!parse_duration_ms("250ms", 10, 1000, &ms) && ms == 250,
		   "duration: 250ms");
	ktap_check(!parse_duration_ms("2s", 10, 5000, &ms) && ms == 2000,
		   "duration: 2s");
	ktap_check(!parse_duration_ms("1.25s", 10, 5000, &ms) && ms == 1250,
		   "duration: 1.25s");
	ktap_check(!parse_duration_ms("0.1s", 10, 5000, &ms) && ms == 100,
		   "duration: 0.1s");
	ktap_check(parse_duration_ms("200", 10, 5000, &ms) == -EINVAL &&
		   parse_duration_ms("1.5ms", 10, 5000, &ms) == -EINVAL &&
		   parse_duration_ms("1.2345s", 10, 5000, &ms) == -EINVAL &&
		   parse_duration_ms("s", 10, 5000, &ms) == -EINVAL &&
		   parse_duration_ms("2m", 10, 5000, &ms) == -EINVAL,
		   "duration: no unit, fractions of ms, no digits, other units refused");
	ktap_check(parse_duration_ms("5ms", 10, 5000, &ms) == -ERANGE &&
		   parse_duration_ms("6s", 10, 5000, &ms) == -ERANGE &&
		   parse_duration_ms("99999999999s", 10, 5000, &ms) == -ERANGE,
		   "duration: out of range");
}

static void test_check_lines(void)
{
	struct mwan_config cfg;
	const struct mwan_link *l;
	const struct check *c;
	struct checks cs;
	int err;

	err = parse("link add wan1 dev lo\n"
		    "check wan1 icmp 192.0.2.1 2001:db8::1 interval 200ms "
		    "failure-interval 100ms recovery-interval 1.5s timeout 150ms "
		    "count 2 reliability 2 down 4 up 5 initial down "
		    "down-action flush\n", &cfg, &cs);
	c = err ? NULL : &cs.v[0];
	ktap_check(c && cs.n == 1 && c->line == 2 && !strcmp(c->link, "wan1") &&
		   c->n_targets == 2 && c->targets[0].family == AF_INET &&
		   c->targets[0].addr[0] == 192 &&
		   c->targets[1].family == AF_INET6 &&
		   !strcmp(c->targets[1].text, "2001:db8::1"),
		   "check: link, line and IPv4 and IPv6 targets");
	ktap_check(c && c->hc.interval_ms == 200 &&
		   c->hc.failure_interval_ms == 100 &&
		   c->hc.recovery_interval_ms == 1500 &&
		   c->hc.timeout_ms == 150 && c->hc.count == 2 &&
		   c->hc.reliability == 2 && c->hc.down == 4 &&
		   c->hc.up == 5 && !c->hc.initial_up && c->flush_on_down,
		   "check: every knob");
	l = err ? NULL : mwan_link_by_name(&cfg, "wan1");
	ktap_check(l && HAS(l, MWAN_LINK_A_STATE) &&
		   l->state == MWAN_LINK_DOWN,
		   "check: initial down is the state the link is replaced with");
	ktap_check(c && !c->hc.quality,
		   "check: no quality thresholds, no quality checks");
	checks_release(&cs);
	mwan_config_release(&cfg);

	err = parse("link add wan1 dev lo\n"
		    "check wan1 icmp 192.0.2.1 failure-latency 800ms "
		    "recovery-loss 5%\n", &cfg, &cs);
	c = err ? NULL : &cs.v[0];
	ktap_check(c && c->hc.quality && c->hc.failure_latency_ms == 800 &&
		   c->hc.recovery_latency_ms == 500 &&
		   c->hc.failure_loss_pct == 40 && c->hc.recovery_loss_pct == 5,
		   "check: a quality threshold turns quality on, the others take mwan3's defaults");
	checks_release(&cs);
	mwan_config_release(&cfg);

	err = parse("check wan1 icmp 192.0.2.1 # before its link\n"
		    "link add wan1 dev lo\n", &cfg, &cs);
	c = err ? NULL : &cs.v[0];
	ktap_check(c && c->hc.interval_ms == 500 &&
		   c->hc.failure_interval_ms == 200 &&
		   c->hc.recovery_interval_ms == 500 &&
		   c->hc.timeout_ms == 300 && c->hc.count == 1 &&
		   c->hc.reliability == 1 && c->hc.down == 3 &&
		   c->hc.up == 3 && c->hc.initial_up &&
		   cfg.links[0].state == MWAN_LINK_UP,
		   "check: defaults, a check may come before its link");
	checks_release(&cs);
	mwan_config_release(&cfg);
}

/* Found by the corpus: a target may start with a letter, a keyword has no ':' */
static void test_letter_targets(void)
{
	struct mwan_config cfg;
	const struct check *c;
	struct checks cs;
	int err;

	err = parse("link add wan1 dev lo\n"
		    "check wan1 icmp fd00::1 fe80::1 192.0.2.1 ff02::2 "
		    "reliability 2\n", &cfg, &cs);
	c = err ? NULL : &cs.v[0];
	ktap_check(c && c->n_targets == 4 &&
		   c->targets[0].family == AF_INET6 &&
		   c->targets[0].addr[0] == 0xfd &&
		   !strcmp(c->targets[1].text, "fe80::1") &&
		   c->targets[2].family == AF_INET &&
		   c->targets[3].addr[1] == 0x02 && c->hc.reliability == 2,
		   "check: IPv6 targets that start with a letter (fd00::1, fe80::1)");
	checks_release(&cs);
	mwan_config_release(&cfg);
}

static void test_check_errors(void)
{
	static const struct {
		const char *text;
		const char *msg;
	} t[] = {
		{ "check wan1 icmp 192.0.2.1\n",
		  "a.conf:1: check of unknown link \"wan1\"" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 interval 200\n",
		  "a.conf:2: interval \"200\" needs a unit: 200ms or 200s" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 timeout 2m\n",
		  "a.conf:2: invalid timeout \"2m\" (a time such as 500ms or 2s, 10ms to 60s)" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.300\n",
		  "a.conf:2: invalid target \"192.0.2.300\" (an IPv4 or IPv6 address)" },
		{ "link add wan1 dev lo\ncheck wan1 icmp\n",
		  "a.conf:2: check of link \"wan1\" needs a target address" },
		{ "link add wan1 dev lo\ncheck wan1 dns 192.0.2.1\n",
		  "a.conf:2: expected the check's method \"icmp\", not \"dns\"" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 reliability 2\n",
		  "a.conf:2: reliability 2 needs as many targets, the check has 1" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 down 0\n",
		  "a.conf:2: invalid down \"0\" (1..1000)" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 up 2 up 3\n",
		  "a.conf:2: \"up\" given twice" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 track 1\n",
		  "a.conf:2: unknown keyword \"track\"" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 count\n",
		  "a.conf:2: \"count\" needs a value" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 initial maybe\n",
		  "a.conf:2: invalid initial \"maybe\" (up, down)" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 down-action drop\n",
		  "a.conf:2: invalid down-action \"drop\" (keep, flush)" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1\n\ncheck wan1 icmp 192.0.2.2\n",
		  "a.conf:4: link \"wan1\" already has a check on line 2" },
		{ "link add wan1 dev lo state down\ncheck wan1 icmp 192.0.2.1\n",
		  "a.conf:2: link \"wan1\" (line 1) is given a state, but its check sets it" },
		{ "check\n", "a.conf:1: \"check\" needs a link name first" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 failure-latency 400ms\n",
		  "a.conf:2: recovery-latency 500ms must be below failure-latency 400ms" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 failure-loss 20 recovery-loss 20%\n",
		  "a.conf:2: recovery-loss 20% must be below failure-loss 20%" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 failure-loss 0\n",
		  "a.conf:2: invalid failure-loss \"0\" (a percentage, 1..100)" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 recovery-loss 101%\n",
		  "a.conf:2: invalid recovery-loss \"101%\" (a percentage, 0..100)" },
		/* found by fuzzing: a ninth target was written past the eighth */
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 192.0.2.2 "
		  "192.0.2.3 192.0.2.4 192.0.2.5 192.0.2.6 192.0.2.7 192.0.2.8 "
		  "9.9.9.9\n",
		  "a.conf:2: too many targets at \"9.9.9.9\" (at most 8)" },
		{ "link add wan1 dev lo\ncheck wan1 icmp fd00::1 fd00:bad\n",
		  "a.conf:2: invalid target \"fd00:bad\" (an IPv4 or IPv6 address)" },
	};
	struct mwan_config cfg;
	struct checks cs;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		err = parse(t[i].text, &cfg, &cs);
		ktap_check(err && err_text && strstr(err_text, t[i].msg),
			   "check error: %s", t[i].msg);
		if (!err || !err_text || !strstr(err_text, t[i].msg))
			printf("# got: %s", err_text ? err_text : "(nothing)\n");
		checks_release(&cs);
		mwan_config_release(&cfg);
	}
}

int main(void)
{
	ktap_start();
	test_durations();
	test_check_lines();
	test_letter_targets();
	test_check_errors();
	free(err_text);
	return ktap_finish("test_check");
}
