// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mwanctl.h"

/* The line of the object whose attributes hold byte @off of @nlh, or 0. */
static unsigned int culprit_line(const struct nlmsghdr *nlh,
				 const struct mwan_config *cfg, uint32_t off)
{
	unsigned int n_links = 0, n_policies = 0, n_rules = 0, *n;
	const struct nlattr *list, *obj;

	/* a list may come in several attributes: count across them */
	mnl_attr_for_each(list, nlh, GENL_HDRLEN) {
		uint16_t type = mnl_attr_get_type(list);

		if (type == MWAN_A_LINKS)
			n = &n_links;
		else if (type == MWAN_A_POLICIES)
			n = &n_policies;
		else if (type == MWAN_A_RULES)
			n = &n_rules;
		else
			continue;
		mnl_attr_for_each_nested(obj, list) {
			uint32_t start = (const char *)obj - (const char *)nlh;

			if (off < start || off >= start + obj->nla_len) {
				(*n)++;
				continue;
			}
			if (type == MWAN_A_LINKS && *n < cfg->n_links)
				return cfg->links[*n].line;
			if (type == MWAN_A_POLICIES && *n < cfg->n_policies)
				return cfg->policies[*n].line;
			if (type == MWAN_A_RULES && *n < cfg->n_rules)
				return cfg->rules[*n].line;
			return 0;
		}
	}
	return 0;
}

/*
 * The kernel names the culprit by its offset in the request: turn that
 * back into the file and line it came from.
 */
static int replace_send(struct mwan_nl *nl, struct nlmsghdr *nlh,
			const struct mwan_config *cfg, const char *fname)
{
	unsigned int line;
	int err;

	err = mwan_nl_request_quiet(nl, nlh, NULL, NULL);
	line = err && nl->ext_offs ? culprit_line(nlh, cfg, nl->ext_offs) : 0;
	if (line)
		fprintf(stderr, "Error: %s:%u: %s\n", fname, line,
			nl->ext_msg[0] ? nl->ext_msg : strerror(-err));
	else
		mwan_nl_report(nl, err);
	return err;
}

static int config_replace(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_config cfg = { 0 };
	const char *fname;
	struct nlmsghdr *nlh;
	struct mwan_nl *nl;
	void *buf = NULL;
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
	buf = malloc(MWAN_CONFIG_MSG_SIZE);
	err = !nl ? -ENOENT : !buf ? -ENOMEM : 0;
	if (err)
		goto out;
	nlh = mwan_msg_init(buf, nl->family, MWAN_CMD_CONFIG_REPLACE, 0);
	if (!mwan_put_config(nlh, MWAN_CONFIG_MSG_SIZE, &cfg)) {
		pr_err("configuration too large for one request (more objects than the kernel takes)");
		err = -EMSGSIZE;
		goto out;
	}
	err = replace_send(nl, nlh, &cfg, fname);
out:
	free(buf);
	mwan_config_release(&cfg);
	return err;
}

const struct cmd config_cmds[] = {
	{ "replace", config_replace, NULL, "FILE" },
	{ }
};
