// SPDX-License-Identifier: GPL-2.0
/*
 * mwanctl status: what the uplinks do now, from the kernel's own state,
 * whether or not an agent runs. The configuration is read twice, an
 * interval apart, for rates; conntrack once, for each link's connections.
 * One line per link in 80 columns (for names of up to 7 and devices of
 * up to 6 characters), then policies and rules; colour only on a
 * terminal. docs/mwanctl.8 describes the columns and the JSON.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ct.h"
#include "figures.h"
#include "json.h"
#include "mwanctl.h"

#define SNAP_ALL	(SNAP_GLOBALS | SNAP_LINKS | SNAP_POLICIES | SNAP_RULES)
#define INTERVAL_MAX_MS	3600000

struct status {
	struct ctx *ctx;
	unsigned int interval_ms;
	struct mwan_config a, b;	/* before and after the interval */
	double dt;			/* seconds between the two reads */
	uint64_t conns[MWAN_LINK_ID_MAX + 1];
	bool conns_ok;
	const struct mwan_policy *ref;	/* whose tiers and shares are shown */
	bool colour;
};

/* What the line of a link shows besides the kernel's fields */
struct link_fig {
	bool rates;			/* the link was there both times */
	double rx_bps, tx_bps, new_ps;
	bool has_share, has_wanted, has_tier;
	double share, wanted;
	uint32_t tier;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t stat_of(const struct mwan_stats *s, unsigned int attr)
{
	return s->set & BIT(attr) ? s->v[attr] : 0;
}

/* The same link before the interval: same id, name and device */
static const struct mwan_link *before(const struct status *st,
				      const struct mwan_link *l)
{
	const struct mwan_link *o = mwan_link_by_id(&st->a, l->id);

	if (!o || strcmp(o->name, l->name) || o->ifindex != l->ifindex)
		return NULL;
	return o;
}

static uint64_t delta(const struct mwan_stats *now,
		      const struct mwan_stats *then, unsigned int attr)
{
	uint64_t a = stat_of(then, attr), b = stat_of(now, attr);

	/* a counter that went back was of an object deleted meanwhile */
	return b >= a ? b - a : 0;
}

static uint64_t all_new(const struct status *st)
{
	uint64_t sum = 0;
	const struct mwan_link *o;
	unsigned int i;

	for (i = 0; i < st->b.n_links; i++) {
		o = before(st, &st->b.links[i]);
		if (o)
			sum += delta(&st->b.links[i].stats, &o->stats,
				     MWAN_STATS_A_NEW_FLOWS);
	}
	return sum;
}

static void link_figures(const struct status *st, const struct mwan_link *l,
			 struct link_fig *f)
{
	const struct mwan_link *o = st->interval_ms ? before(st, l) : NULL;
	const struct mwan_policy *p = st->ref;
	uint64_t sum = st->interval_ms ? all_new(st) : 0;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	if (o && st->dt > 0) {
		f->rates = true;
		f->rx_bps = delta(&l->stats, &o->stats,
				  MWAN_STATS_A_RX_BYTES) * 8 / st->dt;
		f->tx_bps = delta(&l->stats, &o->stats,
				  MWAN_STATS_A_TX_BYTES) * 8 / st->dt;
		f->new_ps = delta(&l->stats, &o->stats,
				  MWAN_STATS_A_NEW_FLOWS) / st->dt;
		f->has_share = sum > 0;
		if (sum)
			f->share = (double)delta(&l->stats, &o->stats,
						 MWAN_STATS_A_NEW_FLOWS) / sum;
	}
	for (i = 0; p && i < p->n_members; i++) {
		if (p->members[i].link != l->id)
			continue;
		f->has_tier = f->has_wanted = true;
		f->tier = HAS(&p->members[i], MWAN_MEMBER_A_METRIC) ?
			  p->members[i].metric : 0;
		f->wanted = member_share_ppm(&st->b, p, i) / 1e6;
	}
}

/* Text */

static const char *colour(const struct status *st, const char *c)
{
	return st->colour ? c : "";
}

#define C_RED	"\033[31m"
#define C_GREEN	"\033[32m"
#define C_YEL	"\033[33m"
#define C_BOLD	"\033[1m"
#define C_OFF	"\033[0m"

/* 3 significant digits with k, M, G (powers of 1000): "1.23M", "999k" */
static const char *si(double v, char *buf, size_t len)
{
	static const char units[] = " kMGTP";
	unsigned int u = 0;

	while (v >= 999.5 && u + 1 < sizeof(units) - 1) {
		v /= 1000;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%.0f", v);
	else if (v < 9.995)
		snprintf(buf, len, "%.2f%c", v, units[u]);
	else if (v < 99.95)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
	return buf;
}

/* "0.3ms", "12ms", "1.2s"; "-" for none */
static const char *fmt_rtt(uint32_t us, char *buf, size_t len)
{
	if (!us)
		snprintf(buf, len, "-");
	else if (us < 10000)
		snprintf(buf, len, "%.1fms", us / 1000.0);
	else if (us < 1000000)
		snprintf(buf, len, "%ums", (us + 500) / 1000);
	else
		snprintf(buf, len, "%.1fs", us / 1e6);
	return buf;
}

/* "0%", "0.1%", "12%" */
static const char *fmt_loss(uint32_t ppm, char *buf, size_t len)
{
	if (ppm && ppm < 9950)
		snprintf(buf, len, "%.1f%%", ppm / 10000.0);
	else
		snprintf(buf, len, "%u%%", (ppm + 5000) / 10000);
	return buf;
}

/* How long the state has held, in 3 characters up to 99 days: "45s" */
static const char *fmt_age(const struct mwan_link *l, char *buf, size_t len)
{
	static const struct {
		uint32_t secs;
		char unit;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	unsigned int i;

	if (!HAS(l, MWAN_LINK_A_STATE_SECS))
		return "-";
	for (i = 0; i < ARRAY_SIZE(units) - 1; i++)
		if (l->state_secs >= 100 * units[i + 1].secs)
			break;
	snprintf(buf, len, "%u%c", l->state_secs / units[i].secs,
		 units[i].unit);
	return buf;
}

static const char *state_colour(const struct status *st, unsigned int state)
{
	return colour(st, state == MWAN_LINK_UP ? C_GREEN :
			  state == MWAN_LINK_DOWN ? C_RED : C_YEL);
}

/* Column widths; LINK and DEV grow with the longest name */
struct widths {
	int name, dev;
};

static void status_link(const struct status *st, const struct widths *w,
		       const struct mwan_link *l)
{
	char dev[IF_NAMESIZE], a[16], b[16], c[16];
	const char *state = word_name(link_state_words, l->state);
	bool checked = HAS(l, MWAN_LINK_A_HEALTH) &&
		       l->health != MWAN_LINK_HEALTH_UNKNOWN;
	bool held = link_held(l);
	struct link_fig f;

	link_figures(st, l, &f);
	if (!if_indextoname(l->ifindex, dev))
		snprintf(dev, sizeof(dev), "%u", l->ifindex);
	printf("%-*s %-*s %s%-5s%s%s%s", w->name, l->name, w->dev, dev,
	       state_colour(st, l->state), state ? state : "?",
	       colour(st, C_OFF), colour(st, C_BOLD), held ? "*" : " ");
	printf("%s %3s %s%-6s%s", colour(st, C_OFF), fmt_age(l, a, sizeof(a)),
	       checked ? state_colour(st, l->health == MWAN_LINK_HEALTH_UP ?
				      MWAN_LINK_UP : MWAN_LINK_DOWN) : "",
	       checked ? word_name(link_health_words, l->health) : "-",
	       checked ? colour(st, C_OFF) : "");
	printf("%4u ", l->weight);
	if (f.has_tier)
		printf("%4u ", f.tier);
	else
		printf("%4s ", "-");
	printf("%5s %4s ", fmt_rtt(l->rtt_us, a, sizeof(a)),
	       checked || l->loss_ppm ? fmt_loss(l->loss_ppm, b, sizeof(b)) :
					"-");
	printf("%5s ", st->conns_ok ? si(st->conns[l->id], c, sizeof(c)) : "-");
	if (f.rates)
		printf("%5s %5s %5s ", si(f.rx_bps, a, sizeof(a)),
		       si(f.tx_bps, b, sizeof(b)), si(f.new_ps, c, sizeof(c)));
	else
		printf("%5s %5s %5s ", "-", "-", "-");
	snprintf(a, sizeof(a), "%.0f", f.share * 100);
	snprintf(b, sizeof(b), "%.0f", f.wanted * 100);
	printf("%3s/%s\n", f.has_share ? a : "-", f.has_wanted ? b : "-");
}

static int name_width(const struct mwan_config *cfg, bool dev)
{
	char buf[IF_NAMESIZE];
	unsigned int i;
	int w = dev ? 3 : 4, n;

	for (i = 0; i < cfg->n_links; i++) {
		const struct mwan_link *l = &cfg->links[i];

		if (!dev)
			n = strlen(l->name);
		else if (if_indextoname(l->ifindex, buf))
			n = strlen(buf);
		else
			n = snprintf(buf, sizeof(buf), "%u", l->ifindex);
		if (n > w)
			w = n;
	}
	return w;
}

static void print_links(const struct status *st)
{
	struct widths w = { name_width(&st->b, false),
			    name_width(&st->b, true) };
	unsigned int i;
	bool held = false;

	printf("links");
	if (st->interval_ms)
		printf(", rates over %.1f s", st->dt);
	if (st->ref)
		printf("; TIER and SHARE wanted by policy %s", st->ref->name);
	printf(":\n%-*s %-*s STATE  FOR CHECKS WGHT TIER   RTT LOSS CONNS RXb/s TXb/s NEW/s SHARE%%\n",
	       w.name, "LINK", w.dev, "DEV");
	for (i = 0; i < st->b.n_links; i++) {
		status_link(st, &w, &st->b.links[i]);
		held |= link_held(&st->b.links[i]);
	}
	if (!st->b.n_links)
		printf("    no links\n");
	if (held)
		printf("* held: set by hand, not as the checks say; the agent leaves it\n");
}

/* Policies: one line each, the tiers after, wrapped at 80 columns */
struct wrap {
	int col;
};

static void word_out(struct wrap *wr, const char *s)
{
	int n = strlen(s);

	if (wr->col + 1 + n > 80) {
		printf("\n   ");
		wr->col = 3;
	}
	printf(" %s", s);
	wr->col += 1 + n;
}

static uint32_t member_metric(const struct mwan_member *m)
{
	return HAS(m, MWAN_MEMBER_A_METRIC) ? m->metric : 0;
}

/* The smallest metric of @p above @above (any if @first); false if none */
static bool next_tier(const struct mwan_policy *p, bool first, uint32_t above,
		      uint32_t *metric)
{
	bool found = false;
	unsigned int i;

	for (i = 0; i < p->n_members; i++) {
		uint32_t m = member_metric(&p->members[i]);

		if ((first || m > above) && (!found || m < *metric)) {
			*metric = m;
			found = true;
		}
	}
	return found;
}

/* "*0: wan1 25% wan2 75%; 10: wan3", the active tier starred */
static void print_tiers(const struct status *st, const struct mwan_policy *p,
			struct wrap *wr)
{
	uint32_t active = 0, metric = 0, next = 0;
	bool has_active = policy_active_metric(&st->b, p, &active);
	bool more = next_tier(p, true, 0, &metric), last;
	const struct mwan_link *l;
	unsigned int i, n, k;
	char buf[48];

	while (more) {
		more = next_tier(p, false, metric, &next);
		snprintf(buf, sizeof(buf), "%s%u:",
			 has_active && metric == active ? "*" : "", metric);
		word_out(wr, buf);
		for (i = 0, n = 0; i < p->n_members; i++)
			n += member_metric(&p->members[i]) == metric;
		for (i = 0, k = 0; i < p->n_members; i++) {
			if (member_metric(&p->members[i]) != metric)
				continue;
			l = mwan_link_by_id(&st->b, p->members[i].link);
			last = ++k == n && more;
			if (member_active(&st->b, p, i))
				snprintf(buf, sizeof(buf), "%s %.0f%%%s",
					 l ? l->name : "?",
					 member_share_ppm(&st->b, p, i) / 1e4,
					 last ? ";" : "");
			else
				snprintf(buf, sizeof(buf), "%s%s",
					 l ? l->name : "?", last ? ";" : "");
			word_out(wr, buf);
		}
		metric = next;
	}
}

static const struct mwan_policy *policy_before(const struct status *st,
					       const struct mwan_policy *p)
{
	const struct mwan_policy *o = mwan_policy_by_id(&st->a, p->id);

	return o && !strcmp(o->name, p->name) ? o : NULL;
}

static void print_policies(const struct status *st)
{
	const struct mwan_policy *p, *o;
	char a[16], b[16], line[160];
	struct wrap wr;
	unsigned int i;

	if (st->b.n_policies)
		printf("policies (*: the tier taking new connections, shares wanted):\n");
	for (i = 0; i < st->b.n_policies; i++) {
		p = &st->b.policies[i];
		o = st->interval_ms && st->dt > 0 ? policy_before(st, p) : NULL;
		if (o) {
			si(delta(&p->stats, &o->stats,
				 MWAN_STATS_A_NEW_FLOWS) / st->dt, a, 16);
			si(delta(&p->stats, &o->stats,
				 MWAN_STATS_A_REFUSED) / st->dt, b, 16);
		} else {
			strcpy(a, "-");
			strcpy(b, "-");
		}
		wr.col = snprintf(line, sizeof(line),
				  "%s (%s): %s new/s, %s refused/s%s",
				  p->name, word_name(mode_words, p->mode) ?: "?",
				  a, b, p->n_members ? ";" : ", no members");
		fputs(line, stdout);
		print_tiers(st, p, &wr);
		putchar('\n');
	}
}

static void print_text(struct status *st)
{
	unsigned int i;

	print_links(st);
	print_policies(st);
	if (st->b.n_rules)
		printf("rules:\n");
	for (i = 0; i < st->b.n_rules; i++)
		print_rule(&st->b.rules[i], &st->b);
}

/* JSON */

static void json_links(struct json *j, const struct status *st)
{
	char dev[IF_NAMESIZE];
	struct link_fig f;
	unsigned int i;

	json_arr_open(j, "links");
	for (i = 0; i < st->b.n_links; i++) {
		const struct mwan_link *l = &st->b.links[i];
		bool checked = HAS(l, MWAN_LINK_A_HEALTH) &&
			       l->health != MWAN_LINK_HEALTH_UNKNOWN;

		link_figures(st, l, &f);
		json_obj_open(j, NULL);
		json_str(j, "name", l->name);
		json_u64(j, "id", l->id);
		json_str(j, "dev", if_indextoname(l->ifindex, dev));
		json_str(j, "state", word_name(link_state_words, l->state));
		if (HAS(l, MWAN_LINK_A_STATE_SECS))
			json_u64(j, "state_secs", l->state_secs);
		else
			json_null(j, "state_secs");
		json_str(j, "checks", checked ?
			 word_name(link_health_words, l->health) : NULL);
		json_bool(j, "held", link_held(l));
		json_u64(j, "weight", l->weight);
		if (f.has_tier)
			json_u64(j, "tier", f.tier);
		else
			json_null(j, "tier");
		json_u64(j, "rtt_us", l->rtt_us);
		json_u64(j, "loss_ppm", l->loss_ppm);
		if (st->conns_ok)
			json_u64(j, "connections", st->conns[l->id]);
		else
			json_null(j, "connections");
		json_num(j, "rx_bps", f.rx_bps, f.rates, 0);
		json_num(j, "tx_bps", f.tx_bps, f.rates, 0);
		json_num(j, "new_flows_per_s", f.new_ps, f.rates, 3);
		json_num(j, "share", f.share, f.has_share, 4);
		json_num(j, "share_wanted", f.wanted, f.has_wanted, 4);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_members(struct json *j, const struct status *st,
			 const struct mwan_policy *p)
{
	const struct mwan_link *l;
	unsigned int i;

	json_arr_open(j, "members");
	for (i = 0; i < p->n_members; i++) {
		const struct mwan_member *m = &p->members[i];

		l = mwan_link_by_id(&st->b, m->link);
		json_obj_open(j, NULL);
		json_str(j, "link", l ? l->name : NULL);
		json_u64(j, "metric", HAS(m, MWAN_MEMBER_A_METRIC) ?
			 m->metric : 0);
		json_u64(j, "weight", member_weight_of(&st->b, m));
		json_bool(j, "active", member_active(&st->b, p, i));
		json_num(j, "share_wanted",
			 member_share_ppm(&st->b, p, i) / 1e6, true, 4);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_policies(struct json *j, const struct status *st)
{
	const struct mwan_policy *p, *o;
	uint32_t active;
	unsigned int i;

	json_arr_open(j, "policies");
	for (i = 0; i < st->b.n_policies; i++) {
		p = &st->b.policies[i];
		o = st->interval_ms && st->dt > 0 ? policy_before(st, p) : NULL;
		json_obj_open(j, NULL);
		json_str(j, "name", p->name);
		json_u64(j, "id", p->id);
		json_str(j, "mode", word_name(mode_words, p->mode));
		json_str(j, "last_resort",
			 word_name(last_resort_words, p->last_resort));
		json_num(j, "new_flows_per_s", o ? delta(&p->stats, &o->stats,
			 MWAN_STATS_A_NEW_FLOWS) / st->dt : 0, o, 3);
		json_num(j, "refused_per_s", o ? delta(&p->stats, &o->stats,
			 MWAN_STATS_A_REFUSED) / st->dt : 0, o, 3);
		if (policy_active_metric(&st->b, p, &active))
			json_u64(j, "active_metric", active);
		else
			json_null(j, "active_metric");
		json_members(j, st, p);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void print_json(const struct status *st)
{
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_num(&j, "interval", st->dt, st->interval_ms, 3);
	json_str(&j, "policy", st->ref ? st->ref->name : NULL);
	json_links(&j, st);
	json_policies(&j, st);
	json_arr_open(&j, "rules");
	for (i = 0; i < st->b.n_rules; i++)
		json_rule(&j, NULL, &st->b.rules[i], &st->b);
	json_arr_close(&j);
	json_obj_close(&j);
}

/* Reading */

/* The default policy, else the only one: whose shares a link line shows */
static const struct mwan_policy *ref_policy(const struct mwan_config *cfg)
{
	const struct mwan_globals *g = &cfg->globals;

	if (g->default_policy)
		return mwan_policy_by_id(cfg, g->default_policy);
	return cfg->n_policies == 1 ? &cfg->policies[0] : NULL;
}

static int status_read(struct status *st)
{
	struct mwan_nl *nl = ctx_nl(st->ctx);
	struct timespec ts;
	double t0;
	int err;

	if (!nl)
		return -ENOENT;
	err = snapshot_load(nl, SNAP_ALL, &st->a);
	t0 = now_s();
	if (!err && st->interval_ms) {
		ts.tv_sec = st->interval_ms / 1000;
		ts.tv_nsec = st->interval_ms % 1000 * 1000000L;
		nanosleep(&ts, NULL);
		err = snapshot_load(nl, SNAP_ALL, &st->b);
		st->dt = now_s() - t0;
	} else if (!err) {
		st->b = st->a;
		memset(&st->a, 0, sizeof(st->a));
	}
	if (err)
		return err;
	st->ref = ref_policy(&st->b);
	/* without conntrack the rest is still worth showing */
	st->conns_ok = !ct_count_links(st->b.globals.mark_mask, st->conns,
				       ARRAY_SIZE(st->conns));
	return 0;
}

/* "1", "0.5", "2.25": seconds, to the millisecond, at most @max ms */
static int parse_seconds_ms(const char *s, unsigned int max, unsigned int *ms)
{
	unsigned long v = 0, scale = 1000;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s) && v <= max; s++)
		v = v * 10 + (*s - '0');
	v *= 1000;
	if (*s == '.' && isdigit((unsigned char)s[1]))
		for (s++; isdigit((unsigned char)*s) && scale > 1; s++) {
			scale /= 10;
			v += (*s - '0') * scale;
		}
	if (*s)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*ms = v;
	return 0;
}

static int status_args(struct status *st, int argc, char **argv)
{
	unsigned int ms;
	int i;

	st->interval_ms = 1000;
	for (i = 0; i < argc; i++) {
		if ((strcmp(argv[i], "-i") && strcmp(argv[i], "--interval")) ||
		    i + 1 == argc) {
			pr_err("%s \"%s\"", i + 1 == argc && argv[i][0] == '-' ?
			       "missing SECONDS after" : "unexpected argument",
			       argv[i]);
			return -E_USAGE;
		}
		if (parse_seconds_ms(argv[++i], INTERVAL_MAX_MS, &ms)) {
			pr_err("invalid interval \"%s\" (seconds, 0 to %d)",
			       argv[i], INTERVAL_MAX_MS / 1000);
			return -E_USAGE;
		}
		st->interval_ms = ms;
	}
	return 0;
}

int do_status(struct ctx *ctx, int argc, char **argv)
{
	struct status st = { .ctx = ctx };
	const char *nc = getenv("NO_COLOR");
	int err;

	err = status_args(&st, argc, argv);
	if (err)
		return err;
	st.colour = isatty(STDOUT_FILENO) && !(nc && *nc) && !ctx->json;
	err = status_read(&st);
	if (!err && ctx->json)
		print_json(&st);
	else if (!err)
		print_text(&st);
	mwan_config_release(&st.a);
	mwan_config_release(&st.b);
	return err;
}
