// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and filling of a link's address translation. Each nest replaces
 * the link's translation of its kind as a whole, and an empty nest removes
 * it: an agent renumbering a delegated prefix sends the full mapping again.
 */
#include <linux/in6.h>
#include "nl_objects.h"
#include "nl_xlat.h"

const struct nla_policy mwan_npt_policy[MWAN_NPT_A_MAX + 1] = {
	[MWAN_NPT_A_INTERNAL]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MWAN_NPT_A_EXTERNAL]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MWAN_NPT_A_PREFIX_LEN]	= NLA_POLICY_RANGE(NLA_U8, 1,
						   MWAN_NPT_PREFIX_MAX),
	[MWAN_NPT_A_MODE]	= NLA_POLICY_MAX(NLA_U8, MWAN_NPT_MODE_MAX),
};

const struct nla_policy mwan_map4_policy[MWAN_MAP4_A_MAX + 1] = {
	[MWAN_MAP4_A_INTERNAL_FIRST]	= { .type = NLA_BE32 },
	[MWAN_MAP4_A_INTERNAL_LAST]	= { .type = NLA_BE32 },
	[MWAN_MAP4_A_EXTERNAL_FIRST]	= { .type = NLA_BE32 },
};

static bool empty(const struct nlattr *nest)
{
	return nla_len(nest) == 0;
}

int mwan_apply_npt(struct mwan_link *l, const struct nlattr *nest,
		   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MWAN_NPT_A_MAX + 1];
	u8 mode;
	int ret;

	if (empty(nest)) {
		memset(&l->npt, 0, sizeof(l->npt));
		return 0;
	}
	ret = nla_parse_nested(tb, MWAN_NPT_A_MAX, nest, mwan_npt_policy,
			       extack);
	if (ret)
		return ret;
	if (!tb[MWAN_NPT_A_INTERNAL] || !tb[MWAN_NPT_A_EXTERNAL] ||
	    !tb[MWAN_NPT_A_PREFIX_LEN])
		return MWAN_FAIL_ATTR(extack, nest, -EINVAL,
				 "NPT needs an internal prefix, an external prefix and their length");
	/* what a site writes down is a prefix swap: that is the default */
	mode = tb[MWAN_NPT_A_MODE] ? nla_get_u8(tb[MWAN_NPT_A_MODE]) :
				     MWAN_NPT_MODE_PREFIX;
	ret = mwan_npt_init(&l->npt, nla_data(tb[MWAN_NPT_A_INTERNAL]),
			    nla_data(tb[MWAN_NPT_A_EXTERNAL]),
			    nla_get_u8(tb[MWAN_NPT_A_PREFIX_LEN]),
			    mode == MWAN_NPT_MODE_RFC6296);
	if (ret)
		return MWAN_FAIL_ATTR(extack, nest, ret,
				 "NPT prefix has bits set past its length");
	return 0;
}

int mwan_apply_map4(struct mwan_link *l, const struct nlattr *nest,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MWAN_MAP4_A_MAX + 1];
	__be32 first, last;
	int ret;

	if (empty(nest)) {
		memset(&l->map4, 0, sizeof(l->map4));
		l->has_map4 = false;
		return 0;
	}
	ret = nla_parse_nested(tb, MWAN_MAP4_A_MAX, nest, mwan_map4_policy,
			       extack);
	if (ret)
		return ret;
	if (!tb[MWAN_MAP4_A_INTERNAL_FIRST] ||
	    !tb[MWAN_MAP4_A_INTERNAL_LAST] || !tb[MWAN_MAP4_A_EXTERNAL_FIRST])
		return MWAN_FAIL_ATTR(extack, nest, -EINVAL,
				 "IPv4 map needs the internal first and last and the external first address");
	first = nla_get_be32(tb[MWAN_MAP4_A_INTERNAL_FIRST]);
	last = nla_get_be32(tb[MWAN_MAP4_A_INTERNAL_LAST]);
	if (be32_to_cpu(last) - be32_to_cpu(first) >= MWAN_MAP4_SIZE_MAX &&
	    be32_to_cpu(last) >= be32_to_cpu(first))
		return MWAN_FAIL_ATTR(extack, tb[MWAN_MAP4_A_INTERNAL_LAST], -ERANGE,
				 "IPv4 map holds more than 65536 addresses");
	ret = mwan_map4_init(&l->map4, first, last,
			     nla_get_be32(tb[MWAN_MAP4_A_EXTERNAL_FIRST]));
	if (ret)
		return MWAN_FAIL_ATTR(extack, nest, ret,
				 "IPv4 map range is reversed or runs past 255.255.255.255");
	l->has_map4 = true;
	return 0;
}

/*
 * Translation happens where packets cross a device, so a device can only
 * belong to one translating link.
 */
int mwan_check_xlat(const struct mwan_config *cfg,
		    struct netlink_ext_ack *extack)
{
	unsigned int i, j;

	for (i = 1; i <= MWAN_LINK_ID_MAX; i++) {
		const struct mwan_link *a = &cfg->links[i];

		if (!a->id || !mwan_link_translates(a))
			continue;
		for (j = 1; j <= MWAN_LINK_ID_MAX; j++) {
			const struct mwan_link *b = &cfg->links[j];

			if (j != i && b->id && b->ifindex == a->ifindex) {
				NL_SET_ERR_MSG(extack,
					       "a translating link must have its device to itself");
				return -EBUSY;
			}
		}
	}
	return 0;
}

static int fill_npt(struct sk_buff *msg, const struct mwan_npt *npt)
{
	struct nlattr *nest = nla_nest_start(msg, MWAN_LINK_A_NPT);

	if (!nest ||
	    nla_put(msg, MWAN_NPT_A_INTERNAL, 16, npt->internal) ||
	    nla_put(msg, MWAN_NPT_A_EXTERNAL, 16, npt->external) ||
	    nla_put_u8(msg, MWAN_NPT_A_PREFIX_LEN, npt->len) ||
	    nla_put_u8(msg, MWAN_NPT_A_MODE, npt->rfc6296 ?
		       MWAN_NPT_MODE_RFC6296 : MWAN_NPT_MODE_PREFIX))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int fill_map4(struct sk_buff *msg, const struct mwan_map4 *map)
{
	struct nlattr *nest = nla_nest_start(msg, MWAN_LINK_A_MAP4);

	if (!nest ||
	    nla_put_be32(msg, MWAN_MAP4_A_INTERNAL_FIRST,
			 cpu_to_be32(map->first)) ||
	    nla_put_be32(msg, MWAN_MAP4_A_INTERNAL_LAST,
			 cpu_to_be32(map->last)) ||
	    nla_put_be32(msg, MWAN_MAP4_A_EXTERNAL_FIRST,
			 cpu_to_be32(map->ext_first)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int mwan_fill_xlat(struct sk_buff *msg, const struct mwan_link *l)
{
	if (l->npt.len && fill_npt(msg, &l->npt))
		return -EMSGSIZE;
	if (l->has_map4 && fill_map4(msg, &l->map4))
		return -EMSGSIZE;
	return 0;
}
