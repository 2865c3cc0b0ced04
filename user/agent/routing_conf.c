// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's routing lines of mwan.conf(5):
 *
 *   routing off
 *   routing [table-base N] [pref-base N]
 *   route LINK [table N] [via ADDRESS]...
 *
 * Pure parsing, run by user/tests/test_routing.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "routing.h"
#include "util.h"

/* Rules must stay ahead of main's (32766), guards included */
#define PREF_BASE_MAX	(32766 - ROUTING_GUARD_OFFSET - MWAN_LINK_ID_MAX - 1)
/* 253..255 are default, main and local; 252 is "compat" in dumps */
#define TABLE_RESERVED(t)	((t) == 0 || ((t) >= 252 && (t) <= 255))

void routing_conf_init(struct routing_conf *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->table_base = ROUTING_TABLE_BASE;
	rc->pref_base = ROUTING_PREF_BASE;
}

static int u32_opt(const char *kw, const char *val, uint32_t min,
		   uint32_t max, uint32_t *v)
{
	if (!parse_u32(val, min, max, v))
		return 0;
	pr_err("invalid %s \"%s\" (%u..%u)", kw, val, min, max);
	return -EINVAL;
}

static int routing_global(struct routing_conf *rc, int argc, char **argv,
			  unsigned int line)
{
	int i;

	if (rc->line) {
		pr_err("\"routing\" given twice (first on line %u)", rc->line);
		return -EINVAL;
	}
	rc->line = line;
	if (argc == 2 && !strcmp(argv[1], "off")) {
		rc->off = true;
		return 0;
	}
	for (i = 1; i < argc; i += 2) {
		const char *kw = argv[i];
		uint32_t max = UINT32_MAX - MWAN_LINK_ID_MAX;

		if (strcmp(kw, "table-base") && strcmp(kw, "pref-base")) {
			pr_err("unknown keyword \"%s\" (off, table-base, pref-base)",
			       kw);
			return -EINVAL;
		}
		if (i + 1 >= argc) {
			pr_err("%s needs a value", kw);
			return -EINVAL;
		}
		if (!strcmp(kw, "table-base")) {
			if (u32_opt(kw, argv[i + 1], 1, max, &rc->table_base))
				return -EINVAL;
		} else if (u32_opt(kw, argv[i + 1], 1, PREF_BASE_MAX,
				   &rc->pref_base)) {
			return -EINVAL;
		}
	}
	return 0;
}

static int route_via(struct route_link_conf *c, const char *s)
{
	if (inet_pton(AF_INET, s, c->via4) == 1) {
		if (c->has_via4) {
			pr_err("a second IPv4 via \"%s\"", s);
			return -EINVAL;
		}
		c->has_via4 = true;
		return 0;
	}
	if (inet_pton(AF_INET6, s, c->via6) == 1) {
		if (c->has_via6) {
			pr_err("a second IPv6 via \"%s\"", s);
			return -EINVAL;
		}
		c->has_via6 = true;
		return 0;
	}
	pr_err("invalid via \"%s\" (an IPv4 or IPv6 address)", s);
	return -EINVAL;
}

static int route_link(struct routing_conf *rc, int argc, char **argv,
		      unsigned int line)
{
	struct route_link_conf c = { .line = line };
	const struct route_link_conf *old;
	int i, err;

	if (argc < 2) {
		pr_err("route needs a link: route LINK [table N] [via ADDRESS]...");
		return -EINVAL;
	}
	err = parse_name(argv[1], c.link);
	if (err) {
		pr_err("invalid link name \"%s\"", argv[1]);
		return -EINVAL;
	}
	old = routing_link_conf(rc, c.link);
	if (old) {
		pr_err("route for \"%s\" given twice (first on line %u)",
		       c.link, old->line);
		return -EINVAL;
	}
	for (i = 2; i < argc; i += 2) {
		if (strcmp(argv[i], "table") && strcmp(argv[i], "via")) {
			pr_err("unknown keyword \"%s\" (table, via)", argv[i]);
			return -EINVAL;
		}
		if (i + 1 >= argc) {
			pr_err("%s needs a value", argv[i]);
			return -EINVAL;
		}
		if (!strcmp(argv[i], "via"))
			err = route_via(&c, argv[i + 1]);
		else
			err = u32_opt("table", argv[i + 1], 1, UINT32_MAX,
				      &c.table);
		if (err)
			return err;
		if (c.table && TABLE_RESERVED(c.table)) {
			pr_err("table %u is reserved (default, main, local)",
			       c.table);
			return -EINVAL;
		}
	}
	if (!array_add(&rc->links, &rc->n_links, sizeof(c)))
		return -ENOMEM;
	rc->links[rc->n_links - 1] = c;
	return 0;
}

int routing_line(struct routing_conf *rc, int argc, char **argv,
		 unsigned int line)
{
	if (!strcmp(argv[0], "routing"))
		return routing_global(rc, argc, argv, line);
	return route_link(rc, argc, argv, line);
}

const struct route_link_conf *routing_link_conf(const struct routing_conf *rc,
						const char *link)
{
	unsigned int i;

	for (i = 0; i < rc->n_links; i++)
		if (!strcmp(rc->links[i].link, link))
			return &rc->links[i];
	return NULL;
}

static uint32_t link_table(const struct routing_conf *rc,
			   const struct mwan_link *l)
{
	const struct route_link_conf *c = routing_link_conf(rc, l->name);

	return c && c->table ? c->table : rc->table_base + l->id;
}

/* The line that gave link @l its table: its route line, or its own */
static void table_context(const struct routing_conf *rc,
			  const struct mwan_link *l, const char *fname)
{
	const struct route_link_conf *c = routing_link_conf(rc, l->name);

	if (c && c->table)
		err_context(fname, c->line);
	else if (rc->line)
		err_context(fname, rc->line);
	else
		err_context(fname, l->line);
}

/* Two links sharing a table would route each other's connections. */
static int check_tables(const struct routing_conf *rc,
			const struct mwan_config *cfg, const char *fname)
{
	unsigned int i, j;
	uint32_t t;

	for (i = 0; i < cfg->n_links; i++) {
		t = link_table(rc, &cfg->links[i]);
		table_context(rc, &cfg->links[i], fname);
		if (TABLE_RESERVED(t)) {
			pr_err("link \"%s\" would get table %u, which is reserved: change table-base or give it a table",
			       cfg->links[i].name, t);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (link_table(rc, &cfg->links[j]) != t)
				continue;
			pr_err("links \"%s\" and \"%s\" would share table %u",
			       cfg->links[j].name, cfg->links[i].name, t);
			return -EINVAL;
		}
	}
	return 0;
}

int routing_resolve(const struct routing_conf *rc,
		    const struct mwan_config *cfg, const char *fname)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < rc->n_links && !err; i++) {
		if (mwan_link_by_name(cfg, rc->links[i].link))
			continue;
		err_context(fname, rc->links[i].line);
		pr_err("route of unknown link \"%s\"", rc->links[i].link);
		err = -ENOENT;
	}
	if (!err && rc->off && rc->n_links) {
		err_context(fname, rc->links[0].line);
		pr_err("route line with \"routing off\" (line %u)", rc->line);
		err = -EINVAL;
	}
	if (!err && !rc->off)
		err = check_tables(rc, cfg, fname);
	err_context(NULL, 0);
	return err;
}

void routing_conf_release(struct routing_conf *rc)
{
	free(rc->links);
	rc->links = NULL;
	rc->n_links = 0;
}
