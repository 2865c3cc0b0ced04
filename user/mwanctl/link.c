// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>

#include "attr.h"
#include "json.h"
#include "mwanctl.h"

/* "link del NAME" and friends: exactly one name */
static int link_name_arg(int argc, char **argv, struct mwan_link *l)
{
	if (argc != 1) {
		if (argc)
			pr_err("unexpected argument \"%s\"", argv[1]);
		else
			pr_err("missing link name");
		return -E_USAGE;
	}
	MARK(l, MWAN_LINK_A_NAME);
	return args_ref_name(argv[0], "link", l->name);
}

static int link_send(struct ctx *ctx, uint8_t cmd, const struct mwan_link *l,
		     mwan_cb_t cb, void *data)
{
	MWAN_MSG_BUF(buf);
	struct mwan_nl *nl = ctx_nl(ctx);
	struct nlmsghdr *nlh;

	if (!nl)
		return -ENOENT;
	nlh = mwan_msg_init(buf, nl->family, cmd, 0);
	mwan_put_link(nlh, sizeof(buf), MWAN_A_LINK, l);
	return object_request(nl, nlh, MWAN_A_LINK, "link", l->name, cb, data);
}

static int link_show(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_config cfg = { 0 };
	char name[MWAN_NAME_MAX];
	struct mwan_link *l;
	struct mwan_nl *nl;
	int err;

	if (argc > 1) {
		pr_err("unexpected argument \"%s\"", argv[1]);
		return -E_USAGE;
	}
	if (argc && args_ref_name(argv[0], "link", name))
		return -EINVAL;
	nl = ctx_nl(ctx);
	if (!nl)
		return -ENOENT;
	if (!argc) {
		err = snapshot_load(nl, SNAP_LINKS, &cfg);
	} else {
		l = mwan_add_link(&cfg);
		err = l ? lookup_link(nl, name, l) : -ENOMEM;
	}
	if (!err)
		print_config(ctx, &cfg, SNAP_LINKS);
	mwan_config_release(&cfg);
	return err;
}

static int link_add(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_link l = { 0 };
	int err;

	err = args_link(argc, argv, ARGS_ADD, &l);
	return err ? err : link_send(ctx, MWAN_CMD_LINK_NEW, &l, NULL, NULL);
}

static int link_set(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_link l = { 0 };
	int err;

	err = args_link(argc, argv, ARGS_SET, &l);
	return err ? err : link_send(ctx, MWAN_CMD_LINK_SET, &l, NULL, NULL);
}

static int link_del(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_link l = { 0 };
	int err;

	err = link_name_arg(argc, argv, &l);
	return err ? err : link_send(ctx, MWAN_CMD_LINK_DEL, &l, NULL, NULL);
}

struct flushed {
	bool has;
	uint32_t count;
};

static int flush_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	struct flushed *f = data;

	if (attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX))
		return -EBADMSG;
	if (tb[MWAN_A_FLUSHED])
		f->has = !attr_get_u32(tb[MWAN_A_FLUSHED], &f->count);
	return 0;
}

static int link_flush(struct ctx *ctx, int argc, char **argv)
{
	struct mwan_link l = { 0 };
	struct flushed f = { 0 };
	struct json j;
	int err;

	err = link_name_arg(argc, argv, &l);
	if (!err)
		err = link_send(ctx, MWAN_CMD_LINK_FLUSH, &l, flush_cb, &f);
	if (err)
		return err;
	if (ctx->json) {
		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_str(&j, "link", l.name);
		if (f.has)
			json_u64(&j, "flushed", f.count);
		else
			json_null(&j, "flushed");
		json_obj_close(&j);
	} else if (f.has) {
		printf("link %s flushed %u\n", l.name, f.count);
	} else {
		printf("link %s flushed\n", l.name);
	}
	return 0;
}

const struct cmd link_cmds[] = {
	{ "show", link_show, NULL, "[NAME]",
	  "Print every link with its counters, or the one named." },
	{ "add", link_add, NULL, "NAME dev DEV [id N] [weight W] "
	  "[state up|down|drain] [rtt USEC] [loss PPM] "
	  "[npt INTERNAL/LEN EXTERNAL/LEN [mode prefix|rfc6296]] [map4 RANGE EXTERNAL]",
	  "Add an uplink leaving through DEV. Its id (lowest free unless\n"
	  "given) is also its mark; weight 1 to 1000 (default 1); npt and\n"
	  "map4 translate its addresses." },
	{ "set", link_set, NULL, "NAME [dev DEV] [weight W] "
	  "[state up|down|drain] [rtt USEC] [loss PPM] "
	  "[npt INTERNAL/LEN EXTERNAL/LEN [mode prefix|rfc6296]|off] "
	  "[map4 RANGE EXTERNAL|off]",
	  "Change what is given of a link. down and drain take no new\n"
	  "connections; the connections on it stay." },
	{ "del", link_del, NULL, "NAME",
	  "Delete a link that no policy names; its connections end." },
	{ "flush", link_flush, NULL, "NAME",
	  "End the link's connections, and no others: their conntrack\n"
	  "entries are deleted, so that they start over elsewhere." },
	{ }
};
