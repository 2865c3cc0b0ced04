// SPDX-License-Identifier: GPL-2.0
/*
 * mwanctl import-mwan3 FILE [--network FILE]: the files read, the network
 * file found beside the mwan3 one, the conversion (import.c) to stdout.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import.h"
#include "mwanctl.h"

static int read_uci(const char *fname, struct uci_file *u)
{
	FILE *f = strcmp(fname, "-") ? fopen(fname, "r") : stdin;
	int err;

	if (!f) {
		err = -errno;
		pr_err("cannot open %s: %s", fname, strerror(errno));
		return err;
	}
	err = uci_parse(f, f == stdin ? "<stdin>" : fname, u);
	if (f != stdin)
		fclose(f);
	return err;
}

/* "network" in the mwan3 file's folder, as in /etc/config; NULL if none */
static char *network_beside(const char *fname)
{
	char *copy = strdup(fname), *path = NULL;

	if (copy && strcmp(fname, "-") &&
	    asprintf(&path, "%s/network", dirname(copy)) < 0)
		path = NULL;
	free(copy);
	if (path && access(path, F_OK)) {
		free(path);
		path = NULL;
	}
	return path;
}

int do_import_mwan3(struct ctx *ctx, int argc, char **argv)
{
	struct uci_file m = { 0 }, net = { 0 };
	const char *fname = NULL, *nname = NULL;
	char *beside = NULL;
	int i, err;

	if (ctx->json) {
		pr_err("import-mwan3 writes mwan.conf(5): it has no JSON form");
		return -E_USAGE;
	}
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--network") && i + 1 < argc) {
			nname = argv[++i];
		} else if (!strcmp(argv[i], "--network")) {
			pr_err("\"--network\" needs a file");
			return -E_USAGE;
		} else if (!fname) {
			fname = argv[i];
		} else {
			pr_err("unexpected argument \"%s\"", argv[i]);
			return -E_USAGE;
		}
	}
	if (!fname) {
		pr_err("missing FILE (an mwan3 configuration)");
		return -E_USAGE;
	}
	if (!nname)
		nname = beside = network_beside(fname);
	err = read_uci(fname, &m);
	if (!err && nname)
		err = read_uci(nname, &net);
	if (!err)
		err = import_mwan3(&m, nname ? &net : NULL, stdout);
	if (err == -ENOMEM)
		pr_err("out of memory");
	uci_release(&m);
	uci_release(&net);
	free(beside);
	return err;
}
