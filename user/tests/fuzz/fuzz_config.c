// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for mwan.conf(5): any bytes as a configuration file,
 * read as "mwan-agent --check" reads it (agent_conf_parse(): the shared
 * parser with the agent's check, routing, prefix and hooks lines, then
 * their resolution), and a good file on to the
 * CONFIG_REPLACE request the agent would send (mwan_put_config()), which
 * is parsed back as the kernel's objects would be.
 *
 * Besides what ASan and UBSan catch, it checks what a user is promised:
 *   - a bad file gets exactly one line on stderr, "PROG: fuzz.conf:N: ..."
 *     with N a line of the file, and no object is half made;
 *   - a good file gets no line at all, and each of its links, policies and
 *     rules reaches the request with the values the parser gave it.
 * A broken promise aborts, so libFuzzer keeps the input like a crash.
 *
 * Devices: "dev" and "iif" are resolved with if_nametoindex(). Linked with
 * -Wl,--wrap=if_nametoindex, a fixed table of names stands in for the
 * host's devices, so that a run needs no kernel, asks it nothing, and
 * gives the same result on every machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "agent.h"
#include "attr.h"
#include "check.h"
#include "confparse.h"
#include "nl.h"
#include "util.h"

#define FNAME	"fuzz.conf"

/* The devices of the seeds, docs and tests: a router's names. */
static const char *const devices[] = {
	"lo", "eth0", "eth1", "eth2", "eth3", "eth4", "wg1", "wg2", "wg3",
	"br-lan", "enatt0.3242", "enwebpass0", "enmwanbr0", "wwan0",
	"eth0.1", "eth0.2", "wan1", "wan2", "wan3", NULL
};

unsigned int __wrap_if_nametoindex(const char *name)
{
	unsigned int i;

	for (i = 0; devices[i]; i++)
		if (!strcmp(devices[i], name))
			return i + 1;
	errno = ENODEV;
	return 0;
}

static void *msgbuf;
/* FUZZ_VERBOSE=1 in the environment: say how each input was taken */
static bool verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = getenv("FUZZ_VERBOSE");
	msgbuf = malloc(MWAN_CONFIG_MSG_SIZE);
	return msgbuf ? 0 : -1;
}

/* Say why on fd 2 (stderr is captured) and abort: libFuzzer keeps it. */
static void __attribute__((noreturn)) __printf(1, 2)
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dprintf(STDERR_FILENO, "fuzz_config: broken promise: ");
	vdprintf(STDERR_FILENO, fmt, ap);
	dprintf(STDERR_FILENO, "\n");
	va_end(ap);
	abort();
}

/* Lines as getline() counts them: a last one without '\n' counts too. */
static unsigned long count_lines(const uint8_t *data, size_t size)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

/* One line "PROG: fuzz.conf:N: text\n" with 1 <= N <= @lines */
static void check_error_text(const char *text, size_t len,
			     unsigned long lines)
{
	const char *prog = program_invocation_short_name, *p = text;
	size_t plen = strlen(prog);
	unsigned long n;
	char *end;

	if (!len || memchr(text, '\n', len) != text + len - 1)
		die("a bad file must get exactly one line, got \"%.*s\"",
		       (int)len, text);
	if (strncmp(p, prog, plen) || strncmp(p + plen, ": " FNAME ":", 12))
		die("no \"file:line:\" in \"%.*s\"", (int)len - 1, text);
	p += plen + 12;
	n = strtoul(p, &end, 10);
	if (end == p || strncmp(end, ": ", 2) || !n || n > lines)
		die("line of \"%.*s\" is not one of the file's %lu",
		       (int)len - 1, text, lines);
	if (!end[2] || end[2] == '\n')
		die("empty message in \"%.*s\"", (int)len - 1, text);
}

#define SAME(a, b, field, what) do {					\
	if ((a)->field != (b)->field)					\
		die("%s \"%s\": " #field " %llu in the file, %llu sent", \
		       what, (a)->name, (unsigned long long)(a)->field,	\
		       (unsigned long long)(b)->field);			\
} while (0)

#define SAME_BYTES(a, b, field, what) do {				\
	if (memcmp(&(a)->field, &(b)->field, sizeof((a)->field)))	\
		die("%s \"%s\": " #field " differs from what is sent",	\
		       what, (a)->name);				\
} while (0)

/* The attributes the file may set; the rest the kernel fills in. */
#define LINK_SENT	(BIT(MWAN_LINK_A_ID) | BIT(MWAN_LINK_A_NAME) | \
			 BIT(MWAN_LINK_A_IFINDEX) | BIT(MWAN_LINK_A_STATE) | \
			 BIT(MWAN_LINK_A_WEIGHT) | BIT(MWAN_LINK_A_RTT_US) | \
			 BIT(MWAN_LINK_A_LOSS_PPM) | BIT(MWAN_LINK_A_NPT) | \
			 BIT(MWAN_LINK_A_MAP4))

static void same_link(const struct mwan_link *a, const struct mwan_link *b)
{
	if (strcmp(a->name, b->name))
		die("link \"%s\" sent as \"%s\"", a->name, b->name);
	if ((a->set & LINK_SENT) != (b->set & LINK_SENT))
		die("link \"%s\": attributes %#x in the file, %#x sent",
		       a->name, a->set & LINK_SENT, b->set & LINK_SENT);
	SAME(a, b, id, "link");
	SAME(a, b, ifindex, "link");
	SAME(a, b, state, "link");
	SAME(a, b, weight, "link");
	SAME(a, b, rtt_us, "link");
	SAME(a, b, loss_ppm, "link");
	SAME(a, b, npt.set, "link");
	SAME(a, b, map4.set, "link");
	if (mwan_link_has_npt(a)) {
		SAME_BYTES(a, b, npt.internal, "link");
		SAME_BYTES(a, b, npt.external, "link");
		SAME(a, b, npt.prefix_len, "link");
	}
	if (HAS(&a->npt, MWAN_NPT_A_MODE))
		SAME(a, b, npt.mode, "link");
	if (mwan_link_has_map4(a)) {
		SAME(a, b, map4.internal_first, "link");
		SAME(a, b, map4.internal_last, "link");
		SAME(a, b, map4.external_first, "link");
	}
}

static void same_policy(const struct mwan_policy *a,
			const struct mwan_policy *b)
{
	unsigned int i;

	if (strcmp(a->name, b->name))
		die("policy \"%s\" sent as \"%s\"", a->name, b->name);
	SAME(a, b, id, "policy");
	SAME(a, b, mode, "policy");
	SAME(a, b, last_resort, "policy");
	SAME(a, b, n_members, "policy");
	for (i = 0; i < a->n_members; i++) {
		SAME(a, b, members[i].set, "policy");
		SAME(a, b, members[i].link, "policy");
		SAME(a, b, members[i].metric, "policy");
		SAME(a, b, members[i].weight, "policy");
	}
}

static void same_rule(const struct mwan_rule *a, const struct mwan_rule *b)
{
	if (strcmp(a->name, b->name))
		die("rule \"%s\" sent as \"%s\"", a->name, b->name);
	SAME(a, b, set, "rule");
	SAME(a, b, id, "rule");
	SAME(a, b, policy, "rule");
	SAME(a, b, flags, "rule");
	SAME(a, b, family, "rule");
	SAME(a, b, proto, "rule");
	SAME(a, b, sport_min, "rule");
	SAME(a, b, sport_max, "rule");
	SAME(a, b, dport_min, "rule");
	SAME(a, b, dport_max, "rule");
	SAME(a, b, iifindex, "rule");
	SAME(a, b, mark, "rule");
	SAME(a, b, mark_mask, "rule");
	if (HAS(a, MWAN_RULE_A_SRC))
		SAME_BYTES(a, b, src, "rule");
	if (HAS(a, MWAN_RULE_A_DST))
		SAME_BYTES(a, b, dst, "rule");
}

/* Object @i of kind @type in the file, against @obj as the kernel reads it */
static void same_object(const struct mwan_config *cfg, uint16_t type,
			unsigned int i, const struct nlattr *obj)
{
	struct mwan_policy p;
	struct mwan_link l;
	struct mwan_rule r;

	switch (type) {
	case MWAN_A_LINKS:
		if (mwan_parse_link(obj, &l))
			die("link %u does not parse back", i);
		same_link(&cfg->links[i], &l);
		break;
	case MWAN_A_POLICIES:
		if (mwan_parse_policy(obj, &p))
			die("policy %u does not parse back", i);
		same_policy(&cfg->policies[i], &p);
		mwan_policy_release(&p);
		break;
	default:
		if (mwan_parse_rule(obj, &r))
			die("rule %u does not parse back", i);
		same_rule(&cfg->rules[i], &r);
	}
}

static void in_range(const struct check *c, const char *what,
		     unsigned int v, unsigned int min, unsigned int max)
{
	if (v < min || v > max)
		die("check of \"%s\": %s %u not in %u..%u", c->link, what,
		       v, min, max);
}

/*
 * A target's text as written holds its address, and a port where the
 * method takes one: "ADDR" (icmp, dns), "IPV4:PORT" or "[IPV6]:PORT"
 * (dns, tcp); a dns target without one has port 53.
 */
static void check_target_text(const struct check *c, unsigned int k)
{
	const struct check_target *t = &c->targets[k];
	const char *s = t->text, *end = NULL, *port = NULL;
	char buf[sizeof(t->text)];
	uint8_t addr[16];
	size_t len;

	if (t->method > CHECK_TCP)
		die("check of \"%s\": target %u has method %u", c->link, k,
		    t->method);
	if (s[0] == '[') {
		end = strchr(s, ']');
		s++;
		port = end && end[1] == ':' ? end + 2 : NULL;
	} else if (t->family == AF_INET && strchr(s, ':')) {
		end = strchr(s, ':');
		port = end + 1;
	}
	len = end ? (size_t)(end - s) : strlen(s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((t->family != AF_INET && t->family != AF_INET6) ||
	    inet_pton(t->family, buf, addr) != 1 ||
	    memcmp(addr, t->addr, t->family == AF_INET ? 4 : 16) ||
	    (end && !port) || (port && t->method == CHECK_ICMP) ||
	    (!port && t->method == CHECK_TCP) ||
	    (port ? strtoul(port, NULL, 10) != t->port :
		    t->port != (t->method == CHECK_DNS ? 53 : 0)))
		die("check of \"%s\": %s target %u is not \"%.64s\"",
		    c->link, check_method_name(t->method), k, t->text);
}

/* A DNS question's name in wire format: labels of 1..63, then the root */
static void check_qname(const struct check *c)
{
	unsigned int i = 0;

	while (i < c->qname_len && c->qname[i] && c->qname[i] <= 63)
		i += 1 + c->qname[i];
	if (c->qname_len < 1 || c->qname_len > CHECK_QNAME_MAX ||
	    i != c->qname_len - 1 || c->qname[i])
		die("check of \"%s\": a dns-name of %u bytes is not one",
		    c->link, c->qname_len);
}

/* A good file's checks hold what check.h and mwan.conf(5) allow. */
static void check_checks(const struct checks *cs,
			 const struct mwan_config *cfg)
{
	const struct health_conf *hc;
	const struct mwan_link *l;
	const struct check *c;
	unsigned int i, k;

	for (i = 0; i < cs->n; i++) {
		c = &cs->v[i];
		hc = &c->hc;
		l = mwan_link_by_name(cfg, c->link);
		if (!l || !HAS(l, MWAN_LINK_A_STATE) ||
		    l->state != (hc->initial_up ? MWAN_LINK_UP : MWAN_LINK_DOWN))
			die("check of \"%s\" without its link's state",
			       c->link);
		in_range(c, "targets", c->n_targets, 1, CHECK_TARGETS_MAX);
		for (k = 0; k < c->n_targets; k++)
			check_target_text(c, k);
		check_qname(c);
		in_range(c, "interval", hc->interval_ms,
			 CHECK_INTERVAL_MIN_MS, CHECK_INTERVAL_MAX_MS);
		in_range(c, "failure-interval", hc->failure_interval_ms,
			 CHECK_INTERVAL_MIN_MS, CHECK_INTERVAL_MAX_MS);
		in_range(c, "recovery-interval", hc->recovery_interval_ms,
			 CHECK_INTERVAL_MIN_MS, CHECK_INTERVAL_MAX_MS);
		in_range(c, "timeout", hc->timeout_ms, CHECK_INTERVAL_MIN_MS,
			 CHECK_TIMEOUT_MAX_MS);
		in_range(c, "count", hc->count, 1, CHECK_COUNT_MAX);
		in_range(c, "reliability", hc->reliability, 1, c->n_targets);
		in_range(c, "down", hc->down, 1, CHECK_ROUNDS_MAX);
		in_range(c, "up", hc->up, 1, CHECK_ROUNDS_MAX);
		if (!hc->quality)
			continue;
		in_range(c, "failure-loss", hc->failure_loss_pct, 1, 100);
		in_range(c, "recovery-loss", hc->recovery_loss_pct, 0,
			 hc->failure_loss_pct - 1);
		in_range(c, "failure-latency", hc->failure_latency_ms,
			 CHECK_INTERVAL_MIN_MS, CHECK_TIMEOUT_MAX_MS);
		in_range(c, "recovery-latency", hc->recovery_latency_ms,
			 CHECK_INTERVAL_MIN_MS, hc->failure_latency_ms - 1);
	}
}

/* What the agent would send for a good file, read back object by object */
static void check_request(const struct mwan_config *cfg)
{
	unsigned int n[3] = { 0 }, want[3], k;
	const struct nlattr *list, *obj;
	struct mwan_globals g;
	struct nlmsghdr *nlh;

	nlh = mwan_msg_init(msgbuf, 0x1234, MWAN_CMD_CONFIG_REPLACE, 0);
	/* more objects than the kernel takes: config_apply() says so */
	if (!mwan_put_config(nlh, MWAN_CONFIG_MSG_SIZE, cfg))
		return;
	if (mwan_parse_globals(nlh, &g))
		die("globals do not parse back");
	if (g.default_policy != cfg->globals.default_policy ||
	    (HAS(&cfg->globals, MWAN_A_MARK_MASK) &&
	     g.mark_mask != cfg->globals.mark_mask) ||
	    (HAS(&cfg->globals, MWAN_A_ENABLED) &&
	     g.enabled != cfg->globals.enabled))
		die("globals differ from what is sent");
	want[0] = cfg->n_links;
	want[1] = cfg->n_policies;
	want[2] = cfg->n_rules;
	mnl_attr_for_each(list, nlh, GENL_HDRLEN) {
		uint16_t type = mnl_attr_get_type(list);

		if (type != MWAN_A_LINKS && type != MWAN_A_POLICIES &&
		    type != MWAN_A_RULES)
			continue;
		k = type == MWAN_A_LINKS ? 0 : type == MWAN_A_POLICIES ? 1 : 2;
		mnl_attr_for_each_nested(obj, list) {
			if (n[k] == want[k])
				die("more objects sent than the file has");
			same_object(cfg, type, n[k]++, obj);
		}
	}
	for (k = 0; k < 3; k++)
		if (n[k] != want[k])
			die("%u of %u objects of kind %u sent", n[k],
			       want[k], k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char empty[1];
	struct mwan_config cfg = { 0 };
	struct agent_conf ac;
	struct checks *cs = &ac.checks;
	FILE *f, *saved = stderr;
	char *text = NULL;
	size_t len = 0;
	int err;

	/* fmemopen() refuses a size of 0: an empty file is one NUL */
	f = fmemopen(size ? (void *)data : (void *)empty, size ? size : 1,
		     "r");
	stderr = open_memstream(&text, &len);
	if (!f || !stderr)
		die("cannot set up the input: %s", strerror(errno));
	err = agent_conf_parse(f, FNAME, &cfg, &ac);
	fclose(stderr);
	stderr = saved;
	fclose(f);

	if (verbose)
		dprintf(STDERR_FILENO, "%s: %u links, %u policies, %u rules, %u checks\n%.*s",
			err ? "refused" : "good", cfg.n_links, cfg.n_policies,
			cfg.n_rules, cs->n, (int)len, text);
	if (err)
		check_error_text(text, len, count_lines(data, size));
	else if (len)
		die("a good file got \"%.*s\"", (int)len, text);
	else
		check_checks(cs, &cfg);
	if (!err && !len)
		check_request(&cfg);
	free(text);
	agent_conf_release(&ac);
	mwan_config_release(&cfg);
	return 0;
}
