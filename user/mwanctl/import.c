// SPDX-License-Identifier: GPL-2.0
/*
 * import-mwan3: mwan3's interfaces, members, policies and rules as mwan's
 * links, checks, policies and rules (docs/mwanctl.8 says what becomes
 * what). The differences that matter:
 *
 *  - mwan3 names netifd interfaces; mwan links name devices, taken from
 *    the network configuration. mwan3's ids are kept, so marks stay.
 *  - an mwan3 interface is one family; two that share a device (wan and
 *    wan6) become one link, which carries both.
 *  - an mwan3 policy is used per family: IPv4 connections only by its IPv4
 *    members. A policy whose members differ by family is split in two,
 *    and so are the rules that use it for both families.
 *  - stickiness is a rule's in mwan3 and a policy's mode in mwan.
 *
 * Everything else that does not carry over is said, never dropped quietly.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "import.h"
#include "parse.h"
#include "util.h"

#define FAM4		BIT(0)
#define FAM6		BIT(1)
#define FAMS		(FAM4 | FAM6)
#define DEV_MAX		64

/* mwan3's defaults where mwan-agent's differ (mwan3track) */
#define M3_INTERVAL_MS		10000
#define M3_TIMEOUT_MS		4000
#define M3_DOWN			5
#define M3_UP			5
#define M3_METRIC_MAX		256
#define M3_STICKY_TIMEOUT	600

enum note_kind { NOTE, DROPPED };

struct knobs {
	const char *targets[CHECK_TARGETS_MAX];
	uint8_t methods[CHECK_TARGETS_MAX];	/* enum check_method */
	uint16_t ports[CHECK_TARGETS_MAX];	/* of tcp targets */
	unsigned int n_targets;
	uint8_t method;			/* this interface's track_method */
	uint16_t port;
	unsigned int interval, failure_interval, recovery_interval, timeout;
	unsigned int count, reliability, down, up;
	struct health_conf q;		/* the quality thresholds only */
	bool initial_down, quality, flush;
};

struct link;

struct iface {
	const struct uci_section *s;
	unsigned int id;
	unsigned int fam;
	bool enabled;
	struct link *link;
	struct knobs k;
};

struct link {
	char name[MWAN_NAME_MAX];
	unsigned int id;
	char dev[DEV_MAX];
	bool dev_known;
	struct iface *first;
};

struct member {
	const struct uci_section *s;
	struct iface *i;
	uint32_t metric, weight;
};

struct vmember {
	const struct link *l;
	uint32_t metric, weight;
};

/* A policy as one family sees it */
struct view {
	struct vmember m[MWAN_MAX_MEMBERS];
	unsigned int n;
};

#define USE_PLAIN	BIT(0)
#define USE_STICKY	BIT(1)

struct policy {
	const struct uci_section *s;	/* NULL: a rule's last resort word */
	const char *name;
	unsigned int last_resort;
	struct view v[2];		/* [0] IPv4, [1] IPv6 */
	unsigned int used[2];		/* USE_* per family */
	bool split;			/* a policy per family */
	unsigned int view;		/* unsplit: the family whose members */
	char names[2][2][MWAN_NAME_MAX];	/* [family][sticky] */
};

/* One value of src_ip or dest_ip */
struct addr {
	struct mwan_prefix p;
	bool any;			/* /0: nothing but its family */
};

struct ports {
	uint16_t min, max;
};

struct rule {
	const struct uci_section *s;
	char label[32];
	unsigned int pol;		/* in imp.pols, which may still grow */
	struct policy *p;		/* once it does not */
	bool sticky;
	unsigned int fams;		/* the family option's */
	bool has_proto;
	uint8_t proto;
	char iif[DEV_MAX];
	struct addr *src, *dst;		/* none: any */
	unsigned int n_src, n_dst;
	struct ports *sport, *dport;
	unsigned int n_sport, n_dport;
};

struct names {
	char (*v)[MWAN_NAME_MAX];
	unsigned int n;
};

struct imp {
	const struct uci_file *m, *net;
	FILE *body, *notes;
	struct iface *ifs;
	unsigned int n_ifs;
	struct link *links;
	unsigned int n_links;
	struct member *members;
	unsigned int n_members;
	struct policy *pols;
	unsigned int n_pols;
	struct rule *rules;
	unsigned int n_rules;
	struct names link_names, policy_names, rule_names;
	bool router_v6;			/* rules the router's IPv6 misses */
	int err;
};

static int fam_index(unsigned int fam)
{
	return fam == FAM6;
}

static const char *fam_word(unsigned int fam)
{
	return fam == FAM6 ? "ipv6" : "ipv4";
}

/*
 * "interface wan", "rule @rule[2]" (uci's name for an anonymous one),
 * "globals" for mwan3's one 'globals'
 */
static const char *label(const struct uci_section *s, char *buf, size_t len)
{
	if (s->name && !strcmp(s->name, s->type))
		snprintf(buf, len, "%s", s->type);
	else if (s->name)
		snprintf(buf, len, "%s %s", s->type, s->name);
	else
		snprintf(buf, len, "%s @%s[%u]", s->type, s->type, s->index);
	return buf;
}

static void note_v(struct imp *im, const struct uci_file *f,
		   unsigned int line, enum note_kind kind, const char *fmt,
		   va_list ap)
{
	const char *what = kind == DROPPED ? "not carried over" : "note";
	char msg[768];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line) {
		err_context(f->fname, line);
		pr_err("%s: %s", what, msg);
		err_context(NULL, 0);
	} else {
		pr_err("%s: %s: %s", f->fname, what, msg);
	}
	fprintf(im->notes, "# %s: %s\n", what, msg);
}

/* A note about the whole file */
static void __printf(3, 4) file_note(struct imp *im, enum note_kind kind,
				     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_v(im, im->m, 0, kind, fmt, ap);
	va_end(ap);
}

/* A note about a whole section: "interface wan: ..." */
static void __printf(4, 5) sec_note(struct imp *im,
				    const struct uci_section *s,
				    enum note_kind kind, const char *fmt, ...)
{
	char lb[96], f[640];
	va_list ap;

	snprintf(f, sizeof(f), "%s: %s", label(s, lb, sizeof(lb)), fmt);
	va_start(ap, fmt);
	note_v(im, im->m, s->line, kind, f, ap);
	va_end(ap);
}

/* The option's value(s) as written: 'a' 'b' */
static const char *values(const struct uci_option *o, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < o->n && n < len; i++)
		n += snprintf(buf + n, len - n, "%s'%s'", i ? " " : "",
			      o->v[i]);
	return buf;
}

/* A note about an option: "interface wan: timeout '90': ..." */
static void __printf(6, 7) opt_note(struct imp *im, const struct uci_file *f,
				    const struct uci_section *s,
				    const struct uci_option *o,
				    enum note_kind kind, const char *fmt, ...)
{
	char lb[96], vb[256], fm[1024];
	va_list ap;

	snprintf(fm, sizeof(fm), "%s: %s %s: %s", label(s, lb, sizeof(lb)),
		 o->name, values(o, vb, sizeof(vb)), fmt);
	va_start(ap, fmt);
	note_v(im, f, o->line, kind, fm, ap);
	va_end(ap);
}

static bool uci_bool(const char *v, bool *b)
{
	static const char *const yes[] = { "1", "yes", "on", "true",
					   "enabled", NULL };
	static const char *const no[] = { "0", "no", "off", "false",
					  "disabled", NULL };
	unsigned int i;

	for (i = 0; yes[i]; i++)
		if (!strcmp(v, yes[i]))
			return *b = true;
	for (i = 0; no[i]; i++)
		if (!strcmp(v, no[i]))
			return !(*b = false);
	return false;
}

/*
 * A name for a new object: @base and @suffix, shortened to fit
 * MWAN_NAME_MAX, with a number added when it is taken. true if @base had
 * to be shortened.
 */
static bool new_name(struct imp *im, struct names *nm, const char *base,
		     const char *suffix, char out[MWAN_NAME_MAX])
{
	char num[12] = "";
	size_t keep, max = MWAN_NAME_MAX - 1;
	unsigned int i, n = 1;
	bool taken, cut;
	char (*v)[MWAN_NAME_MAX];

	do {
		if (n > 1)
			snprintf(num, sizeof(num), "_%u", n);
		keep = strlen(base);
		cut = keep + strlen(suffix) + strlen(num) > max;
		if (cut)
			keep = max - strlen(suffix) - strlen(num);
		snprintf(out, MWAN_NAME_MAX, "%.*s%s%s", (int)keep, base,
			 suffix, num);
		for (taken = false, i = 0; i < nm->n && !taken; i++)
			taken = !strcmp(nm->v[i], out);
		/* "none" cannot name a policy */
		taken |= nm == &im->policy_names && !strcmp(out, "none");
		n++;
	} while (taken);
	v = array_add(&nm->v, &nm->n, sizeof(*nm->v));
	if (!v) {
		im->err = -ENOMEM;
		return false;
	}
	memcpy(v, out, MWAN_NAME_MAX);
	return cut && keep < strlen(base);
}

/* Devices */

/* Protocols whose layer 3 device netifd names after the interface */
static const struct {
	const char *proto, *fmt;
	bool ppp;			/* option pppname names it instead */
} l3_devs[] = {
	{ "pppoe", "pppoe-%s", true },
	{ "pppoa", "pppoa-%s", true },
	{ "ppp", "ppp-%s", true },
	{ "3g", "3g-%s", true },
	{ "pptp", "pptp-%s", true },
	{ "l2tp", "l2tp-%s", true },
	{ "wireguard", "%s", false },
	{ "6in4", "6in4-%s", false },
	{ "6rd", "6rd-%s", false },
	{ "6to4", "6to4-%s", false },
	{ "dslite", "ds-%s", false },
	{ "gre", "gre4-%s", false },
	{ "gretap", "gre4t-%s", false },
	{ "grev6", "gre6-%s", false },
	{ "grev6tap", "gre6t-%s", false },
};

/*
 * The device of netifd interface @iface: its protocol's own device, its
 * "device" (or older "ifname"), a bridge's "br-NAME", or through an alias
 * ("@wan") the other interface's. false when the network file says none.
 */
static bool net_device(const struct imp *im, const char *iface,
		       char dev[DEV_MAX], unsigned int depth)
{
	const struct uci_section *s = uci_find(im->net, "interface", iface);
	const char *proto, *d, *type;
	unsigned int i;

	if (!s || depth > 8)
		return false;
	proto = uci_get(s, "proto");
	for (i = 0; proto && i < ARRAY_SIZE(l3_devs); i++) {
		if (strcmp(proto, l3_devs[i].proto))
			continue;
		d = l3_devs[i].ppp ? uci_get(s, "pppname") : NULL;
		if (d && *d)
			snprintf(dev, DEV_MAX, "%s", d);
		else
			snprintf(dev, DEV_MAX, l3_devs[i].fmt, iface);
		return true;
	}
	type = uci_get(s, "type");
	if (type && !strcmp(type, "bridge")) {
		snprintf(dev, DEV_MAX, "br-%s", iface);
		return true;
	}
	d = uci_get(s, "device");
	if (!d)
		d = uci_get(s, "ifname");
	if (!d || !*d)
		return false;
	if (d[0] == '@')
		return net_device(im, d + 1, dev, depth + 1);
	snprintf(dev, DEV_MAX, "%.*s", (int)strcspn(d, " \t"), d);
	return true;
}

/*
 * The device of interface @name for @s's option @what (NULL: the section
 * itself); when unknown, the name itself, and a note says so.
 */
static bool device_of(struct imp *im, const struct uci_section *s,
		      const struct uci_option *what, const char *name,
		      char dev[DEV_MAX])
{
	char why[128];

	if (net_device(im, name, dev, 0))
		return true;
	snprintf(dev, DEV_MAX, "%s", name);
	if (!im->net)
		snprintf(why, sizeof(why),
			 "no network configuration was given (--network FILE)");
	else if (!uci_find(im->net, "interface", name))
		snprintf(why, sizeof(why),
			 "the network configuration has no interface %s", name);
	else
		snprintf(why, sizeof(why),
			 "the network configuration gives interface %s no device",
			 name);
	if (what)
		opt_note(im, im->m, s, what, NOTE,
			 "its device is unknown, %s; written as \"%s\": correct it",
			 why, dev);
	else
		sec_note(im, s, NOTE,
			 "its device is unknown, %s; written as \"%s\": correct it",
			 why, dev);
	return false;
}

/* Numbers */

/* mwan3's seconds, "10" or "1.5", in milliseconds */
static int secs_ms(const char *s, unsigned int *ms)
{
	unsigned long v = 0, frac = 0, scale = 1;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s) && v < 100000000; s++)
		v = v * 10 + (*s - '0');
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s) && scale < 1000; s++) {
			frac = frac * 10 + (*s - '0');
			scale *= 10;
		}
	if (*s)
		return -EINVAL;
	*ms = v * 1000 + frac * 1000 / scale;
	return 0;
}

/* "10s", "1500ms": a time as mwan.conf(5) takes it */
static const char *fmt_ms(unsigned int ms, char *buf, size_t len)
{
	if (ms % 1000)
		snprintf(buf, len, "%ums", ms);
	else
		snprintf(buf, len, "%us", ms / 1000);
	return buf;
}

/*
 * Option @name of @s as a number in [@min, @max] (@secs: seconds, in ms);
 * absent leaves *@v. Out of range is clamped, not a number ignored: both
 * said.
 */
static void opt_num(struct imp *im, const struct uci_section *s,
		    const char *name, bool secs, unsigned int min,
		    unsigned int max, unsigned int *v)
{
	const struct uci_option *o = uci_opt(s, name);
	const char *val = uci_get(s, name);
	char a[16], b[16], c[16];
	unsigned int n = 0;
	uint32_t u = 0;
	int err;

	if (!val)
		return;
	if (secs) {
		err = secs_ms(val, &n);
	} else {
		err = parse_u32(val, 0, UINT32_MAX, &u) ? -EINVAL : 0;
		n = u;
	}
	if (err) {
		opt_note(im, im->m, s, o, DROPPED, "not a number%s",
			 secs ? " of seconds" : "");
		return;
	}
	*v = n < min ? min : n > max ? max : n;
	if (*v == n)
		return;
	if (secs)
		opt_note(im, im->m, s, o, NOTE,
			 "mwan-agent takes %s to %s: %s", fmt_ms(min, a, 16),
			 fmt_ms(max, b, 16), fmt_ms(*v, c, 16));
	else
		opt_note(im, im->m, s, o, NOTE, "mwan takes %u to %u: %u",
			 min, max, *v);
}

/* Globals */

static void globals(struct imp *im, const struct uci_section *s)
{
	const char *logging = uci_get(s, "logging");
	bool log_on = false;
	unsigned int i;
	uint32_t mask;

	if (logging)
		uci_bool(logging, &log_on);
	for (i = 0; i < s->n_opts; i++) {
		const struct uci_option *o = &s->opts[i];
		const char *v = o->v[o->n - 1];

		if (!strcmp(o->name, "mmx_mask")) {
			if (parse_u32(v, 1, UINT32_MAX, &mask) ||
			    !mark_mask_valid(mask))
				opt_note(im, im->m, s, o, DROPPED,
					 "mwan's mark mask is 1 to 8 contiguous bits: the default 0x%x is used, and marks differ",
					 MWAN_DEFAULT_MARK_MASK);
			else if (mask != MWAN_DEFAULT_MARK_MASK)
				fprintf(im->body, "globals set mark-mask 0x%x\n\n",
					mask);
		} else if (!strcmp(o->name, "logging") && log_on) {
			opt_note(im, im->m, s, o, DROPPED,
				 "mwan logs no connections (mwanctl monitor follows its changes, mwan-agent logs its checks)");
		} else if (!strcmp(o->name, "loglevel") && log_on) {
			opt_note(im, im->m, s, o, DROPPED,
				 "the level of mwan3's LOG rules");
		} else if (!strcmp(o->name, "rt_table_lookup")) {
			opt_note(im, im->m, s, o, DROPPED,
				 "mwan-agent copies the main table's routes into the links' tables, no others; connections to these tables' destinations are balanced like any");
		} else if (!strcmp(o->name, "source_routing")) {
			opt_note(im, im->m, s, o, DROPPED,
				 "mwan-agent makes the links' tables its own way (mwan.conf(5), Routing)");
		} else if (strcmp(o->name, "logging") &&
			   strcmp(o->name, "loglevel")) {
			opt_note(im, im->m, s, o, DROPPED,
				 "not an option of mwan3's globals");
		}
	}
}

/* Interfaces and their checks */

static void read_targets(struct imp *im, struct iface *i)
{
	const struct uci_option *o = uci_opt(i->s, "track_ip");
	struct knobs *k = &i->k;
	unsigned char addr[16];
	unsigned int j;

	for (j = 0; o && j < o->n; j++) {
		const char *t = o->v[j];

		if (inet_pton(AF_INET, t, addr) != 1 &&
		    inet_pton(AF_INET6, t, addr) != 1) {
			opt_note(im, im->m, i->s, o, DROPPED,
				 "\"%s\" is not an address: mwan-agent probes addresses",
				 t);
		} else if (k->n_targets == CHECK_TARGETS_MAX) {
			opt_note(im, im->m, i->s, o, DROPPED,
				 "\"%s\": mwan-agent probes at most %d targets per link",
				 t, CHECK_TARGETS_MAX);
		} else {
			k->methods[k->n_targets] = k->method;
			k->ports[k->n_targets] = k->port;
			k->targets[k->n_targets++] = t;
		}
	}
}

/*
 * mwan3's track_method as one of mwan-agent's methods: its probe of the
 * same kind where there is one, else ICMP echo, as mwan3 itself falls
 * back to ping when the method's tool is missing.
 */
static void read_method(struct imp *im, struct iface *i)
{
	const struct uci_option *o = uci_opt(i->s, "track_method");
	const char *m = o ? o->v[o->n - 1] : "ping", *ssl;
	struct knobs *k = &i->k;
	bool tls = false;

	k->method = CHECK_ICMP;
	if (!strcmp(m, "ping") || !strcmp(m, "nping-icmp"))
		return;
	if (!strcmp(m, "nslookup")) {
		k->method = CHECK_DNS;
		opt_note(im, im->m, i->s, o, NOTE,
			 "mwan-agent asks each target for the root's NS records; any answer counts, as with nslookup");
	} else if (!strcmp(m, "httping")) {
		ssl = uci_get(i->s, "httping_ssl");
		if (ssl && !uci_bool(ssl, &tls))
			tls = false;
		k->method = CHECK_TCP;
		k->port = tls ? 443 : 80;
		opt_note(im, im->m, i->s, o, NOTE,
			 "mwan-agent connects to port %u of each target by TCP; it sends no HTTP request",
			 k->port);
	} else if (!strcmp(m, "nping-tcp")) {
		k->method = CHECK_TCP;
		k->port = 80;
		opt_note(im, im->m, i->s, o, NOTE,
			 "mwan-agent connects to port 80 of each target by TCP, as nping does; a refused connection counts too");
	} else {
		opt_note(im, im->m, i->s, o, DROPPED,
			 "mwan-agent has no %s probe: it checks this link by ICMP echo to the same targets",
			 m);
	}
}

static void read_flush(struct imp *im, struct iface *i)
{
	const struct uci_option *o = uci_opt(i->s, "flush_conntrack");
	unsigned int j;

	for (j = 0; o && j < o->n; j++) {
		const char *v = o->v[j];
		bool down = !strcmp(v, "ifdown") || !strcmp(v, "disconnected");
		bool up = !strcmp(v, "ifup") || !strcmp(v, "connected");

		/* the old scalar values: "always" is both, "never" none */
		if (!strcmp(v, "always"))
			down = up = true;
		if (down)
			i->k.flush = true;
		if (up)
			opt_note(im, im->m, i->s, o, DROPPED,
				 "\"%s\": mwan-agent flushes nothing when a link comes up",
				 v);
		else if (!down && strcmp(v, "never"))
			opt_note(im, im->m, i->s, o, DROPPED,
				 "\"%s\" is not an mwan3 event", v);
	}
	if (i->k.flush)
		opt_note(im, im->m, i->s, o, NOTE,
			 "down-action flush: when the link goes down, its own connections are deleted; mwan3 flushed the whole conntrack table");
}

static void read_quality(struct imp *im, struct iface *i)
{
	const struct uci_section *s = i->s;
	struct health_conf *q = &i->k.q;
	const char *v = uci_get(s, "check_quality");

	*q = check_defaults;
	if (!v || !uci_bool(v, &i->k.quality) || !i->k.quality)
		return;
	opt_num(im, s, "failure_latency", false, CHECK_INTERVAL_MIN_MS,
		CHECK_TIMEOUT_MAX_MS, &q->failure_latency_ms);
	opt_num(im, s, "recovery_latency", false, CHECK_INTERVAL_MIN_MS,
		CHECK_TIMEOUT_MAX_MS, &q->recovery_latency_ms);
	opt_num(im, s, "failure_loss", false, 1, 100, &q->failure_loss_pct);
	opt_num(im, s, "recovery_loss", false, 0, 100,
		&q->recovery_loss_pct);
	/* mwan-agent needs a band between them, mwan3 did not */
	if (q->recovery_latency_ms >= q->failure_latency_ms) {
		sec_note(im, s, DROPPED,
			 "recovery_latency %u is not below failure_latency %u: mwan3's defaults %u and %u are used",
			 q->recovery_latency_ms, q->failure_latency_ms,
			 check_defaults.recovery_latency_ms,
			 check_defaults.failure_latency_ms);
		q->recovery_latency_ms = check_defaults.recovery_latency_ms;
		q->failure_latency_ms = check_defaults.failure_latency_ms;
	}
	if (q->recovery_loss_pct >= q->failure_loss_pct) {
		sec_note(im, s, DROPPED,
			 "recovery_loss %u is not below failure_loss %u: mwan3's defaults %u and %u are used",
			 q->recovery_loss_pct, q->failure_loss_pct,
			 check_defaults.recovery_loss_pct,
			 check_defaults.failure_loss_pct);
		q->recovery_loss_pct = check_defaults.recovery_loss_pct;
		q->failure_loss_pct = check_defaults.failure_loss_pct;
	}
}

static void read_knobs(struct imp *im, struct iface *i)
{
	const struct uci_section *s = i->s;
	struct knobs *k = &i->k;
	const char *v;

	k->interval = M3_INTERVAL_MS;
	opt_num(im, s, "interval", true, CHECK_INTERVAL_MIN_MS,
		CHECK_INTERVAL_MAX_MS, &k->interval);
	/* mwan3's failure and recovery intervals default to its interval */
	k->failure_interval = k->recovery_interval = k->interval;
	opt_num(im, s, "failure_interval", true, CHECK_INTERVAL_MIN_MS,
		CHECK_INTERVAL_MAX_MS, &k->failure_interval);
	opt_num(im, s, "recovery_interval", true, CHECK_INTERVAL_MIN_MS,
		CHECK_INTERVAL_MAX_MS, &k->recovery_interval);
	k->timeout = M3_TIMEOUT_MS;
	opt_num(im, s, "timeout", true, CHECK_INTERVAL_MIN_MS,
		CHECK_TIMEOUT_MAX_MS, &k->timeout);
	k->count = k->reliability = 1;
	opt_num(im, s, "count", false, 1, CHECK_COUNT_MAX, &k->count);
	opt_num(im, s, "reliability", false, 1, CHECK_TARGETS_MAX,
		&k->reliability);
	k->down = M3_DOWN;
	k->up = M3_UP;
	opt_num(im, s, "down", false, 1, CHECK_ROUNDS_MAX, &k->down);
	opt_num(im, s, "up", false, 1, CHECK_ROUNDS_MAX, &k->up);
	v = uci_get(s, "initial_state");
	k->initial_down = v && !strcmp(v, "offline");
	read_method(im, i);
	read_targets(im, i);
	read_flush(im, i);
	read_quality(im, i);
}

/* Options mwan-agent has no counterpart for, and why */
static const struct {
	const char *name, *why;
} iface_dropped[] = {
	{ "size", "mwan-agent's echo requests have a size of their own" },
	{ "max_ttl", "mwan-agent's probes leave with the system's TTL" },
	{ "keep_failure_interval",
	  "a down link is probed at its interval, a link on its way down at its failure-interval" },
};

static const char *const iface_opts[] = {
	"enabled", "family", "track_ip", "track_method", "httping_ssl",
	"reliability", "count", "timeout", "interval", "failure_interval",
	"recovery_interval", "down", "up", "check_quality",
	"failure_latency", "failure_loss", "recovery_latency",
	"recovery_loss", "initial_state", "flush_conntrack", NULL
};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static void iface_other_opts(struct imp *im, const struct iface *i)
{
	const struct uci_section *s = i->s;
	unsigned int j, d;

	for (j = 0; j < s->n_opts; j++) {
		const struct uci_option *o = &s->opts[j];

		for (d = 0; d < ARRAY_SIZE(iface_dropped); d++)
			if (!strcmp(o->name, iface_dropped[d].name))
				break;
		if (d < ARRAY_SIZE(iface_dropped)) {
			opt_note(im, im->m, s, o, DROPPED, "%s",
				 iface_dropped[d].why);
		} else if (!in_list(iface_opts, o->name)) {
			opt_note(im, im->m, s, o, DROPPED,
				 "not an option of mwan3's interfaces");
		}
	}
}

static struct link *link_by_dev(struct imp *im, const char *dev)
{
	unsigned int i;

	for (i = 0; i < im->n_links; i++)
		if (im->links[i].dev_known && !strcmp(im->links[i].dev, dev))
			return &im->links[i];
	return NULL;
}

/* im->links has room for one per interface section */
static struct link *link_new(struct imp *im, struct iface *i,
			     const char *dev, bool known)
{
	struct link *l = &im->links[im->n_links++];

	l->id = i->id;
	l->first = i;
	l->dev_known = known;
	snprintf(l->dev, sizeof(l->dev), "%s", dev);
	if (new_name(im, &im->link_names, i->s->name, "", l->name))
		sec_note(im, i->s, NOTE,
			 "mwan names hold %d characters: the link is \"%s\"",
			 MWAN_NAME_MAX - 1, l->name);
	return l;
}

static void iface_read(struct imp *im, const struct uci_section *s)
{
	const char *en = uci_get(s, "enabled"), *fam = uci_get(s, "family");
	char dev[DEV_MAX];
	struct iface *i;
	struct link *l;
	bool known;

	/* allocated for all: links and members point here */
	i = &im->ifs[im->n_ifs++];
	i->s = s;
	i->id = s->index + 1;	/* disabled ones count too */
	i->fam = fam && !strcmp(fam, "ipv6") ? FAM6 : FAM4;
	if (fam && strcmp(fam, "ipv4") && strcmp(fam, "ipv6"))
		opt_note(im, im->m, s, uci_opt(s, "family"), DROPPED,
			 "not ipv4 or ipv6: taken as ipv4, as mwan3 does");
	if (!s->name) {
		sec_note(im, s, DROPPED,
			 "an interface section needs the name of a netifd interface");
		return;
	}
	if (en && !uci_bool(en, &i->enabled))
		opt_note(im, im->m, s, uci_opt(s, "enabled"), DROPPED,
			 "not a boolean: taken as 0");
	if (!i->enabled) {
		sec_note(im, s, DROPPED,
			 "not enabled: mwan3 does not use it, and its id %u stays unused; members of it are left out",
			 i->id);
		return;
	}
	read_knobs(im, i);
	iface_other_opts(im, i);
	known = device_of(im, s, NULL, s->name, dev);
	l = known ? link_by_dev(im, dev) : NULL;
	if (l) {
		sec_note(im, s, NOTE,
			 "shares device %s with interface %s: both are link %s (id %u), which carries IPv4 and IPv6 alike; id %u stays unused",
			 dev, l->first->s->name, l->name, l->id, i->id);
		i->link = l;
		return;
	}
	i->link = link_new(im, i, dev, known);
}

/* Options of merged interfaces that differ from the link's first one */
static void merge_knobs(struct imp *im, struct knobs *k, struct iface *i,
			const struct iface *first)
{
	static const struct {
		const char *name;
		size_t off;
	} f[] = {
#define KNOB(n, m) { n, offsetof(struct knobs, m) }
		KNOB("interval", interval),
		KNOB("failure_interval", failure_interval),
		KNOB("recovery_interval", recovery_interval),
		KNOB("timeout", timeout), KNOB("count", count),
		KNOB("down", down), KNOB("up", up),
#undef KNOB
	};
	unsigned int j;

	/* without targets an interface has no check to differ */
	for (j = 0; i->k.n_targets && j < ARRAY_SIZE(f); j++) {
		unsigned int a = *(unsigned int *)((char *)k + f[j].off);
		unsigned int b = *(unsigned int *)((char *)&i->k + f[j].off);

		if (a != b)
			sec_note(im, i->s, DROPPED,
				 "%s differs from interface %s's, whose is the link's",
				 f[j].name, first->s->name);
	}
	if (i->k.n_targets && (i->k.quality != k->quality ||
				i->k.initial_down != k->initial_down))
		sec_note(im, i->s, DROPPED,
			 "check_quality or initial_state differ from interface %s's, whose are the link's",
			 first->s->name);
	k->flush |= i->k.flush;
	for (j = 0; j < i->k.n_targets; j++) {
		if (k->n_targets == CHECK_TARGETS_MAX) {
			sec_note(im, i->s, DROPPED,
				 "track_ip \"%s\": mwan-agent probes at most %d targets per link",
				 i->k.targets[j], CHECK_TARGETS_MAX);
			continue;
		}
		k->methods[k->n_targets] = i->k.methods[j];
		k->ports[k->n_targets] = i->k.ports[j];
		k->targets[k->n_targets++] = i->k.targets[j];
	}
	/* each family's interface wanted so many answers: both together */
	if (i->k.n_targets)
		k->reliability += i->k.reliability;
}

/* " icmp 192.0.2.1", " tcp [2001:db8::1]:80": the method when it changes */
static void print_target(FILE *f, const struct knobs *k, unsigned int j)
{
	const char *t = k->targets[j];

	if (!j || k->methods[j] != k->methods[j - 1])
		fprintf(f, " %s", check_method_name(k->methods[j]));
	if (k->methods[j] != CHECK_TCP)
		fprintf(f, " %s", t);
	else if (strchr(t, ':'))
		fprintf(f, " [%s]:%u", t, k->ports[j]);
	else
		fprintf(f, " %s:%u", t, k->ports[j]);
}

static void print_check(struct imp *im, const struct link *l,
			const struct knobs *k)
{
	FILE *f = im->body;
	char a[16];
	unsigned int j;

	fprintf(f, "check %s", l->name);
	for (j = 0; j < k->n_targets; j++)
		print_target(f, k, j);
	fprintf(f, " interval %s", fmt_ms(k->interval, a, sizeof(a)));
	fprintf(f, " failure-interval %s",
		fmt_ms(k->failure_interval, a, sizeof(a)));
	fprintf(f, " recovery-interval %s",
		fmt_ms(k->recovery_interval, a, sizeof(a)));
	fprintf(f, " timeout %s", fmt_ms(k->timeout, a, sizeof(a)));
	/* always: mwan3's default of 1 is not mwan-agent's */
	fprintf(f, " count %u", k->count);
	if (k->reliability != 1)
		fprintf(f, " reliability %u", k->reliability);
	fprintf(f, " down %u up %u", k->down, k->up);
	if (k->initial_down)
		fprintf(f, " initial down");
	if (k->quality) {
		fprintf(f, " failure-latency %ums recovery-latency %ums",
			k->q.failure_latency_ms, k->q.recovery_latency_ms);
		fprintf(f, " failure-loss %u%% recovery-loss %u%%",
			k->q.failure_loss_pct, k->q.recovery_loss_pct);
	}
	if (k->flush)
		fprintf(f, " down-action flush");
	fputc('\n', f);
}

/*
 * A link and its check: the knobs of its first interface that has
 * targets, the targets of all.
 */
static void print_link(struct imp *im, const struct link *l)
{
	const struct iface *first = NULL;
	struct knobs k;
	unsigned int i;

	for (i = 0; i < im->n_ifs && !first; i++)
		if (im->ifs[i].link == l && im->ifs[i].k.n_targets)
			first = &im->ifs[i];
	if (!first)
		first = l->first;
	k = first->k;
	for (i = 0; i < im->n_ifs; i++)
		if (im->ifs[i].link == l && &im->ifs[i] != first)
			merge_knobs(im, &k, &im->ifs[i], first);
	if (k.reliability > k.n_targets && k.n_targets) {
		sec_note(im, first->s, NOTE,
			 "reliability %u is more than its %u targets: %u",
			 k.reliability, k.n_targets, k.n_targets);
		k.reliability = k.n_targets;
	}
	fprintf(im->body, "link add %s dev %s id %u\n", l->name, l->dev,
		l->id);
	if (k.n_targets)
		print_check(im, l, &k);
	else
		sec_note(im, first->s, NOTE,
			 "no track_ip: mwan3 took it as up while netifd had it up; the link stays up, whatever its device does");
}

/* Members and policies */

static const char *const member_opts[] = { "interface", "metric", "weight",
					    NULL };

static void member_read(struct imp *im, const struct uci_section *s)
{
	const char *ifc = uci_get(s, "interface");
	struct member *m;
	unsigned int i;

	m = array_add(&im->members, &im->n_members, sizeof(*m));
	if (!m) {
		im->err = -ENOMEM;
		return;
	}
	m->s = s;
	m->metric = m->weight = 1;
	opt_num(im, s, "metric", false, 0, UINT32_MAX, &m->metric);
	opt_num(im, s, "weight", false, 1, MWAN_WEIGHT_MAX, &m->weight);
	for (i = 0; ifc && i < im->n_ifs; i++)
		if (im->ifs[i].s->name && !strcmp(im->ifs[i].s->name, ifc))
			m->i = &im->ifs[i];
	for (i = 0; i < s->n_opts; i++)
		if (!in_list(member_opts, s->opts[i].name))
			opt_note(im, im->m, s, &s->opts[i], DROPPED,
				 "not an option of mwan3's members");
	if (!ifc)
		sec_note(im, s, DROPPED, "no interface: mwan3 ignores it");
	else if (!m->i)
		opt_note(im, im->m, s, uci_opt(s, "interface"), DROPPED,
			 "no such interface section: mwan3 ignores the member");
	else if (m->metric > M3_METRIC_MAX)
		opt_note(im, im->m, s, uci_opt(s, "metric"), DROPPED,
			 "above %d: mwan3 ignores the member",
			 M3_METRIC_MAX);
	else
		return;
	m->i = NULL;
}

static const struct member *member_find(const struct imp *im,
					const char *name)
{
	unsigned int i;

	for (i = 0; i < im->n_members; i++)
		if (im->members[i].s->name &&
		    !strcmp(im->members[i].s->name, name))
			return &im->members[i];
	return NULL;
}

/* Add member @m to the view of its interface's family */
static void view_add(struct imp *im, struct policy *p,
		     const struct uci_option *o, const struct member *m)
{
	struct view *v = &p->v[fam_index(m->i->fam)];
	unsigned int i, j, tiers = 0;
	bool tier_seen = false;

	for (i = 0; i < v->n; i++) {
		if (v->m[i].l != m->i->link)
			continue;
		if (v->m[i].metric != m->metric || v->m[i].weight != m->weight)
			opt_note(im, im->m, p->s, o, DROPPED,
				 "member %s: its link %s is a member already (a link is a member once)",
				 m->s->name, v->m[i].l->name);
		return;
	}
	for (i = 0; i < v->n; i++) {
		for (j = 0; j < i && v->m[j].metric != v->m[i].metric; j++)
			;
		tiers += j == i;
		tier_seen |= v->m[i].metric == m->metric;
	}
	if (v->n == MWAN_MAX_MEMBERS || (!tier_seen && tiers >= MWAN_MAX_TIERS)) {
		opt_note(im, im->m, p->s, o, DROPPED,
			 "member %s: mwan takes %d members and %d metrics per policy",
			 m->s->name, MWAN_MAX_MEMBERS, MWAN_MAX_TIERS);
		return;
	}
	v->m[v->n].l = m->i->link;
	v->m[v->n].metric = m->metric;
	v->m[v->n].weight = m->weight;
	v->n++;
}

static void last_resort(struct imp *im, struct policy *p)
{
	const char *v = uci_get(p->s, "last_resort");
	unsigned int lr;

	p->last_resort = MWAN_LAST_RESORT_UNREACHABLE;
	if (!v)
		return;
	if (!parse_word(v, last_resort_words, &lr))
		p->last_resort = lr;
	else
		opt_note(im, im->m, p->s, uci_opt(p->s, "last_resort"),
			 DROPPED, "not unreachable, blackhole or default: unreachable, as mwan3");
}

static void policy_read(struct imp *im, const struct uci_section *s)
{
	const struct uci_option *o = uci_opt(s, "use_member");
	const struct member *m;
	struct policy *p;
	unsigned int i;

	p = array_add(&im->pols, &im->n_pols, sizeof(*p));
	if (!p) {
		im->err = -ENOMEM;
		return;
	}
	p->s = s;
	p->name = s->name ? s->name : "policy";
	last_resort(im, p);
	for (i = 0; o && i < o->n; i++) {
		m = member_find(im, o->v[i]);
		if (!m)
			opt_note(im, im->m, s, o, DROPPED,
				 "no member section \"%s\"", o->v[i]);
		else if (m->i && m->i->link)
			view_add(im, p, o, m);
	}
	for (i = 0; i < s->n_opts; i++)
		if (strcmp(s->opts[i].name, "use_member") &&
		    strcmp(s->opts[i].name, "last_resort"))
			opt_note(im, im->m, s, &s->opts[i], DROPPED,
				 "not an option of mwan3's policies");
}

/*
 * A rule's use_policy: the index of a policy, or of one made for a last
 * resort word alone; -ENOENT, -ENOMEM.
 */
static int policy_find(struct imp *im, const char *name)
{
	unsigned int i, lr;
	struct policy *p;

	/* mwan3 reads these words before its policies */
	if (!parse_word(name, last_resort_words, &lr)) {
		for (i = 0; i < im->n_pols; i++)
			if (!im->pols[i].s && im->pols[i].last_resort == lr)
				return i;
		p = array_add(&im->pols, &im->n_pols, sizeof(*p));
		if (!p)
			return im->err = -ENOMEM;
		p->name = word_name(last_resort_words, lr);
		p->last_resort = lr;
		return im->n_pols - 1;
	}
	for (i = 0; i < im->n_pols; i++)
		if (im->pols[i].s && im->pols[i].s->name &&
		    !strcmp(im->pols[i].s->name, name))
			return i;
	return -ENOENT;
}

static bool vmember_in(const struct view *v, const struct vmember *m)
{
	unsigned int i;

	for (i = 0; i < v->n; i++)
		if (v->m[i].l == m->l && v->m[i].metric == m->metric &&
		    v->m[i].weight == m->weight)
			return true;
	return false;
}

static bool views_equal(const struct view *a, const struct view *b)
{
	unsigned int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!vmember_in(b, &a->m[i]))
			return false;
	return true;
}

/*
 * The policies' names, one per variant the rules use: per family when the
 * families' members differ and rules use both; "_sticky" for mode src
 * where rules use it with and without stickiness ("_src", its mode).
 */
static void policy_names(struct imp *im, struct policy *p)
{
	unsigned int used = p->used[0] | p->used[1], f, st;
	char sfx[16];
	bool both;

	if (!used) {		/* no rule uses it: as if one did */
		p->used[0] = p->v[0].n || !p->v[1].n ? USE_PLAIN : 0;
		p->used[1] = p->v[1].n ? USE_PLAIN : 0;
	}
	p->split = p->used[0] && p->used[1] &&
		   !views_equal(&p->v[0], &p->v[1]);
	p->view = !p->used[0] && p->used[1];
	if (!p->split) {
		used = p->used[0] | p->used[1];
		p->used[0] = p->used[1] = used;
	}
	for (f = 0; f < 2; f++) {
		both = p->used[f] == (USE_PLAIN | USE_STICKY);
		for (st = 0; st < 2; st++) {
			if (!(p->used[f] & (st ? USE_STICKY : USE_PLAIN)))
				continue;
			if (f && !p->split) {
				strcpy(p->names[1][st], p->names[0][st]);
				continue;
			}
			snprintf(sfx, sizeof(sfx), "%s%s",
				 p->split ? (f ? "_v6" : "_v4") : "",
				 st && both ? "_src" : "");
			new_name(im, &im->policy_names, p->name, sfx,
				 p->names[f][st]);
		}
	}
}

static void print_policy(struct imp *im, const struct policy *p,
			 unsigned int f, unsigned int sticky)
{
	const struct view *v = &p->v[p->split ? f : p->view];
	unsigned int i;

	fprintf(im->body, "policy add %s", p->names[f][sticky]);
	if (sticky)
		fprintf(im->body, " mode src");
	fprintf(im->body, " last-resort %s",
		word_name(last_resort_words, p->last_resort));
	for (i = 0; i < v->n; i++)
		fprintf(im->body, " member %s metric %u weight %u",
			v->m[i].l->name, v->m[i].metric, v->m[i].weight);
	fputc('\n', im->body);
}

static void print_policies(struct imp *im)
{
	unsigned int i, f, st;

	for (i = 0; i < im->n_pols; i++) {
		struct policy *p = &im->pols[i];

		policy_names(im, p);
		if (p->split)
			sec_note(im, p->s, NOTE,
				 "mwan3 uses its IPv4 members for IPv4 and its IPv6 ones for IPv6, and mwan links carry both: %s and %s",
				 p->names[0][!(p->used[0] & USE_PLAIN)],
				 p->names[1][!(p->used[1] & USE_PLAIN)]);
		for (f = 0; f < (p->split ? 2u : 1u); f++)
			for (st = 0; st < 2; st++)
				if (p->used[f] & (st ? USE_STICKY : USE_PLAIN))
					print_policy(im, p, f, st);
	}
}

/* Rules */

/* "192.0.2.0/24", "2001:db8::/32", "10.0.0.0/255.0.0.0" */
static int parse_addr(const char *s, struct addr *a)
{
	char buf[INET6_ADDRSTRLEN + 20], *slash;
	struct in_addr mask;
	unsigned int i, len;
	uint32_t m;
	int err;

	memset(a, 0, sizeof(*a));
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	/* a netmask, as iptables takes it, must be contiguous */
	if (slash && strchr(slash, '.')) {
		if (inet_pton(AF_INET, slash + 1, &mask) != 1)
			return -EINVAL;
		m = ntohl(mask.s_addr);
		len = m ? 32 - __builtin_ctz(m) : 0;
		if (len < 32 && (m | ((1U << (32 - len)) - 1)) != UINT32_MAX)
			return -EINVAL;
		snprintf(slash, sizeof(buf) - (slash - buf), "/%u", len);
	}
	err = parse_prefix(buf, &a->p);
	if (err == -EDOM) {
		/* iptables clears host bits without a word: so do we */
		len = a->p.len;
		for (i = len / 8; i < 16; i++)
			a->p.addr[i] &= i == len / 8 ? 0xff << (8 - len % 8) : 0;
		err = 0;
	}
	a->any = !err && !a->p.len;
	return err;
}

static unsigned int addr_fam(const struct addr *a)
{
	return a->p.family == AF_INET6 ? FAM6 : FAM4;
}

/* "80,443,8000:8080": multiport's list, one range per element */
static int parse_ports(const char *s, struct ports **out, unsigned int *n)
{
	char buf[16];
	struct ports *p;
	size_t len;

	while (*s) {
		len = strcspn(s, ",");
		if (!len || len >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, s, len);
		buf[len] = '\0';
		if (strchr(buf, ':'))
			*strchr(buf, ':') = '-';
		p = array_add(out, n, sizeof(*p));
		if (!p)
			return -ENOMEM;
		if (parse_port_range(buf, &p->min, &p->max))
			return -EINVAL;
		s += len + !!s[len];
	}
	return 0;
}

static int rule_addrs(struct imp *im, struct rule *r, const char *opt,
		      struct addr **out, unsigned int *n)
{
	const struct uci_option *o = uci_opt(r->s, opt);
	const char *v = uci_get(r->s, opt);
	char buf[64];
	struct addr *a;
	size_t len;

	while (v && *v) {
		len = strcspn(v, ",");
		snprintf(buf, sizeof(buf), "%.*s", (int)len, v);
		v += len + !!v[len];
		a = array_add(out, n, sizeof(*a));
		if (!a) {
			im->err = -ENOMEM;
			return -ENOMEM;
		}
		if (parse_addr(buf, a)) {
			opt_note(im, im->m, r->s, o, DROPPED,
				 "\"%s\" is not an address or prefix: the rule is left out",
				 buf);
			return -EINVAL;
		}
	}
	return 0;
}

static int rule_proto(struct imp *im, struct rule *r)
{
	const char *v = uci_get(r->s, "proto");

	if (!v || !strcmp(v, "all") || !strcmp(v, "0"))
		return 0;
	r->has_proto = true;
	if (!strcmp(v, "ipv6-icmp") || !strcmp(v, "icmp6")) {
		r->proto = IPPROTO_ICMPV6;
		return 0;
	}
	if (!parse_proto(v, &r->proto))
		return 0;
	opt_note(im, im->m, r->s, uci_opt(r->s, "proto"), DROPPED,
		 "a protocol mwan does not know by name: the rule is left out (give its number)");
	return -EINVAL;
}

static int rule_ports(struct imp *im, struct rule *r, const char *opt,
		      struct ports **out, unsigned int *n)
{
	const struct uci_option *o = uci_opt(r->s, opt);
	const char *v = uci_get(r->s, opt);
	int err;

	if (!v || !*v)
		return 0;
	if (!r->has_proto || (r->proto != IPPROTO_TCP &&
			      r->proto != IPPROTO_UDP)) {
		opt_note(im, im->m, r->s, o, DROPPED,
			 "ports need proto tcp or udp: mwan3 ignores them, so does this rule");
		return 0;
	}
	err = parse_ports(v, out, n);
	if (err == -ENOMEM)
		im->err = err;
	else if (err)
		opt_note(im, im->m, r->s, o, DROPPED,
			 "not a list of ports and port ranges: the rule is left out");
	return err;
}

static const char *const rule_opts[] = {
	"use_policy", "family", "proto", "src_ip", "dest_ip", "src_port",
	"dest_port", "src_iface", "sticky", "timeout", "ipset", "logging",
	NULL
};

static void rule_other_opts(struct imp *im, struct rule *r)
{
	const struct uci_section *s = r->s;
	const char *v;
	bool on = false;
	unsigned int i;

	for (i = 0; i < s->n_opts; i++)
		if (!in_list(rule_opts, s->opts[i].name))
			opt_note(im, im->m, s, &s->opts[i], DROPPED,
				 "not an option of mwan3's rules");
	v = uci_get(s, "logging");
	if (v && uci_bool(v, &on) && on)
		opt_note(im, im->m, s, uci_opt(s, "logging"), DROPPED,
			 "mwan logs no connections");
	v = uci_get(s, "sticky");
	if (v && uci_bool(v, &on) && on) {
		r->sticky = true;
		v = uci_get(s, "timeout");
		opt_note(im, im->m, s, uci_opt(s, "sticky"), NOTE,
			 "its policy takes mode src: a hash of the client's address keeps it on one link, where mwan3 kept it on its last one until %s s after its last connection",
			 v ? v : "600");
	}
}

static int rule_family(struct imp *im, struct rule *r)
{
	const char *v = uci_get(r->s, "family");

	r->fams = FAMS;
	if (!v || !strcmp(v, "any"))
		return 0;
	if (!strcmp(v, "ipv4") || !strcmp(v, "ipv6")) {
		r->fams = v[3] == '4' ? FAM4 : FAM6;
		return 0;
	}
	opt_note(im, im->m, r->s, uci_opt(r->s, "family"), DROPPED,
		 "not ipv4, ipv6 or any: the rule is left out");
	return -EINVAL;
}

static int rule_policy(struct imp *im, struct rule *r)
{
	const char *v = uci_get(r->s, "use_policy");
	int i;

	if (!v || !*v) {
		sec_note(im, r->s, DROPPED, "no use_policy: mwan3 skips it");
		return -EINVAL;
	}
	i = policy_find(im, v);
	r->pol = i;
	if (i >= 0)
		return 0;
	if (!im->err)
		opt_note(im, im->m, r->s, uci_opt(r->s, "use_policy"), DROPPED,
			 "no such policy: mwan3 skips the rule");
	return -EINVAL;
}

static void rule_free(struct rule *r)
{
	free(r->src);
	free(r->dst);
	free(r->sport);
	free(r->dport);
}

static int rule_parse(struct imp *im, struct rule *r)
{
	const char *iif = uci_get(r->s, "src_iface");

	rule_other_opts(im, r);
	if (uci_get(r->s, "ipset")) {
		opt_note(im, im->m, r->s, uci_opt(r->s, "ipset"), DROPPED,
			 "mwan rules match no ipsets: the rule is left out, as without the set it would match all it does not (mark the set's packets in nftables and match the mark: mwanctl(8), Sets of addresses)");
		return -EINVAL;
	}
	if (rule_policy(im, r) || rule_family(im, r) || rule_proto(im, r) ||
	    rule_addrs(im, r, "src_ip", &r->src, &r->n_src) ||
	    rule_addrs(im, r, "dest_ip", &r->dst, &r->n_dst) ||
	    rule_ports(im, r, "src_port", &r->sport, &r->n_sport) ||
	    rule_ports(im, r, "dest_port", &r->dport, &r->n_dport))
		return -EINVAL;
	if (iif)
		device_of(im, r->s, uci_opt(r->s, "src_iface"), iif, r->iif);
	return 0;
}

/* One match of the rule: an element of each of its lists */
struct combo {
	const struct addr *src, *dst;
	const struct ports *sport, *dport;
	unsigned int fams;
};

/* The @k-th combination of the rule's lists; false past the last. */
static bool combo_get(const struct rule *r, unsigned int k, struct combo *c)
{
	unsigned int ns = r->n_src ? r->n_src : 1;
	unsigned int nd = r->n_dst ? r->n_dst : 1;
	unsigned int nsp = r->n_sport ? r->n_sport : 1;
	unsigned int ndp = r->n_dport ? r->n_dport : 1;

	if (k >= ns * nd * nsp * ndp)
		return false;
	c->src = r->n_src ? &r->src[k % ns] : NULL;
	k /= ns;
	c->dst = r->n_dst ? &r->dst[k % nd] : NULL;
	k /= nd;
	c->sport = r->n_sport ? &r->sport[k % nsp] : NULL;
	k /= nsp;
	c->dport = r->n_dport ? &r->dport[k % ndp] : NULL;
	c->fams = r->fams;
	if (c->src)
		c->fams &= addr_fam(c->src);
	if (c->dst)
		c->fams &= addr_fam(c->dst);
	return true;
}

static unsigned int sticky_of(const struct rule *r, unsigned int f)
{
	/* a policy without members has nothing to stick to */
	return r->sticky && r->p->v[f].n ? 1 : 0;
}

/* Note the policy variants each family of each match needs. */
static void rule_uses(struct rule *r)
{
	struct combo c;
	unsigned int k, f;

	for (k = 0; combo_get(r, k, &c); k++)
		for (f = 0; f < 2; f++)
			if (c.fams & BIT(f))
				r->p->used[f] |= sticky_of(r, f) ? USE_STICKY :
								   USE_PLAIN;
}

static void print_ports(FILE *f, const char *kw, const struct ports *p)
{
	if (!p)
		return;
	if (p->min == p->max)
		fprintf(f, " %s %u", kw, p->min);
	else
		fprintf(f, " %s %u-%u", kw, p->min, p->max);
}

static void print_addr(FILE *f, const char *kw, const struct addr *a)
{
	char buf[PREFIX_STRLEN];

	if (a && !a->any)
		fprintf(f, " %s %s", kw, format_prefix(&a->p, buf, sizeof(buf)));
}

/* One "rule add" for match @c in the families @fams */
static void print_rule_line(struct imp *im, const struct rule *r,
			    const char *name, const struct combo *c,
			    unsigned int fams)
{
	unsigned int f = fam_index(fams == FAM6 ? FAM6 : FAM4);
	bool implied = (c->src && !c->src->any) || (c->dst && !c->dst->any);
	FILE *o = im->body;
	const char *pn;

	pn = r->p->names[f][sticky_of(r, f)];
	fprintf(o, "rule add %s policy %s", name, pn);
	if (fams != FAMS && !implied)
		fprintf(o, " family %s", fam_word(fams));
	if (r->has_proto && proto_name(r->proto))
		fprintf(o, " proto %s", proto_name(r->proto));
	else if (r->has_proto)
		fprintf(o, " proto %u", r->proto);
	print_addr(o, "src", c->src);
	print_addr(o, "dst", c->dst);
	print_ports(o, "sport", c->sport);
	print_ports(o, "dport", c->dport);
	if (r->iif[0])
		fprintf(o, " iif %s", r->iif);
	/* mwan3 balanced the router's own connections too (mangle OUTPUT) */
	if (fams == FAM4 && !r->iif[0])
		fprintf(o, " local");
	else if (!r->iif[0])
		im->router_v6 = true;
	fputc('\n', o);
}

static void print_rule(struct imp *im, const struct rule *r)
{
	const struct policy *p = r->p;
	unsigned int k, n = 0, f, fams;
	char sfx[16], name[MWAN_NAME_MAX];
	bool fam_split;
	struct combo c;

	while (combo_get(r, n, &c))
		n++;
	for (k = 0; combo_get(r, k, &c); k++) {
		if (!c.fams) {
			sec_note(im, r->s, DROPPED,
				 "its addresses are of another family than its family option: mwan3 skips it%s",
				 n > 1 ? " for them" : "");
			continue;
		}
		fam_split = c.fams == FAMS &&
			    strcmp(p->names[0][sticky_of(r, 0)],
				   p->names[1][sticky_of(r, 1)]);
		for (f = 0; f < 2; f++) {
			fams = fam_split ? BIT(f) : c.fams;
			if (!(c.fams & BIT(f)) || (!fam_split && f &&
						   c.fams == FAMS))
				continue;
			snprintf(sfx, sizeof(sfx), "%s", fam_split ?
				 (f ? "_v6" : "_v4") : "");
			if (n > 1)
				snprintf(sfx + strlen(sfx),
					 sizeof(sfx) - strlen(sfx), "_%u",
					 k + 1);
			if (new_name(im, &im->rule_names, r->label, sfx, name) &&
			    !*sfx)
				sec_note(im, r->s, NOTE,
					 "mwan names hold %d characters: the rule is \"%s\"",
					 MWAN_NAME_MAX - 1, name);
			print_rule_line(im, r, name, &c, fams);
		}
	}
}

static void rules(struct imp *im)
{
	struct rule *r;
	unsigned int i;

	for (i = 0; i < im->m->n_secs; i++) {
		const struct uci_section *s = &im->m->secs[i];

		if (strcmp(s->type, "rule"))
			continue;
		r = array_add(&im->rules, &im->n_rules, sizeof(*r));
		if (!r) {
			im->err = -ENOMEM;
			return;
		}
		r->s = s;
		if (s->name)
			snprintf(r->label, sizeof(r->label), "%s", s->name);
		else
			snprintf(r->label, sizeof(r->label), "rule%u",
				 s->index + 1);
		if (rule_parse(im, r)) {
			rule_free(r);
			im->n_rules--;
		}
	}
	for (i = 0; i < im->n_rules; i++) {
		im->rules[i].p = &im->pols[im->rules[i].pol];
		rule_uses(&im->rules[i]);
	}
}

/* The whole file */

static void sections(struct imp *im)
{
	static const char *const types[] = { "globals", "interface", "member",
					     "policy", "rule", NULL };
	unsigned int i, n;

	for (i = 0; i < im->m->n_secs; i++) {
		const struct uci_section *s = &im->m->secs[i];

		if (!in_list(types, s->type))
			sec_note(im, s, DROPPED, "not a section type of mwan3");
		else if (!strcmp(s->type, "globals"))
			globals(im, s);
	}
	for (i = 0, n = 0; i < im->m->n_secs; i++)
		n += !strcmp(im->m->secs[i].type, "interface");
	im->ifs = calloc(n, sizeof(*im->ifs));
	im->links = calloc(n, sizeof(*im->links));
	if (n && (!im->ifs || !im->links)) {
		im->err = -ENOMEM;
		return;
	}
	for (i = 0; i < im->m->n_secs && !im->err; i++)
		if (!strcmp(im->m->secs[i].type, "interface"))
			iface_read(im, &im->m->secs[i]);
	for (i = 0; i < im->n_links; i++)
		print_link(im, &im->links[i]);
	for (i = 0; i < im->m->n_secs && !im->err; i++)
		if (!strcmp(im->m->secs[i].type, "member"))
			member_read(im, &im->m->secs[i]);
	for (i = 0; i < im->m->n_secs && !im->err; i++)
		if (!strcmp(im->m->secs[i].type, "policy"))
			policy_read(im, &im->m->secs[i]);
	if (!im->err)
		rules(im);
	if (!im->err && im->n_pols)
		fputc('\n', im->body);
	if (!im->err)
		print_policies(im);
	if (im->n_rules)
		fputc('\n', im->body);
	for (i = 0; i < im->n_rules && !im->err; i++)
		print_rule(im, &im->rules[i]);
	if (im->router_v6)
		file_note(im, NOTE,
			  "mwan3 balanced the router's own connections too; here the IPv4-only rules do (\"local\"), the others apply to forwarded connections alone");
}

static void imp_free(struct imp *im)
{
	unsigned int i;

	for (i = 0; i < im->n_rules; i++)
		rule_free(&im->rules[i]);
	free(im->rules);
	free(im->pols);
	free(im->members);
	free(im->links);
	free(im->ifs);
	free(im->link_names.v);
	free(im->policy_names.v);
	free(im->rule_names.v);
}

int import_mwan3(const struct uci_file *m, const struct uci_file *net,
		 FILE *out)
{
	struct imp im = { .m = m, .net = net };
	char *body = NULL, *notes = NULL;
	size_t body_len, notes_len;
	int err;

	im.body = open_memstream(&body, &body_len);
	im.notes = open_memstream(&notes, &notes_len);
	if (!im.body || !im.notes) {
		err = -ENOMEM;
		goto out;
	}
	sections(&im);
	err = im.err;
	if (fclose(im.body) || fclose(im.notes))
		err = -ENOMEM;
	im.body = im.notes = NULL;
	if (err)
		goto out;
	fprintf(out, "# mwan.conf(5) from the mwan3 configuration %s (mwanctl import-mwan3)\n",
		m->fname);
	if (net)
		fprintf(out, "# devices from the network configuration %s\n",
			net->fname);
	fprintf(out, "%s\n%s", notes_len ? notes : "", body);
out:
	if (im.body)
		fclose(im.body);
	if (im.notes)
		fclose(im.notes);
	free(body);
	free(notes);
	imp_free(&im);
	return err;
}
