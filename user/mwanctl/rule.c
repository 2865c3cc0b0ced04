// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "mwanctl.h"

#define RULE_MATCHES "[family ipv4|ipv6] [proto tcp|udp|icmp|icmpv6|NUM] " \
	"[src PREFIX] [dst PREFIX] [sport P[-P]] [dport P[-P]] [iif DEV] " \
	"[mark V[/M]] [cgroup PATH] [local] [no-forward]"

static int rule_send(struct mwan_nl *nl, uint8_t cmd, const struct mwan_rule *r)
{
	MWAN_MSG_BUF(buf);
	struct nlmsghdr *nlh;

	nlh = mwan_msg_init(buf, nl->family, cmd, 0);
	mwan_put_rule(nlh, sizeof(buf), MWAN_A_RULE, r);
	return object_request(nl, nlh, MWAN_A_RULE, "rule", r->name, NULL,
			      NULL);
}

static int rule_show(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_config cfg = { 0 };
	char name[MWAN_NAME_MAX];
	struct mwan_rule *r;
	struct mwan_nl *nl;
	int err;

	if (argc > 1) {
		pr_err("unexpected argument \"%s\"", argv[1]);
		return -E_USAGE;
	}
	if (argc && args_ref_name(argv[0], "rule", name))
		return -EINVAL;
	nl = ctx_nl(ctx);
	if (!nl)
		return -ENOENT;
	/* policies: the names rules refer to */
	if (!argc) {
		err = snapshot_load(nl, SNAP_POLICIES | SNAP_RULES, &cfg);
	} else {
		err = snapshot_load(nl, SNAP_POLICIES, &cfg);
		r = err ? NULL : mwan_add_rule(&cfg);
		if (!err)
			err = r ? lookup_rule(nl, name, r) : -ENOMEM;
	}
	if (!err)
		print_config(ctx, &cfg, SNAP_RULES);
	mwan_config_release(&cfg);
	return err;
}

static int rule_add(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_rule r = { 0 };
	struct mwan_nl *nl;
	int err;

	err = args_rule(argc, argv, ARGS_ADD, &r);
	if (err)
		return err;
	nl = ctx_nl(ctx);
	if (!nl)
		return -ENOENT;
	err = resolve_policy_id(nl, r.policy_name, &r.policy);
	if (err)
		return err;
	MARK(&r, MWAN_RULE_A_POLICY);
	return rule_send(nl, MWAN_CMD_RULE_NEW, &r);
}

/* The given matches replace the rule's; its policy stays unless given. */
static int rule_set(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_rule r = { 0 };
	struct mwan_nl *nl;
	int err;

	err = args_rule(argc, argv, ARGS_SET, &r);
	if (err)
		return err;
	nl = ctx_nl(ctx);
	if (!nl)
		return -ENOENT;
	if (r.policy_name[0]) {
		err = resolve_policy_id(nl, r.policy_name, &r.policy);
		if (err)
			return err;
		MARK(&r, MWAN_RULE_A_POLICY);
	}
	return rule_send(nl, MWAN_CMD_RULE_SET, &r);
}

static int rule_del(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_rule r = { 0 };
	struct mwan_nl *nl;

	if (argc != 1) {
		if (argc)
			pr_err("unexpected argument \"%s\"", argv[1]);
		else
			pr_err("missing rule name");
		return -E_USAGE;
	}
	if (args_ref_name(argv[0], "rule", r.name))
		return -EINVAL;
	MARK(&r, MWAN_RULE_A_NAME);
	nl = ctx_nl(ctx);
	return nl ? rule_send(nl, MWAN_CMD_RULE_DEL, &r) : -ENOENT;
}

const struct cmd rule_cmds[] = {
	{ "show", rule_show, NULL, "[NAME]",
	  "Print every rule in the order they are tried, or the one named." },
	{ "add", rule_add, NULL, "NAME [id N] policy POLICY " RULE_MATCHES,
	  "Add a rule: new connections it matches (all its matches) take\n"
	  "POLICY; rules are tried in id order, the first match wins. local:\n"
	  "the router's own IPv4 connections too. cgroup: only the router's own\n"
	  "IPv4 connections from sockets made in that cgroup v2 or below it\n"
	  "(implies local, no-forward and family ipv4)." },
	{ "set", rule_set, NULL, "NAME [policy POLICY] " RULE_MATCHES,
	  "Replace the rule's matches with those given; the policy stays\n"
	  "unless given." },
	{ "del", rule_del, NULL, "NAME",
	  "Delete a rule." },
	{ }
};
