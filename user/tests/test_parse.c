// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the pure parsers in common/parse.c */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ktap.h"
#include "parse.h"
#include "util.h"

static const char *err_name(int err)
{
	switch (err) {
	case 0:			return "ok";
	case -EINVAL:		return "EINVAL";
	case -ERANGE:		return "ERANGE";
	case -EDOM:		return "EDOM";
	case -ENAMETOOLONG:	return "ENAMETOOLONG";
	case -E2BIG:		return "E2BIG";
	case -EOVERFLOW:	return "EOVERFLOW";
	}
	return "?";
}

static void test_u32(void)
{
	static const struct {
		const char *s;
		uint32_t min, max;
		int err;
		uint32_t v;
	} t[] = {
		{ "0", 0, 10, 0, 0 },
		{ "42", 0, 100, 0, 42 },
		{ "0x1F", 0, 100, 0, 31 },
		{ "0xff00", 0, UINT32_MAX, 0, 0xff00 },
		{ "010", 0, 100, 0, 10 },	/* decimal, not octal */
		{ "4294967295", 0, UINT32_MAX, 0, UINT32_MAX },
		{ "4294967296", 0, UINT32_MAX, -ERANGE, 0 },
		{ "99999999999999999999999", 0, UINT32_MAX, -ERANGE, 0 },
		{ "0", 1, 10, -ERANGE, 0 },
		{ "11", 1, 10, -ERANGE, 0 },
		{ "", 0, 10, -EINVAL, 0 },
		{ "-1", 0, 10, -EINVAL, 0 },
		{ "+1", 0, 10, -EINVAL, 0 },
		{ " 1", 0, 10, -EINVAL, 0 },
		{ "1 ", 0, 10, -EINVAL, 0 },
		{ "0x", 0, 10, -EINVAL, 0 },
		{ "0x-1", 0, 10, -EINVAL, 0 },
		{ "1k", 0, 10000, -EINVAL, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint32_t v = 0;
		int err = parse_u32(t[i].s, t[i].min, t[i].max, &v);

		ktap_check(err == t[i].err && (err || v == t[i].v),
			   "parse_u32 \"%s\" in %u..%u -> %s %u", t[i].s,
			   t[i].min, t[i].max, err_name(t[i].err), t[i].v);
	}
}

static void test_name(void)
{
	static const struct {
		const char *s;
		int err;
	} t[] = {
		{ "wan1", 0 },
		{ "wg-fest.1", 0 },
		{ "isp_2.b-c", 0 },
		{ "a:b", -EINVAL },
		{ "a@b", -EINVAL },
		{ "123456789012345", 0 },	/* 15 bytes, the most */
		{ "1234567890123456", -ENAMETOOLONG },
		{ "", -EINVAL },
		{ "a b", -EINVAL },
		{ "a/b", -EINVAL },
		{ "a#b", -EINVAL },
		{ "a,b", -EINVAL },
		{ "a\"b", -EINVAL },
		{ "\xc3\xa4", -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char name[MWAN_NAME_MAX] = "";
		int err = parse_name(t[i].s, name);

		ktap_check(err == t[i].err &&
			   (err || !strcmp(name, t[i].s)),
			   "parse_name \"%s\" -> %s", t[i].s,
			   err_name(t[i].err));
	}
}

static void test_prefix(void)
{
	static const struct {
		const char *s;
		int err;
		uint8_t family, len;
		const char *canon;
	} t[] = {
		{ "192.0.2.0/24", 0, AF_INET, 24, "192.0.2.0/24" },
		{ "192.0.2.1", 0, AF_INET, 32, "192.0.2.1/32" },
		{ "0.0.0.0/0", 0, AF_INET, 0, "0.0.0.0/0" },
		{ "10.1.2.0/23", 0, AF_INET, 23, "10.1.2.0/23" },
		{ "10.1.3.0/23", -EDOM, 0, 0, NULL },
		{ "192.0.2.1/24", -EDOM, 0, 0, NULL },
		{ "10.0.0.0/33", -ERANGE, 0, 0, NULL },
		{ "10.0.0.0/", -EINVAL, 0, 0, NULL },
		{ "10.0.0.0/08", -EINVAL, 0, 0, NULL },
		{ "10.0.0.0/0x8", -EINVAL, 0, 0, NULL },
		{ "10.0.0.0/-1", -EINVAL, 0, 0, NULL },
		{ "10.0.0/8", -EINVAL, 0, 0, NULL },
		{ "bogus", -EINVAL, 0, 0, NULL },
		{ "", -EINVAL, 0, 0, NULL },
		{ "2001:db8::/32", 0, AF_INET6, 32, "2001:db8::/32" },
		{ "2001:DB8::1", 0, AF_INET6, 128, "2001:db8::1/128" },
		{ "::/0", 0, AF_INET6, 0, "::/0" },
		{ "2001:db8:8000::/33", 0, AF_INET6, 33, "2001:db8:8000::/33" },
		{ "2001:db8:4000::/33", -EDOM, 0, 0, NULL },
		{ "2001:db8::/129", -ERANGE, 0, 0, NULL },
		{ "::ffff:192.0.2.0/120", 0, AF_INET6, 120,
		  "::ffff:192.0.2.0/120" },
		{ "2001:db8::/32/1", -EINVAL, 0, 0, NULL },
		{ "1111:2222:3333:4444:5555:6666:7777:8888/128/extra-long",
		  -EINVAL, 0, 0, NULL },
	};
	char buf[PREFIX_STRLEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct mwan_prefix p;
		int err = parse_prefix(t[i].s, &p);
		bool ok = err == t[i].err;

		if (ok && !err)
			ok = p.family == t[i].family && p.len == t[i].len &&
			     !strcmp(format_prefix(&p, buf, sizeof(buf)),
				     t[i].canon);
		ktap_check(ok, "parse_prefix \"%s\" -> %s%s%s", t[i].s,
			   err_name(t[i].err), t[i].canon ? " " : "",
			   t[i].canon ? t[i].canon : "");
	}
}

static void test_npt_prefix(void)
{
	static const struct {
		const char *s;
		int err;
		uint8_t len;
		const char *canon;
	} t[] = {
		{ "3d06:bad:b01::/60", 0, 60, "3d06:bad:b01::/60" },
		{ "2600:1700:2f71:c80::/60", 0, 60, "2600:1700:2f71:c80::/60" },
		{ "2001:DB8::/48", 0, 48, "2001:db8::/48" },
		{ "2001:db8:0:1::/64", 0, 64, "2001:db8:0:1::/64" },
		{ "8000::/1", 0, 1, "8000::/1" },
		{ "2001:db8::/65", -ERANGE, 0, NULL },	/* no spare word */
		{ "2001:db8::1/128", -ERANGE, 0, NULL },
		{ "::/0", -ERANGE, 0, NULL },
		{ "2001:db8::/129", -ERANGE, 0, NULL },
		{ "3d06:bad:b01::1/60", -EDOM, 0, NULL },
		{ "2600:1700:2f71:c80::/56", -EDOM, 0, NULL },
		{ "2001:db8::", -EINVAL, 0, NULL },	/* length required */
		{ "10.0.0.0/8", -EINVAL, 0, NULL },
		{ "2001:db8::/", -EINVAL, 0, NULL },
		{ "2001:db8::/060", -EINVAL, 0, NULL },
		{ "off", -EINVAL, 0, NULL },
		{ "", -EINVAL, 0, NULL },
	};
	char buf[PREFIX_STRLEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct mwan_prefix p;
		int err = parse_npt_prefix(t[i].s, &p);
		bool ok = err == t[i].err;

		if (ok && !err)
			ok = p.family == AF_INET6 && p.len == t[i].len &&
			     !strcmp(format_prefix(&p, buf, sizeof(buf)),
				     t[i].canon);
		ktap_check(ok, "parse_npt_prefix \"%s\" -> %s%s%s", t[i].s,
			   err_name(t[i].err), t[i].canon ? " " : "",
			   t[i].canon ? t[i].canon : "");
	}
}

#define A4(a, b, c, d)	((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static void test_range4(void)
{
	static const struct {
		const char *s;
		int err;
		uint32_t first, last;
	} t[] = {
		{ "10.250.250.2-10.250.250.6", 0, A4(10, 250, 250, 2),
		  A4(10, 250, 250, 6) },
		{ "104.57.226.193", 0, A4(104, 57, 226, 193),
		  A4(104, 57, 226, 193) },
		{ "10.0.0.5-10.0.0.5", 0, A4(10, 0, 0, 5), A4(10, 0, 0, 5) },
		{ "192.0.2.0/24", 0, A4(192, 0, 2, 0), A4(192, 0, 2, 255) },
		{ "192.0.2.8/29", 0, A4(192, 0, 2, 8), A4(192, 0, 2, 15) },
		{ "192.0.2.7/32", 0, A4(192, 0, 2, 7), A4(192, 0, 2, 7) },
		{ "0.0.0.0/0", 0, 0, UINT32_MAX },
		{ "10.0.255.255-10.1.0.0", 0, A4(10, 0, 255, 255),
		  A4(10, 1, 0, 0) },
		{ "255.255.255.254-255.255.255.255", 0,
		  A4(255, 255, 255, 254), UINT32_MAX },
		{ "10.0.0.9-10.0.0.1", -ERANGE, 0, 0 },
		{ "192.0.2.1/24", -EDOM, 0, 0 },
		{ "192.0.2.0/33", -EINVAL, 0, 0 },
		{ "192.0.2.0/", -EINVAL, 0, 0 },
		{ "2001:db8::/64", -EINVAL, 0, 0 },
		{ "2001:db8::1", -EINVAL, 0, 0 },
		{ "10.0.0.1-", -EINVAL, 0, 0 },
		{ "-10.0.0.1", -EINVAL, 0, 0 },
		{ "10.0.0.1-10.0.0.2-10.0.0.3", -EINVAL, 0, 0 },
		{ "10.0.0.0/30-10.0.0.9", -EINVAL, 0, 0 },
		{ "10.0.0", -EINVAL, 0, 0 },
		{ "010.0.0.1", -EINVAL, 0, 0 },
		{ "255.255.255.255-255.255.255.255x", -EINVAL, 0, 0 },
		{ "off", -EINVAL, 0, 0 },
		{ "", -EINVAL, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint32_t first = 1, last = 1;
		int err = parse_range4(t[i].s, &first, &last);

		ktap_check(err == t[i].err &&
			   (err || (first == t[i].first && last == t[i].last)),
			   "parse_range4 \"%s\" -> %s 0x%08x-0x%08x", t[i].s,
			   err_name(t[i].err), t[i].first, t[i].last);
	}
}

static void test_map4_check(void)
{
	static const struct {
		uint32_t first, last, ext;
		int err;
		const char *what;
	} t[] = {
		{ A4(10, 250, 250, 2), A4(10, 250, 250, 6),
		  A4(104, 57, 226, 193), 0, "5 addresses" },
		{ 1, 1, 1, 0, "one address onto itself" },
		{ 0, 65535, A4(203, 0, 113, 0), 0, "65536 addresses, the most" },
		{ 0, 65536, A4(203, 0, 113, 0), -E2BIG, "65537 addresses" },
		{ 0, UINT32_MAX, 0, -E2BIG, "the whole address space" },
		{ 5, 4, 0, -ERANGE, "reversed" },
		{ 0, 5, UINT32_MAX - 5, 0, "ends on 255.255.255.255" },
		{ 0, 5, UINT32_MAX - 4, -EOVERFLOW, "one past 255.255.255.255" },
		{ 0, 0, UINT32_MAX, 0, "255.255.255.255 alone" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		ktap_check(map4_check(t[i].first, t[i].last, t[i].ext) ==
			   t[i].err, "map4_check %s -> %s", t[i].what,
			   err_name(t[i].err));
}

static void test_format_range4(void)
{
	char buf[RANGE4_STRLEN];

	ktap_check(!strcmp(format_range4(A4(10, 250, 250, 2),
					 A4(10, 250, 250, 6), buf,
					 sizeof(buf)),
			   "10.250.250.2-10.250.250.6"),
		   "format_range4 10.250.250.2-10.250.250.6");
	ktap_check(!strcmp(format_range4(A4(192, 0, 2, 1), A4(192, 0, 2, 1),
					 buf, sizeof(buf)), "192.0.2.1"),
		   "format_range4 of one address is the address");
	ktap_check(!strcmp(format_range4(A4(255, 255, 255, 254), UINT32_MAX,
					 buf, sizeof(buf)),
			   "255.255.255.254-255.255.255.255"),
		   "format_range4 longest form fits RANGE4_STRLEN");
}

static void test_ports(void)
{
	static const struct {
		const char *s;
		int err;
		uint16_t min, max;
	} t[] = {
		{ "80", 0, 80, 80 },
		{ "1000-2000", 0, 1000, 2000 },
		{ "0-65535", 0, 0, 65535 },
		{ "25-25", 0, 25, 25 },
		{ "65536", -ERANGE, 0, 0 },
		{ "2000-1000", -ERANGE, 0, 0 },
		{ "80-", -EINVAL, 0, 0 },
		{ "-80", -EINVAL, 0, 0 },
		{ "1-2-3", -EINVAL, 0, 0 },
		{ "http", -EINVAL, 0, 0 },
		{ "", -EINVAL, 0, 0 },
		{ "0x50", 0, 80, 80 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint16_t min = 0, max = 0;
		int err = parse_port_range(t[i].s, &min, &max);

		ktap_check(err == t[i].err &&
			   (err || (min == t[i].min && max == t[i].max)),
			   "parse_port_range \"%s\" -> %s %u-%u", t[i].s,
			   err_name(t[i].err), t[i].min, t[i].max);
	}
}

static void test_mark(void)
{
	static const struct {
		const char *s;
		int err;
		uint32_t mark, mask;
	} t[] = {
		{ "0x100", 0, 0x100, 0xffffffff },
		{ "0x100/0xff00", 0, 0x100, 0xff00 },
		{ "256/65280", 0, 0x100, 0xff00 },
		{ "0/0", 0, 0, 0 },
		{ "0x1/0xff00", -EDOM, 0, 0 },
		{ "0x100/", -EINVAL, 0, 0 },
		{ "/0xff", -EINVAL, 0, 0 },
		{ "0x100000000", -ERANGE, 0, 0 },
		{ "1/2/3", -EINVAL, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint32_t mark = 0, mask = 0;
		int err = parse_mark(t[i].s, &mark, &mask);

		ktap_check(err == t[i].err &&
			   (err || (mark == t[i].mark && mask == t[i].mask)),
			   "parse_mark \"%s\" -> %s 0x%x/0x%x", t[i].s,
			   err_name(t[i].err), t[i].mark, t[i].mask);
	}
}

static void test_mark_mask(void)
{
	static const struct {
		const char *s;
		int err;
	} t[] = {
		{ "0x3f00", 0 },
		{ "0xff", 0 },
		{ "0x1", 0 },
		{ "0x80000000", 0 },
		{ "0xff000000", 0 },
		{ "0x1ff", -ERANGE },		/* 9 bits */
		{ "0x500", -ERANGE },		/* not contiguous */
		{ "0", -ERANGE },
		{ "mask", -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint32_t m;
		int err = parse_mark_mask(t[i].s, &m);

		ktap_check(err == t[i].err, "parse_mark_mask \"%s\" -> %s",
			   t[i].s, err_name(t[i].err));
	}
}

static void test_cgroup_path(void)
{
	static const struct {
		const char *s;
		int err;
		const char *rel;
		uint16_t level;
	} t[] = {
		{ "/sys/fs/cgroup", 0, "", 0 },
		{ "/sys/fs/cgroup/", 0, "", 0 },
		{ "/sys/fs/cgroup/mwan.exec/wan2", 0, "mwan.exec/wan2", 2 },
		{ "/sys/fs/cgroup//a///b/", 0, "a/b", 2 },
		{ "system.slice/dnsmasq.service", 0,
		  "system.slice/dnsmasq.service", 2 },
		{ "a", 0, "a", 1 },
		{ "a/.hidden/..x", 0, "a/.hidden/..x", 3 },
		{ "", -EINVAL, "", 0 },
		{ "/sys/fs/cgroupx/a", -EINVAL, "", 0 },
		{ "/sys/fs", -EINVAL, "", 0 },
		{ "/tmp/a", -EINVAL, "", 0 },
		{ "a/../b", -EINVAL, "", 0 },
		{ "./a", -EINVAL, "", 0 },
		{ "/sys/fs/cgroup/a/..", -EINVAL, "", 0 },
	};
	char rel[MWAN_CGROUP_PATH_MAX], longp[MWAN_CGROUP_PATH_MAX + 8];
	unsigned int i;
	uint16_t level;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		int err = parse_cgroup_path(t[i].s, rel, &level);

		ktap_check(err == t[i].err &&
			   (err || (!strcmp(rel, t[i].rel) &&
				    level == t[i].level)),
			   "parse_cgroup_path \"%s\" -> %s \"%s\" level %u",
			   t[i].s, err_name(t[i].err), t[i].rel, t[i].level);
	}
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	ktap_check(parse_cgroup_path(longp, rel, &level) == -ENAMETOOLONG,
		   "parse_cgroup_path of %zu bytes -> ENAMETOOLONG",
		   strlen(longp));
	memset(longp, 'a', MWAN_CGROUP_PATH_MAX - 1);
	longp[MWAN_CGROUP_PATH_MAX - 1] = '\0';
	ktap_check(!parse_cgroup_path(longp, rel, &level) && level == 1,
		   "parse_cgroup_path of %u bytes fits",
		   MWAN_CGROUP_PATH_MAX - 1);
}

static void test_proto(void)
{
	static const struct {
		const char *s;
		int err;
		uint8_t proto;
	} t[] = {
		{ "tcp", 0, 6 },
		{ "udp", 0, 17 },
		{ "icmp", 0, 1 },
		{ "icmpv6", 0, 58 },
		{ "sctp", 0, 132 },
		{ "47", 0, 47 },
		{ "255", 0, 255 },
		{ "0", -ERANGE, 0 },		/* would read as "any" */
		{ "256", -ERANGE, 0 },
		{ "TCP", -EINVAL, 0 },
		{ "foo", -EINVAL, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint8_t p = 0;
		int err = parse_proto(t[i].s, &p);

		ktap_check(err == t[i].err && (err || p == t[i].proto),
			   "parse_proto \"%s\" -> %s %u", t[i].s,
			   err_name(t[i].err), t[i].proto);
	}
	ktap_check(!strcmp(proto_name(6), "tcp") && !proto_name(200),
		   "proto_name names tcp, not 200");
	ktap_check(proto_has_ports(6) && proto_has_ports(17) &&
		   proto_has_ports(136) && proto_has_ports(132) &&
		   proto_has_ports(33) && !proto_has_ports(1) &&
		   !proto_has_ports(58) && !proto_has_ports(47),
		   "proto_has_ports: tcp udp udplite sctp dccp only");
}

static void test_words(void)
{
	unsigned int v = 99;

	ktap_check(!parse_word("drain", link_state_words, &v) &&
		   v == MWAN_LINK_DRAIN, "state drain");
	ktap_check(!parse_word("up", link_state_words, &v) &&
		   v == MWAN_LINK_UP, "state up");
	ktap_check(!parse_word("down", link_state_words, &v) &&
		   v == MWAN_LINK_DOWN, "state down");
	ktap_check(parse_word("Up", link_state_words, &v) == -EINVAL,
		   "state words are case sensitive");
	ktap_check(!parse_word("src-dst", mode_words, &v) &&
		   v == MWAN_MODE_SRC_DST, "mode src-dst");
	ktap_check(!parse_word("blackhole", last_resort_words, &v) &&
		   v == MWAN_LAST_RESORT_BLACKHOLE, "last-resort blackhole");
	ktap_check(!parse_word("default", last_resort_words, &v) &&
		   v == MWAN_LAST_RESORT_DEFAULT, "last-resort default");
	ktap_check(!parse_word("ipv6", family_words, &v) && v == AF_INET6,
		   "family ipv6 is AF_INET6");
	ktap_check(!parse_word("off", bool_words, &v) && v == 0 &&
		   !parse_word("on", bool_words, &v) && v == 1,
		   "on/off");
	ktap_check(!strcmp(word_name(mode_words, MWAN_MODE_SRC), "src") &&
		   !word_name(mode_words, 77), "word_name");
}

int main(void)
{
	ktap_start();
	test_u32();
	test_name();
	test_prefix();
	test_npt_prefix();
	test_range4();
	test_map4_check();
	test_format_range4();
	test_ports();
	test_mark();
	test_mark_mask();
	test_proto();
	test_cgroup_path();
	test_words();
	return ktap_finish("test_parse");
}
