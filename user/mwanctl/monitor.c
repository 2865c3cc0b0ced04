// SPDX-License-Identifier: GPL-2.0
/*
 * One line per event of the "events" group. Events carry ids for the
 * objects they reference; names are looked up on a second socket, since
 * replies to our own requests would otherwise be mixed with the events.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "attr.h"
#include "json.h"
#include "mwanctl.h"

struct monitor {
	struct ctx *ctx;
	struct mwan_nl names_nl;
};

enum ev_object { EV_LINK, EV_POLICY, EV_RULE, EV_GLOBALS, EV_CONFIG };

struct event {
	uint8_t cmd;
	const char *verb;
	enum ev_object obj;
	const char *object;
	unsigned int names;	/* SNAP_* needed to name references */
};

static const struct event events[] = {
	{ MWAN_CMD_LINK_NEW, "new", EV_LINK, "link", 0 },
	{ MWAN_CMD_LINK_SET, "set", EV_LINK, "link", 0 },
	{ MWAN_CMD_LINK_DEL, "del", EV_LINK, "link", 0 },
	{ MWAN_CMD_POLICY_NEW, "new", EV_POLICY, "policy", SNAP_LINKS },
	{ MWAN_CMD_POLICY_SET, "set", EV_POLICY, "policy", SNAP_LINKS },
	{ MWAN_CMD_POLICY_DEL, "del", EV_POLICY, "policy", SNAP_LINKS },
	{ MWAN_CMD_RULE_NEW, "new", EV_RULE, "rule", SNAP_POLICIES },
	{ MWAN_CMD_RULE_SET, "set", EV_RULE, "rule", SNAP_POLICIES },
	{ MWAN_CMD_RULE_DEL, "del", EV_RULE, "rule", SNAP_POLICIES },
	{ MWAN_CMD_GLOBALS_SET, "set", EV_GLOBALS, "globals", SNAP_POLICIES },
	{ MWAN_CMD_CONFIG_REPLACE, "replace", EV_CONFIG, "config", 0 },
};

static const struct event *event_find(uint8_t cmd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(events); i++)
		if (events[i].cmd == cmd)
			return &events[i];
	return NULL;
}

/* The event's object, parsed into @obj; NULL values print as absent. */
struct event_obj {
	struct mwan_globals g;
	struct mwan_link l;
	struct mwan_policy p;
	struct mwan_rule r;
	bool has;
};

static int event_parse(const struct event *ev, const struct nlmsghdr *nlh,
		       struct event_obj *o)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	int err = 0;

	if (attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX))
		return -EBADMSG;
	switch (ev->obj) {
	case EV_LINK:
		if (!tb[MWAN_A_LINK])
			return 0;
		err = mwan_parse_link(tb[MWAN_A_LINK], &o->l);
		break;
	case EV_POLICY:
		if (!tb[MWAN_A_POLICY])
			return 0;
		err = mwan_parse_policy(tb[MWAN_A_POLICY], &o->p);
		break;
	case EV_RULE:
		if (!tb[MWAN_A_RULE])
			return 0;
		err = mwan_parse_rule(tb[MWAN_A_RULE], &o->r);
		break;
	case EV_GLOBALS:
	case EV_CONFIG:
		err = mwan_parse_globals(nlh, &o->g);
		break;
	}
	o->has = !err;
	return err;
}

static void event_human(const struct event *ev, const struct event_obj *o,
			const struct mwan_config *names)
{
	printf("%s ", ev->verb);
	if (!o->has) {
		printf("%s\n", ev->object);
		return;
	}
	switch (ev->obj) {
	case EV_LINK:
		print_link(&o->l, false);
		break;
	case EV_POLICY:
		print_policy(&o->p, names, false);
		break;
	case EV_RULE:
		print_rule(&o->r, names);
		break;
	case EV_GLOBALS:
		print_globals(&o->g, names);
		break;
	case EV_CONFIG:
		printf("config");
		if (HAS(&o->g, MWAN_A_GENERATION))
			printf(" generation %u", o->g.generation);
		putchar('\n');
		break;
	}
}

static void event_json(const struct event *ev, const struct event_obj *o,
		       const struct mwan_config *names)
{
	const char *key = ev->object;
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_str(&j, "event", ev->verb);
	json_str(&j, "object", key);
	if (!o->has && ev->obj != EV_CONFIG)
		json_null(&j, key);
	else if (ev->obj == EV_LINK)
		json_link(&j, key, &o->l);
	else if (ev->obj == EV_POLICY)
		json_policy(&j, key, &o->p, names);
	else if (ev->obj == EV_RULE)
		json_rule(&j, key, &o->r, names);
	else if (ev->obj == EV_GLOBALS)
		json_globals(&j, key, &o->g, names);
	else if (HAS(&o->g, MWAN_A_GENERATION))
		json_u64(&j, "generation", o->g.generation);
	else
		json_null(&j, "generation");
	json_obj_close(&j);
}

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct event_obj o = { 0 };
	struct mwan_config names = { 0 };
	struct monitor *mon = data;
	const struct event *ev;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return 0;
	ev = event_find(genl->cmd);
	if (!ev) {
		/* a newer kernel's event: say so rather than drop it */
		pr_err("unknown event (command %u)", genl->cmd);
		return 0;
	}
	if (event_parse(ev, nlh, &o))
		pr_err("malformed %s event", ev->object);
	/* without names, references print as ids: still worth a line */
	if (ev->names && o.has)
		snapshot_load(&mon->names_nl, ev->names, &names);
	if (mon->ctx->json)
		event_json(ev, &o, &names);
	else
		event_human(ev, &o, &names);
	fflush(stdout);
	mwan_policy_release(&o.p);
	mwan_config_release(&names);
	return 0;
}

int do_monitor(struct ctx *ctx, int argc, char **argv)
{
	struct monitor mon = { .ctx = ctx };
	int rcvbuf = 1 << 20;
	struct mwan_nl *nl;
	int err;

	if (argc) {
		pr_err("unexpected argument \"%s\"", argv[0]);
		return -E_USAGE;
	}
	nl = ctx_nl(ctx);
	if (!nl)
		return -ENOENT;
	err = mwan_nl_subscribe(nl);
	if (err)
		return err;
	err = mwan_nl_open(&mon.names_nl);
	if (err)
		return err;
	/* a burst (config replace, agent updates) should not overrun us */
	if (setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)))
		setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	for (;;) {
		err = mwan_nl_listen(nl, monitor_cb, &mon);
		if (err != -ENOBUFS)
			break;
		pr_err("events were lost (receive buffer overrun)");
	}
	pr_err("monitor: %s", strerror(-err));
	mwan_nl_close(&mon.names_nl);
	return err;
}
