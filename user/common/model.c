// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "attr.h"
#include "model.h"
#include "util.h"

/*
 * Scalar fields are described by tables, so that putting and parsing an
 * object cannot disagree on an attribute's size. Names, addresses and nests
 * are handled by hand.
 */
struct field {
	uint16_t attr;
	uint8_t size;		/* 1, 2 or 4 */
	bool ro;		/* read only: parsed, never put */
	size_t off;
};

#define FIELD(type, attr, member, ro) \
	{ attr, sizeof(((type *)0)->member), ro, offsetof(type, member) }

static const struct field globals_fields[] = {
	FIELD(struct mwan_globals, MWAN_A_MARK_MASK, mark_mask, false),
	FIELD(struct mwan_globals, MWAN_A_ENABLED, enabled, false),
	FIELD(struct mwan_globals, MWAN_A_DEFAULT_POLICY, default_policy, false),
	FIELD(struct mwan_globals, MWAN_A_GENERATION, generation, true),
};

static const struct field link_fields[] = {
	FIELD(struct mwan_link, MWAN_LINK_A_ID, id, false),
	FIELD(struct mwan_link, MWAN_LINK_A_IFINDEX, ifindex, false),
	FIELD(struct mwan_link, MWAN_LINK_A_STATE, state, false),
	FIELD(struct mwan_link, MWAN_LINK_A_WEIGHT, weight, false),
	FIELD(struct mwan_link, MWAN_LINK_A_RTT_US, rtt_us, false),
	FIELD(struct mwan_link, MWAN_LINK_A_LOSS_PPM, loss_ppm, false),
	FIELD(struct mwan_link, MWAN_LINK_A_HEALTH, health, false),
	FIELD(struct mwan_link, MWAN_LINK_A_MARK, mark, true),
	FIELD(struct mwan_link, MWAN_LINK_A_STATE_SECS, state_secs, true),
};

static const struct field npt_fields[] = {
	FIELD(struct mwan_link_npt, MWAN_NPT_A_PREFIX_LEN, prefix_len, false),
	FIELD(struct mwan_link_npt, MWAN_NPT_A_MODE, mode, false),
};

/* be32 kept in network order: put and read as raw 4 bytes */
#define MAP4_FIELD(attr, member) \
	FIELD(struct mwan_link_map4, attr, member, false)

static const struct field map4_fields[] = {
	MAP4_FIELD(MWAN_MAP4_A_INTERNAL_FIRST, internal_first),
	MAP4_FIELD(MWAN_MAP4_A_INTERNAL_LAST, internal_last),
	MAP4_FIELD(MWAN_MAP4_A_EXTERNAL_FIRST, external_first),
};

static const struct field member_fields[] = {
	FIELD(struct mwan_member, MWAN_MEMBER_A_LINK, link, false),
	FIELD(struct mwan_member, MWAN_MEMBER_A_METRIC, metric, false),
	FIELD(struct mwan_member, MWAN_MEMBER_A_WEIGHT, weight, false),
};

static const struct field policy_fields[] = {
	FIELD(struct mwan_policy, MWAN_POLICY_A_ID, id, false),
	FIELD(struct mwan_policy, MWAN_POLICY_A_MODE, mode, false),
	FIELD(struct mwan_policy, MWAN_POLICY_A_LAST_RESORT, last_resort, false),
};

static const struct field rule_fields[] = {
	FIELD(struct mwan_rule, MWAN_RULE_A_ID, id, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_POLICY, policy, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_FLAGS, flags, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_FAMILY, family, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_PROTO, proto, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_SPORT_MIN, sport_min, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_SPORT_MAX, sport_max, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_DPORT_MIN, dport_min, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_DPORT_MAX, dport_max, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_IIFINDEX, iifindex, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_MARK, mark, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_MARK_MASK, mark_mask, false),
	FIELD(struct mwan_rule, MWAN_RULE_A_CGROUP_LEVEL, cgroup_level, false),
};

static bool put_fields(struct nlmsghdr *nlh, size_t size, const void *obj,
		       uint32_t set, const struct field *f, unsigned int n)
{
	const char *base = obj;
	unsigned int i;

	for (i = 0; i < n; i++, f++) {
		const void *p = base + f->off;
		bool ok = true;

		if (f->ro || !(set & BIT(f->attr)))
			continue;
		switch (f->size) {
		case 1:
			ok = mnl_attr_put_u8_check(nlh, size, f->attr,
						   *(const uint8_t *)p);
			break;
		case 2:
			ok = mnl_attr_put_u16_check(nlh, size, f->attr,
						    *(const uint16_t *)p);
			break;
		case 4:
			ok = mnl_attr_put_u32_check(nlh, size, f->attr,
						    *(const uint32_t *)p);
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

static int get_fields(void *obj, uint32_t *set, const struct field *f,
		      unsigned int n, const struct nlattr **tb)
{
	char *base = obj;
	unsigned int i;

	for (i = 0; i < n; i++, f++) {
		const struct nlattr *a = tb[f->attr];
		int err = 0;

		if (!a)
			continue;
		switch (f->size) {
		case 1:
			err = attr_get_u8(a, (uint8_t *)(base + f->off));
			break;
		case 2:
			err = attr_get_u16(a, (uint16_t *)(base + f->off));
			break;
		case 4:
			err = attr_get_u32(a, (uint32_t *)(base + f->off));
			break;
		}
		if (err)
			return err;
		*set |= BIT(f->attr);
	}
	return 0;
}

static bool put_name(struct nlmsghdr *nlh, size_t size, uint32_t set,
		     uint16_t attr, const char *name)
{
	return !(set & BIT(attr)) ||
	       mnl_attr_put_strz_check(nlh, size, attr, name);
}

static bool put_bin(struct nlmsghdr *nlh, size_t size, uint32_t set,
		    uint16_t attr, size_t len, const void *data)
{
	return !(set & BIT(attr)) ||
	       mnl_attr_put_check(nlh, size, attr, len, data);
}

static bool put_prefix(struct nlmsghdr *nlh, size_t size, uint16_t attr,
		       uint16_t len_attr, const struct mwan_prefix *p)
{
	size_t alen = p->family == AF_INET ? 4 : 16;

	return mnl_attr_put_check(nlh, size, attr, alen, p->addr) &&
	       mnl_attr_put_u8_check(nlh, size, len_attr, p->len);
}

static struct nlattr *nest_start(struct nlmsghdr *nlh, size_t size,
				 uint16_t type)
{
	return mnl_attr_nest_start_check(nlh, size, type);
}

/*
 * Close @nest if @ok, else take it back out of the message. nla_len is 16
 * bits: a bigger nest cannot be expressed, and must not silently wrap.
 */
static bool nest_end(struct nlmsghdr *nlh, struct nlattr *nest, bool ok)
{
	ok = ok && (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nest <=
		   UINT16_MAX;
	if (ok)
		mnl_attr_nest_end(nlh, nest);
	else
		mnl_attr_nest_cancel(nlh, nest);
	return ok;
}

bool mwan_put_globals(struct nlmsghdr *nlh, size_t size,
		      const struct mwan_globals *g)
{
	return put_fields(nlh, size, g, g->set, globals_fields,
			  ARRAY_SIZE(globals_fields));
}

/* An empty nest, when no field is set, turns the translation off. */
static bool put_npt(struct nlmsghdr *nlh, size_t size,
		    const struct mwan_link *l)
{
	const struct mwan_link_npt *n = &l->npt;
	struct nlattr *nest;

	if (!HAS(l, MWAN_LINK_A_NPT))
		return true;
	nest = nest_start(nlh, size, MWAN_LINK_A_NPT);
	if (!nest)
		return false;
	return nest_end(nlh, nest,
			put_bin(nlh, size, n->set, MWAN_NPT_A_INTERNAL,
				sizeof(n->internal), n->internal) &&
			put_bin(nlh, size, n->set, MWAN_NPT_A_EXTERNAL,
				sizeof(n->external), n->external) &&
			put_fields(nlh, size, n, n->set, npt_fields,
				   ARRAY_SIZE(npt_fields)));
}

static bool put_map4(struct nlmsghdr *nlh, size_t size,
		     const struct mwan_link *l)
{
	const struct mwan_link_map4 *m = &l->map4;
	struct nlattr *nest;

	if (!HAS(l, MWAN_LINK_A_MAP4))
		return true;
	nest = nest_start(nlh, size, MWAN_LINK_A_MAP4);
	if (!nest)
		return false;
	return nest_end(nlh, nest,
			put_fields(nlh, size, m, m->set, map4_fields,
				   ARRAY_SIZE(map4_fields)));
}

bool mwan_put_link(struct nlmsghdr *nlh, size_t size, uint16_t type,
		   const struct mwan_link *l)
{
	struct nlattr *nest = nest_start(nlh, size, type);

	if (!nest)
		return false;
	return nest_end(nlh, nest,
			put_fields(nlh, size, l, l->set, link_fields,
				   ARRAY_SIZE(link_fields)) &&
			put_name(nlh, size, l->set, MWAN_LINK_A_NAME,
				 l->name) &&
			put_npt(nlh, size, l) && put_map4(nlh, size, l));
}

static bool put_member(struct nlmsghdr *nlh, size_t size,
		       const struct mwan_member *m)
{
	struct nlattr *nest = nest_start(nlh, size, MWAN_POLICY_A_MEMBER);

	if (!nest)
		return false;
	return nest_end(nlh, nest,
			put_fields(nlh, size, m, m->set, member_fields,
				   ARRAY_SIZE(member_fields)));
}

static bool put_members(struct nlmsghdr *nlh, size_t size,
			const struct mwan_policy *p)
{
	struct nlattr *nest;
	unsigned int i;
	bool ok = true;

	if (!HAS(p, MWAN_POLICY_A_MEMBERS))
		return true;
	nest = nest_start(nlh, size, MWAN_POLICY_A_MEMBERS);
	if (!nest)
		return false;
	for (i = 0; ok && i < p->n_members; i++)
		ok = put_member(nlh, size, &p->members[i]);
	return nest_end(nlh, nest, ok);
}

bool mwan_put_policy(struct nlmsghdr *nlh, size_t size, uint16_t type,
		     const struct mwan_policy *p)
{
	struct nlattr *nest = nest_start(nlh, size, type);

	if (!nest)
		return false;
	return nest_end(nlh, nest,
			put_fields(nlh, size, p, p->set, policy_fields,
				   ARRAY_SIZE(policy_fields)) &&
			put_name(nlh, size, p->set, MWAN_POLICY_A_NAME,
				 p->name) &&
			put_members(nlh, size, p));
}

bool mwan_put_rule(struct nlmsghdr *nlh, size_t size, uint16_t type,
		   const struct mwan_rule *r)
{
	struct nlattr *nest = nest_start(nlh, size, type);
	bool ok;

	if (!nest)
		return false;
	ok = put_fields(nlh, size, r, r->set, rule_fields,
			ARRAY_SIZE(rule_fields)) &&
	     put_name(nlh, size, r->set, MWAN_RULE_A_NAME, r->name);
	if (ok && HAS(r, MWAN_RULE_A_CGROUP_ID))
		ok = mnl_attr_put_u64_check(nlh, size, MWAN_RULE_A_CGROUP_ID,
					    r->cgroup_id);
	if (ok && HAS(r, MWAN_RULE_A_SRC))
		ok = put_prefix(nlh, size, MWAN_RULE_A_SRC,
				MWAN_RULE_A_SRC_LEN, &r->src);
	if (ok && HAS(r, MWAN_RULE_A_DST))
		ok = put_prefix(nlh, size, MWAN_RULE_A_DST,
				MWAN_RULE_A_DST_LEN, &r->dst);
	return nest_end(nlh, nest, ok);
}

/* Object @i of the list attribute @list (MWAN_A_LINKS, ...) of @cfg */
static bool put_list_entry(struct nlmsghdr *nlh, size_t size,
			   const struct mwan_config *cfg, uint16_t list,
			   unsigned int i)
{
	switch (list) {
	case MWAN_A_LINKS:
		return mwan_put_link(nlh, size, MWAN_A_LINK, &cfg->links[i]);
	case MWAN_A_POLICIES:
		return mwan_put_policy(nlh, size, MWAN_A_POLICY,
				       &cfg->policies[i]);
	default:
		return mwan_put_rule(nlh, size, MWAN_A_RULE, &cfg->rules[i]);
	}
}

/*
 * Put @n objects as list attribute @list, repeated as often as their size
 * needs: a nest holds at most 64 KiB, and the kernel takes each list in as
 * many attributes as it comes in. An object that does not fit its list
 * starts the next one. An empty list goes out as an empty nest: "no
 * links", not "unchanged".
 */
static bool put_list(struct nlmsghdr *nlh, size_t size,
		     const struct mwan_config *cfg, uint16_t list,
		     unsigned int n)
{
	struct nlattr *nest = nest_start(nlh, size, list);
	struct nlattr *obj;
	unsigned int i = 0;

	while (nest && i < n) {
		obj = mnl_nlmsg_get_payload_tail(nlh);
		if (put_list_entry(nlh, size, cfg, list, i) &&
		    (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nest <=
		    UINT16_MAX) {
			i++;
			continue;
		}
		mnl_attr_nest_cancel(nlh, obj);
		if (obj == mnl_attr_get_payload(nest)) {
			/* alone in its list: the buffer is full */
			mnl_attr_nest_cancel(nlh, nest);
			return false;
		}
		mnl_attr_nest_end(nlh, nest);
		nest = nest_start(nlh, size, list);
	}
	return nest && nest_end(nlh, nest, true);
}

bool mwan_put_config(struct nlmsghdr *nlh, size_t size,
		     const struct mwan_config *cfg)
{
	return mwan_put_globals(nlh, size, &cfg->globals) &&
	       put_list(nlh, size, cfg, MWAN_A_LINKS, cfg->n_links) &&
	       put_list(nlh, size, cfg, MWAN_A_POLICIES, cfg->n_policies) &&
	       put_list(nlh, size, cfg, MWAN_A_RULES, cfg->n_rules);
}

int mwan_parse_globals(const struct nlmsghdr *nlh, struct mwan_globals *g)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	int err;

	memset(g, 0, sizeof(*g));
	err = attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX);
	if (err)
		return err;
	return get_fields(g, &g->set, globals_fields,
			  ARRAY_SIZE(globals_fields), tb);
}

static int parse_stats(const struct nlattr *nest, struct mwan_stats *s)
{
	const struct nlattr *tb[MWAN_STATS_A_MAX + 1];
	unsigned int i;
	int err;

	err = attr_parse_nested(nest, tb, MWAN_STATS_A_MAX);
	if (err)
		return err;
	for (i = MWAN_STATS_A_NEW_FLOWS; i <= MWAN_STATS_A_MAX; i++) {
		if (!tb[i])
			continue;
		err = attr_get_u64(tb[i], &s->v[i]);
		if (err)
			return err;
		s->set |= BIT(i);
	}
	return 0;
}

static int parse_name_attr(const struct nlattr *a, uint32_t *set,
			   uint16_t attr, char *name)
{
	if (!a)
		return 0;
	if (attr_get_str(a, name, MWAN_NAME_MAX))
		return -EINVAL;
	*set |= BIT(attr);
	return 0;
}

static int parse_bin_attr(const struct nlattr *a, uint32_t *set,
			  uint16_t attr, void *buf, size_t len)
{
	if (!a)
		return 0;
	if (attr_get_bin(a, buf, len))
		return -EINVAL;
	*set |= BIT(attr);
	return 0;
}

static int parse_npt(const struct nlattr *nest, struct mwan_link_npt *n)
{
	const struct nlattr *tb[MWAN_NPT_A_MAX + 1];
	int err;

	err = attr_parse_nested(nest, tb, MWAN_NPT_A_MAX);
	if (!err)
		err = parse_bin_attr(tb[MWAN_NPT_A_INTERNAL], &n->set,
				     MWAN_NPT_A_INTERNAL, n->internal,
				     sizeof(n->internal));
	if (!err)
		err = parse_bin_attr(tb[MWAN_NPT_A_EXTERNAL], &n->set,
				     MWAN_NPT_A_EXTERNAL, n->external,
				     sizeof(n->external));
	if (!err)
		err = get_fields(n, &n->set, npt_fields,
				 ARRAY_SIZE(npt_fields), tb);
	return err;
}

static int parse_map4(const struct nlattr *nest, struct mwan_link_map4 *m)
{
	const struct nlattr *tb[MWAN_MAP4_A_MAX + 1];
	int err;

	err = attr_parse_nested(nest, tb, MWAN_MAP4_A_MAX);
	if (!err)
		err = get_fields(m, &m->set, map4_fields,
				 ARRAY_SIZE(map4_fields), tb);
	return err;
}

int mwan_parse_link(const struct nlattr *nest, struct mwan_link *l)
{
	const struct nlattr *tb[MWAN_LINK_A_MAX + 1];
	int err;

	memset(l, 0, sizeof(*l));
	err = attr_parse_nested(nest, tb, MWAN_LINK_A_MAX);
	if (!err)
		err = get_fields(l, &l->set, link_fields,
				 ARRAY_SIZE(link_fields), tb);
	if (!err)
		err = parse_name_attr(tb[MWAN_LINK_A_NAME], &l->set,
				      MWAN_LINK_A_NAME, l->name);
	if (!err && tb[MWAN_LINK_A_STATS]) {
		err = parse_stats(tb[MWAN_LINK_A_STATS], &l->stats);
		MARK(l, MWAN_LINK_A_STATS);
	}
	if (!err && tb[MWAN_LINK_A_NPT]) {
		err = parse_npt(tb[MWAN_LINK_A_NPT], &l->npt);
		MARK(l, MWAN_LINK_A_NPT);
	}
	if (!err && tb[MWAN_LINK_A_MAP4]) {
		err = parse_map4(tb[MWAN_LINK_A_MAP4], &l->map4);
		MARK(l, MWAN_LINK_A_MAP4);
	}
	return err;
}

static int parse_members(const struct nlattr *nest, struct mwan_policy *p)
{
	const struct nlattr *tb[MWAN_MEMBER_A_MAX + 1];
	const struct nlattr *a;
	struct mwan_member *m;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != MWAN_POLICY_A_MEMBER)
			continue;
		m = mwan_add_member(p);
		if (!m)
			return -ENOMEM;
		err = attr_parse_nested(a, tb, MWAN_MEMBER_A_MAX);
		if (!err)
			err = get_fields(m, &m->set, member_fields,
					 ARRAY_SIZE(member_fields), tb);
		if (err)
			return err;
	}
	MARK(p, MWAN_POLICY_A_MEMBERS);
	return 0;
}

int mwan_parse_policy(const struct nlattr *nest, struct mwan_policy *p)
{
	const struct nlattr *tb[MWAN_POLICY_A_MAX + 1];
	int err;

	memset(p, 0, sizeof(*p));
	err = attr_parse_nested(nest, tb, MWAN_POLICY_A_MAX);
	if (!err)
		err = get_fields(p, &p->set, policy_fields,
				 ARRAY_SIZE(policy_fields), tb);
	if (!err)
		err = parse_name_attr(tb[MWAN_POLICY_A_NAME], &p->set,
				      MWAN_POLICY_A_NAME, p->name);
	if (!err && tb[MWAN_POLICY_A_MEMBERS])
		err = parse_members(tb[MWAN_POLICY_A_MEMBERS], p);
	if (!err && tb[MWAN_POLICY_A_STATS]) {
		err = parse_stats(tb[MWAN_POLICY_A_STATS], &p->stats);
		MARK(p, MWAN_POLICY_A_STATS);
	}
	if (err)
		mwan_policy_release(p);
	return err;
}

static int parse_prefix_attr(const struct nlattr *a, const struct nlattr *len,
			     struct mwan_prefix *p)
{
	size_t alen = mnl_attr_get_payload_len(a);

	if (alen != 4 && alen != 16)
		return -EINVAL;
	p->family = alen == 4 ? AF_INET : AF_INET6;
	memcpy(p->addr, mnl_attr_get_payload(a), alen);
	p->len = alen * 8;
	if (len && (attr_get_u8(len, &p->len) || p->len > alen * 8))
		return -EINVAL;
	return 0;
}

int mwan_parse_rule(const struct nlattr *nest, struct mwan_rule *r)
{
	const struct nlattr *tb[MWAN_RULE_A_MAX + 1];
	int err;

	memset(r, 0, sizeof(*r));
	err = attr_parse_nested(nest, tb, MWAN_RULE_A_MAX);
	if (!err)
		err = get_fields(r, &r->set, rule_fields,
				 ARRAY_SIZE(rule_fields), tb);
	if (!err)
		err = parse_name_attr(tb[MWAN_RULE_A_NAME], &r->set,
				      MWAN_RULE_A_NAME, r->name);
	if (!err && tb[MWAN_RULE_A_SRC]) {
		err = parse_prefix_attr(tb[MWAN_RULE_A_SRC],
					tb[MWAN_RULE_A_SRC_LEN], &r->src);
		r->set |= BIT(MWAN_RULE_A_SRC) | BIT(MWAN_RULE_A_SRC_LEN);
	}
	if (!err && tb[MWAN_RULE_A_DST]) {
		err = parse_prefix_attr(tb[MWAN_RULE_A_DST],
					tb[MWAN_RULE_A_DST_LEN], &r->dst);
		r->set |= BIT(MWAN_RULE_A_DST) | BIT(MWAN_RULE_A_DST_LEN);
	}
	if (!err && tb[MWAN_RULE_A_CGROUP_ID]) {
		err = attr_get_u64(tb[MWAN_RULE_A_CGROUP_ID], &r->cgroup_id);
		MARK(r, MWAN_RULE_A_CGROUP_ID);
	}
	return err;
}

struct mwan_link *mwan_add_link(struct mwan_config *cfg)
{
	return array_add(&cfg->links, &cfg->n_links, sizeof(*cfg->links));
}

struct mwan_policy *mwan_add_policy(struct mwan_config *cfg)
{
	return array_add(&cfg->policies, &cfg->n_policies,
			 sizeof(*cfg->policies));
}

struct mwan_rule *mwan_add_rule(struct mwan_config *cfg)
{
	return array_add(&cfg->rules, &cfg->n_rules, sizeof(*cfg->rules));
}

struct mwan_member *mwan_add_member(struct mwan_policy *p)
{
	return array_add(&p->members, &p->n_members, sizeof(*p->members));
}

const struct mwan_link *mwan_link_by_id(const struct mwan_config *cfg,
					uint32_t id)
{
	unsigned int i;

	for (i = 0; i < cfg->n_links; i++)
		if (cfg->links[i].id == id)
			return &cfg->links[i];
	return NULL;
}

const struct mwan_policy *mwan_policy_by_id(const struct mwan_config *cfg,
					    uint32_t id)
{
	unsigned int i;

	for (i = 0; i < cfg->n_policies; i++)
		if (cfg->policies[i].id == id)
			return &cfg->policies[i];
	return NULL;
}

struct mwan_link *mwan_link_by_name(const struct mwan_config *cfg,
				    const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->n_links; i++)
		if (!strcmp(cfg->links[i].name, name))
			return &cfg->links[i];
	return NULL;
}

struct mwan_policy *mwan_policy_by_name(const struct mwan_config *cfg,
					const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->n_policies; i++)
		if (!strcmp(cfg->policies[i].name, name))
			return &cfg->policies[i];
	return NULL;
}

struct mwan_rule *mwan_rule_by_name(const struct mwan_config *cfg,
				    const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->n_rules; i++)
		if (!strcmp(cfg->rules[i].name, name))
			return &cfg->rules[i];
	return NULL;
}

/* The mode may be absent: the kernel then takes its default. */
bool mwan_link_has_npt(const struct mwan_link *l)
{
	uint32_t need = BIT(MWAN_NPT_A_INTERNAL) | BIT(MWAN_NPT_A_EXTERNAL) |
			BIT(MWAN_NPT_A_PREFIX_LEN);

	return HAS(l, MWAN_LINK_A_NPT) && (l->npt.set & need) == need;
}

bool mwan_link_has_map4(const struct mwan_link *l)
{
	return HAS(l, MWAN_LINK_A_MAP4) &&
	       l->map4.set == (BIT(MWAN_MAP4_A_INTERNAL_FIRST) |
			       BIT(MWAN_MAP4_A_INTERNAL_LAST) |
			       BIT(MWAN_MAP4_A_EXTERNAL_FIRST));
}

void mwan_policy_release(struct mwan_policy *p)
{
	free(p->members);
	p->members = NULL;
	p->n_members = 0;
}

void mwan_config_release(struct mwan_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n_policies; i++)
		mwan_policy_release(&cfg->policies[i]);
	free(cfg->links);
	free(cfg->policies);
	free(cfg->rules);
	memset(cfg, 0, sizeof(*cfg));
}
