// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's whole file: the kernel's lines (links, policies, rules,
 * globals) through the shared parser, and the lines only the agent reads,
 * each to its own parser. Nothing here talks to the kernel: --check, a
 * start and a reload all read the file the same way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "confparse.h"

static int hooks_line(struct agent_conf *ac, int argc, char **argv,
		      unsigned int line)
{
	if (ac->hooks_line) {
		pr_err("\"hooks\" given twice (first on line %u)",
		       ac->hooks_line);
		return -EINVAL;
	}
	if (argc != 2 || argv[1][0] != '/') {
		pr_err("hooks needs one absolute directory: hooks /etc/mwan/hooks.d");
		return -EINVAL;
	}
	if (strlen(argv[1]) >= sizeof(ac->hooks)) {
		pr_err("hooks directory \"%s\" is too long", argv[1]);
		return -ENAMETOOLONG;
	}
	strcpy(ac->hooks, argv[1]);
	ac->hooks_line = line;
	return 0;
}

static int agent_line(void *data, int argc, char **argv, unsigned int line)
{
	struct agent_conf *ac = data;

	if (!strcmp(argv[0], "check"))
		return check_line(&ac->checks, argc, argv, line);
	if (!strcmp(argv[0], "prefix"))
		return prefix_line(&ac->prefixes, argc, argv, line);
	if (!strcmp(argv[0], "hooks"))
		return hooks_line(ac, argc, argv, line);
	return routing_line(&ac->routing, argc, argv, line);
}

void agent_conf_release(struct agent_conf *ac)
{
	checks_release(&ac->checks);
	routing_conf_release(&ac->routing);
	prefix_release(&ac->prefixes);
}

int agent_conf_parse(FILE *f, const char *fname, struct mwan_config *cfg,
		     struct agent_conf *ac)
{
	int err;

	memset(ac, 0, sizeof(*ac));
	routing_conf_init(&ac->routing);
	strcpy(ac->hooks, AGENT_HOOKS_DIR);
	err = config_parse_agent(f, fname, cfg, agent_line, ac);
	if (!err)
		err = checks_resolve(&ac->checks, cfg, fname);
	if (!err)
		err = routing_resolve(&ac->routing, cfg, fname);
	if (!err)
		err = prefix_resolve(&ac->prefixes, cfg, fname);
	return err;
}

int agent_conf_load(const char *fname, struct mwan_config *cfg,
		    struct agent_conf *ac)
{
	FILE *f = fopen(fname, "r");
	int err;

	if (!f) {
		memset(ac, 0, sizeof(*ac));
		pr_err("cannot open %s: %s", fname, strerror(errno));
		return -errno;
	}
	err = agent_conf_parse(f, fname, cfg, ac);
	fclose(f);
	return err;
}
