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
	test_ports();
	test_mark();
	test_mark_mask();
	test_proto();
	test_words();
	return ktap_finish("test_parse");
}
