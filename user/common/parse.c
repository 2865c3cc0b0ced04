// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

const struct word link_state_words[] = {
	{ "down",	MWAN_LINK_DOWN },
	{ "up",		MWAN_LINK_UP },
	{ "drain",	MWAN_LINK_DRAIN },
	{ }
};

const struct word link_health_words[] = {
	{ "unknown",	MWAN_LINK_HEALTH_UNKNOWN },
	{ "up",		MWAN_LINK_HEALTH_UP },
	{ "down",	MWAN_LINK_HEALTH_DOWN },
	{ }
};

const struct word mode_words[] = {
	{ "flow",	MWAN_MODE_FLOW },
	{ "src",	MWAN_MODE_SRC },
	{ "src-dst",	MWAN_MODE_SRC_DST },
	{ }
};

const struct word npt_mode_words[] = {
	{ "prefix",	MWAN_NPT_MODE_PREFIX },
	{ "rfc6296",	MWAN_NPT_MODE_RFC6296 },
	{ }
};

const struct word last_resort_words[] = {
	{ "unreachable", MWAN_LAST_RESORT_UNREACHABLE },
	{ "blackhole",	MWAN_LAST_RESORT_BLACKHOLE },
	{ "default",	MWAN_LAST_RESORT_DEFAULT },
	{ }
};

const struct word family_words[] = {
	{ "ipv4",	AF_INET },
	{ "ipv6",	AF_INET6 },
	{ }
};

const struct word bool_words[] = {
	{ "on",		1 },
	{ "off",	0 },
	{ "yes",	1 },
	{ "no",		0 },
	{ }
};

/* Names first as printed; numbers from IANA, as in /etc/protocols. */
static const struct word proto_words[] = {
	{ "icmp",	1 },
	{ "tcp",	6 },
	{ "udp",	17 },
	{ "dccp",	33 },
	{ "gre",	47 },
	{ "esp",	50 },
	{ "ah",		51 },
	{ "icmpv6",	58 },
	{ "sctp",	132 },
	{ "udplite",	136 },
	{ }
};

/*
 * Decimal or 0x-prefixed hexadecimal, nothing else: no sign, no spaces, no
 * octal (a leading 0 is decimal), so that "010" is not a surprise.
 */
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	unsigned long long n;
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (base == 16 ? !isxdigit((unsigned char)*s) :
			 !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, base);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || n < min || n > max)
		return -ERANGE;
	*v = n;
	return 0;
}

/*
 * What the kernel accepts; it also means names need no quoting in the
 * whitespace separated syntax, the output or JSON.
 */
static bool name_char_ok(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

int parse_name(const char *s, char name[MWAN_NAME_MAX])
{
	size_t len = strlen(s);
	size_t i;

	if (!len)
		return -EINVAL;
	if (len >= MWAN_NAME_MAX)
		return -ENAMETOOLONG;
	for (i = 0; i < len; i++)
		if (!name_char_ok(s[i]))
			return -EINVAL;
	memcpy(name, s, len + 1);
	return 0;
}

/* Whether the bits of @addr past @len are all zero. */
static bool host_bits_clear(const uint8_t *addr, unsigned int bytes,
			    unsigned int len)
{
	unsigned int i;

	for (i = len / 8; i < bytes; i++) {
		uint8_t keep = i == len / 8 ? 0xff << (8 - len % 8) : 0;

		if (addr[i] & ~keep)
			return false;
	}
	return true;
}

int parse_prefix(const char *s, struct mwan_prefix *p)
{
	char buf[PREFIX_STRLEN];
	unsigned int bytes;
	uint32_t len;
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';

	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = AF_INET6;
	else
		return -EINVAL;
	bytes = p->family == AF_INET ? 4 : 16;

	len = bytes * 8;
	if (slash) {
		int err = parse_u32(slash + 1, 0, bytes * 8, &len);

		/* "10.0.0.0/" or "/0x8" are malformed, "/33" is a range error */
		if (err == -EINVAL || (slash[1] == '0' && slash[2]))
			return -EINVAL;
		if (err)
			return err;
	}
	p->len = len;
	/* 192.0.2.1/24 is most likely a typo for a host or for .0/24 */
	if (!host_bits_clear(p->addr, bytes, len))
		return -EDOM;
	return 0;
}

/*
 * RFC 6296 translates a prefix of at most /64 (one word past it absorbs the
 * checksum difference); "/LEN" is required since /128 would mean a host.
 */
int parse_npt_prefix(const char *s, struct mwan_prefix *p)
{
	int err;

	if (!strchr(s, '/'))
		return -EINVAL;
	err = parse_prefix(s, p);
	if (!err && p->family != AF_INET6)
		return -EINVAL;
	if (!err && (p->len < 1 || p->len > MWAN_NPT_PREFIX_MAX))
		return -ERANGE;
	return err;
}

static int parse_addr4(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*addr = ntohl(a.s_addr);
	return 0;
}

int parse_range4(const char *s, uint32_t *first, uint32_t *last)
{
	char buf[RANGE4_STRLEN];
	struct mwan_prefix p;
	uint32_t lo, hi;
	char *dash;
	int err;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (strchr(buf, '/')) {
		err = parse_prefix(buf, &p);
		/* "/33" is no range of addresses at all */
		if (err == -ERANGE || (!err && p.family != AF_INET))
			return -EINVAL;
		if (err)
			return err;
		memcpy(&lo, p.addr, 4);
		lo = ntohl(lo);
		/* 64 bits: shifting a u32 by 32 is undefined */
		hi = lo | (uint32_t)(UINT64_C(0xffffffff) >> p.len);
	} else {
		dash = strchr(buf, '-');
		if (dash)
			*dash = '\0';
		err = parse_addr4(buf, &lo);
		hi = lo;
		if (!err && dash)
			err = parse_addr4(dash + 1, &hi);
		if (err)
			return err;
		if (hi < lo)
			return -ERANGE;
	}
	*first = lo;
	*last = hi;
	return 0;
}

/* The same arithmetic as the kernel's mwan_map4_init(), said in detail. */
int map4_check(uint32_t first, uint32_t last, uint32_t ext_first)
{
	if (last < first)
		return -ERANGE;
	if (last - first > MWAN_MAP4_SIZE_MAX - 1)
		return -E2BIG;
	if (last - first > UINT32_MAX - ext_first)
		return -EOVERFLOW;
	return 0;
}

int parse_port_range(const char *s, uint16_t *min, uint16_t *max)
{
	char buf[16];
	uint32_t lo, hi;
	char *dash;
	int err;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	err = parse_u32(buf, 0, 65535, &lo);
	if (err)
		return err;
	hi = lo;
	if (dash) {
		err = parse_u32(dash + 1, 0, 65535, &hi);
		if (err)
			return err;
		if (hi < lo)
			return -ERANGE;
	}
	*min = lo;
	*max = hi;
	return 0;
}

/* "V" (mask all ones) or "V/M" */
int parse_mark(const char *s, uint32_t *mark, uint32_t *mask)
{
	uint32_t v, m = UINT32_MAX;
	char buf[32];
	char *slash;
	int err;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	err = parse_u32(buf, 0, UINT32_MAX, &v);
	if (!err && slash)
		err = parse_u32(slash + 1, 0, UINT32_MAX, &m);
	if (err)
		return err;
	/* such a rule could never match */
	if (v & ~m)
		return -EDOM;
	*mark = v;
	*mask = m;
	return 0;
}

bool mark_mask_valid(uint32_t mask)
{
	uint32_t low;

	if (!mask)
		return false;
	low = mask >> __builtin_ctz(mask);
	/* contiguous: low is 2^k - 1 */
	return !(low & (low + 1)) && __builtin_popcount(low) <= 8;
}

int parse_mark_mask(const char *s, uint32_t *mask)
{
	uint32_t m;
	int err;

	err = parse_u32(s, 0, UINT32_MAX, &m);
	if (err)
		return err;
	if (!mark_mask_valid(m))
		return -ERANGE;
	*mask = m;
	return 0;
}

/* Append component @c of length @n to @rel (used bytes @len). */
static int cgroup_component(char *rel, size_t *len, const char *c, size_t n)
{
	if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
		return -EINVAL;
	if (*len + !!*len + n >= MWAN_CGROUP_PATH_MAX)
		return -ENAMETOOLONG;
	if (*len)
		rel[(*len)++] = '/';
	memcpy(rel + *len, c, n);
	*len += n;
	rel[*len] = '\0';
	return 0;
}

int parse_cgroup_path(const char *s, char rel[MWAN_CGROUP_PATH_MAX],
		      uint16_t *level)
{
	size_t root = strlen(MWAN_CGROUP_ROOT), len = 0, n;
	unsigned int depth = 0;
	int err;

	if (!*s)
		return -EINVAL;
	if (*s == '/') {
		if (strncmp(s, MWAN_CGROUP_ROOT, root) ||
		    (s[root] && s[root] != '/'))
			return -EINVAL;
		s += root;
	}
	rel[0] = '\0';
	for (;;) {
		s += strspn(s, "/");
		if (!*s)
			break;
		n = strcspn(s, "/");
		err = cgroup_component(rel, &len, s, n);
		if (err)
			return err;
		depth++;
		s += n;
	}
	*level = depth;
	return 0;
}

int parse_word(const char *s, const struct word *words, unsigned int *v)
{
	for (; words->name; words++) {
		if (!strcmp(s, words->name)) {
			*v = words->value;
			return 0;
		}
	}
	return -EINVAL;
}

const char *word_name(const struct word *words, unsigned int v)
{
	for (; words->name; words++)
		if (words->value == v)
			return words->name;
	return NULL;
}

/* A name from the table or a number; 0 would read as "any" and is not. */
int parse_proto(const char *s, uint8_t *proto)
{
	unsigned int w;
	uint32_t n;
	int err;

	if (!parse_word(s, proto_words, &w)) {
		*proto = w;
		return 0;
	}
	err = parse_u32(s, 1, 255, &n);
	if (err)
		return err;
	*proto = n;
	return 0;
}

const char *proto_name(uint8_t proto)
{
	return word_name(proto_words, proto);
}

bool proto_has_ports(uint8_t proto)
{
	switch (proto) {
	case 6:		/* tcp */
	case 17:	/* udp */
	case 33:	/* dccp */
	case 132:	/* sctp */
	case 136:	/* udplite */
		return true;
	}
	return false;
}

const char *format_prefix(const struct mwan_prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, addr, sizeof(addr)))
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%s/%u", addr, p->len);
	return buf;
}

const char *format_range4(uint32_t first, uint32_t last, char *buf,
			  size_t len)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	struct in_addr in;

	in.s_addr = htonl(first);
	inet_ntop(AF_INET, &in, a, sizeof(a));
	in.s_addr = htonl(last);
	inet_ntop(AF_INET, &in, b, sizeof(b));
	if (first == last)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s-%s", a, b);
	return buf;
}
