// SPDX-License-Identifier: GPL-2.0
/*
 * mwanctl: configure and inspect mwan, the multi-WAN flow balancer.
 *
 * The command line is a tree of words (see the tables here and at the end
 * of each object's file); every object's file owns its subcommands.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mwanctl.h"
#include "netns.h"

#ifndef MWAN_VERSION
#define MWAN_VERSION "unknown"
#endif

static int do_help(struct ctx *ctx, int argc, char **argv);

static const struct cmd top_cmds[] = {
	{ "show", do_show, NULL, "" },
	{ "status", do_status, NULL, "[-i|--interval SECONDS]" },
	{ "flows", do_flows, NULL, "[--link NAME] [--policy NAME] [-s|--summary]" },
	{ "globals", NULL, globals_cmds, NULL },
	{ "link", NULL, link_cmds, NULL },
	{ "policy", NULL, policy_cmds, NULL },
	{ "rule", NULL, rule_cmds, NULL },
	{ "config", NULL, config_cmds, NULL },
	{ "monitor", do_monitor, NULL, "" },
	{ "metrics", do_metrics, NULL, "" },
	{ "import-mwan3", do_import_mwan3, NULL, "FILE [--network FILE]" },
	{ "help", do_help, NULL, "" },
	{ }
};

static void print_usage_line(FILE *f, bool first, const char *path,
			     const struct cmd *c)
{
	fprintf(f, "%s mwanctl %s%s%s%s%s\n", first ? "Usage:" : "      ",
		path, *path ? " " : "", c->name, *c->usage ? " " : "",
		c->usage);
}

/* Every usage line under @cmds, depth first. */
static bool print_usage_tree(FILE *f, bool first, const char *path,
			     const struct cmd *cmds)
{
	char sub[64];

	for (; cmds->name; cmds++) {
		if (!cmds->sub) {
			print_usage_line(f, first, path, cmds);
			first = false;
			continue;
		}
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? " " : "",
			 cmds->name);
		first = print_usage_tree(f, first, sub, cmds->sub);
	}
	return first;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: mwanctl [-j|--json] [-n|--netns NETNS] COMMAND [ARGS]\n");
	print_usage_tree(f, false, "", top_cmds);
	fprintf(f, "       mwanctl --help | --version\n");
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc) {
		pr_err("unexpected argument \"%s\"", argv[0]);
		return -E_USAGE;
	}
	usage(stdout);
	return 0;
}

int cmd_run(struct ctx *ctx, const struct cmd *cmds, const char *path,
	    int argc, char **argv)
{
	const struct cmd *c = cmds;
	char sub[64];
	int err;

	if (argc) {
		for (; c->name && strcmp(c->name, argv[0]); c++)
			;
		if (!c->name) {
			pr_err("unknown command \"%s%s%s\"", path,
			       *path ? " " : "", argv[0]);
			print_usage_tree(stderr, true, path, cmds);
			return -E_USAGE;
		}
		argc--;
		argv++;
	}
	if (c->sub) {
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? " " : "",
			 c->name);
		return cmd_run(ctx, c->sub, sub, argc, argv);
	}
	err = c->fn(ctx, argc, argv);
	if (err == -E_USAGE)
		print_usage_line(stderr, true, path, c);
	return err;
}

struct mwan_nl *ctx_nl(struct ctx *ctx)
{
	if (!ctx->nl_open) {
		if (mwan_nl_open(&ctx->nl))
			return NULL;
		ctx->nl_open = true;
	}
	return &ctx->nl;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "netns", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ }
	};
	struct ctx ctx = { 0 };
	int c, err;

	/* "+": options end at the first word, "link del -x" is a name */
	while ((c = getopt_long(argc, argv, "+jn:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'n':
			if (netns_enter(optarg))
				return 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mwanctl %s (mwan netlink API version %d)\n",
			       MWAN_VERSION, MWAN_GENL_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	err = cmd_run(&ctx, top_cmds, "", argc - optind, argv + optind);
	if (ctx.nl_open)
		mwan_nl_close(&ctx.nl);
	/* a full disk or a closed pipe must not look like success */
	if (fflush(stdout) || ferror(stdout)) {
		pr_err("cannot write the output");
		return 1;
	}
	return err ? 1 : 0;
}
