/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reader of OpenWrt's UCI files (those in /etc/config), as libuci parses them:
 *
 *   package NAME                  (p)  ignored: one file is one package
 *   config TYPE ['NAME']          (c)  a section; the same NAME again
 *                                      continues it
 *   option NAME 'VALUE'           (o)  the value; given again, replaced
 *   list NAME 'VALUE'             (l)  one more value of a list
 *
 * Words are unquoted, 'single quoted' (taken as they are) or "double
 * quoted" (a backslash takes the next character as it is); parts of one
 * word may be quoted differently ('a'"b"c is "abc"). Quoted text may run
 * over several lines, and a backslash at the end of a line continues the
 * line. '#' starts a comment where a word could start or inside an
 * unquoted one; ';' ends a statement as the end of the line does.
 *
 * Pure parsing: user/tests/test_import.c runs it.
 */
#ifndef MWANCTL_UCI_H
#define MWANCTL_UCI_H

#include <stdbool.h>
#include <stdio.h>

struct uci_option {
	char *name;
	char **v;		/* one value for an option, one per list line */
	unsigned int n;
	bool list;
	unsigned int line;	/* where it was last given */
};

struct uci_section {
	char *type;
	char *name;		/* NULL when anonymous */
	unsigned int line;
	unsigned int index;	/* position among sections of its type */
	struct uci_option *opts;
	unsigned int n_opts;
};

struct uci_file {
	const char *fname;
	struct uci_section *secs;
	unsigned int n_secs;
};

/* 0, or a negative errno after saying what is wrong, naming file and line */
int uci_parse(FILE *f, const char *fname, struct uci_file *u);
void uci_release(struct uci_file *u);

const struct uci_option *uci_opt(const struct uci_section *s,
				 const char *name);
/* The option's value; a list's last one. NULL when not given. */
const char *uci_get(const struct uci_section *s, const char *name);
/* The section of @type named @name */
const struct uci_section *uci_find(const struct uci_file *u, const char *type,
				   const char *name);

#endif /* MWANCTL_UCI_H */
