// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "mwanctl.h"

#define SNAP_ALL (SNAP_GLOBALS | SNAP_LINKS | SNAP_POLICIES | SNAP_RULES)

int do_show(struct ctx *ctx, int argc, char **argv)
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
	err = snapshot_load(nl, SNAP_ALL, &cfg);
	if (!err)
		print_config(ctx, &cfg, SNAP_ALL);
	mwan_config_release(&cfg);
	return err;
}
