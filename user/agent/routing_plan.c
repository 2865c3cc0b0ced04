// SPDX-License-Identifier: GPL-2.0
/*
 * The plan: from main's routes and the links to the routes and rules the
 * links' tables should hold, and from there to what must change. Pure: no
 * I/O, so user/tests/test_routing.c can hold it to every case.
 */
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "routing.h"

/* <linux/ipv6_route.h> has it, with more than this needs */
#ifndef IP6_RT_PRIO_USER
#define IP6_RT_PRIO_USER	1024
#endif
#include "util.h"

int rt_list_add(struct rt_list *l, const struct rt *r)
{
	struct rt *p = array_add(&l->v, &l->n, sizeof(*p));

	if (!p)
		return -ENOMEM;
	*p = *r;
	return 0;
}

int rrule_list_add(struct rrule_list *l, const struct rrule *r)
{
	struct rrule *p = array_add(&l->v, &l->n, sizeof(*p));

	if (!p)
		return -ENOMEM;
	*p = *r;
	return 0;
}

void rt_list_release(struct rt_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void rrule_list_release(struct rrule_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static unsigned int addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* The nexthops of a multipath route, one at a time */
static const struct rtnexthop *nh_next(const struct rt *r,
				       const struct rtnexthop *nh)
{
	const uint8_t *end = r->mp + r->mp_len;
	const uint8_t *p;

	p = nh ? (const uint8_t *)RTNH_NEXT(nh) : r->mp;
	if (p + sizeof(*nh) > end)
		return NULL;
	nh = (const void *)p;
	if (nh->rtnh_len < sizeof(*nh) || p + nh->rtnh_len > end)
		return NULL;
	return nh;
}

static bool uses_dev(const struct rt *r, uint32_t ifindex)
{
	const struct rtnexthop *nh = NULL;

	if (r->oif == ifindex)
		return true;
	while ((nh = nh_next(r, nh)))
		if ((uint32_t)nh->rtnh_ifindex == ifindex)
			return true;
	return false;
}

static bool uses_other_link(const struct rt *r, const struct route_link *links,
			    unsigned int n, const struct route_link *l)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (&links[i] != l && uses_dev(r, links[i].ifindex))
			return true;
	return false;
}

/* A multipath nexthop's gateway, if it has one of the route's family */
static bool nh_gateway(const struct rtnexthop *nh, uint8_t family,
		       uint8_t gw[16])
{
	const struct rtattr *a = RTNH_DATA(nh);
	int len = nh->rtnh_len - RTNH_LENGTH(0);

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != RTA_GATEWAY ||
		    RTA_PAYLOAD(a) != addr_len(family))
			continue;
		memcpy(gw, RTA_DATA(a), addr_len(family));
		return true;
	}
	return false;
}

/*
 * Main's default route as it concerns link @l: the route itself if it
 * leaves by @l's device, or of a multipath route (an "equalize" route of
 * old OpenWrt, IPv6 router advertisements of several uplinks) the first
 * nexthop on it. False if it does not use @l.
 */
static bool default_of_link(const struct rt *r, const struct route_link *l,
			    struct rt *out)
{
	const struct rtnexthop *nh = NULL;

	if (!r->mp_len) {
		if (r->oif != l->ifindex)
			return false;
		*out = *r;
		return true;
	}
	while ((nh = nh_next(r, nh))) {
		if ((uint32_t)nh->rtnh_ifindex != l->ifindex)
			continue;
		*out = *r;
		out->mp_len = 0;
		out->oif = l->ifindex;
		out->flags = nh->rtnh_flags & RTNH_F_ONLINK;
		out->has_gw = nh_gateway(nh, r->family, out->gw);
		return true;
	}
	return false;
}

static bool is_default(const struct rt *r)
{
	return !r->dst_len && !r->src_len;
}

static const uint8_t *via_of(const struct route_link *l, uint8_t family)
{
	const struct route_link_conf *c = l->conf;

	if (!c)
		return NULL;
	if (family == AF_INET)
		return c->has_via4 ? c->via4 : NULL;
	return c->has_via6 ? c->via6 : NULL;
}

/* "default via VIA dev DEV onlink", or "default dev DEV" */
static void make_default(const struct route_link *l, uint8_t family,
			 const uint8_t *via, struct rt *r)
{
	memset(r, 0, sizeof(*r));
	r->family = family;
	r->type = RTN_UNICAST;
	r->oif = l->ifindex;
	/* what IPv6 makes of metric 0, so the next look finds it equal */
	r->priority = family == AF_INET6 ? IP6_RT_PRIO_USER : 0;
	if (via) {
		r->scope = RT_SCOPE_UNIVERSE;
		r->flags = RTNH_F_ONLINK;
		r->has_gw = true;
		memcpy(r->gw, via, addr_len(family));
	} else {
		r->scope = family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	}
}

static int put(struct rt_list *want, const struct route_link *l,
	       const struct rt *r)
{
	struct rt c = *r;

	c.table = l->table;
	c.protocol = RTPROT_MWAN;
	return rt_list_add(want, &c);
}

/* Link @l's table for one family */
static int plan_link(const struct route_link *links, unsigned int n,
		     const struct route_link *l, uint8_t family,
		     const struct rt_list *main, struct rt_list *want)
{
	const uint8_t *via = via_of(l, family);
	bool have_default = false;
	unsigned int i;
	struct rt r;
	int err;

	for (i = 0; i < main->n; i++) {
		const struct rt *m = &main->v[i];

		if (m->family != family || m->protocol == RTPROT_MWAN)
			continue;
		if (is_default(m)) {
			/* a configured gateway overrides main's */
			if (via || !default_of_link(m, l, &r))
				continue;
			have_default = true;
			err = put(want, l, &r);
		} else if (!uses_other_link(m, links, n, l)) {
			err = put(want, l, m);
		} else {
			continue;
		}
		if (err)
			return err;
	}
	if (have_default || (!via && !l->p2p))
		return 0;
	make_default(l, family, via, &r);
	return put(want, l, &r);
}

int routing_plan_routes(const struct route_link *links, unsigned int n,
			const struct rt_list *main, struct rt_list *want)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		err = plan_link(links, n, &links[i], AF_INET, main, want);
		if (!err)
			err = plan_link(links, n, &links[i], AF_INET6, main,
					want);
	}
	return err;
}

int routing_plan_rules(const struct route_link *links, unsigned int n,
		       uint32_t pref_base, struct rrule_list *want)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	unsigned int i, f;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		const struct route_link *l = &links[i];

		for (f = 0; f < ARRAY_SIZE(families) && !err; f++) {
			struct rrule r = {
				.family = families[f],
				.action = FR_ACT_TO_TBL,
				.pref = pref_base + l->id,
				.mark = l->mark,
				.mask = l->mask,
				.table = l->table,
			};

			err = rrule_list_add(want, &r);
			if (err)
				break;
			r.action = FR_ACT_UNREACHABLE;
			r.pref += ROUTING_GUARD_OFFSET;
			r.table = 0;
			err = rrule_list_add(want, &r);
		}
	}
	return err;
}

bool rt_same_key(const struct rt *a, const struct rt *b)
{
	unsigned int alen = addr_len(a->family);

	if (a->family != b->family || a->table != b->table ||
	    a->dst_len != b->dst_len || a->src_len != b->src_len ||
	    a->tos != b->tos || a->priority != b->priority ||
	    memcmp(a->dst, b->dst, alen) || memcmp(a->src, b->src, alen))
		return false;
	/*
	 * IPv6 keeps routes of one prefix and metric on several devices
	 * side by side (fe80::/64 on each): the nexthop is part of the key.
	 */
	return a->family == AF_INET ||
	       (a->oif == b->oif && a->has_gw == b->has_gw &&
		!memcmp(a->gw, b->gw, alen) && a->mp_len == b->mp_len &&
		!memcmp(a->mp, b->mp, a->mp_len));
}

bool rt_equal(const struct rt *a, const struct rt *b)
{
	unsigned int alen = addr_len(a->family);

	return rt_same_key(a, b) && a->type == b->type &&
	       a->scope == b->scope && a->protocol == b->protocol &&
	       a->flags == b->flags && a->oif == b->oif &&
	       a->has_gw == b->has_gw && !memcmp(a->gw, b->gw, alen) &&
	       a->has_prefsrc == b->has_prefsrc &&
	       !memcmp(a->prefsrc, b->prefsrc, alen) &&
	       a->has_pref == b->has_pref && a->pref == b->pref &&
	       a->metrics_len == b->metrics_len &&
	       !memcmp(a->metrics, b->metrics, a->metrics_len) &&
	       a->mp_len == b->mp_len && !memcmp(a->mp, b->mp, a->mp_len);
}

bool rrule_equal(const struct rrule *a, const struct rrule *b)
{
	return a->family == b->family && a->action == b->action &&
	       a->pref == b->pref && a->mark == b->mark &&
	       a->mask == b->mask && a->table == b->table;
}

static int find_key(const struct rt_list *l, const struct rt *r)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (rt_same_key(&l->v[i], r))
			return i;
	return -1;
}

int routing_diff_routes(const struct rt_list *want, const struct rt_list *have,
			struct rt_list *add, struct rt_list *del,
			struct rt_list *renew)
{
	unsigned int i, j;
	int err = 0, k;

	for (i = 0; i < want->n && !err; i++) {
		const struct rt *w = &want->v[i];

		for (j = 0; j < have->n; j++)
			if (rt_equal(w, &have->v[j]))
				break;
		if (j < have->n)
			continue;
		k = find_key(have, w);
		/* IPv4 replaces in place; IPv6 would replace another */
		if (k < 0 || w->family == AF_INET)
			err = rt_list_add(add, w);
		else
			err = rt_list_add(renew, w);
	}
	/* a route whose key is wanted is replaced or renewed, not deleted */
	for (i = 0; i < have->n && !err; i++)
		if (find_key(want, &have->v[i]) < 0)
			err = rt_list_add(del, &have->v[i]);
	return err;
}

int routing_diff_rules(const struct rrule_list *want,
		       const struct rrule_list *have,
		       struct rrule_list *add, struct rrule_list *del)
{
	unsigned int i, j;
	int err = 0;

	for (i = 0; i < want->n && !err; i++) {
		for (j = 0; j < have->n; j++)
			if (rrule_equal(&want->v[i], &have->v[j]))
				break;
		if (j == have->n)
			err = rrule_list_add(add, &want->v[i]);
	}
	for (i = 0; i < have->n && !err; i++) {
		for (j = 0; j < want->n; j++)
			if (rrule_equal(&have->v[i], &want->v[j]))
				break;
		if (j == want->n)
			err = rrule_list_add(del, &have->v[i]);
	}
	return err;
}
