// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "confparse.h"
#include "util.h"

/*
 * Down within a second of a fault, yet not on a lossy satellite link. A
 * round sends 3 probes to each target at once and fails only if none of
 * a target's is answered within 300 ms; 2 failed rounds in a row take
 * the link down. A failed round is followed at once by the next (rounds
 * never overlap). Worst case: a fault just after a round's answers waits
 * up to an interval (200 ms) for the next round, which fails after its
 * timeout (300 ms), and so does the next: 800 ms.
 *
 * Starlink-like, 1 % lost each way: a probe is lost with q = 1 - 0.99^2
 * = 0.0199. One probe a round would fail a round with p = q = 0.02 and
 * two in a row with 4e-4: at 5 rounds a second, 171 false downs a day.
 * Three a round: p = q^3 = 7.9e-6, two in a row 6.2e-11, one false down
 * in a hundred years (three in a row of one probe, 7.9e-6 a round, would
 * still be 3.4 a day). A reply after the timeout is a lost one: 300 ms
 * is over three times such a link's round trip (80 +- 14 ms), room for
 * its late tail and for a router busy for a moment.
 */
const struct health_conf check_defaults = {
	.interval_ms = 200,
	.failure_interval_ms = 200,
	.recovery_interval_ms = 500,
	.timeout_ms = 300,
	.count = 3,
	.reliability = 1,
	.down = 2,
	.up = 3,
	.initial_up = true,
	/* mwan3's, for when a quality threshold turns quality checks on */
	.failure_latency_ms = 1000,
	.recovery_latency_ms = 500,
	.failure_loss_pct = 40,
	.recovery_loss_pct = 10,
};

int parse_duration_ms(const char *s, unsigned int min, unsigned int max,
		      unsigned int *ms)
{
	unsigned long long v = 0, frac = 0, scale = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	if (*p == '.') {
		/* milliseconds are the finest a check needs */
		for (p++; isdigit((unsigned char)*p) && scale < 1000; p++) {
			frac = frac * 10 + (*p - '0');
			scale *= 10;
		}
		if (scale == 1 || isdigit((unsigned char)*p))
			return -EINVAL;
		if (strcmp(p, "s"))
			return -EINVAL;
	}
	if (!strcmp(p, "s"))
		v = v * 1000 + frac * 1000 / scale;
	else if (strcmp(p, "ms"))
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ms = v;
	return 0;
}

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int time_opt(const char *kw, const char *val, unsigned int max,
		    unsigned int *ms)
{
	int err = parse_duration_ms(val, CHECK_INTERVAL_MIN_MS, max, ms);

	if (!err)
		return 0;
	if (all_digits(val))
		pr_err("%s \"%s\" needs a unit: %sms or %ss", kw, val, val,
		       val);
	else
		pr_err("invalid %s \"%s\" (a time such as 500ms or 2s, %ums to %us)",
		       kw, val, CHECK_INTERVAL_MIN_MS, max / 1000);
	return -EINVAL;
}

static int num_opt(const char *kw, const char *val, uint32_t max,
		   unsigned int *n)
{
	uint32_t v;

	if (parse_u32(val, 1, max, &v)) {
		pr_err("invalid %s \"%s\" (1..%u)", kw, val, max);
		return -EINVAL;
	}
	*n = v;
	return 0;
}

static const char *const check_keywords[] = {
	"interval", "failure-interval", "recovery-interval", "timeout",
	"count", "reliability", "down", "up", "initial",
	"failure-latency", "recovery-latency", "failure-loss",
	"recovery-loss", "down-action", "dns-name",
	NULL
};

static int keyword_index(const char *s)
{
	int i;

	for (i = 0; check_keywords[i]; i++)
		if (!strcmp(check_keywords[i], s))
			return i;
	return -1;
}

/* A loss in percent, "10" or "10%" */
static int pct_opt(const char *kw, const char *val, uint32_t min,
		   unsigned int *pct)
{
	size_t len = strlen(val);
	const char *num = val;
	char buf[8];
	uint32_t v;

	if (len && len < sizeof(buf) && val[len - 1] == '%') {
		memcpy(buf, val, len - 1);
		buf[len - 1] = '\0';
		num = buf;
	}
	if (parse_u32(num, min, 100, &v)) {
		pr_err("invalid %s \"%s\" (a percentage, %u..100)", kw, val,
		       min);
		return -EINVAL;
	}
	*pct = v;
	return 0;
}

/*
 * A domain name ("example.com", "." for the root) into the wire format
 * of a DNS question: labels of 1 to 63 letters, digits, "-" or "_".
 */
static int qname_opt(struct check *c, const char *val)
{
	unsigned int n = 0, len, i;
	const char *s, *dot;

	for (s = strcmp(val, ".") ? val : ""; *s; s = *dot ? dot + 1 : dot) {
		dot = strchrnul(s, '.');
		len = dot - s;
		if (!len || len > 63 || n + 1 + len + 1 > CHECK_QNAME_MAX)
			goto bad;
		for (i = 0; i < len; i++)
			if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
			    s[i] != '_')
				goto bad;
		c->qname[n++] = len;
		memcpy(c->qname + n, s, len);
		n += len;
	}
	c->qname[n++] = 0;
	c->qname_len = n;
	return 0;
bad:
	pr_err("invalid dns-name \"%s\" (a domain name such as example.com, or \".\")",
	       val);
	return -EINVAL;
}

/* One "KEYWORD VALUE" of a check line. */
static int check_opt(struct check *c, const char *kw, const char *val)
{
	struct health_conf *hc = &c->hc;

	if (!strcmp(kw, "interval"))
		return time_opt(kw, val, CHECK_INTERVAL_MAX_MS,
				&hc->interval_ms);
	if (!strcmp(kw, "failure-interval"))
		return time_opt(kw, val, CHECK_INTERVAL_MAX_MS,
				&hc->failure_interval_ms);
	if (!strcmp(kw, "recovery-interval"))
		return time_opt(kw, val, CHECK_INTERVAL_MAX_MS,
				&hc->recovery_interval_ms);
	if (!strcmp(kw, "timeout"))
		return time_opt(kw, val, CHECK_TIMEOUT_MAX_MS,
				&hc->timeout_ms);
	if (!strcmp(kw, "count"))
		return num_opt(kw, val, CHECK_COUNT_MAX, &hc->count);
	if (!strcmp(kw, "reliability"))
		return num_opt(kw, val, CHECK_TARGETS_MAX, &hc->reliability);
	if (!strcmp(kw, "down"))
		return num_opt(kw, val, CHECK_ROUNDS_MAX, &hc->down);
	if (!strcmp(kw, "up"))
		return num_opt(kw, val, CHECK_ROUNDS_MAX, &hc->up);
	/* a threshold turns quality checks on, like mwan3's check_quality */
	if (strstr(kw, "-latency") || strstr(kw, "-loss"))
		hc->quality = true;
	if (!strcmp(kw, "failure-latency"))
		return time_opt(kw, val, CHECK_TIMEOUT_MAX_MS,
				&hc->failure_latency_ms);
	if (!strcmp(kw, "recovery-latency"))
		return time_opt(kw, val, CHECK_TIMEOUT_MAX_MS,
				&hc->recovery_latency_ms);
	if (!strcmp(kw, "failure-loss"))
		return pct_opt(kw, val, 1, &hc->failure_loss_pct);
	if (!strcmp(kw, "recovery-loss"))
		return pct_opt(kw, val, 0, &hc->recovery_loss_pct);
	if (!strcmp(kw, "down-action")) {
		if (strcmp(val, "keep") && strcmp(val, "flush")) {
			pr_err("invalid down-action \"%s\" (keep, flush)", val);
			return -EINVAL;
		}
		c->flush_on_down = !strcmp(val, "flush");
		return 0;
	}
	if (!strcmp(kw, "dns-name"))
		return qname_opt(c, val);
	if (!strcmp(kw, "initial")) {
		if (strcmp(val, "up") && strcmp(val, "down")) {
			pr_err("invalid initial \"%s\" (up, down)", val);
			return -EINVAL;
		}
		hc->initial_up = !strcmp(val, "up");
		return 0;
	}
	pr_err("unknown keyword \"%s\"", kw);
	return -EINVAL;
}

static const char *const method_names[] = {
	[CHECK_ICMP] = "icmp", [CHECK_DNS] = "dns", [CHECK_TCP] = "tcp",
};

const char *check_method_name(unsigned int method)
{
	return method < ARRAY_SIZE(method_names) ? method_names[method] : "?";
}

static int method_index(const char *s)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(method_names); i++)
		if (!strcmp(method_names[i], s))
			return i;
	return -1;
}

/*
 * "ADDR", "IPV4:PORT" or "[IPV6]:PORT" into @t; @port says whether a
 * port came. -EINVAL for the form, -ERANGE for the port.
 */
static int parse_addr_port(const char *s, struct check_target *t, bool *port)
{
	const char *p = NULL, *colon = strchr(s, ':');
	bool bracket = s[0] == '[';
	char buf[INET6_ADDRSTRLEN];
	size_t len = strlen(s);
	uint32_t v;

	if (bracket) {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		len = end - s - 1;
		s++;
		p = end + 2;
	} else if (colon && !strchr(colon + 1, ':')) {
		/* one colon: IPv4 and a port; IPv6 has two or more */
		len = colon - s;
		p = colon + 1;
	}
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, t->addr) == 1)
		t->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, t->addr) == 1)
		t->family = AF_INET6;
	else
		return -EINVAL;
	/* "[ADDR]" is for IPv6, and only to tell its port apart */
	if (p && bracket != (t->family == AF_INET6))
		return -EINVAL;
	*port = p;
	if (!p)
		return 0;
	if (parse_u32(p, 1, 65535, &v))
		return -ERANGE;
	t->port = v;
	return 0;
}

/* A word no target looks like: an unknown keyword, not a bad address */
static bool keyword_like(const char *s)
{
	return isalpha((unsigned char)s[0]) && !strpbrk(s, ".:[");
}

static const char *const target_forms[] = {
	[CHECK_ICMP] = "an IPv4 or IPv6 address",
	[CHECK_DNS] = "ADDR, or ADDR:PORT, [IPV6-ADDR]:PORT",
	[CHECK_TCP] = "ADDR:PORT, or [IPV6-ADDR]:PORT",
};

static bool same_target(const struct check_target *a,
			const struct check_target *b)
{
	return a->method == b->method && a->family == b->family &&
	       a->port == b->port && !memcmp(a->addr, b->addr, 16);
}

/* Word @s, a target of @method (-1: no method word yet) */
static int check_target(struct check *c, int method, const char *s)
{
	struct check_target *t;
	bool port = false;
	unsigned int i;
	int err;

	if (method < 0 || keyword_like(s)) {
		if (keyword_like(s))
			pr_err("unknown keyword \"%s\"", s);
		else
			pr_err("expected a method (icmp, dns or tcp) before \"%s\"",
			       s);
		return -EINVAL;
	}
	/* before t: the array has no room for a ninth */
	if (c->n_targets == CHECK_TARGETS_MAX) {
		pr_err("too many targets at \"%s\" (at most %d)", s,
		       CHECK_TARGETS_MAX);
		return -E2BIG;
	}
	t = &c->targets[c->n_targets];
	memset(t, 0, sizeof(*t));
	t->method = method;
	err = parse_addr_port(s, t, &port);
	if (err == -ERANGE) {
		pr_err("invalid port in %s target \"%s\" (1..65535)",
		       method_names[method], s);
		return err;
	}
	if (err || (method == CHECK_ICMP && port) ||
	    (method == CHECK_TCP && !port)) {
		pr_err("invalid %s target \"%s\" (%s)", method_names[method], s,
		       target_forms[method]);
		return -EINVAL;
	}
	if (method == CHECK_DNS && !port)
		t->port = 53;
	for (i = 0; i < c->n_targets; i++) {
		if (!same_target(&c->targets[i], t))
			continue;
		pr_err("%s target \"%s\" given twice", method_names[method], s);
		return -EEXIST;
	}
	snprintf(t->text, sizeof(t->text), "%s", s);
	c->n_targets++;
	return 0;
}

/* A method word must have targets: @next is the word after them, if any */
static int method_end(int method, unsigned int targets, const char *next)
{
	if (method < 0 || targets)
		return 0;
	pr_err("\"%s\" needs a target (%s)%s%s%s", method_names[method],
	       target_forms[method], next ? " before \"" : "",
	       next ? next : "", next ? "\"" : "");
	return -EINVAL;
}

/* The line's words after the targets and options are in: do they agree? */
static int check_whole(const struct check *c, bool dns_name)
{
	unsigned int i, dns = 0;

	if (!c->n_targets) {
		pr_err("check of link \"%s\" needs a target: icmp ADDR, dns ADDR or tcp ADDR:PORT",
		       c->link);
		return -EINVAL;
	}
	for (i = 0; i < c->n_targets; i++)
		dns += c->targets[i].method == CHECK_DNS;
	if (dns_name && !dns) {
		pr_err("dns-name, but the check of link \"%s\" has no dns target",
		       c->link);
		return -EINVAL;
	}
	if (c->hc.quality &&
	    c->hc.recovery_latency_ms >= c->hc.failure_latency_ms) {
		pr_err("recovery-latency %ums must be below failure-latency %ums",
		       c->hc.recovery_latency_ms, c->hc.failure_latency_ms);
		return -EINVAL;
	}
	if (c->hc.quality && c->hc.recovery_loss_pct >= c->hc.failure_loss_pct) {
		pr_err("recovery-loss %u%% must be below failure-loss %u%%",
		       c->hc.recovery_loss_pct, c->hc.failure_loss_pct);
		return -EINVAL;
	}
	if (c->hc.reliability > c->n_targets) {
		pr_err("reliability %u needs as many targets, the check has %u",
		       c->hc.reliability, c->n_targets);
		return -EINVAL;
	}
	return 0;
}

/*
 * "check LINK METHOD TARGET... [METHOD TARGET...]... [KEYWORD VALUE]..."
 * into @c. A method word applies to the targets after it, up to the next
 * method word or keyword; keywords and method groups may alternate.
 */
static int check_words(struct check *c, int argc, char **argv)
{
	unsigned int targets = 0;
	int i, k, m, err, method = -1;
	uint32_t seen = 0;

	if (argc < 2 || parse_name(argv[1], c->link)) {
		pr_err("\"check\" needs a link name first%s%s%s",
		       argc < 2 ? "" : ", not \"", argc < 2 ? "" : argv[1],
		       argc < 2 ? "" : "\"");
		return -EINVAL;
	}
	for (i = 2; i < argc; i++) {
		m = method_index(argv[i]);
		k = keyword_index(argv[i]);
		if (m < 0 && k < 0) {
			err = check_target(c, method, argv[i]);
			if (err)
				return err;
			targets++;
			continue;
		}
		err = method_end(method, targets, argv[i]);
		if (err)
			return err;
		method = m;
		targets = 0;
		if (m >= 0)
			continue;
		if (seen & (1U << k)) {
			pr_err("\"%s\" given twice", argv[i]);
			return -EINVAL;
		}
		seen |= 1U << k;
		if (i + 1 == argc) {
			pr_err("\"%s\" needs a value", argv[i]);
			return -EINVAL;
		}
		err = check_opt(c, argv[i], argv[i + 1]);
		if (err)
			return err;
		i++;
	}
	err = method_end(method, targets, NULL);
	if (err)
		return err;
	return check_whole(c, seen & (1U << keyword_index("dns-name")));
}

int check_line(void *data, int argc, char **argv, unsigned int line)
{
	struct checks *cs = data;
	struct check *c;
	unsigned int i;
	int err;

	c = array_add(&cs->v, &cs->n, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->line = line;
	c->hc = check_defaults;
	/* the root's NS records: every resolver has them at hand */
	c->qname[0] = 0;
	c->qname_len = 1;
	err = check_words(c, argc, argv);
	for (i = 0; !err && i + 1 < cs->n; i++) {
		if (strcmp(cs->v[i].link, c->link))
			continue;
		pr_err("link \"%s\" already has a check on line %u", c->link,
		       cs->v[i].line);
		err = -EEXIST;
	}
	if (err)
		cs->n--;
	return err;
}

int checks_resolve(const struct checks *cs, struct mwan_config *cfg,
		   const char *fname)
{
	const struct check *c;
	struct mwan_link *l;
	unsigned int i;
	int err = 0;

	for (i = 0; i < cs->n && !err; i++) {
		c = &cs->v[i];
		l = mwan_link_by_name(cfg, c->link);
		err_context(fname, c->line);
		if (!l) {
			pr_err("check of unknown link \"%s\"", c->link);
			err = -ENOENT;
		} else if (HAS(l, MWAN_LINK_A_STATE)) {
			pr_err("link \"%s\" (line %u) is given a state, but its check sets it: use \"initial up|down\"",
			       c->link, l->line);
			err = -EINVAL;
		} else {
			l->state = c->hc.initial_up ? MWAN_LINK_UP :
				   MWAN_LINK_DOWN;
			MARK(l, MWAN_LINK_A_STATE);
		}
	}
	err_context(NULL, 0);
	return err;
}

void checks_release(struct checks *cs)
{
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}
