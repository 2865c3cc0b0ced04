// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "mwanctl.h"

static int globals_show(struct ctx *ctx, int argc, char **argv)
{
	/* the policies name the default policy */
	return show_parts(ctx, argc, argv, SNAP_GLOBALS | SNAP_POLICIES,
			  SNAP_GLOBALS);
}

static int globals_set(struct ctx *ctx, int argc, char **argv)
{
	MWAN_MSG_BUF(buf);
	struct mwan_globals g = { 0 };
	struct nlmsghdr *nlh;
	struct mwan_nl *nl;
	int err;

	err = args_globals(argc, argv, &g);
	if (err)
		return err;
	nl = ctx_nl(ctx);
	if (!nl)
		return -ENOENT;
	if (g.default_policy_name[0]) {
		err = resolve_policy_id(nl, g.default_policy_name,
					&g.default_policy);
		if (err)
			return err;
	}
	nlh = mwan_msg_init(buf, nl->family, MWAN_CMD_GLOBALS_SET, 0);
	mwan_put_globals(nlh, sizeof(buf), &g);
	return mwan_nl_request(nl, nlh, NULL, NULL);
}

const struct cmd globals_cmds[] = {
	{ "show", globals_show, NULL, "",
	  "Print the global settings." },
	{ "set", globals_set, NULL,
	  "[mark-mask MASK] [enabled on|off] [default-policy NAME|none]",
	  "Change the global settings given: the mark bits mwan owns (a new\n"
	  "mask ends every link's connections), whether new connections are\n"
	  "balanced at all, the policy of forwarded connections no rule\n"
	  "matches." },
	{ }
};
