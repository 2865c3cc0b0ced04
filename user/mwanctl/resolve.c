// SPDX-License-Identifier: GPL-2.0
/*
 * Objects looked up in the kernel by name. An object addresses itself by
 * name in a request, but references to other objects (members' links, a
 * rule's policy, the default policy) are ids, so those names are resolved
 * here first: nothing is sent before every name is known.
 */
#include <errno.h>
#include <string.h>

#include "attr.h"
#include "mwanctl.h"

struct lookup {
	uint16_t nest;		/* MWAN_A_LINK, ... */
	int (*parse)(const struct nlattr *nest, void *obj);
	void *obj;
	bool found;
};

static int parse_link(const struct nlattr *nest, void *obj)
{
	return mwan_parse_link(nest, obj);
}

static int parse_policy(const struct nlattr *nest, void *obj)
{
	return mwan_parse_policy(nest, obj);
}

static int parse_rule(const struct nlattr *nest, void *obj)
{
	return mwan_parse_rule(nest, obj);
}

static int lookup_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	struct lookup *lk = data;
	int err;

	if (lk->found)
		return 0;
	if (attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX))
		return -EBADMSG;
	if (!tb[lk->nest])
		return 0;
	err = lk->parse(tb[lk->nest], lk->obj);
	lk->found = !err;
	return err == -ENOMEM ? err : err ? -EBADMSG : 0;
}

/* GET with { NAME } in @nest; -ENOENT when there is no such object */
static int lookup(struct mwan_nl *nl, uint8_t cmd, struct lookup *lk,
		  uint16_t name_attr, const char *name, const char *what)
{
	MWAN_MSG_BUF(buf);
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int err;

	nlh = mwan_msg_init(buf, nl->family, cmd, 0);
	nest = mnl_attr_nest_start(nlh, lk->nest);
	mnl_attr_put_strz(nlh, name_attr, name);
	mnl_attr_nest_end(nlh, nest);

	err = mwan_nl_request_quiet(nl, nlh, lookup_cb, lk);
	if (!err && !lk->found)
		err = -ENOENT;
	if (err == -ENOENT)
		pr_err("unknown %s \"%s\"", what, name);
	else if (err == -EBADMSG)
		pr_err("malformed reply from the kernel");
	else if (err)
		mwan_nl_perror(nl, err);
	return err;
}

int lookup_link(struct mwan_nl *nl, const char *name, struct mwan_link *l)
{
	struct lookup lk = { .nest = MWAN_A_LINK, .parse = parse_link, .obj = l };

	return lookup(nl, MWAN_CMD_LINK_GET, &lk, MWAN_LINK_A_NAME, name,
		      "link");
}

int lookup_policy(struct mwan_nl *nl, const char *name, struct mwan_policy *p)
{
	struct lookup lk = { .nest = MWAN_A_POLICY, .parse = parse_policy,
			     .obj = p };

	return lookup(nl, MWAN_CMD_POLICY_GET, &lk, MWAN_POLICY_A_NAME, name,
		      "policy");
}

int lookup_rule(struct mwan_nl *nl, const char *name, struct mwan_rule *r)
{
	struct lookup lk = { .nest = MWAN_A_RULE, .parse = parse_rule, .obj = r };

	return lookup(nl, MWAN_CMD_RULE_GET, &lk, MWAN_RULE_A_NAME, name,
		      "rule");
}

int resolve_members(struct mwan_nl *nl, struct mwan_policy *p)
{
	struct mwan_link l;
	unsigned int i;
	int err;

	for (i = 0; i < p->n_members; i++) {
		err = lookup_link(nl, p->members[i].link_name, &l);
		if (err)
			return err;
		p->members[i].link = l.id;
	}
	return 0;
}

int resolve_policy_id(struct mwan_nl *nl, const char *name, uint32_t *id)
{
	struct mwan_policy p = { 0 };
	int err;

	err = lookup_policy(nl, name, &p);
	if (!err)
		*id = p.id;
	mwan_policy_release(&p);
	return err;
}

/* Where the NAME inside the top-level @nest of @nlh is, 0 if nowhere */
static uint32_t name_offset(const struct nlmsghdr *nlh, uint16_t nest)
{
	const struct nlattr *a, *b;

	uint16_t name = nest == MWAN_A_LINK ? MWAN_LINK_A_NAME :
			nest == MWAN_A_POLICY ? MWAN_POLICY_A_NAME :
			MWAN_RULE_A_NAME;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != nest)
			continue;
		mnl_attr_for_each_nested(b, a)
			if (mnl_attr_get_type(b) == name)
				return (const char *)b - (const char *)nlh;
	}
	return 0;
}

/*
 * A request about one object, addressed by @name in @nest. When the kernel
 * blames that very NAME attribute for a missing or duplicate object, say so
 * with the name ("unknown link "wan9""); else print its own message.
 */
int object_request(struct mwan_nl *nl, struct nlmsghdr *nlh, uint16_t nest,
		   const char *what, const char *name, mwan_cb_t cb,
		   void *data)
{
	uint32_t off = name_offset(nlh, nest);
	int err = mwan_nl_request_quiet(nl, nlh, cb, data);
	bool at_name = off && nl->ext_offs == off;

	if (err == -ENOENT && at_name)
		pr_err("unknown %s \"%s\"", what, name);
	else if (err == -EEXIST && at_name)
		pr_err("%s \"%s\" already exists", what, name);
	else
		mwan_nl_report(nl, err);
	return err;
}
