// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "mwanctl.h"

static int policy_send(struct mwan_nl *nl, uint8_t cmd,
		       const struct mwan_policy *p)
{
	MWAN_MSG_BUF(buf);
	struct nlmsghdr *nlh;

	nlh = mwan_msg_init(buf, nl->family, cmd, 0);
	if (!mwan_put_policy(nlh, sizeof(buf), MWAN_A_POLICY, p)) {
		pr_err("too many members for one request");
		return -EMSGSIZE;
	}
	return object_request(nl, nlh, MWAN_A_POLICY, "policy", p->name, NULL,
			      NULL);
}

static int policy_show(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_config cfg = { 0 };
	char name[MWAN_NAME_MAX];
	struct mwan_policy *p;
	struct mwan_nl *nl;
	int err;

	if (argc > 1) {
		pr_err("unexpected argument \"%s\"", argv[1]);
		return -E_USAGE;
	}
	if (argc && args_ref_name(argv[0], "policy", name))
		return -EINVAL;
	nl = ctx_nl(ctx);
	if (!nl)
		return -ENOENT;
	/* links: names and weights of the members */
	if (!argc) {
		err = snapshot_load(nl, SNAP_LINKS | SNAP_POLICIES, &cfg);
	} else {
		err = snapshot_load(nl, SNAP_LINKS, &cfg);
		p = err ? NULL : mwan_add_policy(&cfg);
		if (!err)
			err = p ? lookup_policy(nl, name, p) : -ENOMEM;
	}
	if (!err)
		print_config(ctx, &cfg, SNAP_POLICIES);
	mwan_config_release(&cfg);
	return err;
}

static int policy_change(struct ctx *ctx, int argc, char **argv,
			 enum args_mode mode)
{
	struct mwan_policy p = { 0 };
	struct mwan_nl *nl;
	int err;

	err = args_policy(argc, argv, mode, &p);
	if (err)
		goto out;
	nl = ctx_nl(ctx);
	err = nl ? resolve_members(nl, &p) : -ENOENT;
	if (!err)
		err = policy_send(nl, mode == ARGS_ADD ? MWAN_CMD_POLICY_NEW :
				  MWAN_CMD_POLICY_SET, &p);
out:
	mwan_policy_release(&p);
	return err;
}

static int policy_add(struct ctx *ctx, int argc, char **argv)
{
	return policy_change(ctx, argc, argv, ARGS_ADD);
}

static int policy_set(struct ctx *ctx, int argc, char **argv)
{
	return policy_change(ctx, argc, argv, ARGS_SET);
}

static int policy_del(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_policy p = { 0 };
	struct mwan_nl *nl;

	if (argc != 1) {
		if (argc)
			pr_err("unexpected argument \"%s\"", argv[1]);
		else
			pr_err("missing policy name");
		return -E_USAGE;
	}
	if (args_ref_name(argv[0], "policy", p.name))
		return -EINVAL;
	MARK(&p, MWAN_POLICY_A_NAME);
	nl = ctx_nl(ctx);
	return nl ? policy_send(nl, MWAN_CMD_POLICY_DEL, &p) : -ENOENT;
}

const struct cmd policy_cmds[] = {
	{ "show", policy_show, NULL, "[NAME]",
	  "Print every policy with its members by tier, or the one named." },
	{ "add", policy_add, NULL, "NAME [id N] [mode flow|src|src-dst] "
	  "[last-resort unreachable|blackhole|default] "
	  "[member LINK [metric M] [weight W]]...",
	  "Add a policy: the up members of its lowest metric share new\n"
	  "connections by weight; mode flow places each on its own, src\n"
	  "keeps a client on one link, src-dst a client and server pair;\n"
	  "with no member up, the last resort." },
	{ "set", policy_set, NULL, "NAME [mode flow|src|src-dst] "
	  "[last-resort unreachable|blackhole|default] "
	  "[member LINK [metric M] [weight W]]...",
	  "Change what is given; members given replace all members." },
	{ "del", policy_del, NULL, "NAME",
	  "Delete a policy that no rule and not the default names." },
	{ }
};
