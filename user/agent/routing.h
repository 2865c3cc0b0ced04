/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The routing the agent owns: per link a table, and the fwmark rules that
 * send a link's connections to it.
 *
 * A connection's packets carry its link's mark both ways, inbound too, so
 * a link's table must route to the LAN as well as to the internet. Rather
 * than a "lookup main suppress_prefixlength 0" rule, which costs every
 * packet a full lookup in main before its own table, each link's table
 * gets a copy of main's routes (as mwan3 does): the LAN and other specific
 * routes, those on the link's own device, and the link's default route.
 * Routes on other links' devices and their default routes stay out. A
 * packet then costs one lookup in its link's table. Behind each link's
 * lookup rule an unreachable rule keeps its marked traffic from leaking to
 * main, and so to another uplink, when the table has no route.
 *
 * Everything the agent makes carries its own protocol (RTPROT_MWAN): that
 * is how a restart finds its routes and rules again, and how --cleanup
 * removes exactly those. This file holds the pure part: the config lines
 * and the plan, which turns main's routes and the links into the routes
 * and rules there should be, and compares that with what there is.
 * user/tests/test_routing.c runs it; routing.c does the rtnetlink I/O.
 */
#ifndef MWAN_AGENT_ROUTING_H
#define MWAN_AGENT_ROUTING_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* "proto mwan" in ip route / ip rule, as /etc/iproute2/rt_protos.d says */
#define RTPROT_MWAN		109

#define ROUTING_TABLE_BASE	100	/* link id N: table 100 + N */
#define ROUTING_PREF_BASE	1000	/* lookup rule 1000 + N */
#define ROUTING_GUARD_OFFSET	1000	/* unreachable rule 2000 + N */

#define RT_BLOB_MAX		512	/* metrics, multipath nexthops */

/* One route, with the attributes the agent copies and compares */
struct rt {
	uint8_t family, dst_len, src_len, tos;
	uint8_t type, scope, protocol;
	uint8_t flags;			/* RTNH_F_ONLINK: the rest is state */
	uint32_t table;
	uint32_t priority;
	uint32_t oif;
	uint8_t dst[16], src[16];
	uint8_t gw[16];
	bool has_gw;
	uint8_t prefsrc[16];
	bool has_prefsrc;
	uint8_t pref;			/* RTA_PREF (IPv6), 0: none */
	bool has_pref;
	uint16_t metrics_len, mp_len;
	uint8_t metrics[RT_BLOB_MAX];	/* RTA_METRICS payload */
	uint8_t mp[RT_BLOB_MAX];	/* RTA_MULTIPATH payload */
};

/* One fwmark rule */
struct rrule {
	uint8_t family;
	uint8_t action;			/* FR_ACT_TO_TBL, FR_ACT_UNREACHABLE */
	uint32_t pref;
	uint32_t mark, mask;
	uint32_t table;			/* FR_ACT_TO_TBL only */
};

struct rt_list {
	struct rt *v;
	unsigned int n;
};

struct rrule_list {
	struct rrule *v;
	unsigned int n;
};

/* A link's "route" line */
struct route_link_conf {
	char link[MWAN_NAME_MAX];
	unsigned int line;
	uint32_t table;			/* 0: table base + id */
	uint8_t via4[4], via6[16];	/* gateways that override main's */
	bool has_via4, has_via6;
};

struct routing_conf {
	bool off;			/* "routing off": the user routes */
	unsigned int line;		/* of the "routing" line, 0: none */
	uint32_t table_base;
	uint32_t pref_base;
	struct route_link_conf *links;
	unsigned int n_links;
};

/* What the plan needs of a link: the kernel's view and the device's */
struct route_link {
	const char *name;
	uint32_t id, ifindex, mark, mask;
	uint32_t table;
	bool p2p;			/* routes by device, no gateway */
	const struct route_link_conf *conf;	/* NULL: no route line */
};

void routing_conf_init(struct routing_conf *rc);
/* A config_line_fn for the "routing" and "route" lines */
int routing_line(struct routing_conf *rc, int argc, char **argv,
		 unsigned int line);
/* After the file: every route line's link exists, tables do not collide */
int routing_resolve(const struct routing_conf *rc,
		    const struct mwan_config *cfg, const char *fname);
void routing_conf_release(struct routing_conf *rc);
const struct route_link_conf *routing_link_conf(const struct routing_conf *rc,
						const char *link);

/*
 * The routes the links' tables should hold, given main's (@main, both
 * families): appended to @want. Returns 0 or -ENOMEM.
 */
int routing_plan_routes(const struct route_link *links, unsigned int n,
			const struct rt_list *main, struct rt_list *want);
/* The rules, both families, for @n links: appended to @want. */
int routing_plan_rules(const struct route_link *links, unsigned int n,
		       uint32_t pref_base, struct rrule_list *want);

/*
 * Same table, destination, source, tos and metric, and for IPv6 the same
 * nexthop: the kernel holds one route of a key.
 */
bool rt_same_key(const struct rt *a, const struct rt *b);
/* Same key and the same content: nothing to do */
bool rt_equal(const struct rt *a, const struct rt *b);
bool rrule_equal(const struct rrule *a, const struct rrule *b);

/*
 * What to change: @add the wanted routes that are missing, or differ from
 * an IPv4 one of their key (added with replace); @renew those that differ
 * from an IPv6 one of their key (deleted and added again: an IPv6 replace
 * would take whichever route of the prefix and metric comes first); @del
 * the ones there whose key is not wanted.
 */
int routing_diff_routes(const struct rt_list *want, const struct rt_list *have,
			struct rt_list *add, struct rt_list *del,
			struct rt_list *renew);
int routing_diff_rules(const struct rrule_list *want,
		       const struct rrule_list *have,
		       struct rrule_list *add, struct rrule_list *del);

int rt_list_add(struct rt_list *l, const struct rt *r);
int rrule_list_add(struct rrule_list *l, const struct rrule *r);
void rt_list_release(struct rt_list *l);
void rrule_list_release(struct rrule_list *l);

#endif /* MWAN_AGENT_ROUTING_H */
