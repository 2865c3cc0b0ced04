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

	err = parse("link add wan1 dev lo\n"
		    "check wan1 icmp 192.0.2.1 fd00::1 dns 192.0.2.53 "
		    "[2001:db8::53]:5353 interval 1s 2001:db8::54\n", &cfg, &cs);
	ktap_check(err == -EINVAL,
		   "check: an address after an option needs its method again");
	checks_release(&cs);
	mwan_config_release(&cfg);

	err = parse("link add wan1 dev lo\n"
		    "check wan1 icmp 192.0.2.1 fd00::1 dns 192.0.2.53 "
		    "[2001:db8::53]:5353 interval 1s dns 2001:db8::54 "
		    "tcp 192.0.2.1:443 [2001:db8::80]:80 reliability 3 "
		    "dns-name Example.com.\n", &cfg, &cs);
	c = err ? NULL : &cs.v[0];
	ktap_check(c && c->n_targets == 7 &&
		   c->targets[0].method == CHECK_ICMP &&
		   c->targets[1].method == CHECK_ICMP &&
		   c->targets[1].family == AF_INET6 &&
		   c->targets[1].addr[0] == 0xfd,
		   "check: icmp targets, an IPv6 one that starts with a letter");
	ktap_check(c && c->targets[2].method == CHECK_DNS &&
		   c->targets[2].family == AF_INET &&
		   c->targets[2].port == 53 &&
		   c->targets[3].method == CHECK_DNS &&
		   c->targets[3].family == AF_INET6 &&
		   c->targets[3].port == 5353 &&
		   !strcmp(c->targets[3].text, "[2001:db8::53]:5353") &&
		   c->targets[4].method == CHECK_DNS &&
		   c->targets[4].family == AF_INET6 &&
		   c->targets[4].port == 53,
		   "check: dns targets, port 53 unless given, a method again after an option");
	ktap_check(c && c->targets[5].method == CHECK_TCP &&
		   c->targets[5].family == AF_INET &&
		   c->targets[5].port == 443 &&
		   !memcmp(c->targets[5].addr, c->targets[0].addr, 4) &&
		   c->targets[6].method == CHECK_TCP &&
		   c->targets[6].family == AF_INET6 &&
		   c->targets[6].port == 80 && c->hc.reliability == 3 &&
		   c->hc.interval_ms == 1000,
		   "check: tcp targets, the same address as an icmp one, options between methods");
	ktap_check(c && c->qname_len == 13 &&
		   !memcmp(c->qname, "\7Example\3com", 13),
		   "check: dns-name in a DNS question's wire format");
	ktap_check(c && !strcmp(check_method_name(c->targets[6].method), "tcp"),
		   "check: method names");
	checks_release(&cs);
	mwan_config_release(&cfg);

	err = parse("link add wan1 dev lo\n"
		    "check wan1 dns 192.0.2.53 dns-name .\n"
		    "link add wan2 dev lo\n"
		    "check wan2 dns [2001:db8::53]:53\n", &cfg, &cs);
	ktap_check(!err && cs.n == 2 && cs.v[0].qname_len == 1 &&
		   !cs.v[0].qname[0] && cs.v[1].qname_len == 1 &&
		   !cs.v[1].qname[0] && cs.v[1].targets[0].port == 53,
		   "check: dns asks for the root unless told, \".\" is the root");
	checks_release(&cs);
	mwan_config_release(&cfg);

	err = parse("check wan1 icmp 192.0.2.1 # before its link\n"
		    "link add wan1 dev lo\n", &cfg, &cs);
	c = err ? NULL : &cs.v[0];
	ktap_check(c && c->hc.interval_ms == 200 &&
		   c->hc.failure_interval_ms == 200 &&
		   c->hc.recovery_interval_ms == 500 &&
		   c->hc.timeout_ms == 300 && c->hc.count == 3 &&
		   c->hc.reliability == 1 && c->hc.down == 2 &&
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
		  "a.conf:2: invalid icmp target \"192.0.2.300\" (an IPv4 or IPv6 address)" },
		{ "link add wan1 dev lo\ncheck wan1\n",
		  "a.conf:2: check of link \"wan1\" needs a target: icmp ADDR, dns ADDR or tcp ADDR:PORT" },
		{ "link add wan1 dev lo\ncheck wan1 icmp\n",
		  "a.conf:2: \"icmp\" needs a target (an IPv4 or IPv6 address)" },
		{ "link add wan1 dev lo\ncheck wan1 icmp dns 192.0.2.1\n",
		  "a.conf:2: \"icmp\" needs a target (an IPv4 or IPv6 address) before \"dns\"" },
		{ "link add wan1 dev lo\ncheck wan1 tcp interval 1s\n",
		  "a.conf:2: \"tcp\" needs a target (ADDR:PORT, or [IPV6-ADDR]:PORT) before \"interval\"" },
		{ "link add wan1 dev lo\ncheck wan1 192.0.2.1\n",
		  "a.conf:2: expected a method (icmp, dns or tcp) before \"192.0.2.1\"" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 interval 1s 192.0.2.2\n",
		  "a.conf:2: expected a method (icmp, dns or tcp) before \"192.0.2.2\"" },
		{ "link add wan1 dev lo\ncheck wan1 ping 192.0.2.1\n",
		  "a.conf:2: unknown keyword \"ping\"" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1:80\n",
		  "a.conf:2: invalid icmp target \"192.0.2.1:80\" (an IPv4 or IPv6 address)" },
		{ "link add wan1 dev lo\ncheck wan1 tcp 192.0.2.1\n",
		  "a.conf:2: invalid tcp target \"192.0.2.1\" (ADDR:PORT, or [IPV6-ADDR]:PORT)" },
		{ "link add wan1 dev lo\ncheck wan1 tcp 2001:db8::1:443\n",
		  "a.conf:2: invalid tcp target \"2001:db8::1:443\"" },
		{ "link add wan1 dev lo\ncheck wan1 tcp [2001:db8::1]\n",
		  "a.conf:2: invalid tcp target \"[2001:db8::1]\"" },
		{ "link add wan1 dev lo\ncheck wan1 tcp [192.0.2.1]:80\n",
		  "a.conf:2: invalid tcp target \"[192.0.2.1]:80\"" },
		{ "link add wan1 dev lo\ncheck wan1 tcp 192.0.2.1:0\n",
		  "a.conf:2: invalid port in tcp target \"192.0.2.1:0\" (1..65535)" },
		{ "link add wan1 dev lo\ncheck wan1 dns [2001:db8::1]:65536\n",
		  "a.conf:2: invalid port in dns target \"[2001:db8::1]:65536\" (1..65535)" },
		{ "link add wan1 dev lo\ncheck wan1 dns [2001:db8::1:53\n",
		  "a.conf:2: invalid dns target \"[2001:db8::1:53\" (ADDR, or ADDR:PORT, [IPV6-ADDR]:PORT)" },
		{ "link add wan1 dev lo\ncheck wan1 tcp 192.0.2.1:80 icmp 192.0.2.1 tcp 192.0.2.1:80\n",
		  "a.conf:2: tcp target \"192.0.2.1:80\" given twice" },
		{ "link add wan1 dev lo\ncheck wan1 dns 192.0.2.1 192.0.2.1:53\n",
		  "a.conf:2: dns target \"192.0.2.1:53\" given twice" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 192.0.2.2 192.0.2.3 "
		  "dns 192.0.2.4 192.0.2.5 192.0.2.6 tcp 192.0.2.7:1 192.0.2.8:1 192.0.2.9:1\n",
		  "a.conf:2: too many targets at \"192.0.2.9:1\" (at most 8)" },
		{ "link add wan1 dev lo\ncheck wan1 dns 192.0.2.1 dns-name a..b\n",
		  "a.conf:2: invalid dns-name \"a..b\" (a domain name such as example.com, or \".\")" },
		{ "link add wan1 dev lo\ncheck wan1 dns 192.0.2.1 dns-name exa$mple.com\n",
		  "a.conf:2: invalid dns-name \"exa$mple.com\"" },
		{ "link add wan1 dev lo\ncheck wan1 dns 192.0.2.1 dns-name "
		  "a234567890123456789012345678901234567890123456789012345678901234.com\n",
		  "a.conf:2: invalid dns-name \"a2345678901234567890" },
		{ "link add wan1 dev lo\ncheck wan1 icmp 192.0.2.1 dns-name example.com\n",
		  "a.conf:2: dns-name, but the check of link \"wan1\" has no dns target" },
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
		  "a.conf:2: invalid icmp target \"fd00:bad\" (an IPv4 or IPv6 address)" },
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
