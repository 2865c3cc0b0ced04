/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Links, policies, rules and globals to and from netlink attributes. Every
 * parse applies to a private config clone, checks what it can against the
 * rest of that clone, and on error names the offending attribute.
 */
#ifndef _MWAN_NL_OBJECTS_H
#define _MWAN_NL_OBJECTS_H

#include <net/netlink.h>
#include "config.h"

struct mwan_net;

/* NL_SET_ERR_MSG_ATTR() takes only a string literal, hence a macro. */
#define MWAN_FAIL_ATTR(extack, attr, err, msg) \
	({ NL_SET_ERR_MSG_ATTR(extack, attr, msg); err; })

enum mwan_apply {
	MWAN_APPLY_NEW,		/* create; id optional */
	MWAN_APPLY_SET,		/* change an existing object */
	MWAN_APPLY_REPLACE,	/* create inside a whole new config; id required */
};

extern const struct nla_policy mwan_link_policy[MWAN_LINK_A_MAX + 1];
extern const struct nla_policy mwan_policy_policy[MWAN_POLICY_A_MAX + 1];
extern const struct nla_policy mwan_rule_policy[MWAN_RULE_A_MAX + 1];

int mwan_apply_mark_mask(struct mwan_config *cfg, const struct nlattr *attr,
			 struct netlink_ext_ack *extack);
int mwan_apply_globals(struct mwan_config *cfg, struct nlattr **attrs,
		       struct netlink_ext_ack *extack);
int mwan_apply_link(struct mwan_config *cfg, const struct nlattr *nest,
		    enum mwan_apply how, u32 *id,
		    struct netlink_ext_ack *extack);
int mwan_apply_policy(struct mwan_config *cfg, const struct nlattr *nest,
		      enum mwan_apply how, u32 *id,
		      struct netlink_ext_ack *extack);
int mwan_apply_rule(struct mwan_config *cfg, const struct nlattr *nest,
		    enum mwan_apply how, u32 *id,
		    struct netlink_ext_ack *extack);

int mwan_find_link(struct mwan_config *cfg, const struct nlattr *nest,
		   struct netlink_ext_ack *extack);
int mwan_find_policy(struct mwan_config *cfg, const struct nlattr *nest,
		     struct netlink_ext_ack *extack);
int mwan_find_rule(const struct mwan_config *cfg, const struct nlattr *nest,
		   struct netlink_ext_ack *extack);

int mwan_check_devices(const struct mwan_config *cfg,
		       struct netlink_ext_ack *extack);
int mwan_link_in_use(const struct mwan_config *cfg, u8 id);
int mwan_policy_in_use(const struct mwan_config *cfg, u8 id);

int mwan_fill_globals(struct sk_buff *msg, const struct mwan_config *cfg);
int mwan_fill_link(struct sk_buff *msg, struct mwan_net *mn,
		   const struct mwan_config *cfg, const struct mwan_link *link);
int mwan_fill_policy(struct sk_buff *msg, struct mwan_net *mn,
		     const struct mwan_policy *p);
int mwan_fill_rule(struct sk_buff *msg, const struct mwan_rule *r);
int mwan_fill_ref(struct sk_buff *msg, int attr, u32 id, const char *name);

#endif /* _MWAN_NL_OBJECTS_H */
