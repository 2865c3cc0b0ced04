// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: a structure-aware fuzzer of the mwan generic netlink family.
 *
 * Usage: nlfuzz [-s SEED] [-n COUNT] [-p PROCS] [-m COUNT] [-t SECONDS]
 *               [-i IFINDEX,...] [-o MODEL] [-v]
 *
 * It knows the attribute trees of <linux/mwan.h> (schema below, with the
 * limits of kmod/nl_*.c's policies). Every message starts as a valid
 * request of one command, built from pools of names, ids and the devices
 * given with -i, and then, most of the time, is mutated: attributes
 * dropped, duplicated, reordered, given other types or lengths, boundary
 * values (0, min - 1, min, max, max + 1 of each limit), garbage in nests,
 * lying nla_len fields, deep nesting, flipped bytes, other commands and
 * header flags. Now and then a request fills a limit (members, tiers,
 * policies, rules) exactly, and one past it.
 *
 * Two stages, in the network namespace it runs in:
 *  1. chaos: PROCS processes send COUNT messages between them (and one
 *     more listens to the change events), for at most SECONDS;
 *  2. model: this process alone sends -m COUNT more, and keeps a model of
 *     the config from the requests the kernel accepted: which objects
 *     exist, their ids (those the kernel chooses for a NEW without one
 *     are predicted and checked against its reply), names and order; a
 *     link's device, state, weight, RTT, loss, health, NPT and IPv4 map;
 *     a policy's mode, last resort and members (link, metric, weight); a
 *     rule's policy and flags; the globals. Not modelled: a rule's
 *     matches. Every 100 messages and at the end the model must equal
 *     what the kernel dumps. With -o, the final model is written to
 *     MODEL, one object a line.
 *
 * Deterministic: worker w draws from SEED and w, so each process sends
 * the same messages again with the same seed (the chaos stage's
 * interleaving may differ). The model stage starts from an empty config
 * (a replace with nothing) and is one process: `nlfuzz -s SEED -n 0 -m
 * COUNT` repeats it exactly. Exits 0, or 1 on a model mismatch, a request
 * that got no answer, a limit not held, or a failure of its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/mwan.h>

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MSG_MAX (192 * 1024)
#define ARENA_SIZE (4 << 20)
#define REPLY_TIMEOUT_MS 20000
#define POOL 6			/* names and small ids per kind */
#define CHECK_EVERY 100		/* model stage: compare with a dump */
#define LIMIT_EVERY 500		/* one request in this many at a limit */

/* ---- random numbers: splitmix64, one stream per worker ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

/* ---- the schema of <linux/mwan.h> ---- */

enum kind { K_NONE, K_U8, K_U16, K_U32, K_U64, K_BE32, K_STR, K_BIN,
	    K_NEST };

struct ndef;

struct adef {
	uint8_t kind;
	uint64_t min, max;	/* values; for K_STR and K_BIN: length */
	const struct ndef *nest;
};

struct ndef {
	const char *name;
	int maxtype;
	const struct adef *a;
};

#define U8R(lo, hi)  { K_U8, lo, hi, NULL }
#define U16R(lo, hi) { K_U16, lo, hi, NULL }
#define U32R(lo, hi) { K_U32, lo, hi, NULL }
#define U8A  U8R(0, 0xff)
#define U16A U16R(0, 0xffff)
#define U32A U32R(0, 0xffffffffULL)
#define NAME { K_STR, 1, MWAN_NAME_MAX - 1, NULL }
#define NEST(d) { K_NEST, 0, 0, &(d) }

static const struct adef npt_a[MWAN_NPT_A_MAX + 1] = {
	[MWAN_NPT_A_INTERNAL]	= { K_BIN, 16, 16, NULL },
	[MWAN_NPT_A_EXTERNAL]	= { K_BIN, 16, 16, NULL },
	[MWAN_NPT_A_PREFIX_LEN]	= U8R(1, MWAN_NPT_PREFIX_MAX),
	[MWAN_NPT_A_MODE]	= U8R(0, MWAN_NPT_MODE_MAX),
};
static const struct ndef npt_d = { "npt", MWAN_NPT_A_MAX, npt_a };

static const struct adef map4_a[MWAN_MAP4_A_MAX + 1] = {
	[MWAN_MAP4_A_INTERNAL_FIRST]	= { K_BE32, 0, 0xffffffffULL, NULL },
	[MWAN_MAP4_A_INTERNAL_LAST]	= { K_BE32, 0, 0xffffffffULL, NULL },
	[MWAN_MAP4_A_EXTERNAL_FIRST]	= { K_BE32, 0, 0xffffffffULL, NULL },
};
static const struct ndef map4_d = { "map4", MWAN_MAP4_A_MAX, map4_a };

static const struct adef stats_a[MWAN_STATS_A_MAX + 1] = {
	[MWAN_STATS_A_NEW_FLOWS] = { K_U64, 0, ~0ULL, NULL },
};
static const struct ndef stats_d = { "stats", MWAN_STATS_A_MAX, stats_a };

static const struct adef link_a[MWAN_LINK_A_MAX + 1] = {
	[MWAN_LINK_A_ID]	= U32R(1, MWAN_LINK_ID_MAX),
	[MWAN_LINK_A_NAME]	= NAME,
	[MWAN_LINK_A_IFINDEX]	= U32R(1, 0xffffffffULL),
	[MWAN_LINK_A_STATE]	= U8R(0, MWAN_LINK_STATE_MAX),
	[MWAN_LINK_A_WEIGHT]	= U32R(1, MWAN_WEIGHT_MAX),
	[MWAN_LINK_A_RTT_US]	= U32A,
	[MWAN_LINK_A_LOSS_PPM]	= U32R(0, 1000000),
	[MWAN_LINK_A_MARK]	= U32A,		/* read only */
	[MWAN_LINK_A_STATS]	= NEST(stats_d),	/* read only */
	[MWAN_LINK_A_NPT]	= NEST(npt_d),
	[MWAN_LINK_A_MAP4]	= NEST(map4_d),
	[MWAN_LINK_A_HEALTH]	= U8R(0, MWAN_LINK_HEALTH_MAX),
	[MWAN_LINK_A_STATE_SECS] = U32A,	/* read only */
};
static const struct ndef link_d = { "link", MWAN_LINK_A_MAX, link_a };

static const struct adef member_a[MWAN_MEMBER_A_MAX + 1] = {
	[MWAN_MEMBER_A_LINK]	= U32R(1, MWAN_LINK_ID_MAX),
	[MWAN_MEMBER_A_METRIC]	= U32A,
	[MWAN_MEMBER_A_WEIGHT]	= U32R(0, MWAN_WEIGHT_MAX),
};
static const struct ndef member_d = { "member", MWAN_MEMBER_A_MAX, member_a };

static const struct adef members_a[MWAN_POLICY_A_MEMBER_MAX + 1] = {
	[MWAN_POLICY_A_MEMBER]	= NEST(member_d),
};
static const struct ndef members_d = { "members", MWAN_POLICY_A_MEMBER_MAX,
				       members_a };

static const struct adef policy_a[MWAN_POLICY_A_MAX + 1] = {
	[MWAN_POLICY_A_ID]	= U32R(1, MWAN_POLICY_ID_MAX),
	[MWAN_POLICY_A_NAME]	= NAME,
	[MWAN_POLICY_A_MODE]	= U8R(0, MWAN_MODE_MAX),
	[MWAN_POLICY_A_LAST_RESORT] = U8R(0, MWAN_LAST_RESORT_MAX),
	[MWAN_POLICY_A_MEMBERS]	= NEST(members_d),
	[MWAN_POLICY_A_STATS]	= NEST(stats_d),	/* read only */
};
static const struct ndef policy_d = { "policy", MWAN_POLICY_A_MAX, policy_a };

static const struct adef rule_a[MWAN_RULE_A_MAX + 1] = {
	[MWAN_RULE_A_ID]	= U32R(1, MWAN_RULE_ID_MAX),
	[MWAN_RULE_A_NAME]	= NAME,
	[MWAN_RULE_A_POLICY]	= U32R(1, MWAN_POLICY_ID_MAX),
	[MWAN_RULE_A_FLAGS]	= U32R(0, __MWAN_RULE_F_ALL),
	[MWAN_RULE_A_FAMILY]	= U8A,
	[MWAN_RULE_A_PROTO]	= U8A,
	[MWAN_RULE_A_SRC]	= { K_BIN, 0, 16, NULL },
	[MWAN_RULE_A_SRC_LEN]	= U8R(0, 128),
	[MWAN_RULE_A_DST]	= { K_BIN, 0, 16, NULL },
	[MWAN_RULE_A_DST_LEN]	= U8R(0, 128),
	[MWAN_RULE_A_SPORT_MIN]	= U16A,
	[MWAN_RULE_A_SPORT_MAX]	= U16A,
	[MWAN_RULE_A_DPORT_MIN]	= U16A,
	[MWAN_RULE_A_DPORT_MAX]	= U16A,
	[MWAN_RULE_A_IIFINDEX]	= U32R(1, 0xffffffffULL),
	[MWAN_RULE_A_MARK]	= U32A,
	[MWAN_RULE_A_MARK_MASK]	= U32A,
	[MWAN_RULE_A_PAD]	= { K_BIN, 0, 0, NULL },
	[MWAN_RULE_A_CGROUP_ID]	= { K_U64, 1, ~0ULL, NULL },
	[MWAN_RULE_A_CGROUP_LEVEL] = U16A,
};
static const struct ndef rule_d = { "rule", MWAN_RULE_A_MAX, rule_a };

static const struct adef links_a[MWAN_A_LINK + 1] = {
	[MWAN_A_LINK] = NEST(link_d),
};
static const struct ndef links_d = { "links", MWAN_A_LINK, links_a };

static const struct adef policies_a[MWAN_A_POLICY + 1] = {
	[MWAN_A_POLICY] = NEST(policy_d),
};
static const struct ndef policies_d = { "policies", MWAN_A_POLICY,
					policies_a };

static const struct adef rules_a[MWAN_A_RULE + 1] = {
	[MWAN_A_RULE] = NEST(rule_d),
};
static const struct ndef rules_d = { "rules", MWAN_A_RULE, rules_a };

static const struct adef top_a[MWAN_A_MAX + 1] = {
	[MWAN_A_MARK_MASK]	= U32A,	/* 1..8 contiguous bits */
	[MWAN_A_ENABLED]	= U8R(0, 1),
	[MWAN_A_DEFAULT_POLICY]	= U32R(0, MWAN_POLICY_ID_MAX),
	[MWAN_A_GENERATION]	= U32A,	/* read only */
	[MWAN_A_LINK]		= NEST(link_d),
	[MWAN_A_POLICY]		= NEST(policy_d),
	[MWAN_A_RULE]		= NEST(rule_d),
	[MWAN_A_LINKS]		= NEST(links_d),
	[MWAN_A_POLICIES]	= NEST(policies_d),
	[MWAN_A_RULES]		= NEST(rules_d),
	[MWAN_A_FLUSHED]	= U32A,	/* read only */
};
static const struct ndef top_d = { "top", MWAN_A_MAX, top_a };

/* ---- messages as trees, in an arena emptied for every message ---- */

struct node {
	uint16_t type;		/* with any NLA_F_* flags */
	int16_t lie;		/* added to the header's nla_len */
	bool nest;
	uint32_t len;		/* leaf payload length */
	const struct ndef *in;	/* the nest this attribute is part of */
	uint8_t *data;
	struct node *kid;	/* nests: the first child */
	struct node *next;
};

static uint8_t *arena;
static size_t arena_used;

static void *alloc(size_t n)
{
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (arena_used + n > ARENA_SIZE) {
		fprintf(stderr, "nlfuzz: arena exhausted\n");
		exit(2);
	}
	p = arena + arena_used;
	arena_used += n;
	memset(p, 0, n);
	return p;
}

static const struct adef *def_of(const struct node *n)
{
	int t = n->type & NLA_TYPE_MASK;

	if (!n->in || t > n->in->maxtype)
		return NULL;
	return n->in->a[t].kind ? &n->in->a[t] : NULL;
}

static struct node *add(struct node *parent, struct node **list, int type)
{
	struct node *n = alloc(sizeof(*n)), **p = list;

	if (parent)
		p = &parent->kid;
	while (*p)
		p = &(*p)->next;
	*p = n;
	n->type = type;
	return n;
}

/* The ndef of @parent's children: the nest @parent's def names. */
static const struct ndef *child_def(const struct node *parent)
{
	const struct adef *d = parent ? def_of(parent) : NULL;

	return d && d->kind == K_NEST ? d->nest : NULL;
}

static struct node *leaf(struct node *parent, struct node **top, int type,
			 const void *data, uint32_t len)
{
	struct node *n = add(parent, top, type);

	n->in = parent ? child_def(parent) : &top_d;
	n->len = len;
	n->data = alloc(len ? len : 1);
	if (data)
		memcpy(n->data, data, len);
	return n;
}

static struct node *nest(struct node *parent, struct node **top, int type)
{
	struct node *n = add(parent, top, type | NLA_F_NESTED);

	n->in = parent ? child_def(parent) : &top_d;
	n->nest = true;
	return n;
}

static void put_u8(struct node *p, struct node **t, int type, uint8_t v)
{
	leaf(p, t, type, &v, 1);
}

static void put_u16(struct node *p, struct node **t, int type, uint16_t v)
{
	leaf(p, t, type, &v, 2);
}

static void put_u32(struct node *p, struct node **t, int type, uint32_t v)
{
	leaf(p, t, type, &v, 4);
}

static void put_u64(struct node *p, struct node **t, int type, uint64_t v)
{
	leaf(p, t, type, &v, 8);
}

static void put_str(struct node *p, struct node **t, int type, const char *s)
{
	leaf(p, t, type, s, strlen(s) + 1);
}

/* Serialize @n and its siblings at @buf; returns the bytes written. */
static size_t emit(const struct node *n, uint8_t *buf, size_t room)
{
	size_t off = 0;

	for (; n; n = n->next) {
		struct nlattr *a = (struct nlattr *)(buf + off);
		size_t len;

		if (off + NLA_HDRLEN > room)
			break;
		if (n->nest) {
			len = emit(n->kid, buf + off + NLA_HDRLEN,
				   room - off - NLA_HDRLEN);
		} else {
			len = n->len;
			if (off + NLA_HDRLEN + NLA_ALIGN(len) > room)
				break;
			memcpy(buf + off + NLA_HDRLEN, n->data, len);
			memset(buf + off + NLA_HDRLEN + len, 0,
			       NLA_ALIGN(len) - len);
		}
		a->nla_type = n->type;
		a->nla_len = (uint16_t)(NLA_HDRLEN + len + n->lie);
		off += NLA_HDRLEN + NLA_ALIGN(len);
	}
	return off;
}

/* ---- pools the valid requests draw from ---- */

static uint32_t ifindexes[300];
static unsigned int n_ifindexes;

static uint32_t pick_ifindex(void)
{
	if (!n_ifindexes || chance(5))
		return 1 + below(chance(50) ? 100 : 0xffffffffu);
	return ifindexes[below(n_ifindexes)];
}

static void pool_name(char *buf, char kind, unsigned int i)
{
	snprintf(buf, MWAN_NAME_MAX, "%c%u", kind, i);
}

static void put_name(struct node *p, int type, char kind)
{
	char buf[MWAN_NAME_MAX];

	pool_name(buf, kind, 1 + below(POOL));
	put_str(p, NULL, type, buf);
}

static uint32_t small_id(uint32_t max)
{
	return chance(90) ? 1 + below(POOL) : 1 + below(max);
}

/* An object is addressed by id, by name, or (to test the rule) both. */
static void put_key(struct node *p, char kind, uint32_t max)
{
	unsigned int how = below(10);

	if (how < 5 || how == 9)
		put_u32(p, NULL, 1, small_id(max));	/* ID is 1 everywhere */
	if (how >= 5)
		put_name(p, 2, kind);			/* NAME is 2 */
}

static const uint32_t masks[] = {
	MWAN_DEFAULT_MARK_MASK, 0xff00, 0xff, 0x1, 0xf0000, 0xff000000,
	0x80000000, 0x3f00, 0x300,
};

static void gen_npt(struct node *l)
{
	struct node *n = nest(l, NULL, MWAN_LINK_A_NPT);
	uint8_t in[16] = { 0xfd, 0x00, 0, 0xa }, ex[16] = { 0x20, 0x01, 0x0d,
							  0xb8, 0, 1 };
	uint8_t len = chance(70) ? 48 : 1 + below(MWAN_NPT_PREFIX_MAX);

	if (chance(15))
		return;		/* empty: remove */
	if (len < 48) {
		memset(in + len / 8, 0, 16 - len / 8);
		memset(ex + len / 8, 0, 16 - len / 8);
	}
	leaf(n, NULL, MWAN_NPT_A_INTERNAL, in, 16);
	leaf(n, NULL, MWAN_NPT_A_EXTERNAL, ex, 16);
	put_u8(n, NULL, MWAN_NPT_A_PREFIX_LEN, len);
	if (chance(50))
		put_u8(n, NULL, MWAN_NPT_A_MODE, below(MWAN_NPT_MODE_MAX + 1));
}

static void gen_map4(struct node *l)
{
	struct node *n = nest(l, NULL, MWAN_LINK_A_MAP4);
	uint32_t first = 0x0a000010 + below(16), size = below(32);
	uint32_t ext = 0x64400000 + below(256) * 256;

	if (chance(15))
		return;
	if (chance(10))
		size = below(2) ? MWAN_MAP4_SIZE_MAX - 1 : MWAN_MAP4_SIZE_MAX;
	first = htonl(first);
	leaf(n, NULL, MWAN_MAP4_A_INTERNAL_FIRST, &first, 4);
	first = htonl(ntohl(first) + size);
	leaf(n, NULL, MWAN_MAP4_A_INTERNAL_LAST, &first, 4);
	ext = htonl(ext);
	leaf(n, NULL, MWAN_MAP4_A_EXTERNAL_FIRST, &ext, 4);
}

static void link_fields(struct node *l)
{
	if (chance(30))
		put_u8(l, NULL, MWAN_LINK_A_STATE, below(MWAN_LINK_STATE_MAX + 1));
	if (chance(30))
		put_u32(l, NULL, MWAN_LINK_A_WEIGHT, 1 + below(MWAN_WEIGHT_MAX));
	if (chance(20))
		put_u32(l, NULL, MWAN_LINK_A_RTT_US, below(200000));
	if (chance(20))
		put_u32(l, NULL, MWAN_LINK_A_LOSS_PPM, below(1000001));
	if (chance(20))
		put_u8(l, NULL, MWAN_LINK_A_HEALTH,
		       below(MWAN_LINK_HEALTH_MAX + 1));
	if (chance(6))
		gen_npt(l);
	if (chance(6))
		gen_map4(l);
}

/* A whole new link: @id 0 leaves the id out. */
static void gen_link_obj(struct node *l, uint32_t id, unsigned int name,
			 uint32_t ifindex)
{
	char buf[MWAN_NAME_MAX];

	if (id)
		put_u32(l, NULL, MWAN_LINK_A_ID, id);
	pool_name(buf, 'l', name);
	put_str(l, NULL, MWAN_LINK_A_NAME, buf);
	put_u32(l, NULL, MWAN_LINK_A_IFINDEX, ifindex);
	link_fields(l);
}

static void gen_members(struct node *p, unsigned int n, uint32_t maxlink,
			unsigned int tiers)
{
	struct node *ms = nest(p, NULL, MWAN_POLICY_A_MEMBERS);
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct node *m = nest(ms, NULL, MWAN_POLICY_A_MEMBER);

		put_u32(m, NULL, MWAN_MEMBER_A_LINK,
			maxlink ? 1 + i % maxlink : small_id(MWAN_LINK_ID_MAX));
		if (tiers)
			put_u32(m, NULL, MWAN_MEMBER_A_METRIC, i % tiers);
		else if (chance(40))
			put_u32(m, NULL, MWAN_MEMBER_A_METRIC, below(3) * 10);
		if (chance(40))
			put_u32(m, NULL, MWAN_MEMBER_A_WEIGHT,
				below(MWAN_WEIGHT_MAX + 1));
	}
}

static void policy_fields(struct node *p)
{
	if (chance(40))
		put_u8(p, NULL, MWAN_POLICY_A_MODE, below(MWAN_MODE_MAX + 1));
	if (chance(40))
		put_u8(p, NULL, MWAN_POLICY_A_LAST_RESORT,
		       below(MWAN_LAST_RESORT_MAX + 1));
	if (chance(80))
		gen_members(p, below(4), 0, 0);
}

static void put_prefix(struct node *r, int addr, int len)
{
	uint8_t a[16] = { 10, below(4), 0, 0 };
	bool v6 = chance(40);

	if (v6) {
		a[0] = 0xfd;
		a[1] = 0;
		a[3] = 0xa;
	}
	leaf(r, NULL, addr, a, v6 ? 16 : 4);
	if (chance(70))
		put_u8(r, NULL, len, v6 ? 48 + below(17) : 8 + below(25));
}

static void rule_matches(struct node *r)
{
	static const uint8_t protos[] = { 6, 17, 136, 132, 33, 1, 58 };
	uint16_t lo;

	if (chance(20)) {
		put_u32(r, NULL, MWAN_RULE_A_FLAGS, MWAN_RULE_F_LOCAL |
			(chance(50) ? MWAN_RULE_F_NO_FORWARD : 0));
		put_u8(r, NULL, MWAN_RULE_A_FAMILY, 2);
	} else if (chance(20)) {
		put_u8(r, NULL, MWAN_RULE_A_FAMILY, chance(50) ? 2 : 10);
	}
	if (chance(40))
		put_u8(r, NULL, MWAN_RULE_A_PROTO, protos[below(7)]);
	if (chance(30))
		put_prefix(r, MWAN_RULE_A_SRC, MWAN_RULE_A_SRC_LEN);
	if (chance(30))
		put_prefix(r, MWAN_RULE_A_DST, MWAN_RULE_A_DST_LEN);
	if (chance(25)) {
		lo = below(2000);
		put_u16(r, NULL, MWAN_RULE_A_DPORT_MIN, lo);
		put_u16(r, NULL, MWAN_RULE_A_DPORT_MAX, lo + below(100));
	}
	if (chance(10))
		put_u16(r, NULL, MWAN_RULE_A_SPORT_MIN, below(65536));
	if (chance(10))
		put_u32(r, NULL, MWAN_RULE_A_IIFINDEX, pick_ifindex());
	if (chance(15)) {
		put_u32(r, NULL, MWAN_RULE_A_MARK, 0x10);
		if (chance(50))
			put_u32(r, NULL, MWAN_RULE_A_MARK_MASK, 0xf0);
	}
	if (chance(6)) {
		put_u64(r, NULL, MWAN_RULE_A_CGROUP_ID, 1 + below(10000));
		put_u16(r, NULL, MWAN_RULE_A_CGROUP_LEVEL, below(4));
	}
}

/* ---- requests: one valid request of each command ---- */

struct req {
	uint8_t cmd;
	uint16_t flags;
	struct node *top;
	int expect;		/* limits: 1 accepted, -1 refused, 0 either */
	unsigned int limit, over;
};

static void gen_globals(struct req *q)
{
	unsigned int what = 1 + below(7);

	if (what & 1)	/* mostly one that keeps the links */
		put_u32(NULL, &q->top, MWAN_A_MARK_MASK, chance(60) ?
			MWAN_DEFAULT_MARK_MASK : masks[below(ARRAY_SIZE(masks))]);
	if (what & 2)
		put_u8(NULL, &q->top, MWAN_A_ENABLED, below(2));
	if (what & 4)
		put_u32(NULL, &q->top, MWAN_A_DEFAULT_POLICY,
			chance(30) ? 0 : small_id(MWAN_POLICY_ID_MAX));
}

static void gen_link(struct req *q)
{
	struct node *l = nest(NULL, &q->top, MWAN_A_LINK);

	switch (q->cmd) {
	case MWAN_CMD_LINK_NEW:
		gen_link_obj(l, chance(50) ? small_id(MWAN_LINK_ID_MAX) : 0,
			     1 + below(POOL), pick_ifindex());
		break;
	case MWAN_CMD_LINK_SET:
		put_key(l, 'l', MWAN_LINK_ID_MAX);
		if (chance(15))
			put_u32(l, NULL, MWAN_LINK_A_IFINDEX, pick_ifindex());
		link_fields(l);
		break;
	default:
		put_key(l, 'l', MWAN_LINK_ID_MAX);
	}
}

static void gen_policy(struct req *q)
{
	struct node *p = nest(NULL, &q->top, MWAN_A_POLICY);

	if (q->cmd == MWAN_CMD_POLICY_NEW) {
		if (chance(50))
			put_u32(p, NULL, MWAN_POLICY_A_ID,
				small_id(MWAN_POLICY_ID_MAX));
		put_name(p, MWAN_POLICY_A_NAME, 'p');
		policy_fields(p);
		return;
	}
	put_key(p, 'p', MWAN_POLICY_ID_MAX);
	if (q->cmd == MWAN_CMD_POLICY_SET)
		policy_fields(p);
}

static void gen_rule(struct req *q)
{
	struct node *r = nest(NULL, &q->top, MWAN_A_RULE);

	if (q->cmd == MWAN_CMD_RULE_NEW) {
		if (chance(50))
			put_u32(r, NULL, MWAN_RULE_A_ID,
				small_id(MWAN_RULE_ID_MAX));
		put_name(r, MWAN_RULE_A_NAME, 'r');
		put_u32(r, NULL, MWAN_RULE_A_POLICY,
			small_id(MWAN_POLICY_ID_MAX));
		rule_matches(r);
		return;
	}
	put_key(r, 'r', MWAN_RULE_ID_MAX);
	if (q->cmd != MWAN_CMD_RULE_SET)
		return;
	if (chance(50))
		put_u32(r, NULL, MWAN_RULE_A_POLICY,
			small_id(MWAN_POLICY_ID_MAX));
	rule_matches(r);
}

/*
 * A coherent replace: links on distinct devices, policies of those links,
 * rules of those policies; lists sometimes split over several attributes.
 */
static void gen_replace(struct req *q)
{
	unsigned int nl = below(n_ifindexes < 5 ? n_ifindexes + 1 : 5);
	unsigned int np = below(4), nr = below(5), i, first = below(POOL);
	struct node *list = NULL, *o;
	char buf[MWAN_NAME_MAX];

	if (chance(40))
		put_u32(NULL, &q->top, MWAN_A_MARK_MASK,
			chance(70) ? MWAN_DEFAULT_MARK_MASK : 0xff00);
	if (chance(30))
		put_u8(NULL, &q->top, MWAN_A_ENABLED, below(2));
	for (i = 0; i < nl; i++) {
		if (!list || chance(20))
			list = nest(NULL, &q->top, MWAN_A_LINKS);
		o = nest(list, NULL, MWAN_A_LINK);
		gen_link_obj(o, 1 + (first + i) % POOL, 1 + (first + i) % POOL,
			     ifindexes[i]);
	}
	list = NULL;
	for (i = 0; i < np; i++) {
		if (!list || chance(20))
			list = nest(NULL, &q->top, MWAN_A_POLICIES);
		o = nest(list, NULL, MWAN_A_POLICY);
		put_u32(o, NULL, MWAN_POLICY_A_ID, 1 + i);
		pool_name(buf, 'p', 1 + i);
		put_str(o, NULL, MWAN_POLICY_A_NAME, buf);
		if (nl) {
			struct node *ms = nest(o, NULL, MWAN_POLICY_A_MEMBERS);
			unsigned int k;

			for (k = 0; k < nl; k++) {
				struct node *m;

				if (chance(30))
					continue;
				m = nest(ms, NULL, MWAN_POLICY_A_MEMBER);
				put_u32(m, NULL, MWAN_MEMBER_A_LINK,
					1 + (first + k) % POOL);
				put_u32(m, NULL, MWAN_MEMBER_A_METRIC,
					below(2));
			}
		}
	}
	list = NULL;
	for (i = 0; np && i < nr; i++) {
		if (!list || chance(20))
			list = nest(NULL, &q->top, MWAN_A_RULES);
		o = nest(list, NULL, MWAN_A_RULE);
		put_u32(o, NULL, MWAN_RULE_A_ID, 10 * (i + 1));
		pool_name(buf, 'r', 1 + i);
		put_str(o, NULL, MWAN_RULE_A_NAME, buf);
		put_u32(o, NULL, MWAN_RULE_A_POLICY, 1 + below(np));
		rule_matches(o);
	}
	if (np && chance(60))
		put_u32(NULL, &q->top, MWAN_A_DEFAULT_POLICY, 1 + below(np));
}

/*
 * A replace at a limit, or one past it: members and tiers of a policy,
 * policies, rules. Nothing else in it can fail, and a replace does not
 * depend on what ran before: the one at the limit must be accepted, the
 * one past it refused with the limit's errno (when there are devices
 * enough for its links).
 */
static const struct {
	const char *what;
	unsigned int at, links;	/* the limit; links it needs */
	int err;		/* past it */
} limits[] = {
	{ "members", MWAN_MAX_MEMBERS, MWAN_MAX_MEMBERS, E2BIG },
	{ "tiers", MWAN_MAX_TIERS, MWAN_MAX_TIERS, E2BIG },
	{ "policies", MWAN_MAX_POLICIES, 0, ENOSPC },
	{ "rules", MWAN_MAX_RULES, 0, ENOSPC },
};

static void gen_limits(struct req *q)
{
	unsigned int what = below(4), over = below(2), n, i, nl;
	struct node *list, *o;
	char buf[MWAN_NAME_MAX];

	q->limit = what;
	q->over = over;
	nl = n_ifindexes < MWAN_LINK_ID_MAX ? n_ifindexes : MWAN_LINK_ID_MAX;
	q->expect = nl < limits[what].links + over ? 0 : over ? -1 : 1;
	put_u32(NULL, &q->top, MWAN_A_MARK_MASK, 0xff00);
	list = nest(NULL, &q->top, MWAN_A_LINKS);
	for (i = 0; i < nl; i++) {
		o = nest(list, NULL, MWAN_A_LINK);
		put_u32(o, NULL, MWAN_LINK_A_ID, 1 + i);
		snprintf(buf, sizeof(buf), "x%u", i + 1);
		put_str(o, NULL, MWAN_LINK_A_NAME, buf);
		put_u32(o, NULL, MWAN_LINK_A_IFINDEX, ifindexes[i]);
	}
	list = nest(NULL, &q->top, MWAN_A_POLICIES);
	n = what == 2 ? MWAN_MAX_POLICIES + over : 1;
	for (i = 0; i < n; i++) {
		o = nest(list, NULL, MWAN_A_POLICY);
		put_u32(o, NULL, MWAN_POLICY_A_ID, 1 + i);
		snprintf(buf, sizeof(buf), "y%u", i + 1);
		put_str(o, NULL, MWAN_POLICY_A_NAME, buf);
		if (what == 0)
			gen_members(o, MWAN_MAX_MEMBERS + over, nl, 0);
		else if (what == 1)
			gen_members(o, MWAN_MAX_TIERS + over, nl,
				    MWAN_MAX_TIERS + over);
		else if (nl)
			gen_members(o, 1, nl, 0);
	}
	if (what != 3)
		return;
	n = MWAN_MAX_RULES + over;
	list = nest(NULL, &q->top, MWAN_A_RULES);
	for (i = 0; i < n; i++) {
		if (i == n / 2)	/* two lists: a nest holds 64 KiB at most */
			list = nest(NULL, &q->top, MWAN_A_RULES);
		o = nest(list, NULL, MWAN_A_RULE);
		put_u32(o, NULL, MWAN_RULE_A_ID, 1 + i * 3);
		snprintf(buf, sizeof(buf), "z%u", i + 1);
		put_str(o, NULL, MWAN_RULE_A_NAME, buf);
		put_u32(o, NULL, MWAN_RULE_A_POLICY, 1);
	}
}

static bool is_get(uint8_t cmd)
{
	return cmd == MWAN_CMD_LINK_GET || cmd == MWAN_CMD_POLICY_GET ||
	       cmd == MWAN_CMD_RULE_GET;
}

static void gen_request(struct req *q, bool limits)
{
	memset(q, 0, sizeof(*q));
	q->flags = NLM_F_REQUEST | NLM_F_ACK;
	if (limits) {
		q->cmd = MWAN_CMD_CONFIG_REPLACE;
		gen_limits(q);
		return;
	}
	q->cmd = 1 + below(MWAN_CMD_MAX);
	if (is_get(q->cmd) && chance(40)) {
		q->flags |= NLM_F_DUMP;
		return;
	}
	switch (q->cmd) {
	case MWAN_CMD_GLOBALS_SET:
		gen_globals(q);
		break;
	case MWAN_CMD_LINK_NEW ... MWAN_CMD_LINK_FLUSH:
		gen_link(q);
		break;
	case MWAN_CMD_POLICY_NEW ... MWAN_CMD_POLICY_GET:
		gen_policy(q);
		break;
	case MWAN_CMD_RULE_NEW ... MWAN_CMD_RULE_GET:
		gen_rule(q);
		break;
	case MWAN_CMD_CONFIG_REPLACE:
		gen_replace(q);
		break;
	}
}

/* ---- mutations ---- */

/* Every node of the tree in @list, depth first, with its list's head. */
struct spot {
	struct node *n;
	struct node **head;	/* the list @n is in */
};

static unsigned int collect(struct node **head, struct spot *s,
			    unsigned int n, unsigned int max)
{
	struct node *c;

	for (c = *head; c && n < max; c = c->next) {
		s[n].n = c;
		s[n++].head = head;
		if (c->nest)
			n = collect(&c->kid, s, n, max);
	}
	return n;
}

static struct node *copy_tree(const struct node *n)
{
	struct node *c = alloc(sizeof(*c)), **tail;
	const struct node *k;

	*c = *n;
	c->next = NULL;
	c->data = NULL;
	if (!n->nest) {
		c->data = alloc(n->len ? n->len : 1);
		memcpy(c->data, n->data, n->len);
		return c;
	}
	c->kid = NULL;
	tail = &c->kid;
	for (k = n->kid; k; k = k->next) {
		*tail = copy_tree(k);
		tail = &(*tail)->next;
	}
	return c;
}

static void unlink_node(struct node **head, struct node *n)
{
	while (*head != n)
		head = &(*head)->next;
	*head = n->next;
}

static void set_leaf(struct node *n, const void *v, uint32_t len)
{
	n->nest = false;
	n->kid = NULL;
	n->len = len;
	n->data = alloc(len ? len : 1);
	memcpy(n->data, v, len);
}

static void random_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

/* 0, min - 1, min, max, max + 1, the type's max, or anything. */
static uint64_t boundary(const struct adef *d)
{
	uint64_t tmax = d->kind == K_U8 ? 0xff : d->kind == K_U16 ? 0xffff :
			d->kind == K_U64 ? ~0ULL : 0xffffffffULL;

	switch (below(7)) {
	case 0: return 0;
	case 1: return d->min - 1;
	case 2: return d->min;
	case 3: return d->max;
	case 4: return d->max + 1;
	case 5: return tmax;
	}
	return rnd();
}

static const unsigned int str_lens[] = { 0, 1, 14, 15, 16, 17, 39 };
static const unsigned int bin_lens[] = { 0, 3, 4, 5, 15, 16, 17, 32 };

static void mutate_value(struct node *n)
{
	const struct adef *d = def_of(n);
	uint64_t v;
	uint32_t be;
	char s[40];
	unsigned int len;

	if (!d || d->kind == K_NEST)
		return;
	switch (d->kind) {
	case K_U8: case K_U16: case K_U32: case K_U64:
		v = boundary(d);
		/* little endian: the low bytes of v are the value */
		set_leaf(n, &v, d->kind == K_U8 ? 1 : d->kind == K_U16 ? 2 :
			 d->kind == K_U64 ? 8 : 4);
		break;
	case K_BE32:
		be = htonl((uint32_t)boundary(d));
		set_leaf(n, &be, 4);
		break;
	case K_STR:
		/* empty, max, max + 1, bad characters, no NUL */
		len = str_lens[below(ARRAY_SIZE(str_lens))];
		memset(s, 'a' + below(26), sizeof(s));
		if (chance(30))
			s[below(len + 1)] = " /\x01\xff:*"[below(6)];
		s[len] = 0;
		set_leaf(n, s, chance(85) ? len + 1 : len);
		break;
	case K_BIN:
		len = bin_lens[below(ARRAY_SIZE(bin_lens))];
		n->data = alloc(len ? len : 1);
		random_bytes(n->data, len);
		n->len = len;
		break;
	}
}

/* An attribute of another length, its first bytes kept. */
static void mutate_length(struct node *n)
{
	static const uint32_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15,
					 16, 17, 20, 64, 300 };
	uint32_t len = lens[below(ARRAY_SIZE(lens))];
	uint8_t *d;

	if (n->nest)
		return;
	d = alloc(len ? len : 1);
	memcpy(d, n->data, n->len < len ? n->len : len);
	if (len > n->len)
		random_bytes(d + n->len, len - n->len);
	n->data = d;
	n->len = len;
}

static void mutate_type(struct node *n)
{
	int max = n->in ? n->in->maxtype : MWAN_A_MAX;
	uint16_t flags = n->type & ~NLA_TYPE_MASK;

	switch (below(5)) {
	case 0:
		n->type = flags | (1 + below(max));	/* a sibling's type */
		break;
	case 1:
		n->type = flags | (max + 1 + below(3));	/* unknown */
		break;
	case 2:
		n->type = flags;			/* type 0 */
		break;
	case 3:
		n->type ^= NLA_F_NESTED;
		break;
	default:
		n->type ^= NLA_F_NET_BYTEORDER | (chance(50) ? 0x3fff : 0);
	}
}

/* Nested garbage: random bytes, a random child, a scalar made a nest. */
static void mutate_nest(struct node *n)
{
	uint8_t junk[64];
	uint32_t len = below(sizeof(junk) + 1);

	if (n->nest && chance(40)) {
		random_bytes(junk, len);
		set_leaf(n, junk, len);		/* keeps NLA_F_NESTED */
		return;
	}
	if (n->nest) {
		struct node *k = leaf(n, NULL, 1 + below(n->in ? 30 : 30),
				      NULL, 0);

		k->len = below(20);
		k->data = alloc(k->len + 1);
		random_bytes(k->data, k->len);
		if (chance(50)) {	/* among the others, not last */
			unlink_node(&n->kid, k);
			k->next = n->kid;
			n->kid = k;
		}
		return;
	}
	/* a scalar turned into a nest holding it */
	{
		struct node *k = copy_tree(n);

		n->nest = true;
		n->type |= NLA_F_NESTED;
		n->kid = k;
		k->in = NULL;
	}
}

static void shuffle(struct node **head)
{
	struct node *v[256], *c;
	unsigned int n = 0, i, j;

	for (c = *head; c && n < ARRAY_SIZE(v); c = c->next)
		v[n++] = c;
	if (c)
		return;
	for (i = n; i > 1; i--) {
		j = below(i);
		c = v[i - 1];
		v[i - 1] = v[j];
		v[j] = c;
	}
	*head = NULL;
	for (i = n; i-- > 0;) {
		v[i]->next = *head;
		*head = v[i];
	}
}

/* Wrap @n in up to 20 nests of its own type. */
static void deepen(struct node *n)
{
	unsigned int depth = 1 + below(20), i;
	struct node *inner = copy_tree(n), *w, *next = n->next;

	for (i = 0; i < depth; i++) {
		w = alloc(sizeof(*w));
		w->type = (n->type & NLA_TYPE_MASK) | NLA_F_NESTED;
		w->nest = true;
		w->in = n->in;
		w->kid = inner;
		inner = w;
	}
	*n = *inner;
	n->next = next;
}

static void mutate_once(struct req *q)
{
	struct spot s[4096];
	unsigned int n = collect(&q->top, s, 0, ARRAY_SIZE(s)), i;
	struct node *c, *next;

	if (!n) {
		/* nothing to mutate: add a random top-level attribute */
		c = leaf(NULL, &q->top, below(MWAN_A_MAX + 3), NULL, 0);
		c->len = below(12);
		c->data = alloc(c->len + 1);
		random_bytes(c->data, c->len);
		return;
	}
	i = below(n);
	c = s[i].n;
	switch (below(11)) {
	case 0:			/* drop */
		unlink_node(s[i].head, c);
		break;
	case 1:			/* duplicate */
		next = c->next;
		c->next = copy_tree(c);
		c->next->next = next;
		if (chance(50))
			mutate_value(c->next);
		break;
	case 2:			/* reorder its list */
		shuffle(s[i].head);
		break;
	case 3: case 4:		/* boundary values */
		mutate_value(c);
		break;
	case 5:
		mutate_length(c);
		break;
	case 6:
		mutate_type(c);
		break;
	case 7:
		mutate_nest(c);
		break;
	case 8:			/* the header lies about the length */
		c->lie = chance(50) ? -(int)(1 + below(8)) : (int)(1 + below(16));
		if (chance(20))
			c->lie = chance(50) ? 4000 : -200;
		break;
	case 9:
		deepen(c);
		break;
	default:		/* an existing object's key, or a stranger's */
		mutate_value(c);
		mutate_value(c);
	}
}

/* ---- sending and answers ---- */

struct conn {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t group;
	uint32_t seq;
	uint32_t portid;
	uint8_t *buf;		/* the message */
	size_t len;
	uint8_t *reply;		/* a doit's reply to the last request */
	size_t reply_len;
};

static char rbuf[128 * 1024];

static int open_conn(struct conn *c)
{
	int one = 1;

	c->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!c->nl || mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	mnl_socket_setsockopt(c->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(c->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	c->portid = mnl_socket_get_portid(c->nl);
	c->seq = time(NULL);
	return 0;
}

static int family_group_cb(const struct nlattr *a, void *data)
{
	struct conn *c = data;
	const struct nlattr *g, *ga;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		c->family = mnl_attr_get_u16(a);
	if (mnl_attr_get_type(a) != CTRL_ATTR_MCAST_GROUPS)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(g, a) {
		const char *name = NULL;
		uint32_t id = 0;

		mnl_attr_for_each_nested(ga, g) {
			if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_NAME)
				name = mnl_attr_get_str(ga);
			if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_ID)
				id = mnl_attr_get_u32(ga);
		}
		if (name && !strcmp(name, MWAN_MCGRP_EVENTS))
			c->group = id;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_group_cb,
			      data);
}

static int resolve(struct conn *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int ret;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++c->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MWAN_GENL_NAME);
	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		ret = mnl_socket_recvfrom(c->nl, buf, sizeof(buf));
		if (ret <= 0)
			return -1;
		ret = mnl_cb_run(buf, ret, c->seq, c->portid, family_cb, c);
	} while (ret > 0);
	return c->family ? 0 : -1;
}

/*
 * Serialize @q with its header into c->buf; then maybe flip bytes, cut
 * it short or add trailing garbage. nlmsg_len always tells the truth
 * about what is sent: a longer claim is dropped without an answer.
 */
static void build_msg(struct conn *c, const struct req *q, bool mangle)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)c->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(c->buf + NLMSG_HDRLEN);
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN, i, k;

	memset(c->buf, 0, len);
	nlh->nlmsg_type = c->family;
	nlh->nlmsg_flags = q->flags;
	nlh->nlmsg_seq = ++c->seq;
	g->cmd = q->cmd;
	g->version = MWAN_GENL_VERSION;
	len += emit(q->top, c->buf + len, MSG_MAX - len);
	if (mangle && chance(12)) {
		k = 1 + below(4);
		for (i = 0; i < k && len > NLMSG_HDRLEN + GENL_HDRLEN; i++)
			c->buf[NLMSG_HDRLEN + GENL_HDRLEN +
			       below(len - NLMSG_HDRLEN - GENL_HDRLEN)] ^=
				1 << below(8);
	}
	if (mangle && chance(4))
		len = NLMSG_HDRLEN + below(len - NLMSG_HDRLEN + 1);
	if (mangle && chance(3)) {
		k = 1 + below(7);
		random_bytes(c->buf + len, k);
		len += k;
	}
	if (mangle && chance(3))
		g->cmd = chance(50) ? below(MWAN_CMD_MAX + 4) : 0xff;
	if (mangle && chance(2))
		g->version = below(4);
	if (mangle && chance(3))
		nlh->nlmsg_flags |= NLM_F_DUMP;
	nlh->nlmsg_len = len;
	c->len = len;
}

/* Returns the request's errno (0: accepted), or 1 if no answer came. */
static int transact(struct conn *c)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)c->buf;
	uint32_t seq = nlh->nlmsg_seq;
	struct pollfd pfd = { mnl_socket_get_fd(c->nl), POLLIN, 0 };
	int ret;

	c->reply_len = 0;
	if (mnl_socket_sendto(c->nl, c->buf, c->len) < 0)
		return errno;
	for (;;) {
		const struct nlmsghdr *m;

		if (poll(&pfd, 1, REPLY_TIMEOUT_MS) <= 0)
			return 1;
		ret = recv(pfd.fd, rbuf, sizeof(rbuf), 0);
		if (ret < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return errno;
		}
		for (m = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(m, ret);
		     m = mnl_nlmsg_next(m, &ret)) {
			if (m->nlmsg_seq != seq)
				continue;
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

				return -e->error;
			}
			if (!(m->nlmsg_flags & NLM_F_MULTI) &&
			    m->nlmsg_len <= MSG_MAX) {
				memcpy(c->reply, m, m->nlmsg_len);
				c->reply_len = m->nlmsg_len;
			}
		}
	}
}

/* ---- statistics ---- */

struct stats {
	unsigned long sent, accepted, noreply;
	unsigned long by_cmd[MWAN_CMD_MAX + 2][2];	/* rejected, accepted */
	unsigned long errs[140];
	unsigned long limits[2][2];	/* [past it][as expected] */
};

static void count(struct stats *st, uint8_t cmd, int err)
{
	st->sent++;
	if (err == 1) {
		st->noreply++;
		return;
	}
	st->accepted += !err;
	st->by_cmd[cmd <= MWAN_CMD_MAX ? cmd : MWAN_CMD_MAX + 1][!err]++;
	if (err > 0 && err < (int)ARRAY_SIZE(st->errs))
		st->errs[err]++;
}

static void print_stats(const char *who, const struct stats *st)
{
	static const char *const names[] = {
		"unspec", "globals_get", "globals_set", "link_new", "link_set",
		"link_del", "link_get", "link_flush", "policy_new",
		"policy_set", "policy_del", "policy_get", "rule_new",
		"rule_set", "rule_del", "rule_get", "replace", "unknown",
	};
	unsigned int i;

	printf("nlfuzz: %s: %lu messages, %lu accepted, %lu unanswered\n",
	       who, st->sent, st->accepted, st->noreply);
	printf("nlfuzz: %s: accepted/sent by command:", who);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (st->by_cmd[i][0] + st->by_cmd[i][1])
			printf(" %s %lu/%lu", names[i], st->by_cmd[i][1],
			       st->by_cmd[i][0] + st->by_cmd[i][1]);
	printf("\nnlfuzz: %s: limits: %lu of %lu replaces at a limit accepted, %lu of %lu one past it refused",
	       who, st->limits[0][1], st->limits[0][0] + st->limits[0][1],
	       st->limits[1][1], st->limits[1][0] + st->limits[1][1]);
	printf("\nnlfuzz: %s: errors:", who);
	for (i = 0; i < ARRAY_SIZE(st->errs); i++)
		if (st->errs[i])
			printf(" %s %lu", strerrorname_np(i) ?: "?",
			       st->errs[i]);
	printf("\n");
	fflush(stdout);
}

static void hexdump(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(stderr, "%02x%s", p[i], i % 32 == 31 ? "\n" : "");
	fprintf(stderr, "\n");
}

/* ---- the model: what the accepted requests made of the config ---- */

struct mlink {
	bool used;
	char name[MWAN_NAME_MAX];
	uint32_t ifindex, weight, rtt_us, loss_ppm;
	uint8_t state, health;
	uint8_t npt_len, npt_mode;	/* npt_len 0: no NPT */
	uint8_t npt_in[16], npt_ex[16];
	bool map4;
	uint32_t map4_addr[3];		/* first, last, external first */
};

struct mmember {
	uint32_t link, metric, weight;
};

struct mpolicy {
	bool used;
	char name[MWAN_NAME_MAX];
	uint8_t mode, last_resort;
	unsigned int nmembers;
	struct mmember members[MWAN_MAX_MEMBERS];
};

struct mrule {
	uint32_t id, policy, flags;
	char name[MWAN_NAME_MAX];
};

struct model {
	uint32_t mask, default_policy;
	uint8_t enabled;
	struct mlink links[MWAN_LINK_ID_MAX + 1];
	struct mpolicy policies[MWAN_POLICY_ID_MAX + 1];
	unsigned int nrules;
	struct mrule rules[MWAN_MAX_RULES];
};

static void model_reset(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->mask = MWAN_DEFAULT_MARK_MASK;
	m->enabled = 1;
}

/* nla_parse's way: the last of an attribute wins. */
static void tb_parse(const void *payload, size_t len, const struct nlattr **tb,
		     int max)
{
	const struct nlattr *attr;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_for_each_payload(payload, len)
		if (mnl_attr_get_type(attr) <= max)
			tb[mnl_attr_get_type(attr)] = attr;
}

static void tb_nested(const struct nlattr *nest, const struct nlattr **tb,
		      int max)
{
	tb_parse(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
		 tb, max);
}

static void get_name(char *dst, const struct nlattr *a)
{
	size_t n = strnlen(mnl_attr_get_payload(a),
			   mnl_attr_get_payload_len(a));

	if (n >= MWAN_NAME_MAX)
		n = MWAN_NAME_MAX - 1;
	memcpy(dst, mnl_attr_get_payload(a), n);
	dst[n] = 0;
}

static uint32_t u32_of(const struct nlattr *a)
{
	return mnl_attr_get_u32(a);
}

/* Find by id (which wins) or by name; 0 if absent. */
static uint32_t find_link(const struct model *m, const struct nlattr **tb)
{
	char name[MWAN_NAME_MAX];
	unsigned int i;

	if (tb[MWAN_LINK_A_ID])
		return u32_of(tb[MWAN_LINK_A_ID]);
	get_name(name, tb[MWAN_LINK_A_NAME]);
	for (i = 1; i <= MWAN_LINK_ID_MAX; i++)
		if (m->links[i].used && !strcmp(m->links[i].name, name))
			return i;
	return 0;
}

static uint32_t find_policy(const struct model *m, const struct nlattr **tb)
{
	char name[MWAN_NAME_MAX];
	unsigned int i;

	if (tb[MWAN_POLICY_A_ID])
		return u32_of(tb[MWAN_POLICY_A_ID]);
	get_name(name, tb[MWAN_POLICY_A_NAME]);
	for (i = 1; i <= MWAN_POLICY_ID_MAX; i++)
		if (m->policies[i].used && !strcmp(m->policies[i].name, name))
			return i;
	return 0;
}

static int find_rule(const struct model *m, const struct nlattr **tb)
{
	char name[MWAN_NAME_MAX];
	unsigned int i;

	if (tb[MWAN_RULE_A_ID]) {
		for (i = 0; i < m->nrules; i++)
			if (m->rules[i].id == u32_of(tb[MWAN_RULE_A_ID]))
				return i;
		return -1;
	}
	get_name(name, tb[MWAN_RULE_A_NAME]);
	for (i = 0; i < m->nrules; i++)
		if (!strcmp(m->rules[i].name, name))
			return i;
	return -1;
}

/* A translation's nest replaces the link's; an empty one removes it. */
static void model_npt(struct mlink *l, const struct nlattr *nest)
{
	const struct nlattr *tb[MWAN_NPT_A_MAX + 1];

	tb_nested(nest, tb, MWAN_NPT_A_MAX);
	l->npt_len = 0;
	if (!mnl_attr_get_payload_len(nest))
		return;
	l->npt_len = mnl_attr_get_u8(tb[MWAN_NPT_A_PREFIX_LEN]);
	l->npt_mode = tb[MWAN_NPT_A_MODE] ?
		      mnl_attr_get_u8(tb[MWAN_NPT_A_MODE]) : 0;
	memcpy(l->npt_in, mnl_attr_get_payload(tb[MWAN_NPT_A_INTERNAL]), 16);
	memcpy(l->npt_ex, mnl_attr_get_payload(tb[MWAN_NPT_A_EXTERNAL]), 16);
}

static void model_map4(struct mlink *l, const struct nlattr *nest)
{
	const struct nlattr *tb[MWAN_MAP4_A_MAX + 1];
	unsigned int i;

	tb_nested(nest, tb, MWAN_MAP4_A_MAX);
	l->map4 = mnl_attr_get_payload_len(nest);
	for (i = 0; l->map4 && i < 3; i++)
		l->map4_addr[i] = u32_of(tb[MWAN_MAP4_A_INTERNAL_FIRST + i]);
}

/* The link a NEW (or a replace) makes, or a SET changes; its id. */
static uint32_t model_link(struct model *m, const struct nlattr *nest,
			   bool create)
{
	const struct nlattr *tb[MWAN_LINK_A_MAX + 1];
	struct mlink *l;
	uint32_t id;

	tb_nested(nest, tb, MWAN_LINK_A_MAX);
	if (create) {
		id = tb[MWAN_LINK_A_ID] ? u32_of(tb[MWAN_LINK_A_ID]) : 0;
		for (id = id ? id : 1; !tb[MWAN_LINK_A_ID] &&
		     id <= MWAN_LINK_ID_MAX && m->links[id].used; id++)
			;
		l = &m->links[id % (MWAN_LINK_ID_MAX + 1)];
		memset(l, 0, sizeof(*l));
		l->used = true;
		l->state = MWAN_LINK_UP;
		l->weight = 1;
	} else {
		id = find_link(m, tb);
		l = &m->links[id % (MWAN_LINK_ID_MAX + 1)];
	}
	if (tb[MWAN_LINK_A_NAME])
		get_name(l->name, tb[MWAN_LINK_A_NAME]);
	if (tb[MWAN_LINK_A_IFINDEX])
		l->ifindex = u32_of(tb[MWAN_LINK_A_IFINDEX]);
	if (tb[MWAN_LINK_A_STATE])
		l->state = mnl_attr_get_u8(tb[MWAN_LINK_A_STATE]);
	if (tb[MWAN_LINK_A_WEIGHT])
		l->weight = u32_of(tb[MWAN_LINK_A_WEIGHT]);
	if (tb[MWAN_LINK_A_RTT_US])
		l->rtt_us = u32_of(tb[MWAN_LINK_A_RTT_US]);
	if (tb[MWAN_LINK_A_LOSS_PPM])
		l->loss_ppm = u32_of(tb[MWAN_LINK_A_LOSS_PPM]);
	if (tb[MWAN_LINK_A_HEALTH])
		l->health = mnl_attr_get_u8(tb[MWAN_LINK_A_HEALTH]);
	if (tb[MWAN_LINK_A_NPT])
		model_npt(l, tb[MWAN_LINK_A_NPT]);
	if (tb[MWAN_LINK_A_MAP4])
		model_map4(l, tb[MWAN_LINK_A_MAP4]);
	return id;
}

static void model_members(struct mpolicy *p, const struct nlattr *list)
{
	const struct nlattr *a, *tb[MWAN_MEMBER_A_MAX + 1];
	struct mmember *mm;

	p->nmembers = 0;
	mnl_attr_for_each_nested(a, list) {
		if (p->nmembers == MWAN_MAX_MEMBERS)
			break;
		tb_nested(a, tb, MWAN_MEMBER_A_MAX);
		mm = &p->members[p->nmembers++];
		mm->link = tb[MWAN_MEMBER_A_LINK] ?
			   u32_of(tb[MWAN_MEMBER_A_LINK]) : 0;
		mm->metric = tb[MWAN_MEMBER_A_METRIC] ?
			     u32_of(tb[MWAN_MEMBER_A_METRIC]) : 0;
		mm->weight = tb[MWAN_MEMBER_A_WEIGHT] ?
			     u32_of(tb[MWAN_MEMBER_A_WEIGHT]) : 0;
	}
}

static uint32_t model_policy(struct model *m, const struct nlattr *nest,
			     bool create)
{
	const struct nlattr *tb[MWAN_POLICY_A_MAX + 1];
	struct mpolicy *p;
	uint32_t id;

	tb_nested(nest, tb, MWAN_POLICY_A_MAX);
	if (create) {
		id = tb[MWAN_POLICY_A_ID] ? u32_of(tb[MWAN_POLICY_A_ID]) : 0;
		for (id = id ? id : 1; !tb[MWAN_POLICY_A_ID] &&
		     id <= MWAN_POLICY_ID_MAX && m->policies[id].used; id++)
			;
		p = &m->policies[id % (MWAN_POLICY_ID_MAX + 1)];
		memset(p, 0, sizeof(*p));
		p->used = true;
	} else {
		id = find_policy(m, tb);
		p = &m->policies[id % (MWAN_POLICY_ID_MAX + 1)];
	}
	if (tb[MWAN_POLICY_A_NAME])
		get_name(p->name, tb[MWAN_POLICY_A_NAME]);
	if (tb[MWAN_POLICY_A_MODE])
		p->mode = mnl_attr_get_u8(tb[MWAN_POLICY_A_MODE]);
	if (tb[MWAN_POLICY_A_LAST_RESORT])
		p->last_resort = mnl_attr_get_u8(tb[MWAN_POLICY_A_LAST_RESORT]);
	if (tb[MWAN_POLICY_A_MEMBERS])
		model_members(p, tb[MWAN_POLICY_A_MEMBERS]);
	return id;
}

static uint32_t model_rule(struct model *m, const struct nlattr *nest,
			   bool create)
{
	const struct nlattr *tb[MWAN_RULE_A_MAX + 1];
	struct mrule r = { 0 };
	unsigned int pos;
	int at;

	tb_nested(nest, tb, MWAN_RULE_A_MAX);
	if (create) {
		if (tb[MWAN_RULE_A_ID])
			r.id = u32_of(tb[MWAN_RULE_A_ID]);
		else
			r.id = m->nrules ? m->rules[m->nrules - 1].id + 1 : 1;
	} else {
		at = find_rule(m, tb);
		if (at < 0)
			return 0;
		r = m->rules[at];
		memmove(m->rules + at, m->rules + at + 1,
			(--m->nrules - at) * sizeof(r));
	}
	if (tb[MWAN_RULE_A_NAME])
		get_name(r.name, tb[MWAN_RULE_A_NAME]);
	if (tb[MWAN_RULE_A_POLICY])
		r.policy = u32_of(tb[MWAN_RULE_A_POLICY]);
	/* given or not, flags are replaced; a cgroup implies two */
	r.flags = tb[MWAN_RULE_A_FLAGS] ? u32_of(tb[MWAN_RULE_A_FLAGS]) : 0;
	if (tb[MWAN_RULE_A_CGROUP_ID])
		r.flags |= MWAN_RULE_F_LOCAL | MWAN_RULE_F_NO_FORWARD;
	if (m->nrules == MWAN_MAX_RULES)
		return r.id;
	for (pos = 0; pos < m->nrules && m->rules[pos].id < r.id; pos++)
		;
	memmove(m->rules + pos + 1, m->rules + pos,
		(m->nrules - pos) * sizeof(r));
	m->rules[pos] = r;
	m->nrules++;
	return r.id;
}

static void model_globals(struct model *m, const struct nlattr **tb)
{
	if (tb[MWAN_A_MARK_MASK])
		m->mask = u32_of(tb[MWAN_A_MARK_MASK]);
	if (tb[MWAN_A_ENABLED])
		m->enabled = mnl_attr_get_u8(tb[MWAN_A_ENABLED]);
	if (tb[MWAN_A_DEFAULT_POLICY])
		m->default_policy = u32_of(tb[MWAN_A_DEFAULT_POLICY]);
}

/* A replace: links, then policies, then rules, each in message order. */
static void model_replace(struct model *m, const void *payload, size_t len,
			  const struct nlattr **tb)
{
	static const int lists[] = { MWAN_A_LINKS, MWAN_A_POLICIES,
				     MWAN_A_RULES };
	const struct nlattr *attr, *a;
	unsigned int k;

	model_reset(m);
	if (tb[MWAN_A_MARK_MASK])
		m->mask = u32_of(tb[MWAN_A_MARK_MASK]);
	for (k = 0; k < ARRAY_SIZE(lists); k++) {
		mnl_attr_for_each_payload(payload, len) {
			if (mnl_attr_get_type(attr) != lists[k])
				continue;
			mnl_attr_for_each_nested(a, attr) {
				if (k == 0)
					model_link(m, a, true);
				else if (k == 1)
					model_policy(m, a, true);
				else
					model_rule(m, a, true);
			}
		}
	}
	model_globals(m, tb);
}

/* The id the kernel's reply to a NEW gives its object. */
static int reply_id(const struct conn *c, int kind, uint32_t *id)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)c->reply;
	const struct nlattr *tb[MWAN_A_MAX + 1], *sub[2];
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;

	if (c->reply_len < off)
		return -1;
	tb_parse(c->reply + off, nlh->nlmsg_len - off, tb, MWAN_A_MAX);
	if (!tb[kind])
		return -1;
	tb_nested(tb[kind], sub, 1);	/* ID is 1 in every object */
	if (!sub[1])
		return -1;
	*id = u32_of(sub[1]);
	return 0;
}

/*
 * Apply the request in c->buf, which the kernel accepted. Returns -1 if a
 * NEW's reply names another id than the model predicts.
 */
static int model_apply(struct model *m, const struct conn *c)
{
	const struct genlmsghdr *g = (const void *)(c->buf + NLMSG_HDRLEN);
	const void *payload = c->buf + NLMSG_HDRLEN + GENL_HDRLEN;
	size_t len = c->len - NLMSG_HDRLEN - GENL_HDRLEN;
	const struct nlattr *tb[MWAN_A_MAX + 1], *sub[MWAN_RULE_A_MAX + 1];
	uint32_t want = 0, got;
	int kind = 0, at;

	tb_parse(payload, len, tb, MWAN_A_MAX);
	switch (g->cmd) {
	case MWAN_CMD_GLOBALS_SET:
		model_globals(m, tb);
		return 0;
	case MWAN_CMD_CONFIG_REPLACE:
		model_replace(m, payload, len, tb);
		return 0;
	case MWAN_CMD_LINK_NEW:
	case MWAN_CMD_LINK_SET:
		kind = MWAN_A_LINK;
		want = model_link(m, tb[kind], g->cmd == MWAN_CMD_LINK_NEW);
		break;
	case MWAN_CMD_LINK_DEL:
		tb_nested(tb[MWAN_A_LINK], sub, MWAN_LINK_A_MAX);
		m->links[find_link(m, sub) % (MWAN_LINK_ID_MAX + 1)].used = false;
		return 0;
	case MWAN_CMD_POLICY_NEW:
	case MWAN_CMD_POLICY_SET:
		kind = MWAN_A_POLICY;
		want = model_policy(m, tb[kind], g->cmd == MWAN_CMD_POLICY_NEW);
		break;
	case MWAN_CMD_POLICY_DEL:
		tb_nested(tb[MWAN_A_POLICY], sub, MWAN_POLICY_A_MAX);
		m->policies[find_policy(m, sub) %
			    (MWAN_POLICY_ID_MAX + 1)].used = false;
		return 0;
	case MWAN_CMD_RULE_NEW:
	case MWAN_CMD_RULE_SET:
		kind = MWAN_A_RULE;
		want = model_rule(m, tb[kind], g->cmd == MWAN_CMD_RULE_NEW);
		break;
	case MWAN_CMD_RULE_DEL:
		tb_nested(tb[MWAN_A_RULE], sub, MWAN_RULE_A_MAX);
		at = find_rule(m, sub);
		if (at >= 0)
			memmove(m->rules + at, m->rules + at + 1,
				(--m->nrules - at) * sizeof(m->rules[0]));
		return 0;
	default:
		return 0;
	}
	if (g->cmd != MWAN_CMD_LINK_NEW && g->cmd != MWAN_CMD_POLICY_NEW &&
	    g->cmd != MWAN_CMD_RULE_NEW)
		return 0;
	if (reply_id(c, kind, &got) || got != want) {
		fprintf(stderr, "nlfuzz: NEW made id %d, the model says %u\n",
			reply_id(c, kind, &got) ? -1 : (int)got, want);
		return -1;
	}
	return 0;
}

/* ---- the kernel's config, read back by dumps ---- */

static int dump_obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct model *k = data;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[MWAN_A_MAX + 1], *o[MWAN_RULE_A_MAX + 1];
	uint32_t id;

	tb_parse((const uint8_t *)g + GENL_HDRLEN,
		 mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, tb, MWAN_A_MAX);
	if (g->cmd == MWAN_CMD_GLOBALS_GET) {
		model_globals(k, tb);
	} else if (tb[MWAN_A_LINK]) {
		tb_nested(tb[MWAN_A_LINK], o, MWAN_LINK_A_MAX);
		if (!o[MWAN_LINK_A_ID])
			return MNL_CB_ERROR;
		id = u32_of(o[MWAN_LINK_A_ID]);
		if (id > MWAN_LINK_ID_MAX)
			return MNL_CB_ERROR;
		model_link(k, tb[MWAN_A_LINK], true);
	} else if (tb[MWAN_A_POLICY]) {
		model_policy(k, tb[MWAN_A_POLICY], true);
	} else if (tb[MWAN_A_RULE]) {
		model_rule(k, tb[MWAN_A_RULE], true);
	}
	return MNL_CB_OK;
}

static int dump(struct conn *c, uint8_t cmd, struct model *k)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)c->buf;
	struct genlmsghdr *g;
	uint32_t seq;
	int ret;

	nlh = mnl_nlmsg_put_header(c->buf);
	nlh->nlmsg_type = c->family;
	nlh->nlmsg_flags = NLM_F_REQUEST |
			   (cmd == MWAN_CMD_GLOBALS_GET ? NLM_F_ACK : NLM_F_DUMP);
	nlh->nlmsg_seq = seq = ++c->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = MWAN_GENL_VERSION;
	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		ret = mnl_socket_recvfrom(c->nl, rbuf, sizeof(rbuf));
		if (ret <= 0)
			return -1;
		if (((struct nlmsghdr *)rbuf)->nlmsg_flags & NLM_F_DUMP_INTR)
			return 1;
		ret = mnl_cb_run(rbuf, ret, seq, c->portid, dump_obj_cb, k);
	} while (ret > 0);
	return ret < 0 ? -1 : 0;
}

static int read_kernel(struct conn *c, struct model *k)
{
	static const uint8_t cmds[] = { MWAN_CMD_GLOBALS_GET, MWAN_CMD_LINK_GET,
					MWAN_CMD_POLICY_GET,
					MWAN_CMD_RULE_GET };
	unsigned int i, tries;
	int ret;

	for (tries = 0; tries < 10; tries++) {
		model_reset(k);
		for (i = 0, ret = 0; i < ARRAY_SIZE(cmds) && !ret; i++)
			ret = dump(c, cmds[i], k);
		if (ret <= 0)
			return ret;
	}
	return -1;
}

/* Print each difference; returns their number. */
static int compare(const struct model *m, const struct model *k)
{
	unsigned int i, j;
	int bad = 0;

#define DIFF(cond, ...) do { if (cond) { \
		fprintf(stderr, "nlfuzz: model/kernel: " __VA_ARGS__); \
		bad++; } } while (0)
	DIFF(m->mask != k->mask || m->enabled != k->enabled ||
	     m->default_policy != k->default_policy,
	     "globals mask %#x/%#x enabled %u/%u default policy %u/%u\n",
	     m->mask, k->mask, m->enabled, k->enabled, m->default_policy,
	     k->default_policy);
	for (i = 1; i <= MWAN_LINK_ID_MAX; i++) {
		const struct mlink *a = &m->links[i], *b = &k->links[i];

		DIFF(a->used != b->used, "link %u exists %d/%d\n", i,
		     a->used, b->used);
		DIFF(a->used && b->used &&
		     (strcmp(a->name, b->name) || a->ifindex != b->ifindex ||
		      a->state != b->state || a->weight != b->weight),
		     "link %u: %s dev %u state %u weight %u / %s dev %u state %u weight %u\n",
		     i, a->name, a->ifindex, a->state, a->weight, b->name,
		     b->ifindex, b->state, b->weight);
		DIFF(a->used && b->used &&
		     (a->rtt_us != b->rtt_us || a->loss_ppm != b->loss_ppm ||
		      a->health != b->health),
		     "link %u: rtt %u loss %u health %u / rtt %u loss %u health %u\n",
		     i, a->rtt_us, a->loss_ppm, a->health, b->rtt_us,
		     b->loss_ppm, b->health);
		DIFF(a->used && b->used &&
		     (a->npt_len != b->npt_len ||
		      (a->npt_len && (a->npt_mode != b->npt_mode ||
				      memcmp(a->npt_in, b->npt_in, 16) ||
				      memcmp(a->npt_ex, b->npt_ex, 16)))),
		     "link %u: NPT /%u mode %u / /%u mode %u\n", i,
		     a->npt_len, a->npt_mode, b->npt_len, b->npt_mode);
		DIFF(a->used && b->used &&
		     (a->map4 != b->map4 ||
		      (a->map4 && memcmp(a->map4_addr, b->map4_addr,
					 sizeof(a->map4_addr)))),
		     "link %u: map4 %d / %d\n", i, a->map4, b->map4);
	}
	for (i = 1; i <= MWAN_POLICY_ID_MAX; i++) {
		const struct mpolicy *a = &m->policies[i], *b = &k->policies[i];
		bool same = a->nmembers == b->nmembers;

		for (j = 0; same && j < a->nmembers; j++)
			same = !memcmp(&a->members[j], &b->members[j],
				       sizeof(a->members[j]));
		DIFF(a->used != b->used, "policy %u exists %d/%d\n", i,
		     a->used, b->used);
		DIFF(a->used && b->used &&
		     (strcmp(a->name, b->name) || a->mode != b->mode ||
		      a->last_resort != b->last_resort || !same),
		     "policy %u: %s mode %u lr %u %u members / %s mode %u lr %u %u members\n",
		     i, a->name, a->mode, a->last_resort, a->nmembers, b->name,
		     b->mode, b->last_resort, b->nmembers);
	}
	DIFF(m->nrules != k->nrules, "%u/%u rules\n", m->nrules, k->nrules);
	for (i = 0; i < m->nrules && i < k->nrules; i++)
		DIFF(m->rules[i].id != k->rules[i].id ||
		     strcmp(m->rules[i].name, k->rules[i].name) ||
		     m->rules[i].policy != k->rules[i].policy ||
		     m->rules[i].flags != k->rules[i].flags,
		     "rule #%u: %u %s policy %u flags %u / %u %s policy %u flags %u\n",
		     i, m->rules[i].id, m->rules[i].name, m->rules[i].policy,
		     m->rules[i].flags, k->rules[i].id, k->rules[i].name,
		     k->rules[i].policy, k->rules[i].flags);
#undef DIFF
	return bad;
}

static int write_model(const struct model *m, const char *path)
{
	static const char *const states[] = { "down", "up", "drain" };
	FILE *f = fopen(path, "w");
	unsigned int i, j;

	if (!f)
		return -1;
	fprintf(f, "globals %u %u %u\n", m->mask, m->enabled,
		m->default_policy);
	for (i = 1; i <= MWAN_LINK_ID_MAX; i++)
		if (m->links[i].used)
			fprintf(f, "link %u %s %u %s %u\n", i,
				m->links[i].name, m->links[i].ifindex,
				m->links[i].state <= 2 ?
				states[m->links[i].state] : "?",
				m->links[i].weight);
	for (i = 1; i <= MWAN_POLICY_ID_MAX; i++) {
		if (!m->policies[i].used)
			continue;
		fprintf(f, "policy %u %s", i, m->policies[i].name);
		for (j = 0; j < m->policies[i].nmembers; j++)
			fprintf(f, "%c%u", j ? ',' : ' ',
				m->policies[i].members[j].link);
		fprintf(f, "%s\n", m->policies[i].nmembers ? "" : " -");
	}
	for (i = 0; i < m->nrules; i++)
		fprintf(f, "rule %u %s %u\n", m->rules[i].id, m->rules[i].name,
			m->rules[i].policy);
	return fclose(f);
}

/* ---- the stages ---- */

struct opts {
	uint64_t seed;
	unsigned long count, model_count;
	unsigned int procs, seconds;
	const char *model_out;
	bool verbose;
};

static struct timespec t_end;
/* mutated requests in percent; the model stage's go deeper with fewer */
static unsigned int mutate_pct = 70;

static bool time_up(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t_end.tv_sec ||
	       (now.tv_sec == t_end.tv_sec && now.tv_nsec >= t_end.tv_nsec);
}

static void seed_worker(uint64_t seed, unsigned int w)
{
	rng_state = seed ^ (0x51ed270b27a4ULL * (w + 1));
	rnd();
}

/*
 * One message: built, maybe mutated, sent. Returns its errno (0:
 * accepted), 1 if no answer came, -1 if a request at a limit had the
 * wrong outcome.
 */
static int one(struct conn *c, struct req *q, unsigned long i,
	       struct stats *st)
{
	bool at_limit = i % LIMIT_EVERY == LIMIT_EVERY - 1, mutated;
	unsigned int k;
	int err;

	arena_used = 0;
	gen_request(q, at_limit);
	mutated = !at_limit && chance(mutate_pct);
	for (k = mutated ? 1 + below(4) : 0; k > 0; k--)
		mutate_once(q);
	build_msg(c, q, mutated);
	err = transact(c);
	count(st, c->buf[NLMSG_HDRLEN], err);
	if (!at_limit || !q->expect || err == 1)
		return err;
	st->limits[q->over][q->expect > 0 ? !err : err == limits[q->limit].err]++;
	if (q->expect > 0 ? !err : err == limits[q->limit].err)
		return err;
	fprintf(stderr, "nlfuzz: a replace with %u %s%s: %s, not %s\n",
		limits[q->limit].at + q->over, limits[q->limit].what,
		q->over ? " (one too many)" : " (the limit)",
		err ? strerrorname_np(err) : "accepted",
		q->expect > 0 ? "accepted" : strerrorname_np(limits[q->limit].err));
	return -1;
}

static int setup_conn(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->buf = malloc(MSG_MAX + 64);
	c->reply = malloc(MSG_MAX);
	arena = malloc(ARENA_SIZE);
	if (!c->buf || !c->reply || !arena || open_conn(c) || resolve(c)) {
		fprintf(stderr, "nlfuzz: no mwan netlink family here: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

static int unanswered(const struct conn *c, unsigned int w, unsigned long i,
		      uint64_t seed)
{
	fprintf(stderr, "nlfuzz: worker %u message %lu (seed %#" PRIx64
		") got no answer in %d ms:\n", w, i, seed, REPLY_TIMEOUT_MS);
	hexdump(c->buf, c->len);
	return 1;
}

static int chaos_worker(const struct opts *o, unsigned int w,
			unsigned long n)
{
	struct conn c;
	struct stats st = { 0 };
	struct req q;
	unsigned long i;
	char who[32];
	int err;

	seed_worker(o->seed, w);
	if (setup_conn(&c))
		return 2;
	for (i = 0; i < n && !time_up(); i++) {
		err = one(&c, &q, i, &st);
		if (err == 1)
			return unanswered(&c, w, i, o->seed);
		if (err < 0)
			return 1;
	}
	snprintf(who, sizeof(who), "chaos %u", w);
	print_stats(who, &st);
	return 0;
}

/* Joined to the events group, so every change also builds an event. */
static void listener(void)
{
	struct conn c;
	int g;

	if (setup_conn(&c))
		_exit(2);
	g = c.group;
	if (mnl_socket_setsockopt(c.nl, NETLINK_ADD_MEMBERSHIP, &g,
				  sizeof(g)) < 0)
		_exit(2);
	for (;;)
		if (recv(mnl_socket_get_fd(c.nl), rbuf, sizeof(rbuf), 0) < 0 &&
		    errno != ENOBUFS && errno != EINTR)
			_exit(2);
}

static int chaos(const struct opts *o)
{
	pid_t pids[64], lpid, pid;
	unsigned int w, failed = 0;
	int status;

	fflush(stdout);
	lpid = fork();
	if (lpid == 0)
		listener();
	for (w = 0; w < o->procs; w++) {
		pids[w] = fork();
		if (pids[w] == 0)
			_exit(chaos_worker(o, w + 1, o->count / o->procs +
					   (w < o->count % o->procs)));
	}
	for (w = 0; w < o->procs; w++) {
		pid = waitpid(pids[w], &status, 0);
		if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "nlfuzz: chaos worker %u failed\n",
				w + 1);
			failed++;
		}
	}
	if (lpid > 0) {
		kill(lpid, SIGTERM);
		waitpid(lpid, &status, 0);
	}
	return failed ? 1 : 0;
}

static int check_model(struct conn *c, const struct model *m,
		       unsigned long i, uint64_t seed)
{
	static struct model k;
	int ret = read_kernel(c, &k);

	if (ret) {
		fprintf(stderr, "nlfuzz: cannot read the config back\n");
		return 1;
	}
	if (compare(m, &k)) {
		fprintf(stderr, "nlfuzz: model stage, after message %lu (seed %#"
			PRIx64 "): the kernel's config is not the model's; the last request:\n",
			i, seed);
		hexdump(c->buf, c->len);
		return 1;
	}
	return 0;
}

static int model_stage(const struct opts *o)
{
	static struct model m;
	struct stats st = { 0 };
	struct conn c;
	struct req q;
	unsigned long i;
	unsigned int k, n, p;
	int err;

	seed_worker(o->seed, 0);
	mutate_pct = 50;
	if (setup_conn(&c))
		return 2;
	/*
	 * From an empty config, whatever the chaos left: then the stage is
	 * repeated exactly by its seed (nlfuzz -s SEED -n 0 -m COUNT).
	 */
	memset(&q, 0, sizeof(q));
	q.cmd = MWAN_CMD_CONFIG_REPLACE;
	q.flags = NLM_F_REQUEST | NLM_F_ACK;
	build_msg(&c, &q, false);
	err = transact(&c);
	if (err || model_apply(&m, &c)) {
		fprintf(stderr, "nlfuzz: an empty replace: %s\n",
			err == 1 ? "no answer" : strerror(err));
		return 1;
	}
	for (i = 0; i < o->model_count && !time_up(); i++) {
		err = one(&c, &q, i, &st);
		if (err == 1)
			return unanswered(&c, 0, i, o->seed);
		if (err < 0)
			return 1;
		if (!err && model_apply(&m, &c)) {
			hexdump(c.buf, c.len);
			return 1;
		}
		if (o->verbose && !err)
			fprintf(stderr, "nlfuzz: %lu accepted cmd %u\n", i,
				c.buf[NLMSG_HDRLEN]);
		if (i % CHECK_EVERY == CHECK_EVERY - 1 &&
		    check_model(&c, &m, i, o->seed))
			return 1;
	}
	if (check_model(&c, &m, i, o->seed))
		return 1;
	print_stats("model", &st);
	for (n = 0, k = 1; k <= MWAN_LINK_ID_MAX; k++)
		n += m.links[k].used;
	for (p = 0, k = 1; k <= MWAN_POLICY_ID_MAX; k++)
		p += m.policies[k].used;
	printf("nlfuzz: model: the kernel's config equals the model after %lu messages (%u links, %u policies, %u rules)\n",
	       i, n, p, m.nrules);
	if (o->model_out && write_model(&m, o->model_out)) {
		fprintf(stderr, "nlfuzz: cannot write %s\n", o->model_out);
		return 1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nlfuzz [-s SEED] [-n COUNT] [-p PROCS] [-m COUNT] [-t SECONDS]\n"
		"              [-i IFINDEX,...] [-o MODEL] [-v]\n");
	exit(2);
}

static void parse_ifindexes(const char *s)
{
	char *end;

	while (*s && n_ifindexes < ARRAY_SIZE(ifindexes)) {
		ifindexes[n_ifindexes++] = strtoul(s, &end, 10);
		if (end == s)
			usage();
		s = *end == ',' ? end + 1 : end;
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 10000, .procs = 3, .seconds = 60 };
	struct timespec now;
	int opt, ret;

	clock_gettime(CLOCK_REALTIME, &now);
	o.seed = (uint64_t)now.tv_sec * 1000003 ^ now.tv_nsec ^ getpid();
	while ((opt = getopt(argc, argv, "s:n:p:m:t:i:o:v")) != -1) {
		switch (opt) {
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			o.count = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			o.procs = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			o.model_count = strtoul(optarg, NULL, 0);
			break;
		case 't':
			o.seconds = strtoul(optarg, NULL, 0);
			break;
		case 'i':
			parse_ifindexes(optarg);
			break;
		case 'o':
			o.model_out = optarg;
			break;
		case 'v':
			o.verbose = true;
			break;
		default:
			usage();
		}
	}
	if (!o.procs || o.procs > 64)
		usage();
	printf("nlfuzz: seed %#" PRIx64 ", %lu messages from %u processes, then %lu in the model stage, at most %u s\n",
	       o.seed, o.count, o.procs, o.model_count, o.seconds);
	clock_gettime(CLOCK_MONOTONIC, &t_end);
	t_end.tv_sec += o.seconds * 2 / 3;
	ret = o.count ? chaos(&o) : 0;
	t_end.tv_sec += o.seconds - o.seconds * 2 / 3;
	if (!ret && o.model_count)
		ret = model_stage(&o);
	return ret;
}
