// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mwanctl.h"

static int config_replace(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_config cfg = { 0 };
	const char *fname;
	struct mwan_nl *nl;
	FILE *f;
	int err;

	if (argc != 1) {
		if (argc)
			pr_err("unexpected argument \"%s\"", argv[1]);
		else
			pr_err("missing FILE");
		return -E_USAGE;
	}
	if (!strcmp(argv[0], "-")) {
		f = stdin;
		fname = "<stdin>";
	} else {
		f = fopen(argv[0], "r");
		fname = argv[0];
		if (!f) {
			pr_err("cannot open %s: %s", fname, strerror(errno));
			return -errno;
		}
	}
	/* the whole file first: a mistake anywhere sends nothing */
	err = config_parse(f, fname, &cfg);
	if (f != stdin)
		fclose(f);
	if (err)
		goto out;

	nl = ctx_nl(ctx);
	err = nl ? config_apply(nl, &cfg, fname) : -ENOENT;
out:
	mwan_config_release(&cfg);
	return err;
}

const struct cmd config_cmds[] = {
	{ "replace", config_replace, NULL, "FILE",
	  "Replace the whole configuration with FILE's (- reads standard\n"
	  "input, mwan.conf(5) too): all of it, or nothing if a line is\n"
	  "wrong." },
	{ }
};
