// SPDX-License-Identifier: GPL-2.0
/*
 * Prefix tracking: whenever a device's IPv6 addresses change, each
 * "prefix" line's link gets the delegated prefix they show as its NPT
 * external prefix, the next packet on. The rest of the link's NPT
 * (internal prefix, length, mode) is taken from the kernel at that moment,
 * so an operator's change to it stands.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "prefix.h"
#include "rtnl.h"

struct tracked {
	const struct prefix_conf *conf;
	bool said_none;			/* "no delegated prefix yet" logged */
};

struct prefixes {
	struct agent *agent;
	struct rtnl req, ev;
	struct watch ev_watch;
	struct tracked *t;
	unsigned int n;
};

struct addrs {
	uint32_t ifindex;
	struct prefix_addr *v;
	unsigned int n;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1];
	struct addrs *d = data;
	struct prefix_addr *a;
	const struct nlattr *addr;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET6 ||
	    ifa->ifa_index != d->ifindex)
		return MNL_CB_OK;
	rtnl_attrs(nlh, sizeof(*ifa), tb, IFA_MAX);
	addr = tb[IFA_ADDRESS] ? tb[IFA_ADDRESS] : tb[IFA_LOCAL];
	if (!addr || mnl_attr_get_payload_len(addr) != 16)
		return MNL_CB_OK;
	a = array_add(&d->v, &d->n, sizeof(*a));
	if (!a) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	memcpy(a->addr, mnl_attr_get_payload(addr), 16);
	a->plen = ifa->ifa_prefixlen;
	a->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) :
		   ifa->ifa_flags;
	a->preferred = UINT32_MAX;
	if (tb[IFA_CACHEINFO] && mnl_attr_get_payload_len(tb[IFA_CACHEINFO]) >=
	    sizeof(struct ifa_cacheinfo)) {
		const struct ifa_cacheinfo *ci =
			mnl_attr_get_payload(tb[IFA_CACHEINFO]);

		a->preferred = ci->ifa_prefered;
	}
	return MNL_CB_OK;
}

static const char *fmt(const uint8_t addr[16], uint8_t len, char *buf)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, addr, a, sizeof(a));
	snprintf(buf, INET6_ADDRSTRLEN + 4, "%s/%u", a, len);
	return buf;
}

/* Bring one link's external prefix to what its device shows. */
static void follow(struct prefixes *p, struct tracked *t)
{
	char dev[IF_NAMESIZE], was[INET6_ADDRSTRLEN + 4],
	     now[INET6_ADDRSTRLEN + 4];
	const struct prefix_conf *c = t->conf;
	struct addrs d = { 0 };
	struct mwan_link kl = { 0 };
	uint8_t ext[16];
	int err;

	if (kernel_link(p->agent, c->link, &kl) || !mwan_link_has_npt(&kl))
		return;
	if (c->dev[0])
		snprintf(dev, sizeof(dev), "%s", c->dev);
	else if (!if_indextoname(kl.ifindex, dev))
		return;
	d.ifindex = if_nametoindex(dev);
	if (d.ifindex)
		rtnl_dump(&p->req, RTM_GETADDR, AF_INET6, addr_cb, &d);
	fmt(kl.npt.external, kl.npt.prefix_len, was);
	if (!d.ifindex ||
	    !prefix_pick(c, d.v, d.n, kl.npt.prefix_len, ext)) {
		if (!t->said_none)
			agent_log("%s: no delegated prefix on %s yet: the NPT external prefix stays %s",
				  c->link, dev, was);
		t->said_none = true;
		free(d.v);
		return;
	}
	free(d.v);
	t->said_none = false;
	if (!memcmp(ext, kl.npt.external, 16))
		return;
	memcpy(kl.npt.external, ext, 16);
	fmt(ext, kl.npt.prefix_len, now);
	err = kernel_set_npt(p->agent, &kl);
	if (err)
		agent_log("%s: cannot set the NPT external prefix %s: %s",
			  c->link, now, p->agent->nl.ext_msg[0] ?
			  p->agent->nl.ext_msg : strerror(-err));
	else
		agent_log("%s: delegated prefix %s on %s: NPT external prefix %s -> %s",
			  c->link, now, dev, was, now);
}

static void follow_all(struct prefixes *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		follow(p, &p->t[i]);
}

static int addr_event(const struct nlmsghdr *nlh, void *data)
{
	bool *changed = data;

	if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR)
		*changed = true;
	return MNL_CB_OK;
}

static void event_read(struct watch *w)
{
	struct prefixes *p = (void *)((char *)w -
				      offsetof(struct prefixes, ev_watch));
	bool changed = false;
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(p->ev.sk, p->ev.buf, RTNL_BUF_SIZE);
		/* events lost: look again all the same */
		if (n < 0 && errno == ENOBUFS) {
			changed = true;
			continue;
		}
		if (n <= 0)
			break;
		mnl_cb_run(p->ev.buf, n, 0, 0, addr_event, &changed);
	}
	if (changed)
		follow_all(p);
}

void prefix_free(struct prefixes *p)
{
	if (!p)
		return;
	rtnl_close(&p->req);
	rtnl_close(&p->ev);
	free(p->t);
	free(p);
}

int prefix_start(struct agent *a, const struct prefix_confs *pc)
{
	static const int groups[] = { RTNLGRP_IPV6_IFADDR };
	struct prefixes *p;
	unsigned int i;
	int err;

	if (!pc->n)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	a->prefixes = p;
	p->agent = a;
	p->t = calloc(pc->n, sizeof(*p->t));
	if (!p->t)
		return -ENOMEM;
	p->n = pc->n;
	for (i = 0; i < pc->n; i++)
		p->t[i].conf = &pc->v[i];
	err = rtnl_open(&p->req);
	if (!err)
		err = rtnl_listen(&p->ev, groups, ARRAY_SIZE(groups));
	if (err) {
		pr_err("cannot listen to address changes: %s", strerror(-err));
		return err;
	}
	p->ev_watch.fd = mnl_socket_get_fd(p->ev.sk);
	p->ev_watch.fn = event_read;
	err = agent_watch(a, &p->ev_watch);
	if (!err)
		follow_all(p);
	return err;
}
