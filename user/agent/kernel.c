// SPDX-License-Identifier: GPL-2.0
/*
 * What the agent asks of the mwan module: each checked link's id, device
 * and mark as the kernel has them, and a link's state, RTT and loss.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "attr.h"
#include "model.h"

static struct alink *link_by_name(struct agent *a, const char *name)
{
	unsigned int i;

	for (i = 0; i < a->n_links; i++)
		if (!strcmp(a->links[i].name, name))
			return &a->links[i];
	return NULL;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	struct mwan_link kl = { 0 };
	struct agent *a = data;
	struct alink *l;

	if (attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX) ||
	    !tb[MWAN_A_LINK] || mwan_parse_link(tb[MWAN_A_LINK], &kl))
		return -EBADMSG;
	l = link_by_name(a, kl.name);
	if (!l)
		return 0;
	if (!HAS(&kl, MWAN_LINK_A_MARK) || !HAS(&kl, MWAN_LINK_A_IFINDEX))
		return -EBADMSG;
	l->id = kl.id;
	l->ifindex = kl.ifindex;
	l->mark = kl.mark;
	return 0;
}

int kernel_read_links(struct agent *a)
{
	unsigned int i;
	int err;

	err = mwan_nl_dump(&a->nl, MWAN_CMD_LINK_GET, link_cb, NULL, a);
	if (err)
		return err;
	for (i = 0; i < a->n_links; i++) {
		struct alink *l = &a->links[i];

		if (!l->ifindex) {
			pr_err("link \"%s\" is not in the kernel", l->name);
			return -ENOENT;
		}
		if (!if_indextoname(l->ifindex, l->dev)) {
			pr_err("link \"%s\": no device with index %u", l->name,
			       l->ifindex);
			return -ENODEV;
		}
	}
	return 0;
}

int kernel_push(struct alink *l, bool state)
{
	MWAN_MSG_BUF(buf);
	struct mwan_link kl = { 0 };
	struct nlmsghdr *nlh;
	int err;

	kl.id = l->id;
	MARK(&kl, MWAN_LINK_A_ID);
	/* a state set by hand stays; the checks' verdict still shows */
	if (state && !l->held) {
		kl.state = l->h.up ? MWAN_LINK_UP : MWAN_LINK_DOWN;
		MARK(&kl, MWAN_LINK_A_STATE);
		l->kstate = kl.state;
	}
	kl.health = l->h.up ? MWAN_LINK_HEALTH_UP : MWAN_LINK_HEALTH_DOWN;
	MARK(&kl, MWAN_LINK_A_HEALTH);
	kl.rtt_us = l->h.rtt_us;
	kl.loss_ppm = health_loss_ppm(&l->h);
	MARK(&kl, MWAN_LINK_A_RTT_US);
	MARK(&kl, MWAN_LINK_A_LOSS_PPM);
	nlh = mwan_msg_init(buf, l->agent->nl.family, MWAN_CMD_LINK_SET, 0);
	mwan_put_link(nlh, sizeof(buf), MWAN_A_LINK, &kl);
	err = mwan_nl_request_quiet(&l->agent->nl, nlh, NULL, NULL);
	if (err)
		agent_log("%s: cannot update the kernel's link: %s", l->name,
			  l->agent->nl.ext_msg[0] ? l->agent->nl.ext_msg :
			  strerror(-err));
	return err;
}

static int globals_cb(const struct nlmsghdr *nlh, void *data)
{
	return mwan_parse_globals(nlh, data) ? -EBADMSG : 0;
}

int kernel_links(struct agent *a, struct mwan_link **v, unsigned int *n,
		 uint32_t *mask)
{
	MWAN_MSG_BUF(buf);
	struct mwan_globals g = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = mwan_msg_init(buf, a->nl.family, MWAN_CMD_GLOBALS_GET, 0);
	err = mwan_nl_request_quiet(&a->nl, nlh, globals_cb, &g);
	if (!err && !HAS(&g, MWAN_A_MARK_MASK))
		err = -EBADMSG;
	if (!err)
		err = kernel_dump_links(a, v, n);
	if (!err)
		*mask = g.mark_mask;
	return err;
}

int kernel_link(struct agent *a, const char *name, struct mwan_link *out)
{
	struct mwan_link *v = NULL;
	unsigned int i, n = 0;
	int err;

	err = kernel_dump_links(a, &v, &n);
	for (i = 0; !err && i < n; i++)
		if (!strcmp(v[i].name, name))
			break;
	if (!err && i == n)
		err = -ENOENT;
	if (!err)
		*out = v[i];
	free(v);
	return err;
}

int kernel_set_npt(struct agent *a, const struct mwan_link *kl)
{
	MWAN_MSG_BUF(buf);
	struct mwan_link l = { 0 };
	struct nlmsghdr *nlh;

	l.id = kl->id;
	MARK(&l, MWAN_LINK_A_ID);
	l.npt = kl->npt;
	MARK(&l, MWAN_LINK_A_NPT);
	nlh = mwan_msg_init(buf, a->nl.family, MWAN_CMD_LINK_SET, 0);
	if (!mwan_put_link(nlh, sizeof(buf), MWAN_A_LINK, &l))
		return -EMSGSIZE;
	return mwan_nl_request_quiet(&a->nl, nlh, NULL, NULL);
}

static int flushed_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];

	if (attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX))
		return -EBADMSG;
	if (tb[MWAN_A_FLUSHED])
		*(int *)data = mnl_attr_get_u32(tb[MWAN_A_FLUSHED]);
	return 0;
}

int kernel_flush(struct alink *l)
{
	MWAN_MSG_BUF(buf);
	struct mwan_link kl = { 0 };
	struct nlmsghdr *nlh;
	int count = 0, err;

	kl.id = l->id;
	MARK(&kl, MWAN_LINK_A_ID);
	nlh = mwan_msg_init(buf, l->agent->nl.family, MWAN_CMD_LINK_FLUSH, 0);
	mwan_put_link(nlh, sizeof(buf), MWAN_A_LINK, &kl);
	err = mwan_nl_request_quiet(&l->agent->nl, nlh, flushed_cb, &count);
	return err ? err : count;
}

struct dump_links {
	struct mwan_link *v;
	unsigned int n;
};

static int dump_links_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	struct dump_links *d = data;
	struct mwan_link *l;

	if (attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX) ||
	    !tb[MWAN_A_LINK])
		return -EBADMSG;
	l = array_add(&d->v, &d->n, sizeof(*l));
	if (!l)
		return -ENOMEM;
	return mwan_parse_link(tb[MWAN_A_LINK], l) ? -EBADMSG : 0;
}

static void dump_links_reset(void *data)
{
	((struct dump_links *)data)->n = 0;
}

int kernel_dump_links(struct agent *a, struct mwan_link **v, unsigned int *n)
{
	struct dump_links d = { 0 };
	int err;

	err = mwan_nl_dump(&a->nl, MWAN_CMD_LINK_GET, dump_links_cb,
			   dump_links_reset, &d);
	if (err) {
		free(d.v);
		return err;
	}
	*v = d.v;
	*n = d.n;
	return 0;
}
