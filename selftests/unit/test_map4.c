// SPDX-License-Identifier: GPL-2.0
/*
 * 1:1 IPv4 range maps: the seed's two uplinks (the same five hosts as
 * 104.57.226.193-.197 on AT&T and 136.25.91.242-.246 on Webpass), the
 * range edges, validation, and the ends of the address space.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "map4.h"
#include "ktap.h"

static __be32 ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "bad address %s\n", s);
		exit(2);
	}
	return a.s_addr;
}

static int init(struct mwan_map4 *m, const char *first, const char *last,
		const char *ext)
{
	return mwan_map4_init(m, ip(first), ip(last), ip(ext));
}

/* @from maps to @to in direction @out, and @to back to @from. */
static int pair(const struct mwan_map4 *m, const char *from, const char *to)
{
	__be32 t = 0, back = 0;

	return mwan_map4_out(m, ip(from), &t) && t == ip(to) &&
	       mwan_map4_in(m, t, &back) && back == ip(from);
}

/* Not mapped: false, and the twin left alone. */
static int unmapped(const struct mwan_map4 *m, const char *addr, bool out)
{
	__be32 t = 0x5a5a5a5a;
	bool r = out ? mwan_map4_out(m, ip(addr), &t) :
		       mwan_map4_in(m, ip(addr), &t);

	return !r && t == 0x5a5a5a5a;
}

static void test_seed_example(void)
{
	struct mwan_map4 att, webpass;
	int ok = 1, i;
	char h[32], a[32], w[32];

	ktap_check(!init(&att, "10.250.250.2", "10.250.250.6", "104.57.226.193") &&
		   !init(&webpass, "10.250.250.2", "10.250.250.6", "136.25.91.242"),
		   "AT&T and Webpass maps of 10.250.250.2-.6 accepted");
	for (i = 0; i < 5; i++) {
		snprintf(h, sizeof(h), "10.250.250.%d", 2 + i);
		snprintf(a, sizeof(a), "104.57.226.%d", 193 + i);
		snprintf(w, sizeof(w), "136.25.91.%d", 242 + i);
		ok &= pair(&att, h, a) && pair(&webpass, h, w);
	}
	ktap_check(ok, "each host has its twin on both links, in order, and back");
	ktap_check(unmapped(&att, "10.250.250.1", true) &&
		   unmapped(&att, "10.250.250.7", true),
		   "the hosts just outside the range are not mapped out");
	ktap_check(unmapped(&att, "104.57.226.192", false) &&
		   unmapped(&att, "104.57.226.198", false) &&
		   unmapped(&att, "136.25.91.242", false),
		   "addresses just outside the external range (or another link's) are not mapped in");
	ktap_check(unmapped(&att, "104.57.226.193", true) &&
		   unmapped(&att, "10.250.250.2", false),
		   "directions do not mix: external out, internal in");
}

static void test_validation(void)
{
	struct mwan_map4 m;

	ktap_check(init(&m, "10.0.0.6", "10.0.0.2", "192.0.2.1") == -EINVAL,
		   "a reversed range is refused");
	ktap_check(init(&m, "10.0.0.1", "10.0.0.3", "255.255.255.254") == -EINVAL,
		   "an external range running past 255.255.255.255 is refused");
	ktap_check(!init(&m, "10.0.0.1", "10.0.0.2", "255.255.255.254") &&
		   pair(&m, "10.0.0.2", "255.255.255.255"),
		   "one ending exactly at 255.255.255.255 is accepted");
	ktap_check(!init(&m, "10.0.0.9", "10.0.0.9", "192.0.2.9") &&
		   pair(&m, "10.0.0.9", "192.0.2.9") &&
		   unmapped(&m, "10.0.0.8", true) && unmapped(&m, "10.0.0.10", true),
		   "a single address maps alone");
	ktap_check(!init(&m, "0.0.0.0", "255.255.255.255", "0.0.0.0") &&
		   init(&m, "0.0.0.0", "255.255.255.255", "0.0.0.1") == -EINVAL,
		   "the whole space maps only onto itself");
}

static void test_space_edges(void)
{
	struct mwan_map4 lo, hi;

	init(&lo, "0.0.0.0", "0.0.0.3", "203.0.113.252");
	init(&hi, "255.255.255.252", "255.255.255.255", "0.0.0.0");
	ktap_check(pair(&lo, "0.0.0.0", "203.0.113.252") &&
		   pair(&lo, "0.0.0.3", "203.0.113.255") &&
		   unmapped(&lo, "255.255.255.255", true) &&
		   unmapped(&lo, "203.0.113.251", false),
		   "a range at 0.0.0.0: no wrap-around from below");
	ktap_check(pair(&hi, "255.255.255.252", "0.0.0.0") &&
		   pair(&hi, "255.255.255.255", "0.0.0.3") &&
		   unmapped(&hi, "255.255.255.251", true) &&
		   unmapped(&hi, "0.0.0.4", false),
		   "a range at 255.255.255.255 onto 0.0.0.0");
}

/* Every address of a /16 around a /24 map: in range iff mapped, and back. */
static void test_sweep(void)
{
	struct mwan_map4 m;
	unsigned int a, bad = 0, hits = 0;

	init(&m, "172.16.5.0", "172.16.5.255", "198.51.100.0");
	for (a = 0xac100000; a <= 0xac10ffff; a++) {
		__be32 t, back;
		bool in = (a >> 8) == 0xac1005;

		if (mwan_map4_out(&m, htonl(a), &t) != in) {
			bad++;
			continue;
		}
		if (!in)
			continue;
		hits++;
		if (ntohl(t) != (0xc6336400 | (a & 0xff)) ||
		    !mwan_map4_in(&m, t, &back) || back != htonl(a))
			bad++;
	}
	ktap_check(!bad && hits == 256,
		   "a /16 swept: exactly the 256 mapped addresses map, in order, and back");
}

int main(void)
{
	ktap_plan("map4", 13);
	test_seed_example();
	test_validation();
	test_space_edges();
	test_sweep();
	return ktap_finish();
}
