/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The object syntax of mwanctl's commands and of the configuration file
 * (mwan.conf(5)), shared by mwanctl and mwan-agent: words to model objects
 * (args.c), and a whole file to one model (confparse.c). No netlink I/O.
 */
#ifndef MWAN_CONFPARSE_H
#define MWAN_CONFPARSE_H

#include <stdio.h>

#include "model.h"

/* Returned when the words are wrong: a command prints its usage. */
#define E_USAGE		1000

/* args.c: the object syntax shared by the commands and the config file */
enum args_mode { ARGS_ADD, ARGS_SET };

int args_globals(int argc, char **argv, struct mwan_globals *g);
int args_link(int argc, char **argv, enum args_mode mode, struct mwan_link *l);
int args_policy(int argc, char **argv, enum args_mode mode,
		struct mwan_policy *p);
int args_rule(int argc, char **argv, enum args_mode mode, struct mwan_rule *r);
/* An existing object's NAME as given to set/del/show/flush */
int args_ref_name(const char *s, const char *what, char name[MWAN_NAME_MAX]);

/* confparse.c: text to model, names resolved and ids given within the file */
int config_parse(FILE *f, const char *fname, struct mwan_config *cfg);

/*
 * The file also holds lines only mwan-agent acts on: those whose first word
 * is in config_agent_words. config_parse() skips them, so "mwanctl config
 * replace" takes the agent's file; config_parse_agent() hands each to
 * @fn (words, line number; pr_err() already names file and line), which
 * returns 0 or a negative errno after saying what is wrong.
 */
extern const char *const config_agent_words[];
typedef int (*config_line_fn)(void *data, int argc, char **argv,
			      unsigned int line);
int config_parse_agent(FILE *f, const char *fname, struct mwan_config *cfg,
		       config_line_fn fn, void *data);

struct mwan_nl;
/*
 * confapply.c: @cfg to the kernel in one MWAN_CMD_CONFIG_REPLACE; errors
 * are printed, with the file's line of the object the kernel refused.
 */
int config_apply(struct mwan_nl *nl, const struct mwan_config *cfg,
		 const char *fname);

#endif /* MWAN_CONFPARSE_H */
