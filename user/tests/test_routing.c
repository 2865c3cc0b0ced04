// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's routing (agent/routing_conf.c, agent/routing_plan.c): its
 * config lines and their mistakes, which of main's routes each link's
 * table gets, the rules, and what a second run changes (nothing).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "confparse.h"
#include "ktap.h"
#include "routing.h"
#include "util.h"

static char *err_text;
static size_t err_len;

static int route_lines(void *data, int argc, char **argv, unsigned int line)
{
	if (strcmp(argv[0], "routing") && strcmp(argv[0], "route"))
		return 0;
	return routing_line(data, argc, argv, line);
}

/* Parse @text as file "r.conf"; what it printed is in err_text. */
static int parse(const char *text, struct mwan_config *cfg,
		 struct routing_conf *rc)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	FILE *saved = stderr;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	routing_conf_init(rc);
	fflush(stderr);
	free(err_text);
	err_text = NULL;
	stderr = open_memstream(&err_text, &err_len);
	err = config_parse_agent(f, "r.conf", cfg, route_lines, rc);
	if (!err)
		err = routing_resolve(rc, cfg, "r.conf");
	fclose(stderr);
	stderr = saved;
	fclose(f);
	return err;
}

static void release(struct mwan_config *cfg, struct routing_conf *rc)
{
	mwan_config_release(cfg);
	routing_conf_release(rc);
}

static void test_conf(void)
{
	struct mwan_config cfg;
	struct routing_conf rc;
	const struct route_link_conf *c;
	uint8_t a4[4];
	int err;

	err = parse("link add wan1 dev lo id 1\n", &cfg, &rc);
	ktap_check(!err && !rc.off && rc.table_base == 100 &&
		   rc.pref_base == 1000 && !rc.n_links,
		   "routing: on by default, tables 100+id, rules 1000+id");
	release(&cfg, &rc);

	err = parse("link add wan1 dev lo id 1\n"
		    "routing table-base 200 pref-base 3000\n"
		    "route wan1 table 77 via 192.0.2.1 via fe80::1\n",
		    &cfg, &rc);
	c = routing_link_conf(&rc, "wan1");
	inet_pton(AF_INET, "192.0.2.1", a4);
	ktap_check(!err && rc.table_base == 200 && rc.pref_base == 3000 && c &&
		   c->table == 77 && c->has_via4 && c->has_via6 &&
		   !memcmp(c->via4, a4, 4) && c->line == 3,
		   "routing: table-base, pref-base; route: table, two vias");
	release(&cfg, &rc);

	err = parse("link add wan1 dev lo\nrouting off\n", &cfg, &rc);
	ktap_check(!err && rc.off, "routing off");
	release(&cfg, &rc);
}

static void test_conf_errors(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "link add wan1 dev lo\nrouting tables 3\n",
		  "r.conf:2: unknown keyword \"tables\" (off, table-base, pref-base)" },
		{ "link add wan1 dev lo\nrouting pref-base 40000\n",
		  "r.conf:2: invalid pref-base \"40000\" (1..31510)" },
		{ "link add wan1 dev lo\nrouting table-base\n",
		  "r.conf:2: table-base needs a value" },
		{ "link add wan1 dev lo\nrouting off\nrouting off\n",
		  "r.conf:3: \"routing\" given twice (first on line 2)" },
		{ "link add wan1 dev lo\nroute wan2 via 192.0.2.1\n",
		  "r.conf:2: route of unknown link \"wan2\"" },
		{ "link add wan1 dev lo\nroute wan1 via 192.0.2.300\n",
		  "r.conf:2: invalid via \"192.0.2.300\" (an IPv4 or IPv6 address)" },
		{ "link add wan1 dev lo\nroute wan1 via 192.0.2.1 via 192.0.2.2\n",
		  "r.conf:2: a second IPv4 via \"192.0.2.2\"" },
		{ "link add wan1 dev lo\nroute wan1 table 254\n",
		  "r.conf:2: table 254 is reserved (default, main, local)" },
		{ "link add wan1 dev lo\nroute wan1\nroute wan1 table 5\n",
		  "r.conf:3: route for \"wan1\" given twice (first on line 2)" },
		{ "link add wan1 dev lo id 1\nlink add wan2 dev lo id 2\n"
		  "route wan1 table 102\n",
		  "r.conf:2: links \"wan1\" and \"wan2\" would share table 102" },
		{ "link add wan1 dev lo id 2\nrouting table-base 250\n",
		  "r.conf:2: link \"wan1\" would get table 252, which is reserved" },
		{ "link add wan1 dev lo\nrouting off\nroute wan1 table 7\n",
		  "r.conf:3: route line with \"routing off\" (line 2)" },
	};
	struct mwan_config cfg;
	struct routing_conf rc;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int err = parse(cases[i].text, &cfg, &rc);
		bool ok = err && err_text && strstr(err_text, cases[i].msg);

		ktap_check(ok, "error: %s", cases[i].msg);
		if (!ok && err_text)
			fprintf(stderr, "# got: %s", err_text);
		release(&cfg, &rc);
	}
}

/* Routes as rtnetlink would report them */
static struct rt route4(const char *dst, unsigned int len, uint32_t oif,
			const char *gw, uint32_t prio)
{
	struct rt r = {
		.family = AF_INET, .dst_len = len, .type = RTN_UNICAST,
		.protocol = RTPROT_BOOT, .table = RT_TABLE_MAIN,
		.priority = prio, .oif = oif,
		.scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
	};

	inet_pton(AF_INET, dst, r.dst);
	if (gw)
		r.has_gw = inet_pton(AF_INET, gw, r.gw) == 1;
	return r;
}

/* An IPv6 default route over two devices, as router advertisements of two
 * uplinks make it
 */
static struct rt multipath6(uint32_t if1, const char *gw1, uint32_t if2,
			    const char *gw2)
{
	struct rt r = {
		.family = AF_INET6, .type = RTN_UNICAST, .protocol = RTPROT_RA,
		.table = RT_TABLE_MAIN, .priority = 1024,
	};
	const uint32_t ifs[2] = { if1, if2 };
	const char *gws[2] = { gw1, gw2 };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct rtnexthop *nh = (void *)(r.mp + r.mp_len);
		struct rtattr *a = RTNH_DATA(nh);

		nh->rtnh_len = RTNH_LENGTH(RTA_LENGTH(16));
		nh->rtnh_flags = RTNH_F_LINKDOWN * (i == 1);
		nh->rtnh_ifindex = ifs[i];
		a->rta_type = RTA_GATEWAY;
		a->rta_len = RTA_LENGTH(16);
		inet_pton(AF_INET6, gws[i], RTA_DATA(a));
		r.mp_len += RTNH_ALIGN(nh->rtnh_len);
	}
	return r;
}

static const struct rt *find(const struct rt_list *l, uint32_t table,
			     uint8_t family, const char *dst, unsigned int len)
{
	uint8_t a[16] = { 0 };
	unsigned int i;

	inet_pton(family, dst, a);
	for (i = 0; i < l->n; i++) {
		const struct rt *r = &l->v[i];

		if (r->table == table && r->family == family &&
		    r->dst_len == len && !memcmp(r->dst, a, 16))
			return r;
	}
	return NULL;
}

static bool gw_is(const struct rt *r, const char *gw)
{
	uint8_t a[16] = { 0 };

	inet_pton(r->family, gw, a);
	return r->has_gw && !memcmp(r->gw, a, r->family == AF_INET ? 4 : 16);
}

/* lan0 = 2, wan1 = 3, wan2 = 4, wg0 = 5 (a tunnel) */
static void test_plan(void)
{
	struct route_link links[3] = {
		{ .name = "wan1", .id = 1, .ifindex = 3, .mark = 0x100,
		  .mask = 0x3f00, .table = 101 },
		{ .name = "wan2", .id = 2, .ifindex = 4, .mark = 0x200,
		  .mask = 0x3f00, .table = 102 },
		{ .name = "wg0", .id = 3, .ifindex = 5, .mark = 0x300,
		  .mask = 0x3f00, .table = 103, .p2p = true },
	};
	struct route_link_conf via = { .link = "wan2", .has_via4 = true };
	struct rt_list main = { 0 }, want = { 0 }, add = { 0 }, del = { 0 };
	struct rt_list renew = { 0 };
	struct rrule_list rules = { 0 }, radd = { 0 }, rdel = { 0 };
	const struct rt *r;
	struct rt m;
	unsigned int i;
	int err;

	m = route4("10.0.0.0", 24, 2, NULL, 0);
	rt_list_add(&main, &m);
	m = route4("100.64.1.0", 24, 3, NULL, 0);
	rt_list_add(&main, &m);
	m = route4("100.64.2.0", 24, 4, NULL, 0);
	rt_list_add(&main, &m);
	m = route4("0.0.0.0", 0, 3, "100.64.1.1", 10);
	rt_list_add(&main, &m);
	m = route4("0.0.0.0", 0, 4, "100.64.2.1", 20);
	rt_list_add(&main, &m);
	/* one made by an agent before: never copied */
	m = route4("192.168.9.0", 24, 2, NULL, 0);
	m.protocol = RTPROT_MWAN;
	rt_list_add(&main, &m);
	m = multipath6(3, "fe80::1", 4, "fe80::2");
	rt_list_add(&main, &m);

	err = routing_plan_routes(links, 3, &main, &want);
	ktap_check(!err, "plan: routes planned");
	r = find(&want, 101, AF_INET, "0.0.0.0", 0);
	ktap_check(r && gw_is(r, "100.64.1.1") && r->oif == 3 &&
		   r->priority == 10 && r->protocol == RTPROT_MWAN,
		   "plan: wan1's table has main's default via wan1, proto mwan");
	r = find(&want, 102, AF_INET, "0.0.0.0", 0);
	ktap_check(r && gw_is(r, "100.64.2.1") && r->oif == 4,
		   "plan: wan2's table has its own default, not wan1's");
	ktap_check(find(&want, 101, AF_INET, "10.0.0.0", 24) &&
		   find(&want, 102, AF_INET, "10.0.0.0", 24) &&
		   find(&want, 103, AF_INET, "10.0.0.0", 24),
		   "plan: the LAN route is in every link's table");
	ktap_check(find(&want, 101, AF_INET, "100.64.1.0", 24) &&
		   !find(&want, 102, AF_INET, "100.64.1.0", 24) &&
		   !find(&want, 103, AF_INET, "100.64.1.0", 24),
		   "plan: a link's own subnet only in its own table");
	ktap_check(!find(&want, 101, AF_INET, "192.168.9.0", 24),
		   "plan: routes of proto mwan in main are not copied");
	r = find(&want, 101, AF_INET6, "::", 0);
	ktap_check(r && !r->mp_len && r->oif == 3 && gw_is(r, "fe80::1"),
		   "plan: a multipath IPv6 default gives wan1 its nexthop");
	r = find(&want, 102, AF_INET6, "::", 0);
	ktap_check(r && !r->mp_len && r->oif == 4 && gw_is(r, "fe80::2") &&
		   !r->flags, "plan: ... and wan2 its own, linkdown dropped");
	r = find(&want, 103, AF_INET, "0.0.0.0", 0);
	ktap_check(r && !r->has_gw && r->oif == 5 && r->scope == RT_SCOPE_LINK,
		   "plan: the tunnel without a gateway routes by device");
	r = find(&want, 103, AF_INET6, "::", 0);
	ktap_check(r && !r->has_gw && r->oif == 5,
		   "plan: ... for IPv6 too");
	ktap_check(!find(&want, 101, AF_INET, "100.64.2.0", 24),
		   "plan: another link's subnet stays out of wan1's table");

	/* a configured gateway wins over main's */
	inet_pton(AF_INET, "198.51.100.1", via.via4);
	links[1].conf = &via;
	rt_list_release(&want);
	routing_plan_routes(links, 3, &main, &want);
	r = find(&want, 102, AF_INET, "0.0.0.0", 0);
	ktap_check(r && gw_is(r, "198.51.100.1") && r->flags == RTNH_F_ONLINK &&
		   !r->priority,
		   "plan: \"route wan2 via\" replaces main's gateway, onlink");
	for (i = 0, err = 0; i < want.n; i++)
		err += want.v[i].table == 102 && !want.v[i].dst_len &&
		       want.v[i].family == AF_INET;
	ktap_check(err == 1, "plan: ... and main's is not copied as well");

	/* no gateway anywhere, not a tunnel: no default route */
	rt_list_release(&main);
	m = route4("10.0.0.0", 24, 2, NULL, 0);
	rt_list_add(&main, &m);
	links[1].conf = NULL;
	rt_list_release(&want);
	routing_plan_routes(links, 3, &main, &want);
	ktap_check(!find(&want, 101, AF_INET, "0.0.0.0", 0) &&
		   find(&want, 101, AF_INET, "10.0.0.0", 24),
		   "plan: no gateway known: the LAN only");

	routing_plan_rules(links, 3, 1000, &rules);
	ktap_check(rules.n == 12, "rules: two per link and family (%u)",
		   rules.n);
	ktap_check(rules.v[0].family == AF_INET &&
		   rules.v[0].action == FR_ACT_TO_TBL && rules.v[0].pref == 1001 &&
		   rules.v[0].mark == 0x100 && rules.v[0].mask == 0x3f00 &&
		   rules.v[0].table == 101,
		   "rules: pref 1001 fwmark 0x100/0x3f00 lookup 101");
	ktap_check(rules.v[1].action == FR_ACT_UNREACHABLE &&
		   rules.v[1].pref == 2001 && rules.v[1].mark == 0x100,
		   "rules: pref 2001 fwmark 0x100/0x3f00 unreachable");
	ktap_check(rules.v[2].family == AF_INET6 && rules.v[2].pref == 1001,
		   "rules: the same for IPv6");

	/* what is there already is left alone; what differs is replaced */
	routing_diff_routes(&want, &want, &add, &del, &renew);
	routing_diff_rules(&rules, &rules, &radd, &rdel);
	ktap_check(!add.n && !del.n && !renew.n && !radd.n && !rdel.n,
		   "diff: a second run changes nothing");
	{
		struct rt_list have = { 0 };
		struct rt stale = want.v[0];

		for (i = 0; i < want.n; i++)
			rt_list_add(&have, &want.v[i]);
		have.v[0].has_gw = !have.v[0].has_gw;
		stale.dst_len = 8;
		stale.dst[0] = 172;
		rt_list_add(&have, &stale);
		rt_list_release(&add);
		rt_list_release(&del);
		routing_diff_routes(&want, &have, &add, &del, &renew);
		ktap_check(add.n == 1 && rt_equal(&add.v[0], &want.v[0]) &&
			   del.n == 1 && del.v[0].dst_len == 8,
			   "diff: a changed route replaced, a stale one deleted");
		rt_list_release(&have);
	}
	rt_list_release(&main);
	rt_list_release(&want);
	rt_list_release(&add);
	rt_list_release(&del);
	rt_list_release(&renew);
	rrule_list_release(&rules);
	rrule_list_release(&radd);
	rrule_list_release(&rdel);
}

static struct rt linklocal(uint32_t oif)
{
	struct rt r = {
		.family = AF_INET6, .dst_len = 64, .type = RTN_UNICAST,
		.protocol = RTPROT_KERNEL, .table = RT_TABLE_MAIN,
		.priority = 256, .oif = oif,
	};

	inet_pton(AF_INET6, "fe80::", r.dst);
	return r;
}

/* IPv6 has a route of one prefix and metric per device */
static void test_ipv6_keys(void)
{
	struct route_link links[2] = {
		{ .name = "wan1", .id = 1, .ifindex = 3, .table = 101 },
		{ .name = "wan2", .id = 2, .ifindex = 4, .table = 102 },
	};
	struct rt_list main = { 0 }, want = { 0 }, have = { 0 };
	struct rt_list add = { 0 }, del = { 0 }, renew = { 0 };
	unsigned int i, in101 = 0;
	struct rt m;

	m = linklocal(2);
	rt_list_add(&main, &m);
	m = linklocal(3);
	rt_list_add(&main, &m);
	m = linklocal(4);
	rt_list_add(&main, &m);
	routing_plan_routes(links, 2, &main, &want);
	for (i = 0; i < want.n; i++)
		in101 += want.v[i].table == 101 && want.v[i].oif != 4;
	ktap_check(want.n == 4 && in101 == 2,
		   "ipv6: fe80::/64 of the LAN and of wan1 both in table 101");
	ktap_check(!rt_same_key(&want.v[0], &want.v[1]),
		   "ipv6: ... two keys, one per device");
	for (i = 0; i < want.n; i++)
		rt_list_add(&have, &want.v[i]);
	have.v[1].pref = 3;
	have.v[1].has_pref = true;
	routing_diff_routes(&want, &have, &add, &del, &renew);
	ktap_check(!add.n && !del.n && renew.n == 1 &&
		   rt_equal(&renew.v[0], &want.v[1]),
		   "ipv6: a changed route is renewed (deleted, added), not replaced");
	rt_list_release(&main);
	rt_list_release(&want);
	rt_list_release(&have);
	rt_list_release(&add);
	rt_list_release(&del);
	rt_list_release(&renew);
}

int main(void)
{
	ktap_start();
	test_conf();
	test_conf_errors();
	test_plan();
	test_ipv6_keys();
	free(err_text);
	return ktap_finish("test_routing");
}
