// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: operations, per-operation policies, replies,
 * dumps and change events. Object parsing and filling is in nl_objects.c.
 */
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack.h>
#include "ct_forget.h"
#include "netlink.h"
#include "netns.h"
#include "nl_objects.h"
#include "nl_xlat.h"
#include "npt_dev.h"

static struct genl_family mwan_family;

/* What a change did, for its reply and its event. */
struct mwan_event {
	u8 cmd;
	int kind;		/* MWAN_A_LINK, _POLICY, _RULE; 0: globals */
	u32 id;
	bool deleted;
	bool reply;		/* creations answer with the new object */
	char name[MWAN_NAME_MAX];
};

typedef int (*mwan_change_fn)(struct mwan_config *cfg, struct genl_info *info,
			      struct mwan_event *ev);

static int fill_event(struct sk_buff *msg, struct mwan_net *mn,
		      const struct mwan_config *cfg,
		      const struct mwan_event *ev)
{
	int at;

	if (ev->deleted)
		return mwan_fill_ref(msg, ev->kind, ev->id, ev->name);
	switch (ev->kind) {
	case MWAN_A_LINK:
		return mwan_fill_link(msg, mn, cfg, &cfg->links[ev->id]);
	case MWAN_A_POLICY:
		return mwan_fill_policy(msg, mn, cfg->policies[ev->id]);
	case MWAN_A_RULE:
		at = mwan_rule_by_id(cfg, ev->id);
		return mwan_fill_rule(msg, &cfg->rules[at]);
	}
	return mwan_fill_globals(msg, cfg);
}

static struct sk_buff *event_msg(struct mwan_net *mn,
				 const struct mwan_config *cfg,
				 const struct mwan_event *ev, u32 portid,
				 u32 seq)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return NULL;
	hdr = genlmsg_put(msg, portid, seq, &mwan_family, 0, ev->cmd);
	if (!hdr || fill_event(msg, mn, cfg, ev)) {
		nlmsg_free(msg);
		return NULL;
	}
	genlmsg_end(msg, hdr);
	return msg;
}

/*
 * The event carries the port of the request that caused it, as rtnetlink's
 * do: a listener that also makes changes (mwan-agent) tells its own from
 * an operator's.
 */
static void notify(struct mwan_net *mn, const struct mwan_config *cfg,
		   const struct mwan_event *ev, u32 portid)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&mwan_family, mn->net, 0))
		return;
	msg = event_msg(mn, cfg, ev, portid, 0);
	if (msg)
		genlmsg_multicast_netns(&mwan_family, mn->net, msg, 0, 0,
					GFP_KERNEL);
}

/* A private copy of the running config (or a fresh one) with @fn applied. */
static int build(struct mwan_net *mn, struct genl_info *info,
		 mwan_change_fn fn, bool fresh, struct mwan_event *ev,
		 struct mwan_config **cfgp)
{
	struct mwan_config *old = mwan_net_config(mn), *cfg;
	int ret;

	cfg = old && !fresh ? mwan_config_clone(old) : mwan_config_new();
	if (!cfg)
		return -ENOMEM;
	if (old)
		cfg->hash_seed = old->hash_seed;	/* sticky keys stay put */
	memset(ev, 0, sizeof(*ev));
	ev->cmd = info->genlhdr->cmd;
	ret = fn(cfg, info, ev) ?: mwan_check_xlat(cfg, info->extack) ?:
	      mwan_check_devices(cfg, info->extack);
	if (ret) {
		mwan_config_free(cfg);
		return ret;
	}
	*cfgp = cfg;
	return 0;
}

/*
 * Every change edits a private copy of the running config (or, for a
 * replace, a fresh one) and commits it only if all of it was valid. RTNL
 * is taken only for a change that hooks or unhooks a device, found out by
 * building it once without: the agent pushes RTT figures at probe rate.
 * Anything that can fail, the reply included, fails before the commit.
 */
static int change(struct genl_info *info, mwan_change_fn fn, bool fresh)
{
	struct mwan_net *mn = mwan_net(genl_info_net(info));
	struct sk_buff *reply = NULL;
	struct mwan_config *cfg;
	struct mwan_event ev;
	bool rtnl = false;
	void *hdr;
	int ret;

	mutex_lock(&mn->change_lock);
again:
	if (rtnl)
		rtnl_lock();
	mutex_lock(&mn->lock);
	ret = build(mn, info, fn, fresh, &ev, &cfg);
	if (ret)
		goto out;
	if (!rtnl && !mwan_npt_devs_same(mwan_net_config(mn), cfg)) {
		mwan_config_free(cfg);
		mutex_unlock(&mn->lock);
		rtnl = true;
		goto again;
	}
	if (ev.reply) {
		reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!reply) {
			mwan_config_free(cfg);
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = mwan_net_change(mn, cfg, rtnl);
	if (ret)
		goto out;
	notify(mn, cfg, &ev, info->snd_portid);
	if (reply) {
		hdr = genlmsg_put_reply(reply, info, &mwan_family, 0, ev.cmd);
		/* one object always fits: a failure here is a bug */
		if (WARN_ON_ONCE(!hdr || fill_event(reply, mn, cfg, &ev))) {
			ret = -EMSGSIZE;
			goto out;
		}
		genlmsg_end(reply, hdr);
		ret = genlmsg_reply(reply, info);
		reply = NULL;
	}
out:
	mutex_unlock(&mn->lock);
	if (rtnl)
		rtnl_unlock();
	mutex_unlock(&mn->change_lock);
	nlmsg_free(reply);
	return ret;
}

static int apply_globals(struct mwan_config *cfg, struct genl_info *info,
			 struct mwan_event *ev)
{
	if (!info->attrs[MWAN_A_MARK_MASK] && !info->attrs[MWAN_A_ENABLED] &&
	    !info->attrs[MWAN_A_DEFAULT_POLICY]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		return -EINVAL;
	}
	return mwan_apply_globals(cfg, info->attrs, info->extack);
}

/*
 * The mark mask first, so that link ids are checked against it as they
 * come. A nest holds at most 64 KiB, so each object list may come in
 * several attributes: walk the whole message once per kind, links first so
 * that policies can name them, then policies for the rules.
 */
static int apply_replace(struct mwan_config *cfg, struct genl_info *info,
			 struct mwan_event *ev)
{
	static const struct {
		int list;
		int (*apply)(struct mwan_config *cfg, const struct nlattr *nest,
			     enum mwan_apply how, u32 *id,
			     struct netlink_ext_ack *extack);
	} kinds[] = {
		{ MWAN_A_LINKS, mwan_apply_link },
		{ MWAN_A_POLICIES, mwan_apply_policy },
		{ MWAN_A_RULES, mwan_apply_rule },
	};
	const struct nlattr *list, *attr;
	int rem_list, rem, ret;
	unsigned int k;
	u32 id;

	if (info->attrs[MWAN_A_MARK_MASK]) {
		ret = mwan_apply_mark_mask(cfg, info->attrs[MWAN_A_MARK_MASK],
					   info->extack);
		if (ret)
			return ret;
	}
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		nlmsg_for_each_attr(list, info->nlhdr, GENL_HDRLEN, rem_list) {
			if (nla_type(list) != kinds[k].list)
				continue;
			nla_for_each_nested(attr, list, rem) {
				ret = kinds[k].apply(cfg, attr,
						     MWAN_APPLY_REPLACE, &id,
						     info->extack);
				if (ret)
					return ret;
			}
		}
	}
	return mwan_apply_globals(cfg, info->attrs, info->extack);
}

static int apply_link(struct mwan_config *cfg, struct genl_info *info,
		      struct mwan_event *ev)
{
	bool create = ev->cmd == MWAN_CMD_LINK_NEW;

	ev->kind = MWAN_A_LINK;
	ev->reply = create;
	if (GENL_REQ_ATTR_CHECK(info, MWAN_A_LINK))
		return -EINVAL;
	return mwan_apply_link(cfg, info->attrs[MWAN_A_LINK],
			       create ? MWAN_APPLY_NEW : MWAN_APPLY_SET,
			       &ev->id, info->extack);
}

static int apply_policy(struct mwan_config *cfg, struct genl_info *info,
			struct mwan_event *ev)
{
	bool create = ev->cmd == MWAN_CMD_POLICY_NEW;

	ev->kind = MWAN_A_POLICY;
	ev->reply = create;
	if (GENL_REQ_ATTR_CHECK(info, MWAN_A_POLICY))
		return -EINVAL;
	return mwan_apply_policy(cfg, info->attrs[MWAN_A_POLICY],
				 create ? MWAN_APPLY_NEW : MWAN_APPLY_SET,
				 &ev->id, info->extack);
}

static int apply_rule(struct mwan_config *cfg, struct genl_info *info,
		      struct mwan_event *ev)
{
	bool create = ev->cmd == MWAN_CMD_RULE_NEW;

	ev->kind = MWAN_A_RULE;
	ev->reply = create;
	if (GENL_REQ_ATTR_CHECK(info, MWAN_A_RULE))
		return -EINVAL;
	return mwan_apply_rule(cfg, info->attrs[MWAN_A_RULE],
			       create ? MWAN_APPLY_NEW : MWAN_APPLY_SET,
			       &ev->id, info->extack);
}

static int delete_link(struct mwan_config *cfg, struct genl_info *info,
		       struct mwan_event *ev)
{
	const struct nlattr *nest = info->attrs[MWAN_A_LINK];
	int id;

	ev->kind = MWAN_A_LINK;
	ev->deleted = true;
	if (GENL_REQ_ATTR_CHECK(info, MWAN_A_LINK))
		return -EINVAL;
	id = mwan_find_link(cfg, nest, info->extack);
	if (id < 0)
		return id;
	if (mwan_link_in_use(cfg, id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "link is a member of a policy");
		return -EBUSY;
	}
	ev->id = id;
	memcpy(ev->name, cfg->links[id].name, MWAN_NAME_MAX);
	mwan_stats_put(cfg->links[id].stats);
	memset(&cfg->links[id], 0, sizeof(cfg->links[id]));
	return 0;
}

static int delete_policy(struct mwan_config *cfg, struct genl_info *info,
			 struct mwan_event *ev)
{
	const struct nlattr *nest = info->attrs[MWAN_A_POLICY];
	int id;

	ev->kind = MWAN_A_POLICY;
	ev->deleted = true;
	if (GENL_REQ_ATTR_CHECK(info, MWAN_A_POLICY))
		return -EINVAL;
	id = mwan_find_policy(cfg, nest, info->extack);
	if (id < 0)
		return id;
	if (mwan_policy_in_use(cfg, id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "policy is used by a rule or is the default");
		return -EBUSY;
	}
	ev->id = id;
	memcpy(ev->name, cfg->policies[id]->name, MWAN_NAME_MAX);
	mwan_config_del_policy(cfg, id);
	return 0;
}

static int delete_rule(struct mwan_config *cfg, struct genl_info *info,
		       struct mwan_event *ev)
{
	int at;

	ev->kind = MWAN_A_RULE;
	ev->deleted = true;
	if (GENL_REQ_ATTR_CHECK(info, MWAN_A_RULE))
		return -EINVAL;
	at = mwan_find_rule(cfg, info->attrs[MWAN_A_RULE], info->extack);
	if (at < 0)
		return at;
	ev->id = cfg->rules[at].id;
	memcpy(ev->name, cfg->rules[at].name, MWAN_NAME_MAX);
	mwan_config_del_rule(cfg, at);
	return 0;
}

static int do_globals_set(struct sk_buff *skb, struct genl_info *info)
{
	return change(info, apply_globals, false);
}

static int do_replace(struct sk_buff *skb, struct genl_info *info)
{
	return change(info, apply_replace, true);
}

static int do_link_change(struct sk_buff *skb, struct genl_info *info)
{
	return change(info, apply_link, false);
}

static int do_link_del(struct sk_buff *skb, struct genl_info *info)
{
	return change(info, delete_link, false);
}

static int do_policy_change(struct sk_buff *skb, struct genl_info *info)
{
	return change(info, apply_policy, false);
}

static int do_policy_del(struct sk_buff *skb, struct genl_info *info)
{
	return change(info, delete_policy, false);
}

static int do_rule_change(struct sk_buff *skb, struct genl_info *info)
{
	return change(info, apply_rule, false);
}

static int do_rule_del(struct sk_buff *skb, struct genl_info *info)
{
	return change(info, delete_rule, false);
}

static int reply_event(struct genl_info *info, struct mwan_net *mn,
		       const struct mwan_config *cfg, struct mwan_event *ev)
{
	struct sk_buff *msg = event_msg(mn, cfg, ev, info->snd_portid,
					info->snd_seq);

	return msg ? genlmsg_reply(msg, info) : -ENOMEM;
}

static int do_globals_get(struct sk_buff *skb, struct genl_info *info)
{
	struct mwan_net *mn = mwan_net(genl_info_net(info));
	struct mwan_event ev = { .cmd = MWAN_CMD_GLOBALS_GET };
	struct mwan_config *cfg, *defaults = NULL;
	int ret;

	mutex_lock(&mn->lock);
	cfg = mwan_net_config(mn);
	if (!cfg)
		cfg = defaults = mwan_config_new();
	ret = cfg ? reply_event(info, mn, cfg, &ev) : -ENOMEM;
	mutex_unlock(&mn->lock);
	mwan_config_free(defaults);
	return ret;
}

/* Look an object up in the running config and answer with it. */
static int get_object(struct genl_info *info, int kind)
{
	struct mwan_net *mn = mwan_net(genl_info_net(info));
	struct mwan_event ev = { .cmd = info->genlhdr->cmd, .kind = kind };
	const struct nlattr *nest = info->attrs[kind];
	struct mwan_config *cfg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, kind))
		return -EINVAL;
	mutex_lock(&mn->lock);
	cfg = mwan_net_config(mn);
	ret = -ENOENT;
	if (!cfg) {
		NL_SET_ERR_MSG(info->extack, "nothing is configured here");
		goto out;
	}
	if (kind == MWAN_A_LINK)
		ret = mwan_find_link(cfg, nest, info->extack);
	else if (kind == MWAN_A_POLICY)
		ret = mwan_find_policy(cfg, nest, info->extack);
	else
		ret = mwan_find_rule(cfg, nest, info->extack);
	if (ret < 0)
		goto out;
	ev.id = kind == MWAN_A_RULE ? cfg->rules[ret].id : ret;
	ret = reply_event(info, mn, cfg, &ev);
out:
	mutex_unlock(&mn->lock);
	return ret;
}

static int do_link_get(struct sk_buff *skb, struct genl_info *info)
{
	return get_object(info, MWAN_A_LINK);
}

static int do_policy_get(struct sk_buff *skb, struct genl_info *info)
{
	return get_object(info, MWAN_A_POLICY);
}

static int do_rule_get(struct sk_buff *skb, struct genl_info *info)
{
	return get_object(info, MWAN_A_RULE);
}

/* Fill the object in @slot; 1 when the slot is empty. */
static int fill_slot(struct sk_buff *msg, struct mwan_net *mn,
		     const struct mwan_config *cfg, u8 cmd, unsigned int slot)
{
	switch (cmd) {
	case MWAN_CMD_LINK_GET:
		if (!cfg->links[slot].id)
			return 1;
		return mwan_fill_link(msg, mn, cfg, &cfg->links[slot]);
	case MWAN_CMD_POLICY_GET:
		if (!cfg->policies[slot])
			return 1;
		return mwan_fill_policy(msg, mn, cfg->policies[slot]);
	}
	return mwan_fill_rule(msg, &cfg->rules[slot]);
}

static unsigned int slot_end(const struct mwan_config *cfg, u8 cmd)
{
	switch (cmd) {
	case MWAN_CMD_LINK_GET:
		return MWAN_LINK_ID_MAX + 1;
	case MWAN_CMD_POLICY_GET:
		return MWAN_POLICY_ID_MAX + 1;
	}
	return cfg->nrules;
}

/*
 * Dumps resume from cb->args[0]. A change between two parts bumps the
 * generation, and genl_dump_check_consistent() flags the dump as
 * interrupted so userspace retries.
 */
static int dump_objects(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mwan_net *mn = mwan_net(sock_net(skb->sk));
	u8 cmd = ((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd;
	const struct mwan_config *cfg;
	unsigned int slot;
	void *hdr;
	int ret;

	rcu_read_lock();
	cfg = rcu_dereference(mn->config);
	if (!cfg)
		goto out;
	cb->seq = cfg->generation;
	for (slot = cb->args[0]; slot < slot_end(cfg, cmd); slot++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &mwan_family,
				  NLM_F_MULTI, cmd);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		ret = fill_slot(skb, mn, cfg, cmd, slot);
		if (ret) {
			genlmsg_cancel(skb, hdr);
			if (ret < 0)
				break;
			continue;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = slot;
out:
	rcu_read_unlock();
	return skb->len;
}

/*
 * The walk holds only the writers' lock: it may take long, and neither
 * RTNL users nor readers should wait for it.
 */
static int do_link_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct mwan_net *mn = mwan_net(genl_info_net(info));
	struct mwan_config *cfg;
	struct mwan_forget f;
	struct sk_buff *msg;
	void *hdr;
	int id = -ENOENT;

	if (GENL_REQ_ATTR_CHECK(info, MWAN_A_LINK))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&mn->change_lock);
	mutex_lock(&mn->lock);
	cfg = mwan_net_config(mn);
	if (cfg) {
		id = mwan_find_link(cfg, info->attrs[MWAN_A_LINK],
				    info->extack);
		mwan_forget_init(&f, cfg);
	} else {
		NL_SET_ERR_MSG(info->extack, "nothing is configured here");
	}
	mutex_unlock(&mn->lock);
	if (id > 0) {
		__set_bit(id, f.links);
		mwan_forget_run(mn->net, &f, info->snd_portid,
				nlmsg_report(info->nlhdr));
	}
	mutex_unlock(&mn->change_lock);
	if (id < 0) {
		nlmsg_free(msg);
		return id;
	}
	hdr = genlmsg_put_reply(msg, info, &mwan_family, 0,
				MWAN_CMD_LINK_FLUSH);
	if (!hdr || nla_put_u32(msg, MWAN_A_FLUSHED, f.count)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct nla_policy globals_policy[MWAN_A_MAX + 1] = {
	[MWAN_A_MARK_MASK]	= { .type = NLA_U32 },
	[MWAN_A_ENABLED]	= NLA_POLICY_MAX(NLA_U8, 1),
	[MWAN_A_DEFAULT_POLICY]	= NLA_POLICY_MAX(NLA_U32, MWAN_POLICY_ID_MAX),
};

static const struct nla_policy link_op_policy[MWAN_A_MAX + 1] = {
	[MWAN_A_LINK]		= NLA_POLICY_NESTED(mwan_link_policy),
};

static const struct nla_policy policy_op_policy[MWAN_A_MAX + 1] = {
	[MWAN_A_POLICY]		= NLA_POLICY_NESTED(mwan_policy_policy),
};

static const struct nla_policy rule_op_policy[MWAN_A_MAX + 1] = {
	[MWAN_A_RULE]		= NLA_POLICY_NESTED(mwan_rule_policy),
};

static const struct nla_policy links_policy[MWAN_A_LINK + 1] = {
	[MWAN_A_LINK]		= NLA_POLICY_NESTED(mwan_link_policy),
};

static const struct nla_policy policies_policy[MWAN_A_POLICY + 1] = {
	[MWAN_A_POLICY]		= NLA_POLICY_NESTED(mwan_policy_policy),
};

static const struct nla_policy rules_policy[MWAN_A_RULE + 1] = {
	[MWAN_A_RULE]		= NLA_POLICY_NESTED(mwan_rule_policy),
};

static const struct nla_policy replace_policy[MWAN_A_MAX + 1] = {
	[MWAN_A_MARK_MASK]	= { .type = NLA_U32 },
	[MWAN_A_ENABLED]	= NLA_POLICY_MAX(NLA_U8, 1),
	[MWAN_A_DEFAULT_POLICY]	= NLA_POLICY_MAX(NLA_U32, MWAN_POLICY_ID_MAX),
	[MWAN_A_LINKS]		= NLA_POLICY_NESTED(links_policy),
	[MWAN_A_POLICIES]	= NLA_POLICY_NESTED(policies_policy),
	[MWAN_A_RULES]		= NLA_POLICY_NESTED(rules_policy),
};

#define OP(c, fn, pol, fl) { .cmd = (c), .doit = (fn), .policy = (pol), \
			     .maxattr = MWAN_A_MAX, .flags = (fl) }
#define GET_OP(c, fn, pol) { .cmd = (c), .doit = (fn), \
			     .dumpit = dump_objects, .policy = (pol), \
			     .maxattr = MWAN_A_MAX }
#define ADMIN GENL_UNS_ADMIN_PERM

static const struct genl_ops mwan_ops[] = {
	{ .cmd = MWAN_CMD_GLOBALS_GET, .doit = do_globals_get },
	OP(MWAN_CMD_GLOBALS_SET, do_globals_set, globals_policy, ADMIN),
	OP(MWAN_CMD_LINK_NEW, do_link_change, link_op_policy, ADMIN),
	OP(MWAN_CMD_LINK_SET, do_link_change, link_op_policy, ADMIN),
	OP(MWAN_CMD_LINK_DEL, do_link_del, link_op_policy, ADMIN),
	GET_OP(MWAN_CMD_LINK_GET, do_link_get, link_op_policy),
	OP(MWAN_CMD_LINK_FLUSH, do_link_flush, link_op_policy, ADMIN),
	OP(MWAN_CMD_POLICY_NEW, do_policy_change, policy_op_policy, ADMIN),
	OP(MWAN_CMD_POLICY_SET, do_policy_change, policy_op_policy, ADMIN),
	OP(MWAN_CMD_POLICY_DEL, do_policy_del, policy_op_policy, ADMIN),
	GET_OP(MWAN_CMD_POLICY_GET, do_policy_get, policy_op_policy),
	OP(MWAN_CMD_RULE_NEW, do_rule_change, rule_op_policy, ADMIN),
	OP(MWAN_CMD_RULE_SET, do_rule_change, rule_op_policy, ADMIN),
	OP(MWAN_CMD_RULE_DEL, do_rule_del, rule_op_policy, ADMIN),
	GET_OP(MWAN_CMD_RULE_GET, do_rule_get, rule_op_policy),
	OP(MWAN_CMD_CONFIG_REPLACE, do_replace, replace_policy, ADMIN),
};

static const struct genl_multicast_group mwan_mcgrps[] = {
	{ .name = MWAN_MCGRP_EVENTS },
};

static struct genl_family mwan_family __ro_after_init = {
	.name = MWAN_GENL_NAME,
	.version = MWAN_GENL_VERSION,
	.maxattr = MWAN_A_MAX,
	.netnsok = true,
	.parallel_ops = true,	/* each netns serialises its own writers */
	.ops = mwan_ops,
	.n_ops = ARRAY_SIZE(mwan_ops),
	.mcgrps = mwan_mcgrps,
	.n_mcgrps = ARRAY_SIZE(mwan_mcgrps),
	.module = THIS_MODULE,
};

int __init mwan_genl_init(void)
{
	return genl_register_family(&mwan_family);
}

void mwan_genl_exit(void)
{
	genl_unregister_family(&mwan_family);
}
