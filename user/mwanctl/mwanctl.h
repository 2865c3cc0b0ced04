/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MWANCTL_H
#define MWANCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "confparse.h"
#include "model.h"
#include "nl.h"
#include "util.h"

struct ctx {
	bool json;
	bool nl_open;
	struct mwan_nl nl;
};

/*
 * A command word with either a handler or a table of subcommands, whose
 * first entry runs when no subcommand is given. Handlers return 0, -E_USAGE
 * after saying what is wrong with the arguments, or another negative errno
 * after reporting the failure.
 */
struct cmd {
	const char *name;
	int (*fn)(struct ctx *ctx, int argc, char **argv);
	const struct cmd *sub;
	const char *usage;	/* what follows the command words */
	const char *help;	/* what it does, for --help; lines of 72 */
};

int cmd_run(struct ctx *ctx, const struct cmd *cmds, const char *path,
	    int argc, char **argv);
/* The netlink socket, opened on first use; NULL after printing why not. */
struct mwan_nl *ctx_nl(struct ctx *ctx);

extern const struct cmd globals_cmds[], link_cmds[], policy_cmds[],
	rule_cmds[], config_cmds[];
int do_show(struct ctx *ctx, int argc, char **argv);
int show_parts(struct ctx *ctx, int argc, char **argv, unsigned int load,
	       unsigned int print);
int do_monitor(struct ctx *ctx, int argc, char **argv);
int do_import_mwan3(struct ctx *ctx, int argc, char **argv);
int do_metrics(struct ctx *ctx, int argc, char **argv);
int do_status(struct ctx *ctx, int argc, char **argv);
int do_flows(struct ctx *ctx, int argc, char **argv);
int do_exec(struct ctx *ctx, int argc, char **argv);

/* resolve.c: look objects up in the kernel by name */
int object_request(struct mwan_nl *nl, struct nlmsghdr *nlh, uint16_t nest,
		   const char *what, const char *name, mwan_cb_t cb,
		   void *data);
int lookup_link(struct mwan_nl *nl, const char *name, struct mwan_link *l);
int lookup_policy(struct mwan_nl *nl, const char *name,
		  struct mwan_policy *p);
int lookup_rule(struct mwan_nl *nl, const char *name, struct mwan_rule *r);
/* fill in the ids of a policy's members / a rule's policy from their names */
int resolve_members(struct mwan_nl *nl, struct mwan_policy *p);
int resolve_policy_id(struct mwan_nl *nl, const char *name, uint32_t *id);

/* snapshot.c: what "show" prints, read consistently */
#define SNAP_GLOBALS	BIT(0)
#define SNAP_LINKS	BIT(1)
#define SNAP_POLICIES	BIT(2)
#define SNAP_RULES	BIT(3)
int snapshot_load(struct mwan_nl *nl, unsigned int what,
		  struct mwan_config *cfg);

/* print.c */
struct json;
void print_globals(const struct mwan_globals *g,
		   const struct mwan_config *names);
void print_link(const struct mwan_link *l, bool details);
void print_policy(const struct mwan_policy *p,
		  const struct mwan_config *names, bool details);
void print_rule(const struct mwan_rule *r, const struct mwan_config *names);
void json_globals(struct json *j, const char *key,
		  const struct mwan_globals *g, const struct mwan_config *names);
void json_link(struct json *j, const char *key, const struct mwan_link *l);
void json_policy(struct json *j, const char *key, const struct mwan_policy *p,
		 const struct mwan_config *names);
void json_rule(struct json *j, const char *key, const struct mwan_rule *r,
	       const struct mwan_config *names);
/* print a snapshot: every array in @what, objects or one array alone */
void print_config(struct ctx *ctx, const struct mwan_config *cfg,
		  unsigned int what);

#endif /* MWANCTL_H */
