// SPDX-License-Identifier: GPL-2.0
/*
 * Read what "show" prints. Each dump is consistent by itself (the kernel
 * flags a dump that raced a change and we retry it); several dumps are
 * bracketed by the generation counter and retried when it moved, so names
 * printed for references belong to the same configuration.
 */
#include <errno.h>
#include <stdlib.h>

#include "attr.h"
#include "mwanctl.h"

#define SNAPSHOT_TRIES	5

static int add_link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	struct mwan_config *cfg = data;
	struct mwan_link *l;

	if (attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX))
		return -EBADMSG;
	if (!tb[MWAN_A_LINK])
		return 0;
	l = mwan_add_link(cfg);
	if (!l)
		return -ENOMEM;
	if (mwan_parse_link(tb[MWAN_A_LINK], l)) {
		cfg->n_links--;
		return -EBADMSG;
	}
	return 0;
}

static int add_policy_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	struct mwan_config *cfg = data;
	struct mwan_policy *p;
	int err;

	if (attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX))
		return -EBADMSG;
	if (!tb[MWAN_A_POLICY])
		return 0;
	p = mwan_add_policy(cfg);
	if (!p)
		return -ENOMEM;
	err = mwan_parse_policy(tb[MWAN_A_POLICY], p);
	if (err) {
		cfg->n_policies--;
		return err == -ENOMEM ? err : -EBADMSG;
	}
	return 0;
}

static int add_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	struct mwan_config *cfg = data;
	struct mwan_rule *r;

	if (attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX))
		return -EBADMSG;
	if (!tb[MWAN_A_RULE])
		return 0;
	r = mwan_add_rule(cfg);
	if (!r)
		return -ENOMEM;
	if (mwan_parse_rule(tb[MWAN_A_RULE], r)) {
		cfg->n_rules--;
		return -EBADMSG;
	}
	return 0;
}

static void reset_links(void *data)
{
	struct mwan_config *cfg = data;

	cfg->n_links = 0;
}

static void reset_policies(void *data)
{
	struct mwan_config *cfg = data;
	unsigned int i;

	for (i = 0; i < cfg->n_policies; i++)
		mwan_policy_release(&cfg->policies[i]);
	cfg->n_policies = 0;
}

static void reset_rules(void *data)
{
	struct mwan_config *cfg = data;

	cfg->n_rules = 0;
}

static int globals_cb(const struct nlmsghdr *nlh, void *data)
{
	return mwan_parse_globals(nlh, data) ? -EBADMSG : 0;
}

static int globals_get(struct mwan_nl *nl, struct mwan_globals *g)
{
	MWAN_MSG_BUF(buf);
	struct nlmsghdr *nlh;

	nlh = mwan_msg_init(buf, nl->family, MWAN_CMD_GLOBALS_GET, 0);
	return mwan_nl_request(nl, nlh, globals_cb, g);
}

static int cmp_link(const void *a, const void *b)
{
	const struct mwan_link *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_policy(const void *a, const void *b)
{
	const struct mwan_policy *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_rule(const void *a, const void *b)
{
	const struct mwan_rule *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int snapshot_try(struct mwan_nl *nl, unsigned int what,
			struct mwan_config *cfg)
{
	int err = 0;

	if (what & SNAP_GLOBALS)
		err = globals_get(nl, &cfg->globals);
	if (!err && (what & SNAP_LINKS))
		err = mwan_nl_dump(nl, MWAN_CMD_LINK_GET, add_link_cb,
				   reset_links, cfg);
	if (!err && (what & SNAP_POLICIES))
		err = mwan_nl_dump(nl, MWAN_CMD_POLICY_GET, add_policy_cb,
				   reset_policies, cfg);
	if (!err && (what & SNAP_RULES))
		err = mwan_nl_dump(nl, MWAN_CMD_RULE_GET, add_rule_cb,
				   reset_rules, cfg);
	return err;
}

int snapshot_load(struct mwan_nl *nl, unsigned int what,
		  struct mwan_config *cfg)
{
	/* one dump alone needs no bracket */
	bool bracket = what & (what - 1);
	struct mwan_globals after;
	int try, err;

	if (bracket)
		what |= SNAP_GLOBALS;
	for (try = 0; try < SNAPSHOT_TRIES; try++) {
		mwan_config_release(cfg);
		err = snapshot_try(nl, what, cfg);
		if (err || !bracket)
			break;
		err = globals_get(nl, &after);
		if (err || !HAS(&after, MWAN_A_GENERATION) ||
		    after.generation == cfg->globals.generation)
			break;
	}
	if (err)
		return err;
	/* the kernel's order is its own business: print by id */
	if (cfg->n_links > 1)
		qsort(cfg->links, cfg->n_links, sizeof(*cfg->links), cmp_link);
	if (cfg->n_policies > 1)
		qsort(cfg->policies, cfg->n_policies, sizeof(*cfg->policies),
		      cmp_policy);
	if (cfg->n_rules > 1)
		qsort(cfg->rules, cfg->n_rules, sizeof(*cfg->rules), cmp_rule);
	return 0;
}
