// SPDX-License-Identifier: GPL-2.0
/*
 * mwanctl: configure and inspect mwan, the multi-WAN flow balancer.
 *
 * The command line is a tree of words (see the tables here and at the end
 * of each object's file); every object's file owns its subcommands.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mwanctl.h"
#include "netns.h"

#ifndef MWAN_VERSION
#define MWAN_VERSION "unknown"
#endif

static int do_help(struct ctx *ctx, int argc, char **argv);

static const struct cmd top_cmds[] = {
	{ "show", do_show, NULL, "",
	  "Print the globals, every link with its counters, every policy\n"
	  "and every rule, read from one configuration generation." },
	{ "status", do_status, NULL, "[-i|--interval SECONDS]",
	  "What each link does now: its state and what the checks say, its\n"
	  "connections, rates and share of the new connections, read twice\n"
	  "SECONDS apart (default 1; 0: no rates); then policies and rules." },
	{ "flows", do_flows, NULL, "[--link NAME] [--policy NAME] [-s|--summary]",
	  "The connections on the links, from conntrack: one line each, or\n"
	  "with -s a count per link; a link's, a policy's links' or all." },
	{ "exec", do_exec, NULL, "LINK [--] COMMAND [ARG...]",
	  "Run COMMAND so that every connection it and its children open\n"
	  "leaves by LINK, IPv4 and IPv6, static binaries too: it runs in\n"
	  "the cgroup /sys/fs/cgroup/mwan.exec/LINK, whose new sockets get\n"
	  "the link's mark. No failover: a link that is down fails them." },
	{ "globals", NULL, globals_cmds, NULL,
	  "The mark bits mwan owns, whether it balances, the default policy." },
	{ "link", NULL, link_cmds, NULL,
	  "Uplinks: a device each, a state, a weight, address translations." },
	{ "policy", NULL, policy_cmds, NULL,
	  "Tiers of links that share new connections by weight." },
	{ "rule", NULL, rule_cmds, NULL,
	  "Which new connections take which policy; the first match wins." },
	{ "config", NULL, config_cmds, NULL,
	  "The whole configuration at once, from a file." },
	{ "monitor", do_monitor, NULL, "",
	  "Print every change as it happens, until interrupted." },
	{ "metrics", do_metrics, NULL, "",
	  "Every figure the kernel keeps, in Prometheus' text format." },
	{ "import-mwan3", do_import_mwan3, NULL, "FILE [--network FILE]",
	  "Print the mwan.conf(5) that does what the mwan3 configuration\n"
	  "FILE did; the devices from the network file beside it, or\n"
	  "--network FILE. What cannot be carried over is said." },
	{ "help", do_help, NULL, "[COMMAND...]",
	  "Print the usage of every command, or what COMMAND does." },
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
	fprintf(f, "       mwanctl [-j] [-n NETNS] -b|--batch FILE\n");
	print_usage_tree(f, false, "", top_cmds);
	fprintf(f, "       mwanctl --help | --version\n");
	fprintf(f, "\"mwanctl COMMAND --help\" says what a command does; mwanctl(8) all.\n");
}

/* Each line of @text indented */
static void print_indented(const char *text)
{
	const char *nl;

	for (; *text; text = *nl ? nl + 1 : nl) {
		nl = strchr(text, '\n');
		if (!nl)
			nl = text + strlen(text);
		printf("    %.*s\n", (int)(nl - text), text);
	}
}

/* "COMMAND --help": its usage, what it does; a group's, each of them */
static void print_help(const char *path, const struct cmd *c)
{
	const struct cmd *first = c->sub;
	char sub[64];

	if (!c->sub) {
		print_usage_line(stdout, true, path, c);
		print_indented(c->help);
		return;
	}
	snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? " " : "", c->name);
	printf("mwanctl %s: %s\n", sub, c->help);
	for (c = c->sub; c->name; c++) {
		print_usage_line(stdout, c == first, sub, c);
		print_indented(c->help);
	}
}

static bool is_help(const char *s)
{
	return !strcmp(s, "--help") || !strcmp(s, "-h");
}

/* "help link add": the command the words name, and its path */
static const struct cmd *find_cmd(int argc, char **argv, char *path,
				  size_t len)
{
	const struct cmd *cmds = top_cmds, *c = NULL;
	int i;

	path[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (c)
			snprintf(path + strlen(path), len - strlen(path),
				 "%s%s", *path ? " " : "", c->name);
		for (c = cmds; c && c->name && strcmp(c->name, argv[i]); c++)
			;
		if (!c || !c->name) {
			pr_err("unknown command \"%s\"", argv[i]);
			return NULL;
		}
		if (!c->sub && i + 1 < argc) {
			pr_err("\"%s\" has no command \"%s\"", c->name,
			       argv[i + 1]);
			return NULL;
		}
		cmds = c->sub;
	}
	return c;
}

static int do_help(struct ctx *ctx, int argc, char **argv)
{
	const struct cmd *c;
	char path[64];

	(void)ctx;
	if (!argc) {
		usage(stdout);
		return 0;
	}
	c = find_cmd(argc, argv, path, sizeof(path));
	if (!c)
		return -E_USAGE;
	print_help(path, c);
	return 0;
}

int cmd_run(struct ctx *ctx, const struct cmd *cmds, const char *path,
	    int argc, char **argv)
{
	const struct cmd *c = cmds;
	char sub[64];
	int i, err;

	if (argc) {
		for (; c->name && strcmp(c->name, argv[0]); c++)
			;
		if (!c->name && is_help(argv[0])) {
			print_usage_tree(stdout, true, path, cmds);
			return 0;
		}
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
		if (argc && is_help(argv[0])) {
			print_help(path, c);
			return 0;
		}
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? " " : "",
			 c->name);
		return cmd_run(ctx, c->sub, sub, argc, argv);
	}
	/* "-h" only first: it could be a name further on */
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || (!i && is_help(argv[i]))) {
			print_help(path, c);
			return 0;
		}
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

#define BATCH_WORDS	256

/*
 * Split @line into blank-separated words in place; a word starting with
 * '#' ends the line. Returns how many, or -1 if there are too many.
 */
static int split_words(char *line, char **words)
{
	int n = 0;
	char *w;

	for (w = strtok(line, " \t\r\n"); w; w = strtok(NULL, " \t\r\n")) {
		if (*w == '#')
			break;
		if (n == BATCH_WORDS)
			return -1;
		words[n++] = w;
	}
	return n;
}

/*
 * "-b FILE": one command a line, all on one netlink socket, like "ip
 * -batch": a storm of changes or a script costs one program, not one per
 * line. The first failing line ends it, named by file and line.
 */
static int run_batch(struct ctx *ctx, const char *fname)
{
	char *line = NULL, *words[BATCH_WORDS];
	unsigned int lineno = 0;
	size_t cap = 0;
	int n, err = 0;
	FILE *f;

	f = strcmp(fname, "-") ? fopen(fname, "r") : stdin;
	if (!f) {
		pr_err("cannot open %s: %s", fname, strerror(errno));
		return -ENOENT;
	}
	if (f == stdin)
		fname = "<stdin>";
	while (!err && getline(&line, &cap, f) >= 0) {
		lineno++;
		n = split_words(line, words);
		err_context(fname, lineno);
		if (n < 0) {
			pr_err("more than %d words", BATCH_WORDS);
			err = -E_USAGE;
		} else if (n) {
			optind = 0;	/* a command's own options start over */
			err = cmd_run(ctx, top_cmds, "", n, words);
		}
		err_context(NULL, 0);
		/* what a command printed, before the next one runs */
		fflush(stdout);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "netns", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "batch", required_argument, NULL, 'b' },
		{ }
	};
	const char *batch = NULL;
	struct ctx ctx = { 0 };
	int c, err;

	/* "+": options end at the first word, "link del -x" is a name */
	while ((c = getopt_long(argc, argv, "+jn:hVb:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'b':
			batch = optarg;
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
	if (batch ? optind < argc : optind >= argc) {
		usage(stderr);
		return 1;
	}
	if (batch)
		err = run_batch(&ctx, batch);
	else
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
