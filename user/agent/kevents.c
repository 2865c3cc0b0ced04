// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's changes, from its events group. A link state the agent did
 * not set came from an operator (mwanctl link set NAME state ...): the
 * agent holds it, keeps probing and shows the checks' verdict beside it,
 * until the operator sets the state the checks give, which hands the link
 * back. Events carry the port of the request behind them, so the agent's
 * own changes are known as its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "attr.h"
#include "model.h"

static struct alink *by_name(struct agent *a, const char *name)
{
	unsigned int i;

	for (i = 0; i < a->n_links; i++)
		if (!strcmp(a->links[i].name, name))
			return &a->links[i];
	return NULL;
}

/* The kernel has @state for @l, and the agent did not set it. */
static void set_by_hand(struct alink *l, uint8_t state)
{
	uint8_t verdict = l->h.up ? MWAN_LINK_UP : MWAN_LINK_DOWN;
	struct log_event e = {
		.what = "held", .link = l->name, .dev = l->dev,
		.old_state = link_state_name(l->kstate),
		.new_state = link_state_name(state),
	};

	if (state == l->kstate)
		return;
	l->kstate = state;
	e.id = ++l->agent->last_event;
	if (state != verdict) {
		l->held = true;
		agent_event(&e, "%s: state %s set by hand: held while the checks say %s; set it to %s to hand it back",
			    l->name, e.new_state, link_state_name(verdict),
			    link_state_name(verdict));
		return;
	}
	if (!l->held)
		return;
	l->held = false;
	e.what = "released";
	agent_event(&e, "%s: state %s set by hand agrees with the checks: the agent follows them again",
		    l->name, e.new_state);
}

/* After events were lost, or the config replaced by another: compare */
static void resync(struct agent *a)
{
	struct mwan_link *v = NULL;
	unsigned int i, n = 0;
	struct alink *l;

	if (kernel_read_links(a) || kernel_dump_links(a, &v, &n))
		return;
	for (i = 0; i < n; i++) {
		l = by_name(a, v[i].name);
		if (l && HAS(&v[i], MWAN_LINK_A_STATE))
			set_by_hand(l, v[i].state);
	}
	free(v);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[MWAN_A_MAX + 1];
	struct mwan_link kl = { 0 };
	struct agent *a = data;
	struct alink *l;

	if (nlh->nlmsg_pid == a->nl.portid)
		return 0;
	switch (g->cmd) {
	case MWAN_CMD_LINK_SET:
		if (attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX) ||
		    !tb[MWAN_A_LINK] || mwan_parse_link(tb[MWAN_A_LINK], &kl))
			return 0;
		l = by_name(a, kl.name);
		if (l && HAS(&kl, MWAN_LINK_A_STATE))
			set_by_hand(l, kl.state);
		return 0;
	case MWAN_CMD_LINK_NEW:
	case MWAN_CMD_LINK_DEL:
	case MWAN_CMD_CONFIG_REPLACE:
		/* ids may have moved under the agent's links */
		resync(a);
		return 0;
	}
	return 0;
}

static void kevents_read(struct watch *w)
{
	struct agent *a = (void *)((char *)w - offsetof(struct agent, kev));
	int err;

	do {
		err = mwan_nl_listen(&a->events, event_cb, a);
		if (err == -ENOBUFS) {
			agent_log("kernel events were lost: reading the links again");
			resync(a);
		}
	} while (err == -ENOBUFS);
}

int kevents_open(struct agent *a)
{
	int fd, err;

	err = mwan_nl_open(&a->events);
	if (!err)
		err = mwan_nl_subscribe(&a->events);
	if (err)
		return err;
	fd = mnl_socket_get_fd(a->events.sk);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK))
		return -errno;
	a->kev.fd = fd;
	a->kev.fn = kevents_read;
	return agent_watch(a, &a->kev);
}

void kevents_close(struct agent *a)
{
	if (a->events.sk)
		mwan_nl_close(&a->events);
}
