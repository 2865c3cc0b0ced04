// SPDX-License-Identifier: GPL-2.0
/*
 * Human and JSON output of the objects. The human format is one line per
 * object, words in the order of the command syntax, indented detail lines
 * below it; fields the kernel did not send are left out. JSON has every key
 * always, null for what the kernel did not send or the object does not
 * match on. docs/mwanctl.8 describes both; keep it in step.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cgroup.h"
#include "json.h"
#include "mwanctl.h"

/* A device's name, or its index when it has none (gone, other netns). */
static const char *dev_name(uint32_t ifindex, char buf[IF_NAMESIZE])
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "%u", ifindex);
	return buf;
}

static const char *word_or_num(const struct word *words, unsigned int v,
			       char *buf, size_t len)
{
	const char *s = word_name(words, v);

	if (s)
		return s;
	snprintf(buf, len, "%u", v);
	return buf;
}

static const char *link_ref(const struct mwan_config *names, uint32_t id)
{
	const struct mwan_link *l = names ? mwan_link_by_id(names, id) : NULL;

	return l && HAS(l, MWAN_LINK_A_NAME) ? l->name : NULL;
}

static const char *policy_ref(const struct mwan_config *names, uint32_t id)
{
	const struct mwan_policy *p;

	p = names ? mwan_policy_by_id(names, id) : NULL;
	return p && HAS(p, MWAN_POLICY_A_NAME) ? p->name : NULL;
}

/* Human output names unknown references "#ID". */
static void print_ref(const char *name, uint32_t id)
{
	if (name)
		printf("%s", name);
	else
		printf("#%u", id);
}

void print_globals(const struct mwan_globals *g,
		   const struct mwan_config *names)
{
	printf("globals:");
	if (HAS(g, MWAN_A_ENABLED))
		printf(" enabled %s", g->enabled ? "yes" : "no");
	if (HAS(g, MWAN_A_MARK_MASK))
		printf(" mark-mask 0x%x", g->mark_mask);
	if (HAS(g, MWAN_A_DEFAULT_POLICY)) {
		printf(" default-policy ");
		if (g->default_policy)
			print_ref(policy_ref(names, g->default_policy),
				  g->default_policy);
		else
			printf("none");
	}
	if (HAS(g, MWAN_A_GENERATION))
		printf(" generation %u", g->generation);
	putchar('\n');
}

static uint64_t stat(const struct mwan_stats *s, unsigned int attr)
{
	return s->set & BIT(attr) ? s->v[attr] : 0;
}

/* The internal and external ranges of a map4, host order */
struct range4 {
	uint32_t first, last, ext_first, ext_last;
};

static struct range4 map4_ranges(const struct mwan_link_map4 *m)
{
	struct range4 r;

	r.first = ntohl(m->internal_first);
	r.last = ntohl(m->internal_last);
	r.ext_first = ntohl(m->external_first);
	r.ext_last = r.ext_first + (r.last - r.first);
	return r;
}

static void npt_prefixes(const struct mwan_link_npt *n,
			 struct mwan_prefix *in, struct mwan_prefix *ext)
{
	in->family = AF_INET6;
	in->len = n->prefix_len;
	memcpy(in->addr, n->internal, sizeof(in->addr));
	*ext = *in;
	memcpy(ext->addr, n->external, sizeof(ext->addr));
}

/* Details go on a line of their own, else on the object's line. */
static const char *detail_sep(bool details)
{
	return details ? "\n    " : " ";
}

static void print_npt(const struct mwan_link *l, bool details)
{
	const struct mwan_stats *s = &l->stats;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	struct mwan_prefix in, ext;

	if (!mwan_link_has_npt(l))
		return;
	npt_prefixes(&l->npt, &in, &ext);
	printf("%snpt %s -> %s", detail_sep(details),
	       format_prefix(&in, a, sizeof(a)),
	       format_prefix(&ext, b, sizeof(b)));
	if (l->npt.set & BIT(MWAN_NPT_A_MODE))
		printf(" mode %s", word_or_num(npt_mode_words, l->npt.mode, a,
					       sizeof(a)));
	if (details && HAS(l, MWAN_LINK_A_STATS))
		printf(" packets out %" PRIu64 " in %" PRIu64
		       " dropped %" PRIu64, stat(s, MWAN_STATS_A_NPT_OUT),
		       stat(s, MWAN_STATS_A_NPT_IN),
		       stat(s, MWAN_STATS_A_NPT_DROPPED));
}

static void print_map4(const struct mwan_link *l, bool details)
{
	const struct mwan_stats *s = &l->stats;
	char a[RANGE4_STRLEN], b[RANGE4_STRLEN];
	struct range4 r;

	if (!mwan_link_has_map4(l))
		return;
	r = map4_ranges(&l->map4);
	printf("%smap4 %s -> %s", detail_sep(details),
	       format_range4(r.first, r.last, a, sizeof(a)),
	       format_range4(r.ext_first, r.ext_last, b, sizeof(b)));
	if (details && HAS(l, MWAN_LINK_A_STATS))
		printf(" flows out %" PRIu64 " in %" PRIu64,
		       stat(s, MWAN_STATS_A_MAP4_OUT),
		       stat(s, MWAN_STATS_A_MAP4_IN));
}

void print_link(const struct mwan_link *l, bool details)
{
	const struct mwan_stats *s = &l->stats;
	char buf[IF_NAMESIZE];

	printf("link %s", l->name);
	if (HAS(l, MWAN_LINK_A_ID))
		printf(" id %u", l->id);
	if (HAS(l, MWAN_LINK_A_IFINDEX))
		printf(" dev %s", dev_name(l->ifindex, buf));
	if (HAS(l, MWAN_LINK_A_MARK))
		printf(" mark 0x%x", l->mark);
	if (HAS(l, MWAN_LINK_A_STATE))
		printf(" state %s", word_or_num(link_state_words, l->state,
						buf, sizeof(buf)));
	/* what the agent's checks say, where one checks the link */
	if (HAS(l, MWAN_LINK_A_HEALTH) && l->health != MWAN_LINK_HEALTH_UNKNOWN)
		printf(" checks %s", word_or_num(link_health_words, l->health,
						 buf, sizeof(buf)));
	if (HAS(l, MWAN_LINK_A_WEIGHT))
		printf(" weight %u", l->weight);
	if (HAS(l, MWAN_LINK_A_RTT_US))
		printf(" rtt %u", l->rtt_us);
	if (HAS(l, MWAN_LINK_A_LOSS_PPM))
		printf(" loss %u", l->loss_ppm);
	if (details && HAS(l, MWAN_LINK_A_STATS))
		printf("\n    flows %" PRIu64 " tx %" PRIu64 " packets %" PRIu64
		       " bytes rx %" PRIu64 " packets %" PRIu64 " bytes",
		       stat(s, MWAN_STATS_A_NEW_FLOWS),
		       stat(s, MWAN_STATS_A_TX_PACKETS),
		       stat(s, MWAN_STATS_A_TX_BYTES),
		       stat(s, MWAN_STATS_A_RX_PACKETS),
		       stat(s, MWAN_STATS_A_RX_BYTES));
	print_npt(l, details);
	print_map4(l, details);
	putchar('\n');
}

/* A member's own weight, or its link's when it has none. */
static bool member_weight(const struct mwan_member *m,
			  const struct mwan_config *names, uint32_t *w,
			  bool *inherited)
{
	const struct mwan_link *l;

	*inherited = !HAS(m, MWAN_MEMBER_A_WEIGHT) || !m->weight;
	if (!*inherited) {
		*w = m->weight;
		return true;
	}
	l = names ? mwan_link_by_id(names, m->link) : NULL;
	if (!l || !HAS(l, MWAN_LINK_A_WEIGHT))
		return false;
	*w = l->weight;
	return true;
}

static uint32_t member_metric(const struct mwan_member *m)
{
	return HAS(m, MWAN_MEMBER_A_METRIC) ? m->metric : 0;
}

/* The smallest metric above @above (any, if !@have_above); false if none */
static bool next_metric(const struct mwan_policy *p, bool have_above,
			uint32_t above, uint32_t *next)
{
	bool found = false;
	unsigned int i;

	for (i = 0; i < p->n_members; i++) {
		uint32_t m = member_metric(&p->members[i]);

		if (have_above && m <= above)
			continue;
		if (!found || m < *next)
			*next = m;
		found = true;
	}
	return found;
}

/* "metric 0: wan1 weight 3, wan2 weight 1(link)" */
static void print_tier(const struct mwan_policy *p,
		       const struct mwan_config *names, uint32_t metric)
{
	const char *sep = "";
	unsigned int i;

	printf("metric %u:", metric);
	for (i = 0; i < p->n_members; i++) {
		const struct mwan_member *m = &p->members[i];
		bool inherited;
		uint32_t w;

		if (member_metric(m) != metric)
			continue;
		printf("%s ", sep);
		print_ref(link_ref(names, m->link), m->link);
		if (member_weight(m, names, &w, &inherited))
			printf(" weight %u%s", w, inherited ? "(link)" : "");
		sep = ",";
	}
}

void print_policy(const struct mwan_policy *p,
		  const struct mwan_config *names, bool details)
{
	char buf[16];
	bool more, first = true;
	uint32_t metric = 0;

	printf("policy %s", p->name);
	if (HAS(p, MWAN_POLICY_A_ID))
		printf(" id %u", p->id);
	if (HAS(p, MWAN_POLICY_A_MODE))
		printf(" mode %s", word_or_num(mode_words, p->mode, buf,
					       sizeof(buf)));
	if (HAS(p, MWAN_POLICY_A_LAST_RESORT))
		printf(" last-resort %s",
		       word_or_num(last_resort_words, p->last_resort, buf,
				   sizeof(buf)));
	if (details && HAS(p, MWAN_POLICY_A_STATS))
		printf(" flows %" PRIu64 " refused %" PRIu64,
		       stat(&p->stats, MWAN_STATS_A_NEW_FLOWS),
		       stat(&p->stats, MWAN_STATS_A_REFUSED));

	/* details: a line per tier; else all on this line, "; " between */
	more = next_metric(p, false, 0, &metric);
	if (details && !more)
		printf("\n    no members");
	while (more) {
		printf(details ? "\n    " : first ? " " : "; ");
		first = false;
		print_tier(p, names, metric);
		more = next_metric(p, true, metric, &metric);
	}
	putchar('\n');
}

static void print_ports(const char *kw, uint16_t min, uint16_t max)
{
	if (min == max)
		printf(" %s %u", kw, min);
	else
		printf(" %s %u-%u", kw, min, max);
}

/*
 * The kernel keeps a cgroup's id and level: find its directory again, as
 * the absolute path that "cgroup" takes. NULL if it is gone (a cgroup
 * made again under the same path has another id and is not matched).
 */
static const char *cgroup_path(const struct mwan_rule *r, char *buf,
			       size_t size)
{
	char rel[MWAN_CGROUP_PATH_MAX];
	const char *at = r->cgroup;

	if (!*at && r->cgroup_level) {
		if (cgroup_find(r->cgroup_id, r->cgroup_level, rel))
			return NULL;
		at = rel;
	}
	return cgroup_abs_path(at, buf, size) ? NULL : buf;
}

static void print_cgroup(const struct mwan_rule *r)
{
	char buf[sizeof(MWAN_CGROUP_ROOT) + MWAN_CGROUP_PATH_MAX];
	const char *path = cgroup_path(r, buf, sizeof(buf));

	if (path)
		printf(" cgroup %s", path);
	else
		printf(" cgroup (deleted, id %" PRIu64 ")", r->cgroup_id);
}

void print_rule(const struct mwan_rule *r, const struct mwan_config *names)
{
	char buf[PREFIX_STRLEN];
	const char *s;

	printf("rule %s", r->name);
	if (HAS(r, MWAN_RULE_A_ID))
		printf(" id %u", r->id);
	if (HAS(r, MWAN_RULE_A_POLICY)) {
		printf(" policy ");
		print_ref(policy_ref(names, r->policy), r->policy);
	}
	if (HAS(r, MWAN_RULE_A_FAMILY))
		printf(" family %s", word_or_num(family_words, r->family, buf,
						 sizeof(buf)));
	if (HAS(r, MWAN_RULE_A_PROTO)) {
		s = proto_name(r->proto);
		if (s)
			printf(" proto %s", s);
		else
			printf(" proto %u", r->proto);
	}
	if (HAS(r, MWAN_RULE_A_SRC))
		printf(" src %s", format_prefix(&r->src, buf, sizeof(buf)));
	if (HAS(r, MWAN_RULE_A_DST))
		printf(" dst %s", format_prefix(&r->dst, buf, sizeof(buf)));
	if (HAS(r, MWAN_RULE_A_SPORT_MIN) || HAS(r, MWAN_RULE_A_SPORT_MAX))
		print_ports("sport", r->sport_min, r->sport_max);
	if (HAS(r, MWAN_RULE_A_DPORT_MIN) || HAS(r, MWAN_RULE_A_DPORT_MAX))
		print_ports("dport", r->dport_min, r->dport_max);
	if (HAS(r, MWAN_RULE_A_IIFINDEX))
		printf(" iif %s", dev_name(r->iifindex, buf));
	if (HAS(r, MWAN_RULE_A_MARK)) {
		printf(" mark 0x%x", r->mark);
		if (HAS(r, MWAN_RULE_A_MARK_MASK) && r->mark_mask != UINT32_MAX)
			printf("/0x%x", r->mark_mask);
	}
	if (HAS(r, MWAN_RULE_A_CGROUP_ID))
		print_cgroup(r);
	if (r->flags & MWAN_RULE_F_LOCAL)
		printf(" local");
	if (r->flags & MWAN_RULE_F_NO_FORWARD)
		printf(" no-forward");
	putchar('\n');
}

/* JSON */

static void json_opt_u32(struct json *j, const char *key, bool has,
			 uint32_t v)
{
	if (has)
		json_u64(j, key, v);
	else
		json_null(j, key);
}

static void json_opt_word(struct json *j, const char *key, bool has,
			  const struct word *words, unsigned int v)
{
	char buf[16];

	json_str(j, key, has ? word_or_num(words, v, buf, sizeof(buf)) : NULL);
}

struct stat_key {
	unsigned int attr;
	const char *key;
};

static const struct stat_key link_stat_keys[] = {
	{ MWAN_STATS_A_NEW_FLOWS, "new_flows" },
	{ MWAN_STATS_A_TX_PACKETS, "tx_packets" },
	{ MWAN_STATS_A_TX_BYTES, "tx_bytes" },
	{ MWAN_STATS_A_RX_PACKETS, "rx_packets" },
	{ MWAN_STATS_A_RX_BYTES, "rx_bytes" },
	{ MWAN_STATS_A_NPT_OUT, "npt_out" },
	{ MWAN_STATS_A_NPT_IN, "npt_in" },
	{ MWAN_STATS_A_NPT_DROPPED, "npt_dropped" },
	{ MWAN_STATS_A_MAP4_OUT, "map4_out" },
	{ MWAN_STATS_A_MAP4_IN, "map4_in" },
};

static const struct stat_key policy_stat_keys[] = {
	{ MWAN_STATS_A_NEW_FLOWS, "new_flows" },
	{ MWAN_STATS_A_REFUSED, "refused" },
};

static void json_stats(struct json *j, const struct mwan_stats *s, bool has,
		       const struct stat_key *k, unsigned int n)
{
	unsigned int i;

	if (!has) {
		json_null(j, "stats");
		return;
	}
	json_obj_open(j, "stats");
	for (i = 0; i < n; i++) {
		if (s->set & BIT(k[i].attr))
			json_u64(j, k[i].key, s->v[k[i].attr]);
		else
			json_null(j, k[i].key);
	}
	json_obj_close(j);
}

void json_globals(struct json *j, const char *key,
		  const struct mwan_globals *g, const struct mwan_config *names)
{
	bool has_dp = HAS(g, MWAN_A_DEFAULT_POLICY);

	json_obj_open(j, key);
	if (HAS(g, MWAN_A_ENABLED))
		json_bool(j, "enabled", g->enabled);
	else
		json_null(j, "enabled");
	json_opt_u32(j, "mark_mask", HAS(g, MWAN_A_MARK_MASK), g->mark_mask);
	json_str(j, "default_policy", has_dp && g->default_policy ?
		 policy_ref(names, g->default_policy) : NULL);
	json_opt_u32(j, "default_policy_id", has_dp, g->default_policy);
	json_opt_u32(j, "generation", HAS(g, MWAN_A_GENERATION),
		     g->generation);
	json_obj_close(j);
}

static void json_npt(struct json *j, const struct mwan_link *l)
{
	char buf[PREFIX_STRLEN];
	struct mwan_prefix in, ext;

	if (!mwan_link_has_npt(l)) {
		json_null(j, "npt");
		return;
	}
	npt_prefixes(&l->npt, &in, &ext);
	json_obj_open(j, "npt");
	json_str(j, "internal", format_prefix(&in, buf, sizeof(buf)));
	json_str(j, "external", format_prefix(&ext, buf, sizeof(buf)));
	json_u64(j, "prefix_len", l->npt.prefix_len);
	if (l->npt.set & BIT(MWAN_NPT_A_MODE))
		json_str(j, "mode", word_or_num(npt_mode_words, l->npt.mode,
						buf, sizeof(buf)));
	else
		json_null(j, "mode");
	json_obj_close(j);
}

static void json_addr4(struct json *j, const char *key, uint32_t addr)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr in = { htonl(addr) };

	json_str(j, key, inet_ntop(AF_INET, &in, buf, sizeof(buf)));
}

static void json_map4(struct json *j, const struct mwan_link *l)
{
	struct range4 r;

	if (!mwan_link_has_map4(l)) {
		json_null(j, "map4");
		return;
	}
	r = map4_ranges(&l->map4);
	json_obj_open(j, "map4");
	json_addr4(j, "internal_first", r.first);
	json_addr4(j, "internal_last", r.last);
	json_addr4(j, "external_first", r.ext_first);
	json_addr4(j, "external_last", r.ext_last);
	json_obj_close(j);
}

void json_link(struct json *j, const char *key, const struct mwan_link *l)
{
	char buf[IF_NAMESIZE];
	bool has_dev = HAS(l, MWAN_LINK_A_IFINDEX);

	json_obj_open(j, key);
	json_str(j, "name", l->name);
	json_opt_u32(j, "id", HAS(l, MWAN_LINK_A_ID), l->id);
	json_str(j, "dev", has_dev ? if_indextoname(l->ifindex, buf) : NULL);
	json_opt_u32(j, "ifindex", has_dev, l->ifindex);
	json_opt_u32(j, "mark", HAS(l, MWAN_LINK_A_MARK), l->mark);
	json_opt_word(j, "state", HAS(l, MWAN_LINK_A_STATE), link_state_words,
		      l->state);
	json_opt_u32(j, "state_secs", HAS(l, MWAN_LINK_A_STATE_SECS),
		     l->state_secs);
	json_opt_word(j, "health", HAS(l, MWAN_LINK_A_HEALTH),
		      link_health_words, l->health);
	json_opt_u32(j, "weight", HAS(l, MWAN_LINK_A_WEIGHT), l->weight);
	json_opt_u32(j, "rtt_us", HAS(l, MWAN_LINK_A_RTT_US), l->rtt_us);
	json_opt_u32(j, "loss_ppm", HAS(l, MWAN_LINK_A_LOSS_PPM), l->loss_ppm);
	json_npt(j, l);
	json_map4(j, l);
	json_stats(j, &l->stats, HAS(l, MWAN_LINK_A_STATS), link_stat_keys,
		   ARRAY_SIZE(link_stat_keys));
	json_obj_close(j);
}

static void json_member(struct json *j, const struct mwan_member *m,
			const struct mwan_config *names)
{
	bool inherited;
	uint32_t w;
	bool has_w = member_weight(m, names, &w, &inherited);

	json_obj_open(j, NULL);
	json_str(j, "link", link_ref(names, m->link));
	json_u64(j, "link_id", m->link);
	json_u64(j, "metric", member_metric(m));
	json_opt_u32(j, "weight", has_w, w);
	json_bool(j, "weight_inherited", inherited);
	json_obj_close(j);
}

void json_policy(struct json *j, const char *key, const struct mwan_policy *p,
		 const struct mwan_config *names)
{
	unsigned int i;

	json_obj_open(j, key);
	json_str(j, "name", p->name);
	json_opt_u32(j, "id", HAS(p, MWAN_POLICY_A_ID), p->id);
	json_opt_word(j, "mode", HAS(p, MWAN_POLICY_A_MODE), mode_words,
		      p->mode);
	json_opt_word(j, "last_resort", HAS(p, MWAN_POLICY_A_LAST_RESORT),
		      last_resort_words, p->last_resort);
	json_arr_open(j, "members");
	for (i = 0; i < p->n_members; i++)
		json_member(j, &p->members[i], names);
	json_arr_close(j);
	json_stats(j, &p->stats, HAS(p, MWAN_POLICY_A_STATS), policy_stat_keys,
		   ARRAY_SIZE(policy_stat_keys));
	json_obj_close(j);
}

static void json_prefix(struct json *j, const char *key, bool has,
			const struct mwan_prefix *p)
{
	char buf[PREFIX_STRLEN];

	json_str(j, key, has ? format_prefix(p, buf, sizeof(buf)) : NULL);
}

static void json_ports(struct json *j, const char *key, bool has,
		       uint16_t min, uint16_t max)
{
	if (!has) {
		json_null(j, key);
		return;
	}
	json_obj_open(j, key);
	json_u64(j, "min", min);
	json_u64(j, "max", max);
	json_obj_close(j);
}

void json_rule(struct json *j, const char *key, const struct mwan_rule *r,
	       const struct mwan_config *names)
{
	bool has_policy = HAS(r, MWAN_RULE_A_POLICY);
	bool has_iif = HAS(r, MWAN_RULE_A_IIFINDEX);
	bool has_mark = HAS(r, MWAN_RULE_A_MARK);
	bool has_cgroup = HAS(r, MWAN_RULE_A_CGROUP_ID);
	char path[sizeof(MWAN_CGROUP_ROOT) + MWAN_CGROUP_PATH_MAX];
	char buf[IF_NAMESIZE];

	json_obj_open(j, key);
	json_str(j, "name", r->name);
	json_opt_u32(j, "id", HAS(r, MWAN_RULE_A_ID), r->id);
	json_str(j, "policy", has_policy ? policy_ref(names, r->policy) : NULL);
	json_opt_u32(j, "policy_id", has_policy, r->policy);
	json_opt_word(j, "family", HAS(r, MWAN_RULE_A_FAMILY), family_words,
		      r->family);
	json_opt_u32(j, "proto", HAS(r, MWAN_RULE_A_PROTO), r->proto);
	json_prefix(j, "src", HAS(r, MWAN_RULE_A_SRC), &r->src);
	json_prefix(j, "dst", HAS(r, MWAN_RULE_A_DST), &r->dst);
	json_ports(j, "sport", HAS(r, MWAN_RULE_A_SPORT_MIN) ||
		   HAS(r, MWAN_RULE_A_SPORT_MAX), r->sport_min, r->sport_max);
	json_ports(j, "dport", HAS(r, MWAN_RULE_A_DPORT_MIN) ||
		   HAS(r, MWAN_RULE_A_DPORT_MAX), r->dport_min, r->dport_max);
	json_str(j, "iif", has_iif ? if_indextoname(r->iifindex, buf) : NULL);
	json_opt_u32(j, "iifindex", has_iif, r->iifindex);
	json_opt_u32(j, "mark", has_mark, r->mark);
	json_opt_u32(j, "mark_mask", has_mark, HAS(r, MWAN_RULE_A_MARK_MASK) ?
		     r->mark_mask : UINT32_MAX);
	json_str(j, "cgroup", has_cgroup ? cgroup_path(r, path, sizeof(path)) :
					   NULL);
	if (has_cgroup) {
		json_u64(j, "cgroup_id", r->cgroup_id);
		json_u64(j, "cgroup_level", r->cgroup_level);
	} else {
		json_null(j, "cgroup_id");
		json_null(j, "cgroup_level");
	}
	json_bool(j, "local", r->flags & MWAN_RULE_F_LOCAL);
	json_bool(j, "no_forward", r->flags & MWAN_RULE_F_NO_FORWARD);
	json_obj_close(j);
}

static void json_config(const struct mwan_config *cfg, unsigned int what)
{
	bool alone = !(what & (what - 1));
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	if (what == SNAP_GLOBALS) {
		json_globals(&j, NULL, &cfg->globals, cfg);
		return;
	}
	if (!alone)
		json_obj_open(&j, NULL);
	if (what & SNAP_GLOBALS)
		json_globals(&j, "globals", &cfg->globals, cfg);
	if (what & SNAP_LINKS) {
		json_arr_open(&j, alone ? NULL : "links");
		for (i = 0; i < cfg->n_links; i++)
			json_link(&j, NULL, &cfg->links[i]);
		json_arr_close(&j);
	}
	if (what & SNAP_POLICIES) {
		json_arr_open(&j, alone ? NULL : "policies");
		for (i = 0; i < cfg->n_policies; i++)
			json_policy(&j, NULL, &cfg->policies[i], cfg);
		json_arr_close(&j);
	}
	if (what & SNAP_RULES) {
		json_arr_open(&j, alone ? NULL : "rules");
		for (i = 0; i < cfg->n_rules; i++)
			json_rule(&j, NULL, &cfg->rules[i], cfg);
		json_arr_close(&j);
	}
	if (!alone)
		json_obj_close(&j);
}

void print_config(struct ctx *ctx, const struct mwan_config *cfg,
		  unsigned int what)
{
	unsigned int i;

	if (ctx->json) {
		json_config(cfg, what);
		return;
	}
	if (what & SNAP_GLOBALS)
		print_globals(&cfg->globals, cfg);
	for (i = 0; (what & SNAP_LINKS) && i < cfg->n_links; i++)
		print_link(&cfg->links[i], true);
	/* a flowtable forwards a connection's later packets past the hooks */
	if ((what & SNAP_LINKS) && cfg->n_links)
		puts("    (tx and rx count what mwan's hooks see: packets a flowtable offloads are not counted)");
	for (i = 0; (what & SNAP_POLICIES) && i < cfg->n_policies; i++)
		print_policy(&cfg->policies[i], cfg, true);
	for (i = 0; (what & SNAP_RULES) && i < cfg->n_rules; i++)
		print_rule(&cfg->rules[i], cfg);
}
