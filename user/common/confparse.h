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

#endif /* MWAN_CONFPARSE_H */
