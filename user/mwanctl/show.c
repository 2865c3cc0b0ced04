// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "mwanctl.h"

#define SNAP_ALL (SNAP_GLOBALS | SNAP_LINKS | SNAP_POLICIES | SNAP_RULES)

/* Load the @load parts of the running config in one snapshot, print @print. */
int show_parts(struct ctx *ctx, int argc, char **argv, unsigned int load,
	       unsigned int print)
{
	struct mwan_config cfg = { 0 };
	struct mwan_nl *nl;
	int err;

	if (argc) {
		pr_err("unexpected argument \"%s\"", argv[0]);
		return -E_USAGE;
	}
	nl = ctx_nl(ctx);
	if (!nl)
		return -ENOENT;
	err = snapshot_load(nl, load, &cfg);
	if (!err)
		print_config(ctx, &cfg, print);
	mwan_config_release(&cfg);
	return err;
}

int do_show(struct ctx *ctx, int argc, char **argv)
{
	return show_parts(ctx, argc, argv, SNAP_ALL, SNAP_ALL);
}
