// SPDX-License-Identifier: GPL-2.0
/*
 * mwanctl metrics: the kernel's figures in Prometheus' text exposition
 * format (version 0.0.4), for node exporter's textfile collector or any
 * scraper. One snapshot (snapshot.c), so all figures are of one
 * configuration generation. Names and labels are stable and documented in
 * docs/mwanctl.8; base units (seconds, ratios), counters end in _total,
 * enumerations are one series per value (1 for the current one).
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "figures.h"
#include "mwanctl.h"

/* The conntrack entries of each link id; ok false when unreadable */
struct conns {
	bool ok;
	uint64_t n[MWAN_LINK_ID_MAX + 1];
};

/* A label value: backslash, double quote and newline escaped */
static void label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP mwan_%s %s\n# TYPE mwan_%s %s\n", name, help, name,
		type);
}

static const char *link_dev(const struct mwan_link *l, char buf[IF_NAMESIZE])
{
	if (!HAS(l, MWAN_LINK_A_IFINDEX))
		return "";
	if (!if_indextoname(l->ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "%u", l->ifindex);
	return buf;
}

/* "mwan_NAME{link="wan1",dev="eth1"" without the closing brace */
static void link_series(FILE *f, const char *name, const struct mwan_link *l)
{
	char dev[IF_NAMESIZE];

	fprintf(f, "mwan_%s{link=", name);
	label_value(f, l->name);
	fputs(",dev=", f);
	label_value(f, link_dev(l, dev));
}

/* A millionth as a decimal: 12345 -> 0.012345, exactly */
static void print_micro(FILE *f, uint32_t v)
{
	fprintf(f, "%u.%06u\n", v / 1000000, v % 1000000);
}

/* One series per value of @words, 1 for @v; nothing if @has is false */
static void link_enum(FILE *f, const char *name, const char *label,
		      const struct mwan_link *l, bool has,
		      const struct word *words, unsigned int v)
{
	for (; has && words->name; words++) {
		link_series(f, name, l);
		fprintf(f, ",%s=\"%s\"} %d\n", label, words->name,
			words->value == v);
	}
}

struct link_counter {
	unsigned int attr;	/* MWAN_STATS_A_* */
	const char *name, *help;
};

static const struct link_counter link_counters[] = {
	{ MWAN_STATS_A_NEW_FLOWS, "link_new_flows_total",
	  "New connections placed on the link." },
	{ MWAN_STATS_A_TX_PACKETS, "link_tx_packets_total",
	  "Packets towards the link's device, as mwan's hooks see them." },
	{ MWAN_STATS_A_TX_BYTES, "link_tx_bytes_total",
	  "Bytes towards the link's device, as mwan's hooks see them." },
	{ MWAN_STATS_A_RX_PACKETS, "link_rx_packets_total",
	  "Packets that arrived from the link's device, as mwan's hooks see them." },
	{ MWAN_STATS_A_RX_BYTES, "link_rx_bytes_total",
	  "Bytes that arrived from the link's device, as mwan's hooks see them." },
	{ MWAN_STATS_A_NPT_OUT, "link_npt_out_packets_total",
	  "Packets whose source NPTv6 translated." },
	{ MWAN_STATS_A_NPT_IN, "link_npt_in_packets_total",
	  "Packets whose destination NPTv6 translated." },
	{ MWAN_STATS_A_NPT_DROPPED, "link_npt_dropped_packets_total",
	  "Packets NPTv6 could not translate, dropped." },
	{ MWAN_STATS_A_MAP4_OUT, "link_map4_out_flows_total",
	  "New connections map4 gave an external source." },
	{ MWAN_STATS_A_MAP4_IN, "link_map4_in_flows_total",
	  "New connections map4 sent to an internal address." },
};

static void link_counter(FILE *f, const struct mwan_config *cfg,
			 const struct link_counter *c)
{
	unsigned int i;

	family(f, c->name, "counter", c->help);
	for (i = 0; i < cfg->n_links; i++) {
		const struct mwan_link *l = &cfg->links[i];

		if (!(l->stats.set & BIT(c->attr)))
			continue;
		link_series(f, c->name, l);
		fprintf(f, "} %" PRIu64 "\n", l->stats.v[c->attr]);
	}
}

static void links(FILE *f, const struct mwan_config *cfg,
		  const struct conns *ct)
{
	const struct mwan_link *l;
	unsigned int i;

	family(f, "link_info", "gauge",
	       "Each link, with its id and mark; always 1.");
	for (i = 0; i < cfg->n_links; i++) {
		l = &cfg->links[i];
		link_series(f, "link_info", l);
		fprintf(f, ",id=\"%u\",mark=\"0x%x\"} 1\n", l->id, l->mark);
	}
	family(f, "link_state", "gauge",
	       "The link's state in the kernel: 1 for the current one.");
	for (i = 0; i < cfg->n_links; i++) {
		l = &cfg->links[i];
		link_enum(f, "link_state", "state", l,
			  HAS(l, MWAN_LINK_A_STATE), link_state_words,
			  l->state);
	}
	family(f, "link_health", "gauge",
	       "What the agent's checks say of the link (unknown: none check it): 1 for the current verdict.");
	for (i = 0; i < cfg->n_links; i++) {
		l = &cfg->links[i];
		link_enum(f, "link_health", "health", l,
			  HAS(l, MWAN_LINK_A_HEALTH), link_health_words,
			  l->health);
	}
	family(f, "link_held", "gauge",
	       "1 when the link's state differs from its checks' verdict: set by hand, and the agent leaves it.");
	for (i = 0; i < cfg->n_links; i++) {
		link_series(f, "link_held", &cfg->links[i]);
		fprintf(f, "} %d\n", link_held(&cfg->links[i]));
	}
	family(f, "link_weight", "gauge",
	       "The link's weight, for members without one of their own.");
	for (i = 0; i < cfg->n_links; i++) {
		l = &cfg->links[i];
		link_series(f, "link_weight", l);
		fprintf(f, "} %u\n", l->weight);
	}
	family(f, "link_rtt_seconds", "gauge",
	       "Round trip time the agent last measured on the link.");
	for (i = 0; i < cfg->n_links; i++) {
		l = &cfg->links[i];
		link_series(f, "link_rtt_seconds", l);
		fputs("} ", f);
		print_micro(f, l->rtt_us);
	}
	family(f, "link_loss_ratio", "gauge",
	       "Share of the agent's recent probes on the link that were lost.");
	for (i = 0; i < cfg->n_links; i++) {
		l = &cfg->links[i];
		link_series(f, "link_loss_ratio", l);
		fputs("} ", f);
		print_micro(f, l->loss_ppm);
	}
	family(f, "link_connections", "gauge",
	       "Conntrack entries that carry the link's mark, of IPv4 and IPv6.");
	for (i = 0; ct->ok && i < cfg->n_links; i++) {
		l = &cfg->links[i];
		link_series(f, "link_connections", l);
		fprintf(f, "} %" PRIu64 "\n", ct->n[l->id]);
	}
	for (i = 0; i < ARRAY_SIZE(link_counters); i++)
		link_counter(f, cfg, &link_counters[i]);
}

static void policy_series(FILE *f, const char *name,
			  const struct mwan_policy *p)
{
	fprintf(f, "mwan_%s{policy=", name);
	label_value(f, p->name);
}

static void member_series(FILE *f, const char *name,
			  const struct mwan_policy *p,
			  const struct mwan_config *cfg,
			  const struct mwan_member *m)
{
	const struct mwan_link *l = mwan_link_by_id(cfg, m->link);
	char id[16];

	policy_series(f, name, p);
	snprintf(id, sizeof(id), "#%u", m->link);
	fputs(",link=", f);
	label_value(f, l ? l->name : id);
	fputs("} ", f);
}

static uint64_t pstat(const struct mwan_policy *p, unsigned int attr)
{
	return p->stats.set & BIT(attr) ? p->stats.v[attr] : 0;
}

static void policies(FILE *f, const struct mwan_config *cfg)
{
	const struct mwan_policy *p;
	unsigned int i, j;

	family(f, "policy_info", "gauge",
	       "Each policy, with its id, mode and last resort; always 1.");
	for (i = 0; i < cfg->n_policies; i++) {
		p = &cfg->policies[i];
		policy_series(f, "policy_info", p);
		fprintf(f, ",id=\"%u\",mode=\"%s\",last_resort=\"%s\"} 1\n",
			p->id, word_name(mode_words, p->mode) ?: "",
			word_name(last_resort_words, p->last_resort) ?: "");
	}
	family(f, "policy_new_flows_total", "counter",
	       "New connections the policy placed on a link.");
	for (i = 0; i < cfg->n_policies; i++) {
		p = &cfg->policies[i];
		policy_series(f, "policy_new_flows_total", p);
		fprintf(f, "} %" PRIu64 "\n", pstat(p, MWAN_STATS_A_NEW_FLOWS));
	}
	family(f, "policy_refused_flows_total", "counter",
	       "New connections the policy's last resort met: no member was up.");
	for (i = 0; i < cfg->n_policies; i++) {
		p = &cfg->policies[i];
		policy_series(f, "policy_refused_flows_total", p);
		fprintf(f, "} %" PRIu64 "\n", pstat(p, MWAN_STATS_A_REFUSED));
	}
	family(f, "policy_member_metric", "gauge",
	       "A member's metric: its tier, the lowest with an up member takes new connections.");
	for (i = 0; i < cfg->n_policies; i++)
		for (j = 0, p = &cfg->policies[i]; j < p->n_members; j++) {
			member_series(f, "policy_member_metric", p, cfg,
				      &p->members[j]);
			fprintf(f, "%u\n", HAS(&p->members[j],
						   MWAN_MEMBER_A_METRIC) ?
				p->members[j].metric : 0);
		}
	family(f, "policy_member_weight", "gauge",
	       "A member's weight, its own or its link's.");
	for (i = 0; i < cfg->n_policies; i++)
		for (j = 0, p = &cfg->policies[i]; j < p->n_members; j++) {
			member_series(f, "policy_member_weight", p, cfg,
				      &p->members[j]);
			fprintf(f, "%u\n",
				member_weight_of(cfg, &p->members[j]));
		}
	family(f, "policy_member_active", "gauge",
	       "1 when the member takes new connections now: its link is up, in the lowest tier that has one.");
	for (i = 0; i < cfg->n_policies; i++)
		for (j = 0, p = &cfg->policies[i]; j < p->n_members; j++) {
			member_series(f, "policy_member_active", p, cfg,
				      &p->members[j]);
			fprintf(f, "%d\n", member_active(cfg, p, j));
		}
}

static void rules(FILE *f, const struct mwan_config *cfg)
{
	const struct mwan_policy *p;
	const struct mwan_rule *r;
	unsigned int i;

	family(f, "rule_info", "gauge",
	       "Each rule, with its id (its place in the order) and policy; always 1.");
	for (i = 0; i < cfg->n_rules; i++) {
		r = &cfg->rules[i];
		p = mwan_policy_by_id(cfg, r->policy);
		fputs("mwan_rule_info{rule=", f);
		label_value(f, r->name);
		fprintf(f, ",id=\"%u\",policy=", r->id);
		label_value(f, p ? p->name : "");
		fputs("} 1\n", f);
	}
}

static void globals(FILE *f, const struct mwan_config *cfg)
{
	const struct mwan_globals *g = &cfg->globals;
	const struct mwan_policy *p = mwan_policy_by_id(cfg, g->default_policy);

	family(f, "enabled", "gauge",
	       "1 when new connections are balanced at all.");
	fprintf(f, "mwan_enabled %d\n", g->enabled);
	family(f, "config_generation", "gauge",
	       "The configuration's generation: it grows with every change.");
	fprintf(f, "mwan_config_generation %u\n", g->generation);
	family(f, "globals_info", "gauge",
	       "The mark mask and the default policy (\"\": none); always 1.");
	fprintf(f, "mwan_globals_info{mark_mask=\"0x%x\",default_policy=",
		g->mark_mask);
	label_value(f, g->default_policy && p ? p->name : "");
	fputs("} 1\n", f);
}

static void metrics_print(FILE *f, const struct mwan_config *cfg,
			  const struct conns *ct)
{
	globals(f, cfg);
	links(f, cfg, ct);
	policies(f, cfg);
	rules(f, cfg);
}

int do_metrics(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_config cfg = { 0 };
	struct conns *ct;
	struct mwan_nl *nl;
	int err;

	if (argc) {
		pr_err("unexpected argument \"%s\"", argv[0]);
		return -E_USAGE;
	}
	if (ctx->json) {
		pr_err("metrics are Prometheus text; \"mwanctl -j show\" has the same figures as JSON");
		return -E_USAGE;
	}
	nl = ctx_nl(ctx);
	if (!nl)
		return -ENOENT;
	ct = calloc(1, sizeof(*ct));
	if (!ct)
		return -ENOMEM;
	err = snapshot_load(nl, SNAP_GLOBALS | SNAP_LINKS | SNAP_POLICIES |
			    SNAP_RULES, &cfg);
	/* without conntrack, its family has no series: the rest stands */
	if (!err)
		ct->ok = !ct_count_links(cfg.globals.mark_mask, ct->n,
					 ARRAY_SIZE(ct->n));
	if (!err)
		metrics_print(stdout, &cfg, ct);
	mwan_config_release(&cfg);
	free(ct);
	return err;
}
