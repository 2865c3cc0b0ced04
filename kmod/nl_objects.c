// SPDX-License-Identifier: GPL-2.0
#include <linux/ctype.h>
#include <linux/bitops.h>
#include <net/ipv6.h>
#include "netns.h"
#include "nl_objects.h"
#include "nl_xlat.h"

#define NAME_POLICY { .type = NLA_NUL_STRING, .len = MWAN_NAME_MAX - 1 }

static struct netlink_range_validation loss_range = {
	.max = 1000000,
};

static struct netlink_range_validation rule_id_range = {
	.min = 1,
	.max = MWAN_RULE_ID_MAX,
};

const struct nla_policy mwan_link_policy[MWAN_LINK_A_MAX + 1] = {
	[MWAN_LINK_A_ID]	= NLA_POLICY_RANGE(NLA_U32, 1, MWAN_LINK_ID_MAX),
	[MWAN_LINK_A_NAME]	= NAME_POLICY,
	[MWAN_LINK_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MWAN_LINK_A_STATE]	= NLA_POLICY_MAX(NLA_U8, MWAN_LINK_STATE_MAX),
	[MWAN_LINK_A_WEIGHT]	= NLA_POLICY_RANGE(NLA_U32, 1, MWAN_WEIGHT_MAX),
	[MWAN_LINK_A_RTT_US]	= { .type = NLA_U32 },
	[MWAN_LINK_A_LOSS_PPM]	= NLA_POLICY_FULL_RANGE(NLA_U32, &loss_range),
	[MWAN_LINK_A_NPT]	= NLA_POLICY_NESTED(mwan_npt_policy),
	[MWAN_LINK_A_MAP4]	= NLA_POLICY_NESTED(mwan_map4_policy),
	[MWAN_LINK_A_HEALTH]	= NLA_POLICY_MAX(NLA_U8, MWAN_LINK_HEALTH_MAX),
};

static const struct nla_policy member_policy[MWAN_MEMBER_A_MAX + 1] = {
	[MWAN_MEMBER_A_LINK]	= NLA_POLICY_RANGE(NLA_U32, 1, MWAN_LINK_ID_MAX),
	[MWAN_MEMBER_A_METRIC]	= { .type = NLA_U32 },
	[MWAN_MEMBER_A_WEIGHT]	= NLA_POLICY_MAX(NLA_U32, MWAN_WEIGHT_MAX),
};

static const struct nla_policy members_policy[MWAN_POLICY_A_MEMBER_MAX + 1] = {
	[MWAN_POLICY_A_MEMBER]	= NLA_POLICY_NESTED(member_policy),
};

const struct nla_policy mwan_policy_policy[MWAN_POLICY_A_MAX + 1] = {
	[MWAN_POLICY_A_ID]	= NLA_POLICY_RANGE(NLA_U32, 1, MWAN_POLICY_ID_MAX),
	[MWAN_POLICY_A_NAME]	= NAME_POLICY,
	[MWAN_POLICY_A_MODE]	= NLA_POLICY_MAX(NLA_U8, MWAN_MODE_MAX),
	[MWAN_POLICY_A_LAST_RESORT] =
		NLA_POLICY_MAX(NLA_U8, MWAN_LAST_RESORT_MAX),
	[MWAN_POLICY_A_MEMBERS]	= NLA_POLICY_NESTED(members_policy),
};

const struct nla_policy mwan_rule_policy[MWAN_RULE_A_MAX + 1] = {
	[MWAN_RULE_A_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &rule_id_range),
	[MWAN_RULE_A_NAME]	= NAME_POLICY,
	[MWAN_RULE_A_POLICY]	= NLA_POLICY_RANGE(NLA_U32, 1,
						   MWAN_POLICY_ID_MAX),
	[MWAN_RULE_A_FLAGS]	= NLA_POLICY_MASK(NLA_U32, __MWAN_RULE_F_ALL),
	[MWAN_RULE_A_FAMILY]	= { .type = NLA_U8 },
	[MWAN_RULE_A_PROTO]	= { .type = NLA_U8 },
	[MWAN_RULE_A_SRC]	= { .type = NLA_BINARY,
				    .len = sizeof(struct in6_addr) },
	[MWAN_RULE_A_SRC_LEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[MWAN_RULE_A_DST]	= { .type = NLA_BINARY,
				    .len = sizeof(struct in6_addr) },
	[MWAN_RULE_A_DST_LEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[MWAN_RULE_A_SPORT_MIN]	= { .type = NLA_U16 },
	[MWAN_RULE_A_SPORT_MAX]	= { .type = NLA_U16 },
	[MWAN_RULE_A_DPORT_MIN]	= { .type = NLA_U16 },
	[MWAN_RULE_A_DPORT_MAX]	= { .type = NLA_U16 },
	[MWAN_RULE_A_IIFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MWAN_RULE_A_MARK]	= { .type = NLA_U32 },
	[MWAN_RULE_A_MARK_MASK]	= { .type = NLA_U32 },
	[MWAN_RULE_A_CGROUP_ID]	= NLA_POLICY_MIN(NLA_U64, 1),
	[MWAN_RULE_A_CGROUP_LEVEL] = { .type = NLA_U16 },
};

static int check_name(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);

	if (!*s) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "name is empty");
		return -EINVAL;
	}
	for (; *s; s++) {
		if (!isalnum(*s) && *s != '-' && *s != '_' && *s != '.') {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "name may hold only letters, digits, '-', '_' and '.'");
			return -EINVAL;
		}
	}
	return 0;
}

#define NOT_FOUND(attr, msg, extack) MWAN_FAIL_ATTR(extack, attr, -ENOENT, msg)

static int no_key(const struct nlattr *nest, struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_ATTR(extack, nest, "an id or a name is required");
	return -EINVAL;
}

static bool link_exists(const struct mwan_config *cfg, u32 id)
{
	return cfg->links[id].id;
}

static bool policy_exists(const struct mwan_config *cfg, u32 id)
{
	return cfg->policies[id];
}

static bool rule_exists(const struct mwan_config *cfg, u32 id)
{
	return mwan_rule_by_id(cfg, id) >= 0;
}

/* Objects are addressed by id, or by name when no id is given. */
static int lookup_link(struct mwan_config *cfg, struct nlattr **tb,
		       const struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	struct mwan_link *l;

	if (tb[MWAN_LINK_A_ID]) {
		u32 id = nla_get_u32(tb[MWAN_LINK_A_ID]);

		return link_exists(cfg, id) ? id :
		       NOT_FOUND(tb[MWAN_LINK_A_ID], "no link with this id",
				 extack);
	}
	if (!tb[MWAN_LINK_A_NAME])
		return no_key(nest, extack);
	l = mwan_link_by_name(cfg, nla_data(tb[MWAN_LINK_A_NAME]));
	return l ? l->id : NOT_FOUND(tb[MWAN_LINK_A_NAME],
				     "no link with this name", extack);
}

static int lookup_policy(struct mwan_config *cfg, struct nlattr **tb,
			 const struct nlattr *nest,
			 struct netlink_ext_ack *extack)
{
	struct mwan_policy *p;

	if (tb[MWAN_POLICY_A_ID]) {
		u32 id = nla_get_u32(tb[MWAN_POLICY_A_ID]);

		return policy_exists(cfg, id) ? id :
		       NOT_FOUND(tb[MWAN_POLICY_A_ID], "no policy with this id",
				 extack);
	}
	if (!tb[MWAN_POLICY_A_NAME])
		return no_key(nest, extack);
	p = mwan_policy_by_name(cfg, nla_data(tb[MWAN_POLICY_A_NAME]));
	return p ? p->id : NOT_FOUND(tb[MWAN_POLICY_A_NAME],
				     "no policy with this name", extack);
}

/* Rules are found by their index in cfg->rules. */
static int lookup_rule(const struct mwan_config *cfg, struct nlattr **tb,
		       const struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	int at;

	if (tb[MWAN_RULE_A_ID]) {
		at = mwan_rule_by_id(cfg, nla_get_u32(tb[MWAN_RULE_A_ID]));
		return at >= 0 ? at :
		       NOT_FOUND(tb[MWAN_RULE_A_ID], "no rule with this id",
				 extack);
	}
	if (!tb[MWAN_RULE_A_NAME])
		return no_key(nest, extack);
	at = mwan_rule_by_name(cfg, nla_data(tb[MWAN_RULE_A_NAME]));
	return at >= 0 ? at : NOT_FOUND(tb[MWAN_RULE_A_NAME],
					"no rule with this name", extack);
}

int mwan_find_link(struct mwan_config *cfg, const struct nlattr *nest,
		   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MWAN_LINK_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, MWAN_LINK_A_MAX, nest, mwan_link_policy,
			       extack);
	return ret ?: lookup_link(cfg, tb, nest, extack);
}

int mwan_find_policy(struct mwan_config *cfg, const struct nlattr *nest,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MWAN_POLICY_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, MWAN_POLICY_A_MAX, nest,
			       mwan_policy_policy, extack);
	return ret ?: lookup_policy(cfg, tb, nest, extack);
}

int mwan_find_rule(const struct mwan_config *cfg, const struct nlattr *nest,
		   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MWAN_RULE_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, MWAN_RULE_A_MAX, nest, mwan_rule_policy,
			       extack);
	return ret ?: lookup_rule(cfg, tb, nest, extack);
}

/*
 * A connection coming in on a link's device is bound to that link, so
 * that its replies leave the way it came. Two links on one device (two
 * gateways on one segment) could not be told apart there.
 */
int mwan_check_devices(const struct mwan_config *cfg,
		       struct netlink_ext_ack *extack)
{
	unsigned int i, j;

	for (i = 1; i <= MWAN_LINK_ID_MAX; i++) {
		if (!cfg->links[i].id)
			continue;
		for (j = i + 1; j <= MWAN_LINK_ID_MAX; j++) {
			if (cfg->links[j].id &&
			    cfg->links[j].ifindex == cfg->links[i].ifindex) {
				NL_SET_ERR_MSG(extack,
					       "two links on one device: each link needs a device of its own (a VLAN or macvlan per gateway)");
				return -EBUSY;
			}
		}
	}
	return 0;
}

int mwan_link_in_use(const struct mwan_config *cfg, u8 id)
{
	unsigned int i, m;

	for (i = 1; i <= MWAN_POLICY_ID_MAX; i++) {
		const struct mwan_policy *p = cfg->policies[i];

		for (m = 0; p && m < p->nmembers; m++)
			if (p->members[m].link == id)
				return i;
	}
	return 0;
}

int mwan_policy_in_use(const struct mwan_config *cfg, u8 id)
{
	unsigned int i;

	if (cfg->default_policy == id)
		return -1;
	for (i = 0; i < cfg->nrules; i++)
		if (cfg->rules[i].policy == id)
			return cfg->rules[i].id;
	return 0;
}

static int set_name(char *dst, struct nlattr *attr, bool taken,
		    struct netlink_ext_ack *extack)
{
	int ret = check_name(attr, extack);

	if (ret)
		return ret;
	if (taken) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "name already in use");
		return -EEXIST;
	}
	nla_strscpy(dst, attr, MWAN_NAME_MAX);
	return 0;
}

static int new_id(struct nlattr **tb, int id_attr, const struct nlattr *nest,
		  enum mwan_apply how, unsigned int max,
		  bool (*exists)(const struct mwan_config *, u32),
		  const struct mwan_config *cfg, struct netlink_ext_ack *extack)
{
	unsigned int id;

	if (tb[id_attr]) {
		id = nla_get_u32(tb[id_attr]);
		if (!exists(cfg, id))
			return id;
		NL_SET_ERR_MSG_ATTR(extack, tb[id_attr], "id already in use");
		return -EEXIST;
	}
	if (how == MWAN_APPLY_REPLACE) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "objects in a replace need an id");
		return -EINVAL;
	}
	for (id = 1; id <= max; id++)
		if (!exists(cfg, id))
			return id;
	NL_SET_ERR_MSG_ATTR(extack, nest, "no free id left");
	return -ENOSPC;
}

#define REQUIRE_ATTR(tb, attr, nest, msg, extack) \
	((tb)[attr] ? 0 : MWAN_FAIL_ATTR(extack, nest, -EINVAL, msg))

int mwan_apply_link(struct mwan_config *cfg, const struct nlattr *nest,
		    enum mwan_apply how, u32 *idp,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MWAN_LINK_A_MAX + 1];
	struct mwan_link *l, *other;
	int id, ret;

	ret = nla_parse_nested(tb, MWAN_LINK_A_MAX, nest, mwan_link_policy,
			       extack);
	if (ret)
		return ret;
	if (how == MWAN_APPLY_SET) {
		id = lookup_link(cfg, tb, nest, extack);
		if (id < 0)
			return id;
		l = &cfg->links[id];
	} else {
		id = new_id(tb, MWAN_LINK_A_ID, nest, how,
			    mwan_link_max_id(cfg->mark_mask), link_exists,
			    cfg, extack);
		if (id < 0)
			return id;
		ret = REQUIRE_ATTR(tb, MWAN_LINK_A_NAME, nest, "link needs a name",
			      extack) ?:
		      REQUIRE_ATTR(tb, MWAN_LINK_A_IFINDEX, nest,
			      "link needs a device (ifindex)", extack);
		if (ret)
			return ret;
		l = &cfg->links[id];
		memset(l, 0, sizeof(*l));
		l->state = MWAN_LINK_UP;
		l->weight = 1;
	}
	if (id > mwan_link_max_id(cfg->mark_mask)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_LINK_A_ID],
				    "link id does not fit in the mark mask");
		return -ERANGE;
	}
	if (tb[MWAN_LINK_A_NAME]) {
		other = mwan_link_by_name(cfg, nla_data(tb[MWAN_LINK_A_NAME]));
		ret = set_name(l->name, tb[MWAN_LINK_A_NAME],
			       other && other != l, extack);
		if (ret)
			return ret;
	}
	l->id = id;
	if (tb[MWAN_LINK_A_IFINDEX])
		l->ifindex = nla_get_u32(tb[MWAN_LINK_A_IFINDEX]);
	if (tb[MWAN_LINK_A_STATE])
		l->state = nla_get_u8(tb[MWAN_LINK_A_STATE]);
	if (tb[MWAN_LINK_A_WEIGHT])
		l->weight = nla_get_u32(tb[MWAN_LINK_A_WEIGHT]);
	if (tb[MWAN_LINK_A_RTT_US])
		l->rtt_us = nla_get_u32(tb[MWAN_LINK_A_RTT_US]);
	if (tb[MWAN_LINK_A_LOSS_PPM])
		l->loss_ppm = nla_get_u32(tb[MWAN_LINK_A_LOSS_PPM]);
	if (tb[MWAN_LINK_A_HEALTH])
		l->health = nla_get_u8(tb[MWAN_LINK_A_HEALTH]);
	if (tb[MWAN_LINK_A_NPT]) {
		ret = mwan_apply_npt(l, tb[MWAN_LINK_A_NPT], extack);
		if (ret)
			return ret;
	}
	if (tb[MWAN_LINK_A_MAP4]) {
		ret = mwan_apply_map4(l, tb[MWAN_LINK_A_MAP4], extack);
		if (ret)
			return ret;
	}
	*idp = id;
	return 0;
}

static bool has_member(const struct mwan_policy *p, u8 link)
{
	unsigned int i;

	for (i = 0; i < p->nmembers; i++)
		if (p->members[i].link == link)
			return true;
	return false;
}

static unsigned int count_metrics(const struct mwan_policy *p)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < p->nmembers; i++) {
		for (j = 0; j < i; j++)
			if (p->members[j].metric == p->members[i].metric)
				break;
		n += j == i;
	}
	return n;
}

static int parse_member(struct mwan_config *cfg, struct mwan_policy *p,
			const struct nlattr *attr,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MWAN_MEMBER_A_MAX + 1];
	struct mwan_member *m;
	int ret;

	if (p->nmembers == MWAN_MAX_MEMBERS) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "too many members (64 at most)");
		return -E2BIG;
	}
	ret = nla_parse_nested(tb, MWAN_MEMBER_A_MAX, attr, member_policy,
			       extack);
	if (ret)
		return ret;
	ret = REQUIRE_ATTR(tb, MWAN_MEMBER_A_LINK, attr, "member needs a link",
		      extack);
	if (ret)
		return ret;
	m = &p->members[p->nmembers];
	m->link = nla_get_u32(tb[MWAN_MEMBER_A_LINK]);
	m->metric = tb[MWAN_MEMBER_A_METRIC] ?
		    nla_get_u32(tb[MWAN_MEMBER_A_METRIC]) : 0;
	m->weight = tb[MWAN_MEMBER_A_WEIGHT] ?
		    nla_get_u32(tb[MWAN_MEMBER_A_WEIGHT]) : 0;
	if (!cfg->links[m->link].id) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_MEMBER_A_LINK],
				    "member link does not exist");
		return -ENOENT;
	}
	if (has_member(p, m->link)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_MEMBER_A_LINK],
				    "link is a member twice");
		return -EEXIST;
	}
	p->nmembers++;
	if (count_metrics(p) > MWAN_MAX_TIERS) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "too many tiers (8 distinct metrics at most)");
		return -E2BIG;
	}
	return 0;
}

static int parse_members(struct mwan_config *cfg, struct mwan_policy *p,
			 const struct nlattr *members,
			 struct netlink_ext_ack *extack)
{
	const struct nlattr *attr;
	int rem, ret;

	p->nmembers = 0;
	nla_for_each_nested(attr, members, rem) {
		ret = parse_member(cfg, p, attr, extack);
		if (ret)
			return ret;
	}
	return 0;
}

static unsigned int count_policies(const struct mwan_config *cfg)
{
	unsigned int i, n = 0;

	for (i = 1; i <= MWAN_POLICY_ID_MAX; i++)
		n += !!cfg->policies[i];
	return n;
}

int mwan_apply_policy(struct mwan_config *cfg, const struct nlattr *nest,
		      enum mwan_apply how, u32 *idp,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MWAN_POLICY_A_MAX + 1];
	struct mwan_policy *p, *other;
	int id, ret;

	ret = nla_parse_nested(tb, MWAN_POLICY_A_MAX, nest,
			       mwan_policy_policy, extack);
	if (ret)
		return ret;
	if (how == MWAN_APPLY_SET) {
		id = lookup_policy(cfg, tb, nest, extack);
		if (id < 0)
			return id;
		p = mwan_policy_writable(cfg, id);
		if (!p)
			return -ENOMEM;
	} else {
		id = new_id(tb, MWAN_POLICY_A_ID, nest, how,
			    MWAN_POLICY_ID_MAX, policy_exists, cfg, extack);
		if (id < 0)
			return id;
		ret = REQUIRE_ATTR(tb, MWAN_POLICY_A_NAME, nest,
			      "policy needs a name", extack);
		if (ret)
			return ret;
		if (count_policies(cfg) >= MWAN_MAX_POLICIES) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "too many policies (64 at most)");
			return -ENOSPC;
		}
		p = mwan_policy_alloc();
		if (!p)
			return -ENOMEM;
		cfg->policies[id] = p;
		p->id = id;
		p->mode = MWAN_MODE_FLOW;
		p->last_resort = MWAN_LAST_RESORT_UNREACHABLE;
	}
	if (tb[MWAN_POLICY_A_NAME]) {
		other = mwan_policy_by_name(cfg,
					    nla_data(tb[MWAN_POLICY_A_NAME]));
		ret = set_name(p->name, tb[MWAN_POLICY_A_NAME],
			       other && other != p, extack);
		if (ret)
			return ret;
	}
	if (tb[MWAN_POLICY_A_MODE])
		p->mode = nla_get_u8(tb[MWAN_POLICY_A_MODE]);
	if (tb[MWAN_POLICY_A_LAST_RESORT])
		p->last_resort = nla_get_u8(tb[MWAN_POLICY_A_LAST_RESORT]);
	if (tb[MWAN_POLICY_A_MEMBERS]) {
		ret = parse_members(cfg, p, tb[MWAN_POLICY_A_MEMBERS], extack);
		if (ret)
			return ret;
	}
	*idp = id;
	return 0;
}

static int parse_prefix(struct nlattr **tb, int addr_attr, int len_attr,
			struct mwan_rule *r, union nf_inet_addr *prefix,
			u8 *len, struct netlink_ext_ack *extack)
{
	const struct nlattr *a = tb[addr_attr];
	u8 family, bits;

	if (!a) {
		if (tb[len_attr]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[len_attr],
					    "prefix length without an address");
			return -EINVAL;
		}
		return 0;
	}
	if (nla_len(a) != 4 && nla_len(a) != 16) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address must be 4 or 16 bytes");
		return -EINVAL;
	}
	family = nla_len(a) == 4 ? AF_INET : AF_INET6;
	bits = nla_len(a) * 8;
	if (r->family && r->family != family) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address family mismatch");
		return -EINVAL;
	}
	r->family = family;
	*len = tb[len_attr] ? nla_get_u8(tb[len_attr]) : bits;
	if (*len > bits) {
		NL_SET_ERR_MSG_ATTR(extack, tb[len_attr],
				    "prefix length longer than the address");
		return -EINVAL;
	}
	memset(prefix, 0, sizeof(*prefix));
	if (family == AF_INET) {
		nla_memcpy(&prefix->ip, a, 4);
		prefix->ip &= *len ? htonl(~0U << (32 - *len)) : 0;
	} else {
		/* the prefix helper clears its destination before reading */
		ipv6_addr_prefix(&prefix->in6, nla_data(a), *len);
	}
	return 0;
}

static int parse_ports(struct nlattr **tb, int min_attr, int max_attr,
		       const struct mwan_rule *r, u16 *min, u16 *max,
		       struct netlink_ext_ack *extack)
{
	const struct nlattr *a = tb[min_attr] ?: tb[max_attr];

	if (!a)
		return 0;
	switch (r->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "ports need protocol tcp, udp, udplite, sctp or dccp");
		return -EINVAL;
	}
	*min = tb[min_attr] ? nla_get_u16(tb[min_attr]) : 0;
	*max = tb[max_attr] ? nla_get_u16(tb[max_attr]) : *min;
	if (!tb[min_attr])
		*min = 0;
	if (*min > *max) {
		NL_SET_ERR_MSG_ATTR(extack, a, "port range is inverted");
		return -EINVAL;
	}
	return 1;
}

static int parse_matches(struct nlattr **tb, struct mwan_rule *r,
			 struct netlink_ext_ack *extack)
{
	int ret;

	if (tb[MWAN_RULE_A_FAMILY]) {
		r->family = nla_get_u8(tb[MWAN_RULE_A_FAMILY]);
		if (r->family != AF_INET && r->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_RULE_A_FAMILY],
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
	}
	if (tb[MWAN_RULE_A_PROTO])
		r->proto = nla_get_u8(tb[MWAN_RULE_A_PROTO]);
	ret = parse_prefix(tb, MWAN_RULE_A_SRC, MWAN_RULE_A_SRC_LEN, r,
			   &r->src, &r->src_len, extack);
	if (ret)
		return ret;
	r->match |= tb[MWAN_RULE_A_SRC] ? MWAN_MATCH_SRC : 0;
	ret = parse_prefix(tb, MWAN_RULE_A_DST, MWAN_RULE_A_DST_LEN, r,
			   &r->dst, &r->dst_len, extack);
	if (ret)
		return ret;
	r->match |= tb[MWAN_RULE_A_DST] ? MWAN_MATCH_DST : 0;
	ret = parse_ports(tb, MWAN_RULE_A_SPORT_MIN, MWAN_RULE_A_SPORT_MAX, r,
			  &r->sport_min, &r->sport_max, extack);
	if (ret < 0)
		return ret;
	r->match |= ret ? MWAN_MATCH_SPORT : 0;
	ret = parse_ports(tb, MWAN_RULE_A_DPORT_MIN, MWAN_RULE_A_DPORT_MAX, r,
			  &r->dport_min, &r->dport_max, extack);
	if (ret < 0)
		return ret;
	r->match |= ret ? MWAN_MATCH_DPORT : 0;
	if (tb[MWAN_RULE_A_IIFINDEX]) {
		r->iifindex = nla_get_u32(tb[MWAN_RULE_A_IIFINDEX]);
		r->match |= MWAN_MATCH_IIF;
	}
	if (tb[MWAN_RULE_A_MARK_MASK] && !tb[MWAN_RULE_A_MARK]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_RULE_A_MARK_MASK],
				    "mark mask without a mark");
		return -EINVAL;
	}
	if (tb[MWAN_RULE_A_MARK]) {
		r->mark = nla_get_u32(tb[MWAN_RULE_A_MARK]);
		r->mark_mask = tb[MWAN_RULE_A_MARK_MASK] ?
			       nla_get_u32(tb[MWAN_RULE_A_MARK_MASK]) : ~0U;
		if (r->mark & ~r->mark_mask) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_RULE_A_MARK],
					    "mark has bits outside its mask");
			return -EINVAL;
		}
		r->match |= MWAN_MATCH_MARK;
	}
	return 0;
}

/*
 * A cgroup is a property of the router's own sockets: the rule is local
 * and never forwarded, and so IPv4 (see check_flags) unless told otherwise.
 */
static int parse_cgroup(struct nlattr **tb, struct mwan_rule *r,
			struct netlink_ext_ack *extack)
{
	const struct nlattr *id = tb[MWAN_RULE_A_CGROUP_ID];
	const struct nlattr *level = tb[MWAN_RULE_A_CGROUP_LEVEL];

	if (!id && !level)
		return 0;
	if (!id || !level) {
		NL_SET_ERR_MSG_ATTR(extack, id ?: level,
				    "cgroup id and level go together");
		return -EINVAL;
	}
	if (!IS_ENABLED(CONFIG_SOCK_CGROUP_DATA)) {
		NL_SET_ERR_MSG_ATTR(extack, id,
				    "kernel keeps no cgroup in sockets (CONFIG_SOCK_CGROUP_DATA)");
		return -EOPNOTSUPP;
	}
	r->cgroup_id = nla_get_u64(id);
	r->cgroup_level = nla_get_u16(level);
	r->match |= MWAN_MATCH_CGROUP;
	r->flags |= MWAN_RULE_F_LOCAL | MWAN_RULE_F_NO_FORWARD;
	if (!r->family)
		r->family = AF_INET;
	return 0;
}

static int check_flags(struct nlattr **tb, const struct mwan_rule *r,
		       const struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	if ((r->flags & MWAN_RULE_F_NO_FORWARD) &&
	    !(r->flags & MWAN_RULE_F_LOCAL)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_RULE_A_FLAGS],
				    "rule with no-forward and not local matches nothing");
		return -EINVAL;
	}
	if ((r->match & MWAN_MATCH_IIF) && (r->flags & MWAN_RULE_F_NO_FORWARD)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_RULE_A_IIFINDEX],
				    "input device only applies to forwarded flows");
		return -EINVAL;
	}
	if ((r->match & MWAN_MATCH_CGROUP) && r->family != AF_INET) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_RULE_A_FAMILY],
				    "cgroup rules balance IPv4 only (the router's IPv6 connections keep the main table's source address): pin a program's IPv6 with mwanctl exec");
		return -EOPNOTSUPP;
	}
	/*
	 * The router's own IPv6 connections chose their source address by
	 * the main table before mwan picks a link, and IPv6 is rarely
	 * masqueraded: on another link they would leave with a source that
	 * link's ISP drops.
	 */
	if ((r->flags & MWAN_RULE_F_LOCAL) && r->family != AF_INET) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_RULE_A_FLAGS],
				    "local rules balance IPv4 only (the router's IPv6 connections keep the main table's source address): restrict the rule to IPv4, pin IPv6 sockets with SO_MARK");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int rule_new_id(struct nlattr **tb, const struct nlattr *nest,
		       const struct mwan_config *cfg, enum mwan_apply how,
		       struct netlink_ext_ack *extack)
{
	u32 last = cfg->nrules ? cfg->rules[cfg->nrules - 1].id : 0;

	if (cfg->nrules >= MWAN_MAX_RULES) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "too many rules (1024 at most)");
		return -ENOSPC;
	}
	if (tb[MWAN_RULE_A_ID] || how == MWAN_APPLY_REPLACE)
		return new_id(tb, MWAN_RULE_A_ID, nest, how, MWAN_RULE_ID_MAX,
			      rule_exists, cfg, extack);
	/* unnumbered rules go last, like ip rule */
	if (last >= MWAN_RULE_ID_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "no free id after the last rule");
		return -ENOSPC;
	}
	return last + 1;
}

int mwan_apply_rule(struct mwan_config *cfg, const struct nlattr *nest,
		    enum mwan_apply how, u32 *idp,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MWAN_RULE_A_MAX + 1];
	struct mwan_rule r = {};
	int id, at, ret;

	ret = nla_parse_nested(tb, MWAN_RULE_A_MAX, nest, mwan_rule_policy,
			       extack);
	if (ret)
		return ret;
	if (how == MWAN_APPLY_SET) {
		at = lookup_rule(cfg, tb, nest, extack);
		if (at < 0)
			return at;
		/* the name and policy stay unless given; matches are replaced */
		r.id = cfg->rules[at].id;
		r.policy = cfg->rules[at].policy;
		memcpy(r.name, cfg->rules[at].name, sizeof(r.name));
	} else {
		id = rule_new_id(tb, nest, cfg, how, extack);
		if (id < 0)
			return id;
		ret = REQUIRE_ATTR(tb, MWAN_RULE_A_NAME, nest, "rule needs a name",
			      extack) ?:
		      REQUIRE_ATTR(tb, MWAN_RULE_A_POLICY, nest,
			      "rule needs a policy", extack);
		if (ret)
			return ret;
		r.id = id;
	}
	if (tb[MWAN_RULE_A_NAME]) {
		at = mwan_rule_by_name(cfg, nla_data(tb[MWAN_RULE_A_NAME]));
		ret = set_name(r.name, tb[MWAN_RULE_A_NAME],
			       at >= 0 && cfg->rules[at].id != r.id, extack);
		if (ret)
			return ret;
	}
	if (tb[MWAN_RULE_A_POLICY]) {
		r.policy = nla_get_u32(tb[MWAN_RULE_A_POLICY]);
		if (!cfg->policies[r.policy]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MWAN_RULE_A_POLICY],
					    "rule's policy does not exist");
			return -ENOENT;
		}
	}
	if (tb[MWAN_RULE_A_FLAGS])
		r.flags = nla_get_u32(tb[MWAN_RULE_A_FLAGS]);
	ret = parse_matches(tb, &r, extack) ?: parse_cgroup(tb, &r, extack) ?:
	      check_flags(tb, &r, nest, extack);
	if (ret)
		return ret;
	*idp = r.id;
	return mwan_config_set_rule(cfg, &r);
}

static bool contiguous(u32 mask)
{
	u32 bits = mask >> __ffs(mask);

	return !(bits & (bits + 1));
}

int mwan_apply_mark_mask(struct mwan_config *cfg, const struct nlattr *attr,
			 struct netlink_ext_ack *extack)
{
	u32 mask = nla_get_u32(attr);
	unsigned int i;

	if (!mask || !contiguous(mask) || hweight32(mask) > 8) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "mark mask must be 1 to 8 contiguous bits");
		return -EINVAL;
	}
	for (i = 1; i <= MWAN_LINK_ID_MAX; i++) {
		if (cfg->links[i].id && i > mwan_link_max_id(mask)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "a link id does not fit in this mark mask");
			return -ERANGE;
		}
	}
	cfg->mark_mask = mask;
	return 0;
}

/* Globals come last in a replace so the default policy can be checked. */
int mwan_apply_globals(struct mwan_config *cfg, struct nlattr **attrs,
		       struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int ret;

	if (attrs[MWAN_A_MARK_MASK]) {
		ret = mwan_apply_mark_mask(cfg, attrs[MWAN_A_MARK_MASK], extack);
		if (ret)
			return ret;
	}
	if (attrs[MWAN_A_ENABLED])
		cfg->enabled = nla_get_u8(attrs[MWAN_A_ENABLED]);
	a = attrs[MWAN_A_DEFAULT_POLICY];
	if (a) {
		u32 id = nla_get_u32(a);

		if (id && !cfg->policies[id]) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "default policy does not exist");
			return -ENOENT;
		}
		cfg->default_policy = id;
	}
	return 0;
}

int mwan_fill_globals(struct sk_buff *msg, const struct mwan_config *cfg)
{
	if (nla_put_u32(msg, MWAN_A_MARK_MASK, cfg->mark_mask) ||
	    nla_put_u8(msg, MWAN_A_ENABLED, cfg->enabled) ||
	    nla_put_u32(msg, MWAN_A_DEFAULT_POLICY, cfg->default_policy) ||
	    nla_put_u32(msg, MWAN_A_GENERATION, cfg->generation))
		return -EMSGSIZE;
	return 0;
}

int mwan_fill_link(struct sk_buff *msg, struct mwan_net *mn,
		   const struct mwan_config *cfg, const struct mwan_link *l)
{
	/* 64 bits: a 32-bit jiffies wraps in 50 days */
	u64 age = div_u64(get_jiffies_64() - l->state_since, HZ);
	struct nlattr *nest = nla_nest_start(msg, MWAN_A_LINK);

	if (!nest ||
	    nla_put_u32(msg, MWAN_LINK_A_ID, l->id) ||
	    nla_put_string(msg, MWAN_LINK_A_NAME, l->name) ||
	    nla_put_u32(msg, MWAN_LINK_A_IFINDEX, l->ifindex) ||
	    nla_put_u8(msg, MWAN_LINK_A_STATE, l->state) ||
	    nla_put_u32(msg, MWAN_LINK_A_WEIGHT, l->weight) ||
	    nla_put_u32(msg, MWAN_LINK_A_RTT_US, l->rtt_us) ||
	    nla_put_u32(msg, MWAN_LINK_A_LOSS_PPM, l->loss_ppm) ||
	    nla_put_u8(msg, MWAN_LINK_A_HEALTH, l->health) ||
	    nla_put_u32(msg, MWAN_LINK_A_MARK, mwan_link_mark(cfg, l->id)) ||
	    nla_put_u32(msg, MWAN_LINK_A_STATE_SECS, min_t(u64, age, U32_MAX)) ||
	    mwan_fill_xlat(msg, l))
		return -EMSGSIZE;
	if (mn && l->stats) {
		if (mwan_stats_fill(msg, MWAN_LINK_A_STATS, l->stats))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int fill_members(struct sk_buff *msg, const struct mwan_policy *p)
{
	struct nlattr *list = nla_nest_start(msg, MWAN_POLICY_A_MEMBERS);
	unsigned int i;

	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < p->nmembers; i++) {
		struct nlattr *m = nla_nest_start(msg, MWAN_POLICY_A_MEMBER);

		if (!m ||
		    nla_put_u32(msg, MWAN_MEMBER_A_LINK, p->members[i].link) ||
		    nla_put_u32(msg, MWAN_MEMBER_A_METRIC,
				p->members[i].metric) ||
		    nla_put_u32(msg, MWAN_MEMBER_A_WEIGHT,
				p->members[i].weight))
			return -EMSGSIZE;
		nla_nest_end(msg, m);
	}
	nla_nest_end(msg, list);
	return 0;
}

int mwan_fill_policy(struct sk_buff *msg, struct mwan_net *mn,
		     const struct mwan_policy *p)
{
	struct nlattr *nest = nla_nest_start(msg, MWAN_A_POLICY);

	if (!nest ||
	    nla_put_u32(msg, MWAN_POLICY_A_ID, p->id) ||
	    nla_put_string(msg, MWAN_POLICY_A_NAME, p->name) ||
	    nla_put_u8(msg, MWAN_POLICY_A_MODE, p->mode) ||
	    nla_put_u8(msg, MWAN_POLICY_A_LAST_RESORT, p->last_resort) ||
	    fill_members(msg, p))
		return -EMSGSIZE;
	if (mn && p->stats) {
		if (mwan_stats_fill(msg, MWAN_POLICY_A_STATS, p->stats))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int put_prefix(struct sk_buff *msg, int addr_attr, int len_attr,
		      u8 family, const union nf_inet_addr *a, u8 len)
{
	int size = family == AF_INET ? 4 : 16;

	if (nla_put(msg, addr_attr, size, a) || nla_put_u8(msg, len_attr, len))
		return -EMSGSIZE;
	return 0;
}

/* Each *_MAX port attribute directly follows its *_MIN. */
static int put_ports(struct sk_buff *msg, int min_attr, u16 min, u16 max)
{
	if (nla_put_u16(msg, min_attr, min) ||
	    nla_put_u16(msg, min_attr + 1, max))
		return -EMSGSIZE;
	return 0;
}

static int fill_matches(struct sk_buff *msg, const struct mwan_rule *r)
{
	if ((r->family && nla_put_u8(msg, MWAN_RULE_A_FAMILY, r->family)) ||
	    (r->proto && nla_put_u8(msg, MWAN_RULE_A_PROTO, r->proto)))
		return -EMSGSIZE;
	if (((r->match & MWAN_MATCH_SRC) &&
	     put_prefix(msg, MWAN_RULE_A_SRC, MWAN_RULE_A_SRC_LEN, r->family,
			&r->src, r->src_len)) ||
	    ((r->match & MWAN_MATCH_DST) &&
	     put_prefix(msg, MWAN_RULE_A_DST, MWAN_RULE_A_DST_LEN, r->family,
			&r->dst, r->dst_len)))
		return -EMSGSIZE;
	if (((r->match & MWAN_MATCH_SPORT) &&
	     put_ports(msg, MWAN_RULE_A_SPORT_MIN, r->sport_min,
		       r->sport_max)) ||
	    ((r->match & MWAN_MATCH_DPORT) &&
	     put_ports(msg, MWAN_RULE_A_DPORT_MIN, r->dport_min,
		       r->dport_max)))
		return -EMSGSIZE;
	if ((r->match & MWAN_MATCH_IIF) &&
	    nla_put_u32(msg, MWAN_RULE_A_IIFINDEX, r->iifindex))
		return -EMSGSIZE;
	if ((r->match & MWAN_MATCH_MARK) &&
	    (nla_put_u32(msg, MWAN_RULE_A_MARK, r->mark) ||
	     nla_put_u32(msg, MWAN_RULE_A_MARK_MASK, r->mark_mask)))
		return -EMSGSIZE;
	if ((r->match & MWAN_MATCH_CGROUP) &&
	    (nla_put_u64_64bit(msg, MWAN_RULE_A_CGROUP_ID, r->cgroup_id,
			       MWAN_RULE_A_PAD) ||
	     nla_put_u16(msg, MWAN_RULE_A_CGROUP_LEVEL, r->cgroup_level)))
		return -EMSGSIZE;
	return 0;
}

int mwan_fill_rule(struct sk_buff *msg, const struct mwan_rule *r)
{
	struct nlattr *nest = nla_nest_start(msg, MWAN_A_RULE);

	if (!nest ||
	    nla_put_u32(msg, MWAN_RULE_A_ID, r->id) ||
	    nla_put_string(msg, MWAN_RULE_A_NAME, r->name) ||
	    nla_put_u32(msg, MWAN_RULE_A_POLICY, r->policy) ||
	    nla_put_u32(msg, MWAN_RULE_A_FLAGS, r->flags) ||
	    fill_matches(msg, r))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* What a delete event carries: which object is gone. */
int mwan_fill_ref(struct sk_buff *msg, int attr, u32 id, const char *name)
{
	struct nlattr *nest = nla_nest_start(msg, attr);

	BUILD_BUG_ON(MWAN_LINK_A_ID != 1 || MWAN_LINK_A_NAME != 2 ||
		     MWAN_POLICY_A_ID != 1 || MWAN_POLICY_A_NAME != 2 ||
		     MWAN_RULE_A_ID != 1 || MWAN_RULE_A_NAME != 2);
	if (!nest || nla_put_u32(msg, 1, id) || nla_put_string(msg, 2, name))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}
