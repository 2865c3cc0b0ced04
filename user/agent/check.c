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
 * Fast enough to fail over within a second, slow enough that a lossy
 * satellite link does not flap: three lost rounds 200 ms apart.
 */
const struct health_conf check_defaults = {
	.interval_ms = 500,
	.failure_interval_ms = 200,
	.recovery_interval_ms = 500,
	.timeout_ms = 300,
	.count = 1,
	.reliability = 1,
	.down = 3,
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
	"recovery-loss", "down-action", NULL
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

static int check_target(struct check *c, const char *s)
{
	struct check_target *t;

	/* before t: the array has no room for a ninth */
	if (c->n_targets == CHECK_TARGETS_MAX) {
		pr_err("too many targets at \"%s\" (at most %d)", s,
		       CHECK_TARGETS_MAX);
		return -E2BIG;
	}
	t = &c->targets[c->n_targets];
	if (inet_pton(AF_INET, s, t->addr) == 1) {
		t->family = AF_INET;
	} else if (inet_pton(AF_INET6, s, t->addr) == 1) {
		t->family = AF_INET6;
	} else {
		pr_err("invalid target \"%s\" (an IPv4 or IPv6 address)", s);
		return -EINVAL;
	}
	snprintf(t->text, sizeof(t->text), "%s", s);
	c->n_targets++;
	return 0;
}

/*
 * Targets run up to the first keyword, which starts with a letter; an IPv6
 * address may too (fd00::1, fe80::1), but a keyword has no ':'.
 */
static bool target_word(const char *s)
{
	return !isalpha((unsigned char)s[0]) || strchr(s, ':');
}

/* "check LINK icmp TARGET... [KEYWORD VALUE]..." into @c */
static int check_words(struct check *c, int argc, char **argv)
{
	uint32_t seen = 0;
	int i, err;

	if (argc < 2 || parse_name(argv[1], c->link)) {
		pr_err("\"check\" needs a link name first%s%s%s",
		       argc < 2 ? "" : ", not \"", argc < 2 ? "" : argv[1],
		       argc < 2 ? "" : "\"");
		return -EINVAL;
	}
	if (argc < 3 || strcmp(argv[2], "icmp")) {
		pr_err("expected the check's method \"icmp\"%s%s%s",
		       argc < 3 ? "" : ", not \"", argc < 3 ? "" : argv[2],
		       argc < 3 ? "" : "\"");
		return -EINVAL;
	}
	for (i = 3; i < argc && target_word(argv[i]); i++) {
		err = check_target(c, argv[i]);
		if (err)
			return err;
	}
	if (!c->n_targets) {
		pr_err("check of link \"%s\" needs a target address",
		       c->link);
		return -EINVAL;
	}
	for (; i < argc; i += 2) {
		int k = keyword_index(argv[i]);

		if (k < 0) {
			pr_err("unknown keyword \"%s\"", argv[i]);
			return -EINVAL;
		}
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
