// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's routing over rtnetlink: reads main's routes, the links (from
 * the kernel, so an operator's change counts) and what the agent made
 * before, and makes the difference, adding and replacing before deleting
 * so no packet ever meets a table half made. That runs at the start and
 * again shortly after anything in main, in the links' tables or in the
 * rules changes that the agent did not change itself: a gateway that
 * DHCP renumbered, a LAN that came up, a route someone deleted.
 */
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "agent.h"
#include "routing.h"
#include "rtnl.h"

/* Changes come in bursts (an address and its routes): let them settle */
#define SETTLE_NS	(20 * 1000000ULL)

/* What was logged of a link's default routes, to log only changes */
struct route_note {
	char link[MWAN_NAME_MAX];
	char def[2][128];		/* IPv4, IPv6 */
};

struct routing {
	struct agent *agent;
	const struct routing_conf *conf;
	struct rtnl req;		/* requests and dumps */
	struct rtnl ev;			/* what others change */
	struct watch ev_watch, timer;
	bool pending;
	bool done;			/* a reconcile ran */
	struct route_note *notes;
	unsigned int n_notes;
	unsigned int foreign_warned;	/* others' routes when last said */
};

/* What one reconcile reads */
struct rt_state {
	struct rt_list main, have;
	struct rrule_list have_rules;
	const struct route_link *links;
	unsigned int n_links;
	unsigned int skipped;		/* main's routes we cannot copy */
	struct rt_list foreign;		/* others' routes in the links' tables */
};

static unsigned int alen(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static bool copy_addr(const struct nlattr *a, uint8_t family, uint8_t *to)
{
	if (!a || mnl_attr_get_payload_len(a) != alen(family))
		return false;
	memcpy(to, mnl_attr_get_payload(a), alen(family));
	return true;
}

static bool copy_blob(const struct nlattr *a, uint8_t *to, uint16_t *len)
{
	uint16_t l = a ? mnl_attr_get_payload_len(a) : 0;

	if (l > RT_BLOB_MAX)
		return false;
	memcpy(to, a ? mnl_attr_get_payload(a) : to, l);
	*len = l;
	return true;
}

/* A nexthop's flags tell its state (dead, linkdown): only onlink is ours */
static void mp_clean(struct rt *rt)
{
	uint8_t *p = rt->mp, *end = rt->mp + rt->mp_len;
	struct rtnexthop *nh;

	while (p + sizeof(*nh) <= end) {
		nh = (void *)p;
		if (nh->rtnh_len < sizeof(*nh))
			break;
		nh->rtnh_flags &= RTNH_F_ONLINK;
		p += RTNH_ALIGN(nh->rtnh_len);
	}
}

/* A route message into @rt; false for what the agent cannot copy */
static bool rt_parse(const struct nlmsghdr *nlh, struct rt *rt)
{
	const struct rtmsg *rm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1];

	memset(rt, 0, sizeof(*rt));
	rtnl_attrs(nlh, sizeof(*rm), tb, RTA_MAX);
	rt->family = rm->rtm_family;
	rt->dst_len = rm->rtm_dst_len;
	rt->src_len = rm->rtm_src_len;
	rt->tos = rm->rtm_tos;
	rt->type = rm->rtm_type;
	rt->scope = rm->rtm_scope;
	rt->protocol = rm->rtm_protocol;
	rt->flags = rm->rtm_flags & RTNH_F_ONLINK;
	rt->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) :
		    rm->rtm_table;
	if (tb[RTA_PRIORITY])
		rt->priority = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_OIF])
		rt->oif = mnl_attr_get_u32(tb[RTA_OIF]);
	copy_addr(tb[RTA_DST], rt->family, rt->dst);
	copy_addr(tb[RTA_SRC], rt->family, rt->src);
	rt->has_gw = copy_addr(tb[RTA_GATEWAY], rt->family, rt->gw);
	rt->has_prefsrc = copy_addr(tb[RTA_PREFSRC], rt->family, rt->prefsrc);
	/* "medium" is what the kernel reports when nobody said */
	if (tb[RTA_PREF] && mnl_attr_get_payload_len(tb[RTA_PREF]) == 1)
		rt->pref = mnl_attr_get_u8(tb[RTA_PREF]);
	rt->has_pref = rt->pref != 0;
	if (!copy_blob(tb[RTA_METRICS], rt->metrics, &rt->metrics_len) ||
	    !copy_blob(tb[RTA_MULTIPATH], rt->mp, &rt->mp_len))
		return false;
	mp_clean(rt);
	/* nexthop objects, encapsulation, IPv6 gateways of IPv4 routes */
	return !tb[RTA_NH_ID] && !tb[RTA_ENCAP] && !tb[RTA_VIA];
}

static bool ours_table(const struct rt_state *st, uint32_t table)
{
	unsigned int i;

	for (i = 0; i < st->n_links; i++)
		if (st->links[i].table == table)
			return true;
	return false;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rm = mnl_nlmsg_get_payload(nlh);
	struct rt_state *st = data;
	struct rt rt;
	bool ok;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    (rm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	ok = rt_parse(nlh, &rt);
	if (rt.protocol == RTPROT_MWAN) {
		if (rt_list_add(&st->have, &rt))
			goto nomem;
	} else if (rt.table == RT_TABLE_MAIN) {
		if (!ok)
			st->skipped++;
		else if (rt_list_add(&st->main, &rt))
			goto nomem;
	} else if (ours_table(st, rt.table)) {
		if (rt_list_add(&st->foreign, &rt))
			goto nomem;
	}
	return MNL_CB_OK;
nomem:
	errno = ENOMEM;
	return MNL_CB_ERROR;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct fib_rule_hdr *h = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[FRA_MAX + 1];
	struct rt_state *st = data;
	struct rrule r = { 0 };

	if (nlh->nlmsg_type != RTM_NEWRULE)
		return MNL_CB_OK;
	rtnl_attrs(nlh, sizeof(*h), tb, FRA_MAX);
	if (!tb[FRA_PROTOCOL] ||
	    mnl_attr_get_u8(tb[FRA_PROTOCOL]) != RTPROT_MWAN)
		return MNL_CB_OK;
	r.family = h->family;
	r.action = h->action;
	r.table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : h->table;
	if (tb[FRA_PRIORITY])
		r.pref = mnl_attr_get_u32(tb[FRA_PRIORITY]);
	if (tb[FRA_FWMARK])
		r.mark = mnl_attr_get_u32(tb[FRA_FWMARK]);
	if (tb[FRA_FWMASK])
		r.mask = mnl_attr_get_u32(tb[FRA_FWMASK]);
	if (!rrule_list_add(&st->have_rules, &r))
		return MNL_CB_OK;
	errno = ENOMEM;
	return MNL_CB_ERROR;
}

static int read_state(struct routing *r, struct rt_state *st)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	unsigned int f;
	int err = 0;

	for (f = 0; f < ARRAY_SIZE(families) && !err; f++) {
		err = rtnl_dump(&r->req, RTM_GETROUTE, families[f], route_cb,
				st);
		if (!err)
			err = rtnl_dump(&r->req, RTM_GETRULE, families[f],
					rule_cb, st);
	}
	return err;
}

static void rt_put(struct nlmsghdr *nlh, const struct rt *rt, bool full)
{
	struct rtmsg *rm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rm));
	unsigned int l = alen(rt->family);

	rm->rtm_family = rt->family;
	rm->rtm_dst_len = rt->dst_len;
	rm->rtm_src_len = rt->src_len;
	rm->rtm_tos = rt->tos;
	rm->rtm_table = rt->table < 256 ? rt->table : RT_TABLE_UNSPEC;
	rm->rtm_protocol = RTPROT_MWAN;
	rm->rtm_type = rt->type;
	rm->rtm_scope = full ? rt->scope : RT_SCOPE_NOWHERE;
	rm->rtm_flags = rt->flags;
	mnl_attr_put_u32(nlh, RTA_TABLE, rt->table);
	if (rt->dst_len)
		mnl_attr_put(nlh, RTA_DST, l, rt->dst);
	if (rt->src_len)
		mnl_attr_put(nlh, RTA_SRC, l, rt->src);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, rt->priority);
	/* IPv6 deletes by nexthop too: the key has it */
	if (rt->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, rt->oif);
	if (rt->has_gw)
		mnl_attr_put(nlh, RTA_GATEWAY, l, rt->gw);
	if (!full)
		return;
	if (rt->has_prefsrc)
		mnl_attr_put(nlh, RTA_PREFSRC, l, rt->prefsrc);
	if (rt->has_pref)
		mnl_attr_put_u8(nlh, RTA_PREF, rt->pref);
	if (rt->metrics_len)
		mnl_attr_put(nlh, RTA_METRICS, rt->metrics_len, rt->metrics);
	if (rt->mp_len)
		mnl_attr_put(nlh, RTA_MULTIPATH, rt->mp_len, rt->mp);
}

static int ack_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/* "default via 192.0.2.1 dev wan1" and the like, for the log */
static void rt_format(const struct rt *rt, char *buf, size_t len)
{
	char dst[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];
	int n;

	if (rt->dst_len || rt->src_len) {
		inet_ntop(rt->family, rt->dst, dst, sizeof(dst));
		n = snprintf(buf, len, "%s/%u", dst, rt->dst_len);
	} else {
		n = snprintf(buf, len, "default");
	}
	if (rt->has_gw && n >= 0 && (size_t)n < len) {
		inet_ntop(rt->family, rt->gw, gw, sizeof(gw));
		n += snprintf(buf + n, len - n, " via %s", gw);
	}
	if (rt->oif && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " dev %s",
			 if_indextoname(rt->oif, dev) ? dev : "?");
}

/* RTM_NEWROUTE with replace, or RTM_DELROUTE of the agent's own */
static int route_change(struct routing *r, const struct rt *rt, bool add)
{
	char buf[2048] __aligned(8);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	char what[192];
	int err;

	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	/* an IPv6 replace could take another device's route of the key */
	if (add)
		nlh->nlmsg_flags |= NLM_F_CREATE |
				    (rt->family == AF_INET ? NLM_F_REPLACE : 0);
	rt_put(nlh, rt, add);
	err = rtnl_talk(&r->req, nlh, ack_cb, NULL);
	/* gone already: the device went, and its routes with it */
	if (err && !(err == -ESRCH && !add)) {
		rt_format(rt, what, sizeof(what));
		agent_log("routing: cannot %s %s route %s in table %u: %s",
			  add ? "add" : "delete",
			  rt->family == AF_INET ? "IPv4" : "IPv6", what,
			  rt->table, strerror(-err));
	}
	return err;
}

static int rule_change(struct routing *r, const struct rrule *ru, bool add)
{
	char buf[256] __aligned(8);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *h;
	int err;

	nlh->nlmsg_type = add ? RTM_NEWRULE : RTM_DELRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	h = mnl_nlmsg_put_extra_header(nlh, sizeof(*h));
	h->family = ru->family;
	h->action = ru->action;
	h->table = ru->table < 256 ? ru->table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, ru->pref);
	mnl_attr_put_u32(nlh, FRA_FWMARK, ru->mark);
	mnl_attr_put_u32(nlh, FRA_FWMASK, ru->mask);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, RTPROT_MWAN);
	if (ru->action == FR_ACT_TO_TBL)
		mnl_attr_put_u32(nlh, FRA_TABLE, ru->table);
	err = rtnl_talk(&r->req, nlh, ack_cb, NULL);
	if (err == -EEXIST || (err == -ENOENT && !add))
		err = 0;
	if (err)
		agent_log("routing: cannot %s %s rule pref %u fwmark 0x%x/0x%x: %s",
			  add ? "add" : "delete",
			  ru->family == AF_INET ? "IPv4" : "IPv6", ru->pref,
			  ru->mark, ru->mask, strerror(-err));
	return err;
}

/* Routes by device, no gateway: WireGuard, PPP, tun */
static bool dev_p2p(uint32_t ifindex)
{
	struct ifreq ifr = { 0 };
	bool p2p = false;
	int fd;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr))
		p2p = ifr.ifr_flags & (IFF_POINTOPOINT | IFF_NOARP);
	close(fd);
	return p2p;
}

/* The links as the kernel has them now (@kl), and their tables */
static int read_links(struct routing *r, struct mwan_link **kl,
		      struct route_link **out, unsigned int *n)
{
	struct route_link *v;
	unsigned int i, nk;
	uint32_t mask;
	int err;

	err = kernel_links(r->agent, kl, &nk, &mask);
	if (err)
		return err;
	v = calloc(nk ? nk : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < nk; i++) {
		const struct mwan_link *k = &(*kl)[i];
		struct route_link *l = &v[i];

		l->conf = routing_link_conf(r->conf, k->name);
		l->name = k->name;
		l->id = k->id;
		l->ifindex = k->ifindex;
		l->mark = k->mark;
		l->mask = mask;
		l->p2p = dev_p2p(k->ifindex);
		l->table = l->conf && l->conf->table ? l->conf->table :
			   r->conf->table_base + l->id;
	}
	*out = v;
	*n = nk;
	return 0;
}

static struct route_note *note_of(struct routing *r, const char *link)
{
	struct route_note *n;
	unsigned int i;

	for (i = 0; i < r->n_notes; i++)
		if (!strcmp(r->notes[i].link, link))
			return &r->notes[i];
	n = array_add(&r->notes, &r->n_notes, sizeof(*n));
	if (n)
		snprintf(n->link, sizeof(n->link), "%s", link);
	return n;
}

/* Log a link's default route when it is new or changed, or missing */
static void note_defaults(struct routing *r, const struct rt_state *st,
			  const struct rt_list *want)
{
	unsigned int i, j, f;

	for (i = 0; i < st->n_links; i++) {
		const struct route_link *l = &st->links[i];
		struct route_note *note = note_of(r, l->name);

		for (f = 0; f < 2 && note; f++) {
			uint8_t family = f ? AF_INET6 : AF_INET;
			char now[128] = "";

			for (j = 0; j < want->n; j++) {
				const struct rt *w = &want->v[j];

				if (w->table == l->table && w->family == family &&
				    !w->dst_len && !w->src_len) {
					rt_format(w, now, sizeof(now));
					break;
				}
			}
			if (!strcmp(now, note->def[f]))
				continue;
			if (now[0])
				agent_log("%s: %s route %s, table %u", l->name,
					  f ? "IPv6" : "IPv4", now, l->table);
			else
				agent_log("%s: no %s default route: main has none on its device and no \"route %s via\" gives one",
					  l->name, f ? "IPv6" : "IPv4",
					  l->name);
			snprintf(note->def[f], sizeof(note->def[f]), "%s",
				 now);
		}
	}
}

/*
 * A route someone else put into a link's table is theirs: one of ours
 * with its key would replace it, so that one is left out, and said once.
 */
static void spare_foreign(struct routing *r, const struct rt_list *foreign,
			  struct rt_list *add)
{
	unsigned int i, j, k = 0;
	char what[192];

	for (i = 0; i < add->n; i++) {
		for (j = 0; j < foreign->n; j++)
			if (rt_same_key(&add->v[i], &foreign->v[j]))
				break;
		if (j == foreign->n) {
			add->v[k++] = add->v[i];
			continue;
		}
		if (r->foreign_warned == foreign->n)
			continue;
		rt_format(&foreign->v[j], what, sizeof(what));
		agent_log("routing: table %u already has %s (proto %u), not made by mwan-agent: left alone; give the links tables of their own (table-base)",
			  add->v[i].table, what, foreign->v[j].protocol);
	}
	add->n = k;
	r->foreign_warned = foreign->n;
}

static void apply(struct routing *r, const struct rt_list *add,
		  const struct rt_list *del, const struct rt_list *renew,
		  const struct rrule_list *radd, const struct rrule_list *rdel)
{
	unsigned int i;

	/* new paths first, so nothing is unrouted in between */
	for (i = 0; i < add->n; i++)
		route_change(r, &add->v[i], true);
	for (i = 0; i < radd->n; i++)
		rule_change(r, &radd->v[i], true);
	for (i = 0; i < renew->n; i++) {
		route_change(r, &renew->v[i], false);
		route_change(r, &renew->v[i], true);
	}
	for (i = 0; i < rdel->n; i++)
		rule_change(r, &rdel->v[i], false);
	for (i = 0; i < del->n; i++)
		route_change(r, &del->v[i], false);
}

static void state_release(struct rt_state *st)
{
	rt_list_release(&st->main);
	rt_list_release(&st->have);
	rt_list_release(&st->foreign);
	rrule_list_release(&st->have_rules);
}

/* Make the links' tables and rules what main and the links say. */
int routing_reconcile(struct routing *r)
{
	struct rt_list want = { 0 }, add = { 0 }, del = { 0 }, renew = { 0 };
	struct rrule_list rwant = { 0 }, radd = { 0 }, rdel = { 0 };
	struct route_link *links = NULL;
	struct mwan_link *kl = NULL;
	struct rt_state st = { 0 };
	int err;

	r->pending = false;
	err = read_links(r, &kl, &links, &st.n_links);
	st.links = links;
	if (!err)
		err = read_state(r, &st);
	if (!err)
		err = routing_plan_routes(links, st.n_links, &st.main, &want);
	if (!err)
		err = routing_plan_rules(links, st.n_links, r->conf->pref_base,
					 &rwant);
	if (!err)
		err = routing_diff_routes(&want, &st.have, &add, &del, &renew);
	if (!err)
		err = routing_diff_rules(&rwant, &st.have_rules, &radd, &rdel);
	if (!err) {
		spare_foreign(r, &st.foreign, &add);
		apply(r, &add, &del, &renew, &radd, &rdel);
		note_defaults(r, &st, &want);
		if (add.n || del.n || renew.n || radd.n || rdel.n)
			agent_log("routing: %u routes and %u rules added or replaced, %u routes and %u rules removed",
				  add.n + renew.n, radd.n, del.n, rdel.n);
		else if (!r->done)
			agent_log("routing: %u routes and %u rules of %u links in place already",
				  want.n, rwant.n, st.n_links);
		if (st.skipped && !r->done)
			agent_log("routing: %u routes of main use nexthop objects, encapsulation or IPv6 gateways for IPv4, and are not copied to the links' tables",
				  st.skipped);
		r->done = true;
	} else {
		agent_log("routing: cannot read the routing state: %s",
			  strerror(-err));
	}
	rt_list_release(&want);
	rt_list_release(&add);
	rt_list_release(&del);
	rt_list_release(&renew);
	rrule_list_release(&rwant);
	rrule_list_release(&radd);
	rrule_list_release(&rdel);
	state_release(&st);
	free(links);
	free(kl);
	return err;
}

static void schedule(struct routing *r)
{
	struct itimerspec its = { 0 };

	if (r->pending)
		return;
	r->pending = true;
	its.it_value.tv_nsec = SETTLE_NS;
	timerfd_settime(r->timer.fd, 0, &its, NULL);
}

/* Is this change one the tables or rules must follow? */
static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rm = mnl_nlmsg_get_payload(nlh);
	struct routing *r = data;
	struct rt rt;

	/* the echo of our own changes */
	if (nlh->nlmsg_pid == r->req.portid)
		return MNL_CB_OK;
	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (rm->rtm_flags & RTM_F_CLONED)
			break;
		rt_parse(nlh, &rt);
		if (rt.table == RT_TABLE_MAIN || rt.protocol == RTPROT_MWAN)
			schedule(r);
		break;
	case RTM_NEWRULE:
	case RTM_DELRULE:
	case RTM_NEWLINK:
	case RTM_DELLINK:
		/* a rule of ours deleted, a device back with new flags */
		schedule(r);
		break;
	}
	return MNL_CB_OK;
}

static void event_read(struct watch *w)
{
	struct routing *r = (void *)((char *)w -
				     offsetof(struct routing, ev_watch));
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(r->ev.sk, r->ev.buf, RTNL_BUF_SIZE);
		if (n < 0 && errno == ENOBUFS) {
			/* events were lost: look at everything again */
			schedule(r);
			continue;
		}
		if (n <= 0)
			return;
		mnl_cb_run(r->ev.buf, n, 0, 0, event_cb, r);
	}
}

static void timer_fired(struct watch *w)
{
	struct routing *r = (void *)((char *)w - offsetof(struct routing, timer));
	uint64_t n;

	if (read(w->fd, &n, sizeof(n)) < 0)
		return;
	routing_reconcile(r);
}

static int listen_events(struct routing *r)
{
	static const int groups[] = {
		RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
		RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE,
	};
	int err;

	err = rtnl_listen(&r->ev, groups, ARRAY_SIZE(groups));
	if (err)
		return err;
	r->ev_watch.fd = mnl_socket_get_fd(r->ev.sk);
	r->ev_watch.fn = event_read;
	r->timer.fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_CLOEXEC | TFD_NONBLOCK);
	if (r->timer.fd < 0)
		return -errno;
	r->timer.fn = timer_fired;
	err = agent_watch(r->agent, &r->ev_watch);
	return err ? err : agent_watch(r->agent, &r->timer);
}

static struct routing *routing_new(void)
{
	struct routing *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	r->timer.fd = -1;
	err = rtnl_open(&r->req);
	if (err) {
		free(r);
		errno = -err;
		return NULL;
	}
	return r;
}

void routing_free(struct routing *r)
{
	if (!r)
		return;
	rtnl_close(&r->req);
	rtnl_close(&r->ev);
	if (r->timer.fd >= 0)
		close(r->timer.fd);
	free(r->notes);
	free(r);
}

void routing_set_conf(struct routing *r, const struct routing_conf *conf)
{
	r->conf = conf;
	routing_reconcile(r);
}

int routing_start(struct agent *a, const struct routing_conf *conf)
{
	struct routing *r;
	int err;

	if (conf->off) {
		agent_log("routing off: the links' tables and rules are yours to make");
		return 0;
	}
	r = routing_new();
	if (!r) {
		pr_err("cannot open rtnetlink: %s", strerror(errno));
		return -errno;
	}
	r->agent = a;
	r->conf = conf;
	a->routing = r;
	err = listen_events(r);
	if (err) {
		pr_err("cannot listen to routing changes: %s", strerror(-err));
		return err;
	}
	return routing_reconcile(r);
}

/* Delete every route and rule of the agent's; -errno, or counts */
static int remove_all(struct routing *r, unsigned int *routes,
		      unsigned int *rules)
{
	struct rt_state st = { 0 };
	unsigned int i;
	int err;

	*routes = *rules = 0;
	err = read_state(r, &st);
	for (i = 0; i < st.have_rules.n && !err; i++)
		*rules += !rule_change(r, &st.have_rules.v[i], false);
	for (i = 0; i < st.have.n && !err; i++)
		*routes += !route_change(r, &st.have.v[i], false);
	state_release(&st);
	return err;
}

void routing_cleanup_quiet(void)
{
	struct routing *r = routing_new();
	unsigned int routes, rules;

	if (!r)
		return;
	if (!remove_all(r, &routes, &rules))
		agent_log("routing: removed %u routes and %u rules", routes,
			  rules);
	routing_free(r);
}

/* --cleanup: every route and rule with the agent's protocol, only those */
int routing_cleanup(void)
{
	unsigned int routes, rules;
	struct routing *r;
	int err;

	r = routing_new();
	if (!r) {
		pr_err("cannot open rtnetlink: %s", strerror(errno));
		return -errno;
	}
	err = remove_all(r, &routes, &rules);
	if (err)
		pr_err("cannot read the routing state: %s", strerror(-err));
	else
		printf("removed %u routes and %u rules of mwan-agent (proto %d)\n",
		       routes, rules, RTPROT_MWAN);
	routing_free(r);
	return err;
}
