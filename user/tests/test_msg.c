// SPDX-License-Identifier: GPL-2.0
/*
 * The messages mwanctl sends, checked byte-wise without a kernel: the
 * config file parser builds a model, the model a MWAN_CMD_CONFIG_REPLACE
 * request, and the request is walked back with libmnl to check that every
 * attribute has the type, size, nesting and value that <linux/mwan.h> says.
 * Replies built the same way check what "show" prints of them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "attr.h"
#include "json.h"
#include "ktap.h"
#include "mwanctl.h"

#define FAMILY_ID	0x1234
#define BUF_SIZE	(1U << 20)

static char *msgbuf;
static unsigned int lo;

/* stderr into a string, to check what the user would be told */
static FILE *saved_stderr;
static char *err_text;
static size_t err_len;

static void capture_start(void)
{
	fflush(stderr);
	saved_stderr = stderr;
	free(err_text);
	err_text = NULL;
	stderr = open_memstream(&err_text, &err_len);
}

static const char *capture_end(void)
{
	fclose(stderr);
	stderr = saved_stderr;
	return err_text ? err_text : "";
}

static int parse_text(const char *text, struct mwan_config *cfg)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	memset(cfg, 0, sizeof(*cfg));
	if (!f)
		return -errno;
	err = config_parse(f, "t.conf", cfg);
	fclose(f);
	return err;
}

/* Every attribute inside @nest (or the message) lies exactly within it. */
static bool tiles(const void *payload, size_t len)
{
	const struct nlattr *a = payload;
	size_t off = 0;

	while (off < len) {
		a = (const void *)((const char *)payload + off);
		if (len - off < sizeof(*a) || a->nla_len < sizeof(*a) ||
		    a->nla_len > len - off)
			return false;
		off += MNL_ALIGN(a->nla_len);
	}
	return off == len;
}

static bool nest_tiles(const struct nlattr *nest)
{
	return tiles(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest));
}

/* Types in @nest, each no more than once, all within 1..@max */
static bool nest_types_ok(const struct nlattr *nest, unsigned int max)
{
	const struct nlattr *a;
	uint64_t seen = 0;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);

		if (!t || t > max || (seen & (1ULL << t)))
			return false;
		seen |= 1ULL << t;
	}
	return true;
}

static bool is_u8(const struct nlattr *a, uint8_t v)
{
	return a && mnl_attr_get_payload_len(a) == 1 &&
	       mnl_attr_get_u8(a) == v;
}

static bool is_u16(const struct nlattr *a, uint16_t v)
{
	return a && mnl_attr_get_payload_len(a) == 2 &&
	       mnl_attr_get_u16(a) == v;
}

static bool is_u32(const struct nlattr *a, uint32_t v)
{
	return a && mnl_attr_get_payload_len(a) == 4 &&
	       mnl_attr_get_u32(a) == v;
}

static bool is_str(const struct nlattr *a, const char *s)
{
	return a && mnl_attr_get_payload_len(a) == strlen(s) + 1 &&
	       !memcmp(mnl_attr_get_payload(a), s, strlen(s) + 1);
}

static bool is_bin(const struct nlattr *a, const void *p, size_t len)
{
	return a && mnl_attr_get_payload_len(a) == len &&
	       !memcmp(mnl_attr_get_payload(a), p, len);
}

/* The @i-th nest of type @type inside @list */
static const struct nlattr *nth(const struct nlattr *list, uint16_t type,
				unsigned int i, unsigned int *count)
{
	const struct nlattr *a, *found = NULL;
	unsigned int n = 0;

	mnl_attr_for_each_nested(a, list) {
		if (mnl_attr_get_type(a) != type)
			return NULL;
		if (n++ == i)
			found = a;
	}
	if (count)
		*count = n;
	return found;
}

static struct nlmsghdr *build_config(const struct mwan_config *cfg, bool *ok)
{
	struct nlmsghdr *nlh;

	nlh = mwan_msg_init(msgbuf, FAMILY_ID, MWAN_CMD_CONFIG_REPLACE, 0);
	*ok = mwan_put_config(nlh, BUF_SIZE, cfg);
	return nlh;
}

static const char festival[] =
	"# a festival: three tunnels\n"
	"globals set mark-mask 0x3f00 enabled on default-policy balanced\n"
	"\n"
	"link add wg1 dev lo weight 3\n"
	"link add wg2 dev lo id 5\n"
	"   link add wg3   dev lo state drain rtt 1200 loss 50   \n"
	"link set wg2 weight 2\n"
	"policy add balanced member wg1 member wg2 weight 4 member wg3 metric 10\n"
	"policy add pin1 id 1 mode src-dst last-resort blackhole member wg1\n"
	"rule add smtp policy pin1 proto tcp dport 25\n"
	"rule add web id 10 policy balanced family ipv4 proto tcp "
	"src 192.0.2.0/24 dst 198.51.100.0/24 sport 1000-2000 dport 80 "
	"iif lo mark 0x100/0xff00 local\n"
	"rule add v6 policy balanced dst 2001:db8::/32 # trailing comment\n"
	"rule add late policy later#comment right after a word\n"
	"policy add later member wg3\n";

static void check_top(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	uint64_t seen = 0;
	bool dup = false;

	ktap_check(nlh->nlmsg_type == FAMILY_ID &&
		   (nlh->nlmsg_flags & NLM_F_REQUEST) &&
		   genl->cmd == MWAN_CMD_CONFIG_REPLACE &&
		   genl->version == MWAN_GENL_VERSION,
		   "replace: header, genl cmd and version");
	ktap_check(tiles(mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
			 nlh->nlmsg_len - MNL_NLMSG_HDRLEN - GENL_HDRLEN),
		   "replace: top-level attributes fill the message exactly");
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		dup |= !!(seen & (1ULL << mnl_attr_get_type(a)));
		seen |= 1ULL << mnl_attr_get_type(a);
	}
	ktap_check(!dup && seen == (BIT(MWAN_A_MARK_MASK) | BIT(MWAN_A_ENABLED) |
				    BIT(MWAN_A_DEFAULT_POLICY) |
				    BIT(MWAN_A_LINKS) | BIT(MWAN_A_POLICIES) |
				    BIT(MWAN_A_RULES)),
		   "replace: globals, LINKS, POLICIES, RULES once each, nothing else");
	attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX);
	ktap_check(is_u32(tb[MWAN_A_MARK_MASK], 0x3f00) &&
		   is_u8(tb[MWAN_A_ENABLED], 1),
		   "replace: MARK_MASK u32 0x3f00, ENABLED u8 1");
	ktap_check(is_u32(tb[MWAN_A_DEFAULT_POLICY], 2),
		   "replace: DEFAULT_POLICY is balanced's id 2 (forward reference)");
}

static void check_links(const struct nlattr *links)
{
	const struct nlattr *tb[MWAN_LINK_A_MAX + 1];
	const struct nlattr *l;
	unsigned int n = 0, i;
	bool shape = nest_tiles(links);

	nth(links, MWAN_A_LINK, 0, &n);
	ktap_check(shape && n == 3, "links: 3 MWAN_A_LINK nests in MWAN_A_LINKS");
	for (i = 0; i < n; i++) {
		l = nth(links, MWAN_A_LINK, i, NULL);
		shape &= l && nest_tiles(l) &&
			 nest_types_ok(l, MWAN_LINK_A_LOSS_PPM);
	}
	ktap_check(shape, "links: nests well formed, no read-only attributes");

	l = nth(links, MWAN_A_LINK, 0, NULL);
	attr_parse_nested(l, tb, MWAN_LINK_A_MAX);
	ktap_check(is_u32(tb[MWAN_LINK_A_ID], 1) &&
		   is_str(tb[MWAN_LINK_A_NAME], "wg1") &&
		   is_u32(tb[MWAN_LINK_A_IFINDEX], lo) &&
		   is_u32(tb[MWAN_LINK_A_WEIGHT], 3) &&
		   !tb[MWAN_LINK_A_STATE] && !tb[MWAN_LINK_A_RTT_US],
		   "links: wg1 id 1 (lowest free), name, ifindex of lo, weight 3, no state");
	l = nth(links, MWAN_A_LINK, 1, NULL);
	attr_parse_nested(l, tb, MWAN_LINK_A_MAX);
	ktap_check(is_u32(tb[MWAN_LINK_A_ID], 5) &&
		   is_str(tb[MWAN_LINK_A_NAME], "wg2") &&
		   is_u32(tb[MWAN_LINK_A_WEIGHT], 2),
		   "links: wg2 keeps id 5, weight 2 from its set line");
	l = nth(links, MWAN_A_LINK, 2, NULL);
	attr_parse_nested(l, tb, MWAN_LINK_A_MAX);
	ktap_check(is_u32(tb[MWAN_LINK_A_ID], 2) &&
		   is_u8(tb[MWAN_LINK_A_STATE], MWAN_LINK_DRAIN) &&
		   is_u32(tb[MWAN_LINK_A_RTT_US], 1200) &&
		   is_u32(tb[MWAN_LINK_A_LOSS_PPM], 50),
		   "links: wg3 id 2, state u8 drain, rtt 1200, loss 50");
}

static void check_members(const struct nlattr *pol)
{
	const struct nlattr *tb[MWAN_POLICY_A_MAX + 1];
	const struct nlattr *mt[MWAN_MEMBER_A_MAX + 1];
	const struct nlattr *m;
	unsigned int n = 0;

	attr_parse_nested(pol, tb, MWAN_POLICY_A_MAX);
	ktap_check(tb[MWAN_POLICY_A_MEMBERS] &&
		   nest_tiles(tb[MWAN_POLICY_A_MEMBERS]) &&
		   nth(tb[MWAN_POLICY_A_MEMBERS], MWAN_POLICY_A_MEMBER, 0, &n) &&
		   n == 3, "policy balanced: MEMBERS holds 3 MEMBER nests");
	if (n != 3)
		return;
	m = nth(tb[MWAN_POLICY_A_MEMBERS], MWAN_POLICY_A_MEMBER, 0, NULL);
	attr_parse_nested(m, mt, MWAN_MEMBER_A_MAX);
	ktap_check(nest_types_ok(m, MWAN_MEMBER_A_MAX) &&
		   is_u32(mt[MWAN_MEMBER_A_LINK], 1) &&
		   !mt[MWAN_MEMBER_A_METRIC] && !mt[MWAN_MEMBER_A_WEIGHT],
		   "policy balanced: member wg1 is link id 1, no metric or weight");
	m = nth(tb[MWAN_POLICY_A_MEMBERS], MWAN_POLICY_A_MEMBER, 1, NULL);
	attr_parse_nested(m, mt, MWAN_MEMBER_A_MAX);
	ktap_check(is_u32(mt[MWAN_MEMBER_A_LINK], 5) &&
		   is_u32(mt[MWAN_MEMBER_A_WEIGHT], 4) &&
		   !mt[MWAN_MEMBER_A_METRIC],
		   "policy balanced: member wg2 is link id 5 with weight 4");
	m = nth(tb[MWAN_POLICY_A_MEMBERS], MWAN_POLICY_A_MEMBER, 2, NULL);
	attr_parse_nested(m, mt, MWAN_MEMBER_A_MAX);
	ktap_check(is_u32(mt[MWAN_MEMBER_A_LINK], 2) &&
		   is_u32(mt[MWAN_MEMBER_A_METRIC], 10),
		   "policy balanced: member wg3 is link id 2 in metric 10");
}

static void check_policies(const struct nlattr *pols)
{
	const struct nlattr *tb[MWAN_POLICY_A_MAX + 1];
	const struct nlattr *p;
	unsigned int n = 0;

	nth(pols, MWAN_A_POLICY, 0, &n);
	ktap_check(nest_tiles(pols) && n == 3,
		   "policies: 3 MWAN_A_POLICY nests in MWAN_A_POLICIES");
	if (n != 3)
		return;
	p = nth(pols, MWAN_A_POLICY, 0, NULL);
	attr_parse_nested(p, tb, MWAN_POLICY_A_MAX);
	ktap_check(nest_types_ok(p, MWAN_POLICY_A_MEMBERS) &&
		   is_u32(tb[MWAN_POLICY_A_ID], 2) &&
		   is_str(tb[MWAN_POLICY_A_NAME], "balanced") &&
		   !tb[MWAN_POLICY_A_MODE] && !tb[MWAN_POLICY_A_LAST_RESORT],
		   "policy balanced: id 2 (1 is taken by pin1), defaults left to the kernel");
	check_members(p);
	p = nth(pols, MWAN_A_POLICY, 1, NULL);
	attr_parse_nested(p, tb, MWAN_POLICY_A_MAX);
	ktap_check(is_u32(tb[MWAN_POLICY_A_ID], 1) &&
		   is_u8(tb[MWAN_POLICY_A_MODE], MWAN_MODE_SRC_DST) &&
		   is_u8(tb[MWAN_POLICY_A_LAST_RESORT],
			 MWAN_LAST_RESORT_BLACKHOLE),
		   "policy pin1: id 1, mode u8 src-dst, last-resort u8 blackhole");
	p = nth(pols, MWAN_A_POLICY, 2, NULL);
	attr_parse_nested(p, tb, MWAN_POLICY_A_MAX);
	ktap_check(is_u32(tb[MWAN_POLICY_A_ID], 3) &&
		   is_str(tb[MWAN_POLICY_A_NAME], "later"),
		   "policy later: id 3");
}

static void check_rules(const struct nlattr *rules)
{
	static const uint8_t src[4] = { 192, 0, 2, 0 };
	static const uint8_t dst[4] = { 198, 51, 100, 0 };
	static const uint8_t dst6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	const struct nlattr *tb[MWAN_RULE_A_MAX + 1];
	const struct nlattr *r;
	unsigned int n = 0;

	nth(rules, MWAN_A_RULE, 0, &n);
	ktap_check(nest_tiles(rules) && n == 4,
		   "rules: 4 MWAN_A_RULE nests in MWAN_A_RULES");
	if (n != 4)
		return;
	r = nth(rules, MWAN_A_RULE, 0, NULL);
	attr_parse_nested(r, tb, MWAN_RULE_A_MAX);
	ktap_check(nest_types_ok(r, MWAN_RULE_A_MAX) &&
		   is_u32(tb[MWAN_RULE_A_ID], 1) &&
		   is_str(tb[MWAN_RULE_A_NAME], "smtp") &&
		   is_u32(tb[MWAN_RULE_A_POLICY], 1) &&
		   is_u32(tb[MWAN_RULE_A_FLAGS], 0) &&
		   is_u8(tb[MWAN_RULE_A_PROTO], 6) &&
		   is_u16(tb[MWAN_RULE_A_DPORT_MIN], 25) &&
		   is_u16(tb[MWAN_RULE_A_DPORT_MAX], 25) &&
		   !tb[MWAN_RULE_A_SPORT_MIN] && !tb[MWAN_RULE_A_FAMILY] &&
		   !tb[MWAN_RULE_A_SRC] && !tb[MWAN_RULE_A_MARK],
		   "rule smtp: id 1, policy pin1 = 1, proto u8 6, dport u16 25-25, nothing else");
	r = nth(rules, MWAN_A_RULE, 1, NULL);
	attr_parse_nested(r, tb, MWAN_RULE_A_MAX);
	ktap_check(nest_types_ok(r, MWAN_RULE_A_MAX) &&
		   is_u32(tb[MWAN_RULE_A_ID], 10) &&
		   is_u32(tb[MWAN_RULE_A_POLICY], 2) &&
		   is_u8(tb[MWAN_RULE_A_FAMILY], AF_INET) &&
		   is_bin(tb[MWAN_RULE_A_SRC], src, 4) &&
		   is_u8(tb[MWAN_RULE_A_SRC_LEN], 24) &&
		   is_bin(tb[MWAN_RULE_A_DST], dst, 4) &&
		   is_u8(tb[MWAN_RULE_A_DST_LEN], 24) &&
		   is_u16(tb[MWAN_RULE_A_SPORT_MIN], 1000) &&
		   is_u16(tb[MWAN_RULE_A_SPORT_MAX], 2000) &&
		   is_u16(tb[MWAN_RULE_A_DPORT_MIN], 80) &&
		   is_u16(tb[MWAN_RULE_A_DPORT_MAX], 80) &&
		   is_u32(tb[MWAN_RULE_A_IIFINDEX], lo) &&
		   is_u32(tb[MWAN_RULE_A_MARK], 0x100) &&
		   is_u32(tb[MWAN_RULE_A_MARK_MASK], 0xff00) &&
		   is_u32(tb[MWAN_RULE_A_FLAGS], MWAN_RULE_F_LOCAL),
		   "rule web: every match with its size, in network/host order as documented");
	r = nth(rules, MWAN_A_RULE, 2, NULL);
	attr_parse_nested(r, tb, MWAN_RULE_A_MAX);
	ktap_check(is_u32(tb[MWAN_RULE_A_ID], 2) &&
		   is_bin(tb[MWAN_RULE_A_DST], dst6, 16) &&
		   is_u8(tb[MWAN_RULE_A_DST_LEN], 32) &&
		   !tb[MWAN_RULE_A_FAMILY],
		   "rule v6: id 2, 16-byte DST, /32, family left implied");
	r = nth(rules, MWAN_A_RULE, 3, NULL);
	attr_parse_nested(r, tb, MWAN_RULE_A_MAX);
	ktap_check(is_u32(tb[MWAN_RULE_A_ID], 3) &&
		   is_u32(tb[MWAN_RULE_A_POLICY], 3),
		   "rule late: '#' right after a word starts a comment");
}

/* A cgroup match: a u64 id and a u16 level, and back. */
static void test_cgroup_rule(void)
{
	const struct nlattr *tb[MWAN_RULE_A_MAX + 1];
	struct mwan_rule r = { 0 }, back;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	bool ok;

	strcpy(r.name, "svc");
	r.cgroup_id = 0x100000abcdULL;
	r.cgroup_level = 2;
	r.set = BIT(MWAN_RULE_A_NAME) | BIT(MWAN_RULE_A_CGROUP_ID) |
		BIT(MWAN_RULE_A_CGROUP_LEVEL);
	nlh = mwan_msg_init(msgbuf, FAMILY_ID, MWAN_CMD_RULE_NEW, 0);
	ok = mwan_put_rule(nlh, BUF_SIZE, MWAN_A_RULE, &r);
	nest = mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);
	attr_parse_nested(nest, tb, MWAN_RULE_A_MAX);
	ktap_check(ok && tb[MWAN_RULE_A_CGROUP_ID] &&
		   mnl_attr_get_payload_len(tb[MWAN_RULE_A_CGROUP_ID]) == 8 &&
		   mnl_attr_get_u64(tb[MWAN_RULE_A_CGROUP_ID]) == r.cgroup_id &&
		   is_u16(tb[MWAN_RULE_A_CGROUP_LEVEL], 2) &&
		   !tb[MWAN_RULE_A_FAMILY],
		   "rule cgroup: CGROUP_ID u64, CGROUP_LEVEL u16, no family put");
	ktap_check(!mwan_parse_rule(nest, &back) &&
		   back.cgroup_id == r.cgroup_id && back.cgroup_level == 2 &&
		   HAS(&back, MWAN_RULE_A_CGROUP_ID) &&
		   HAS(&back, MWAN_RULE_A_CGROUP_LEVEL),
		   "rule cgroup: parses back");
}

/* What the kernel would send back parses into what was sent. */
static void check_roundtrip(const struct nlattr **top)
{
	struct mwan_link l;
	struct mwan_policy p = { 0 };
	struct mwan_rule r;

	mwan_parse_link(nth(top[MWAN_A_LINKS], MWAN_A_LINK, 2, NULL), &l);
	ktap_check(l.id == 2 && !strcmp(l.name, "wg3") &&
		   l.state == MWAN_LINK_DRAIN && l.rtt_us == 1200 &&
		   HAS(&l, MWAN_LINK_A_STATE) && !HAS(&l, MWAN_LINK_A_WEIGHT),
		   "roundtrip: link wg3");
	mwan_parse_policy(nth(top[MWAN_A_POLICIES], MWAN_A_POLICY, 0, NULL),
			  &p);
	ktap_check(p.id == 2 && p.n_members == 3 && p.members[1].link == 5 &&
		   p.members[1].weight == 4 && p.members[2].metric == 10 &&
		   !HAS(&p.members[0], MWAN_MEMBER_A_WEIGHT),
		   "roundtrip: policy balanced and its members");
	mwan_policy_release(&p);
	mwan_parse_rule(nth(top[MWAN_A_RULES], MWAN_A_RULE, 1, NULL), &r);
	ktap_check(r.id == 10 && r.src.family == AF_INET && r.src.len == 24 &&
		   r.sport_min == 1000 && r.sport_max == 2000 &&
		   r.mark_mask == 0xff00 && r.flags == MWAN_RULE_F_LOCAL,
		   "roundtrip: rule web");
}

static void test_festival(void)
{
	const struct nlattr *tb[MWAN_A_MAX + 1] = { 0 };
	struct mwan_config cfg;
	struct nlmsghdr *nlh;
	bool ok;
	int err;

	err = parse_text(festival, &cfg);
	ktap_check(!err, "festival config parses");
	if (err)
		return;
	nlh = build_config(&cfg, &ok);
	ktap_check(ok, "festival config fits one message");
	check_top(nlh, tb);
	if (tb[MWAN_A_LINKS])
		check_links(tb[MWAN_A_LINKS]);
	if (tb[MWAN_A_POLICIES])
		check_policies(tb[MWAN_A_POLICIES]);
	if (tb[MWAN_A_RULES])
		check_rules(tb[MWAN_A_RULES]);
	if (tb[MWAN_A_LINKS] && tb[MWAN_A_POLICIES] && tb[MWAN_A_RULES])
		check_roundtrip(tb);
	mwan_config_release(&cfg);
}

static void test_empty(void)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	struct mwan_config cfg;
	struct nlmsghdr *nlh;
	bool ok;

	ok = !parse_text("# nothing\n\n   \n", &cfg);
	nlh = build_config(&cfg, &ok);
	attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX);
	ktap_check(ok && is_u32(tb[MWAN_A_DEFAULT_POLICY], 0) &&
		   !tb[MWAN_A_MARK_MASK] && !tb[MWAN_A_ENABLED],
		   "empty config: DEFAULT_POLICY 0 (none), mark mask and enabled untouched");
	ktap_check(tb[MWAN_A_LINKS] && !mnl_attr_get_payload_len(tb[MWAN_A_LINKS]) &&
		   tb[MWAN_A_POLICIES] &&
		   !mnl_attr_get_payload_len(tb[MWAN_A_POLICIES]) &&
		   tb[MWAN_A_RULES] && !mnl_attr_get_payload_len(tb[MWAN_A_RULES]),
		   "empty config: empty LINKS, POLICIES, RULES nests");
	mwan_config_release(&cfg);
}

static void test_set_lines(void)
{
	struct mwan_config cfg;
	const struct mwan_rule *r;
	const struct mwan_policy *p;
	int err;

	err = parse_text("link add a dev lo\nlink add b dev lo\n"
			 "policy add p member a weight 2 member b\n"
			 "policy set p mode src member b metric 3\n"
			 "rule add r id 7 policy p proto tcp dport 25 local\n"
			 "rule set r proto udp sport 53\n", &cfg);
	p = err ? NULL : mwan_policy_by_name(&cfg, "p");
	ktap_check(p && p->mode == MWAN_MODE_SRC && p->n_members == 1 &&
		   p->members[0].link == 2 && p->members[0].metric == 3,
		   "config: policy set replaces the member list");
	r = err ? NULL : mwan_rule_by_name(&cfg, "r");
	ktap_check(r && r->id == 7 && r->policy == 1 && r->proto == 17 &&
		   HAS(r, MWAN_RULE_A_SPORT_MIN) &&
		   !HAS(r, MWAN_RULE_A_DPORT_MIN) && r->flags == 0,
		   "config: rule set replaces the matches, keeps id and policy");
	mwan_config_release(&cfg);
}

struct agent_lines {
	unsigned int n, line;
	int argc;
	char word2[16];
};

static int agent_line(void *data, int argc, char **argv, unsigned int line)
{
	struct agent_lines *a = data;

	a->n++;
	a->line = line;
	a->argc = argc;
	snprintf(a->word2, sizeof(a->word2), "%s", argc > 1 ? argv[1] : "");
	return strcmp(argv[argc - 1], "bad") ? 0 : -EINVAL;
}

/* The agent's lines: skipped by mwanctl, handed whole to the agent. */
static void test_agent_lines(void)
{
	static const char text[] = "link add a dev lo\n"
				   "check a icmp 192.0.2.1 # comment\n"
				   "policy add p member a\n";
	static const char bad[] = "link add a dev lo\ncheck a bad\n";
	struct agent_lines a = { 0 };
	struct mwan_config cfg;
	FILE *f;
	int err;

	err = parse_text(text, &cfg);
	ktap_check(!err && cfg.n_links == 1 && cfg.n_policies == 1,
		   "config: mwanctl skips the agent's check lines");
	mwan_config_release(&cfg);

	memset(&cfg, 0, sizeof(cfg));
	f = fmemopen((void *)text, strlen(text), "r");
	err = f ? config_parse_agent(f, "t.conf", &cfg, agent_line, &a) : -1;
	if (f)
		fclose(f);
	ktap_check(!err && a.n == 1 && a.line == 2 && a.argc == 4 &&
		   !strcmp(a.word2, "a") && cfg.n_policies == 1,
		   "config: the agent gets its line's words and line number");
	mwan_config_release(&cfg);

	memset(&cfg, 0, sizeof(cfg));
	f = fmemopen((void *)bad, strlen(bad), "r");
	err = f ? config_parse_agent(f, "t.conf", &cfg, agent_line, &a) : -1;
	if (f)
		fclose(f);
	ktap_check(err == -EINVAL,
		   "config: the agent's error fails the whole file");
	mwan_config_release(&cfg);
}

static void test_config_errors(void)
{
	static const struct {
		const char *text;
		const char *msg;
	} t[] = {
		{ "link add a dev lo\npolicy add p member b\n",
		  "t.conf:2: unknown link \"b\"" },
		{ "link add a dev lo id 3\nlink add b dev lo id 3\n",
		  "t.conf:2: link id 3 is already used on line 1" },
		{ "link add a dev nosuchdev0\n",
		  "t.conf:1: unknown device \"nosuchdev0\"" },
		{ "link add a dev lo\nlink add a dev lo\n",
		  "t.conf:2: link \"a\" already added on line 1" },
		{ "\nrule add r policy nope\n",
		  "t.conf:2: unknown policy \"nope\"" },
		{ "globals set default-policy nope\n",
		  "t.conf:1: unknown policy \"nope\"" },
		{ "link frob a\n", "t.conf:1: expected \"globals set\"" },
		{ "policy add p member a member a\n",
		  "t.conf:1: link \"a\" is a member twice" },
		{ "rule add r policy p sport 80\n",
		  "sport and dport need proto" },
		{ "rule add r policy p proto icmp dport 80\n",
		  "sport and dport need proto" },
		{ "link set a weight 2\n",
		  "t.conf:1: link \"a\" is not added before this line" },
		{ "rule add r policy p src 10.0.0.0/8 dst 2001:db8::/32\n",
		  "different families" },
		{ "rule add r policy p family ipv6 src 10.0.0.0/8\n",
		  "does not match family ipv6" },
		{ "rule add r policy p src 10.0.0.1/8\n",
		  "invalid prefix \"10.0.0.1/8\": host bits set" },
		{ "rule add r policy p mark 0x1/0x100\n",
		  "bits outside the mask" },
		{ "\n\nrule add r policy p cgroup /tmp/x\n",
		  "t.conf:3: invalid cgroup \"/tmp/x\" (a path under /sys/fs/cgroup)" },
		{ "rule add r policy p cgroup a/../b\n",
		  "t.conf:1: invalid cgroup \"a/../b\"" },
		{ "rule add r policy p cgroup /sys/fs/cgroup/mwan-no-such/x\n",
		  "t.conf:1: no cgroup \"/sys/fs/cgroup/mwan-no-such/x\"" },
		{ "rule add r policy p cgroup\n", "\"cgroup\" needs a value" },
		{ "link add a dev lo weight\n", "\"weight\" needs a value" },
		{ "link add a dev lo bogus 1\n", "unknown keyword \"bogus\"" },
		{ "link add a dev lo weight 1 weight 2\n",
		  "\"weight\" given twice" },
		{ "link add a dev lo weight 1001\n",
		  "invalid weight \"1001\" (1..1000)" },
		{ "link add a dev lo loss 1000001\n", "invalid loss" },
		{ "link add a dev lo state sleepy\n",
		  "invalid link state \"sleepy\" (down|up|drain)" },
		{ "link add a dev lo id 256\n", "invalid link id \"256\"" },
		{ "link add a\n", "\"dev\" is required" },
		{ "link add a dev lo\nlink set a id 3\n",
		  "\"id\" cannot be changed" },
		{ "policy add none\n", "policy name \"none\" is reserved" },
		{ "link add toolongname123456 dev lo\n", "is too long" },
		{ "link add a/b dev lo\n", "invalid link name \"a/b\"" },
		{ "policy add p metric 3\n",
		  "\"metric\" must follow \"member LINK\"" },
		{ "policy add p member a weight 1 weight 2\n",
		  "\"weight\" given twice for member \"a\"" },
		{ "rule add r dport 80\n", "\"policy\" is required" },
		{ "globals set\n", "nothing to set" },
		{ "globals set mark-mask 0x1ff\n", "invalid mark mask" },
		{ "globals set enabled maybe\n",
		  "invalid enabled value \"maybe\" (on|off|yes|no)" },
		{ "rule add r policy p proto 0\n", "invalid protocol" },
		{ "rule add r policy p dport 2-1 proto tcp\n",
		  "invalid port range" },
		{ "link add a dev lo npt 2001:db8::/48\n",
		  "t.conf:1: \"npt\" needs two values" },
		{ "link add a dev lo\nlink set a npt\n",
		  "t.conf:2: \"npt\" needs two values or \"off\"" },
		{ "link add a dev lo npt off\n",
		  "t.conf:1: \"npt off\" is only valid with \"set\"" },
		{ "link add a dev lo map4 off\n",
		  "t.conf:1: \"map4 off\" is only valid with \"set\"" },
		{ "link add a dev lo npt 2001:db8::/48 2001:db8:1::/48 npt off\n",
		  "\"npt\" given twice" },
		{ "link add a dev lo npt 2001:db8::1/48 2001:db8:1::/48\n",
		  "t.conf:1: invalid NPT prefix \"2001:db8::1/48\": host bits set" },
		{ "link add a dev lo npt 2001:db8::/48 2001:db8:1::1/48\n",
		  "invalid NPT prefix \"2001:db8:1::1/48\": host bits set" },
		{ "link add a dev lo npt 2001:db8::/96 2001:db8:1::/96\n",
		  "invalid NPT prefix \"2001:db8::/96\": length must be 1..64" },
		{ "link add a dev lo npt 10.0.0.0/8 2001:db8:1::/48\n",
		  "invalid NPT prefix \"10.0.0.0/8\" (IPv6 PREFIX/LEN)" },
		{ "link add a dev lo npt 2001:db8:: 2001:db8:1::\n",
		  "invalid NPT prefix \"2001:db8::\" (IPv6 PREFIX/LEN)" },
		{ "link add a dev lo npt 3d06:bad:b01::/60 2600:1700:2f71:c00::/56\n",
		  "NPT prefixes \"3d06:bad:b01::/60\" and \"2600:1700:2f71:c00::/56\" differ in length" },
		{ "link add a dev lo npt 2001:db8::/48 2001:db8:1::/48 mode nat\n",
		  "t.conf:1: invalid NPT mode \"nat\" (prefix|rfc6296)" },
		{ "link add a dev lo npt 2001:db8::/48 2001:db8:1::/48 mode\n",
		  "t.conf:1: \"npt mode\" needs a value" },
		{ "link add a dev lo mode rfc6296\n",
		  "t.conf:1: unknown keyword \"mode\"" },
		{ "link add a dev lo\nlink set a npt off mode prefix\n",
		  "t.conf:2: unknown keyword \"mode\"" },
		{ "link add a dev lo map4 10.0.0.1\n",
		  "t.conf:1: \"map4\" needs two values" },
		{ "link add a dev lo map4 10.0.0.9-10.0.0.1 192.0.2.1\n",
		  "invalid map4 range \"10.0.0.9-10.0.0.1\": last address below first" },
		{ "link add a dev lo map4 10.0.0.1/24 192.0.2.0/24\n",
		  "invalid map4 prefix \"10.0.0.1/24\": host bits set" },
		{ "link add a dev lo map4 10.0.0.0/24 192.0.2.1/24\n",
		  "invalid map4 prefix \"192.0.2.1/24\": host bits set" },
		{ "link add a dev lo map4 10.0.0.1-x 192.0.2.1\n",
		  "invalid map4 addresses \"10.0.0.1-x\" (A, A-B or PREFIX/LEN)" },
		{ "link add a dev lo map4 10.0.0.1 2001:db8::1\n",
		  "invalid map4 addresses \"2001:db8::1\"" },
		{ "link add a dev lo map4 10.0.0.0/15 192.0.2.1\n",
		  "map4 range \"10.0.0.0/15\" holds more than 65536 addresses" },
		{ "link add a dev lo map4 10.0.0.0/24 255.255.254.0/23\n",
		  "map4 ranges \"10.0.0.0/24\" and \"255.255.254.0/23\" differ in size" },
		{ "link add a dev lo map4 10.0.0.0-10.0.0.4 192.0.2.0/30\n",
		  "map4 ranges \"10.0.0.0-10.0.0.4\" and \"192.0.2.0/30\" differ in size" },
		{ "link add a dev lo map4 10.0.0.0/24 255.255.255.1\n",
		  "map4 range \"10.0.0.0/24\" from \"255.255.255.1\" runs past 255.255.255.255" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct mwan_config cfg;
		const char *msg;
		int err;

		capture_start();
		err = parse_text(t[i].text, &cfg);
		msg = capture_end();
		ktap_check(err && strstr(msg, t[i].msg) &&
			   !strchr(msg, '\n')[1],
			   "config error, one line: %s", t[i].msg);
		if (!err || !strstr(msg, t[i].msg) || strchr(msg, '\n')[1])
			fprintf(stderr, "# got rc %d: %s", err, msg);
		mwan_config_release(&cfg);
	}
}

static char *repeat_lines(const char *fmt, unsigned int n)
{
	size_t cap = (size_t)n * (strlen(fmt) + 32) + 64, len = 0;
	char *s = malloc(cap);
	unsigned int i;

	len += sprintf(s, "link add l dev lo\npolicy add p member l\n");
	for (i = 0; i < n; i++)
		len += sprintf(s + len, fmt, i);
	return s;
}

static void test_limits(void)
{
	struct mwan_config cfg;
	const char *msg;
	char *text;
	bool ok;
	int err;

	text = malloc(256 * 32);
	text[0] = '\0';
	for (err = 0; err < 256; err++)
		sprintf(text + strlen(text), "link add l%d dev lo\n", err);
	capture_start();
	err = parse_text(text, &cfg);
	msg = capture_end();
	ktap_check(err && strstr(msg, "t.conf:256: no free link id left (1..255)"),
		   "256 links without ids: the last one has no id left");
	mwan_config_release(&cfg);
	free(text);

	/* small rules: 1024 of them fit the 64 KiB of MWAN_A_RULES */
	text = repeat_lines("rule add r%u policy p\n", 1024);
	err = parse_text(text, &cfg);
	build_config(&cfg, &ok);
	ktap_check(!err && ok && cfg.rules[1023].id == 1024,
		   "1024 plain rules fit one CONFIG_REPLACE");
	mwan_config_release(&cfg);
	free(text);

	/* full rules do not: they go on in a second MWAN_A_RULES */
	text = repeat_lines("rule add r%u policy p family ipv6 proto tcp "
			    "src 2001:db8::/32 dst 2001:db8:1::/48 sport 1-2 "
			    "dport 3-4 iif lo mark 0x1/0xff local\n", 1024);
	err = parse_text(text, &cfg);
	build_config(&cfg, &ok);
	ktap_check(!err && ok,
		   "1024 rules with every match fit one CONFIG_REPLACE");
	mwan_config_release(&cfg);
	free(text);
}

/*
 * The largest configuration the kernel takes, every optional field set:
 * MWAN_LINK_ID_MAX links, MWAN_MAX_POLICIES policies of MWAN_MAX_MEMBERS
 * members over MWAN_MAX_TIERS metrics, MWAN_MAX_RULES rules with every
 * match.
 */
static char *largest_text(void)
{
	size_t cap = 64 + MWAN_LINK_ID_MAX * 256 +
		     MWAN_MAX_POLICIES * (64 + MWAN_MAX_MEMBERS * 64) +
		     MWAN_MAX_RULES * 256;
	char *s = malloc(cap);
	unsigned int i, j;
	size_t len;

	len = sprintf(s, "globals set mark-mask 0xff00 default-policy policy1\n");
	for (i = 1; i <= MWAN_LINK_ID_MAX; i++)
		len += sprintf(s + len, "link add link%u dev lo weight 1000 "
			       "state drain rtt 4000000 loss 1000000 "
			       "npt 3d06:bad:b01::/60 2600:1700:2f71:c80::/60 "
			       "map4 10.0.%u.0/24 100.64.%u.0/24\n", i, i, i);
	for (i = 1; i <= MWAN_MAX_POLICIES; i++) {
		len += sprintf(s + len, "policy add policy%u mode src-dst "
			       "last-resort blackhole", i);
		for (j = 0; j < MWAN_MAX_MEMBERS; j++)
			len += sprintf(s + len, " member link%u metric %u "
				       "weight 1000",
				       (i + j) % MWAN_LINK_ID_MAX + 1,
				       4000000000U + j % MWAN_MAX_TIERS);
		len += sprintf(s + len, "\n");
	}
	for (i = 1; i <= MWAN_MAX_RULES; i++)
		len += sprintf(s + len, "rule add rule%u id %u policy policy%u "
			       "family ipv6 proto tcp src 2001:db8::/32 "
			       "dst 2001:db8:1::/48 sport 1000-2000 "
			       "dport 3000-4000 iif lo mark 0x100/0xff00 local\n",
			       i, 64000 + i, i % MWAN_MAX_POLICIES + 1);
	return s;
}

/*
 * Walk every list attribute of @type, each within its 64 KiB: count them,
 * their objects, the members of the policies, and check each object's id
 * (1, 2, ...; rules 64001, ...) and that it is no bigger than @max.
 */
static bool walk_lists(const struct nlmsghdr *nlh, uint16_t type,
		       unsigned int *lists, unsigned int *objs,
		       unsigned int *members, size_t max)
{
	const struct nlattr *list, *obj, *m, *tb[MWAN_A_MAX + 1];
	uint32_t base = type == MWAN_A_RULES ? 64000 : 0;
	bool ok = true;

	*lists = *objs = *members = 0;
	mnl_attr_for_each(list, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(list) != type)
			continue;
		++*lists;
		/* a wrapped 16-bit nla_len would not tile */
		ok &= nest_tiles(list) && list->nla_len > 4;
		mnl_attr_for_each_nested(obj, list) {
			memset(tb, 0, sizeof(tb));
			ok &= mnl_attr_get_len(obj) <= max &&
			      !attr_parse_nested(obj, tb, MWAN_A_MAX) &&
			      is_u32(tb[1], base + ++*objs);
			if (type != MWAN_A_POLICIES)
				continue;
			ok &= !!tb[MWAN_POLICY_A_MEMBERS];
			if (!tb[MWAN_POLICY_A_MEMBERS])
				continue;
			mnl_attr_for_each_nested(m, tb[MWAN_POLICY_A_MEMBERS]) {
				ok &= mnl_attr_get_len(m) <=
				      MWAN_MEMBER_MSG_MAX;
				++*members;
			}
		}
	}
	return ok;
}

static void test_largest(void)
{
	unsigned int lists, objs, members;
	struct nlmsghdr *nlh;
	struct mwan_config cfg;
	char *text, *buf;
	size_t len;
	bool ok, shape;
	int err;

	text = largest_text();
	err = parse_text(text, &cfg);
	ktap_check(!err && cfg.n_links == MWAN_LINK_ID_MAX &&
		   cfg.n_policies == MWAN_MAX_POLICIES &&
		   cfg.n_rules == MWAN_MAX_RULES &&
		   cfg.policies[0].n_members == MWAN_MAX_MEMBERS,
		   "largest: %u links, %u policies of %u members, %u rules parsed",
		   cfg.n_links, cfg.n_policies,
		   cfg.n_policies ? cfg.policies[0].n_members : 0,
		   cfg.n_rules);
	buf = malloc(MWAN_CONFIG_MSG_SIZE);
	nlh = mwan_msg_init(buf, FAMILY_ID, MWAN_CMD_CONFIG_REPLACE, 0);
	ok = mwan_put_config(nlh, MWAN_CONFIG_MSG_SIZE, &cfg);
	ktap_check(ok && tiles(mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
			       nlh->nlmsg_len - MNL_NLMSG_HDRLEN - GENL_HDRLEN),
		   "largest: %u bytes, fits MWAN_CONFIG_MSG_SIZE (%u)",
		   nlh->nlmsg_len, MWAN_CONFIG_MSG_SIZE);

	/* walk_lists() reads every kind's ID as attribute 1 */
	_Static_assert(MWAN_LINK_A_ID == 1 && MWAN_POLICY_A_ID == 1 &&
		       MWAN_RULE_A_ID == 1, "IDs differ");
	shape = walk_lists(nlh, MWAN_A_LINKS, &lists, &objs, &members,
			   MWAN_LINK_MSG_MAX);
	ktap_check(shape && lists >= 1 && objs == MWAN_LINK_ID_MAX,
		   "largest: %u links in %u MWAN_A_LINKS, each < 64 KiB, ids in order, each <= %u bytes",
		   objs, lists, MWAN_LINK_MSG_MAX);
	shape = walk_lists(nlh, MWAN_A_POLICIES, &lists, &objs, &members,
			   MWAN_POLICY_MSG_MAX);
	ktap_check(shape && lists >= 2 && objs == MWAN_MAX_POLICIES &&
		   members == MWAN_MAX_POLICIES * MWAN_MAX_MEMBERS,
		   "largest: %u policies, %u members in %u MWAN_A_POLICIES, each < 64 KiB, each policy <= %u bytes",
		   objs, members, lists, MWAN_POLICY_MSG_MAX);
	shape = walk_lists(nlh, MWAN_A_RULES, &lists, &objs, &members,
			   MWAN_RULE_MSG_MAX);
	ktap_check(shape && lists >= 2 && objs == MWAN_MAX_RULES,
		   "largest: %u rules in %u MWAN_A_RULES, each < 64 KiB, ids in order, each <= %u bytes",
		   objs, lists, MWAN_RULE_MSG_MAX);

	/* one byte short of the message: refused, not truncated */
	len = nlh->nlmsg_len;
	nlh = mwan_msg_init(buf, FAMILY_ID, MWAN_CMD_CONFIG_REPLACE, 0);
	ok = mwan_put_config(nlh, len - 1, &cfg);
	ktap_check(!ok, "largest: a buffer too small is refused");
	free(buf);
	mwan_config_release(&cfg);
	free(text);
}

static const uint8_t npt_in[16] = {
	0x3d, 0x06, 0x0b, 0xad, 0x0b, 0x01
};
static const uint8_t npt_ext[16] = {
	0x26, 0x00, 0x17, 0x00, 0x2f, 0x71, 0x0c, 0x80
};

/*
 * NPT nest: INTERNAL, EXTERNAL 16 bytes, PREFIX_LEN u8, MODE u8 if @mode
 * is not -1, nothing else
 */
static bool is_npt_mode(const struct nlattr *nest, const uint8_t *in,
			const uint8_t *ext, uint8_t len, int mode)
{
	const struct nlattr *tb[MWAN_NPT_A_MAX + 1];

	return nest && nest_tiles(nest) &&
	       nest_types_ok(nest, MWAN_NPT_A_MAX) &&
	       !attr_parse_nested(nest, tb, MWAN_NPT_A_MAX) &&
	       is_bin(tb[MWAN_NPT_A_INTERNAL], in, 16) &&
	       is_bin(tb[MWAN_NPT_A_EXTERNAL], ext, 16) &&
	       is_u8(tb[MWAN_NPT_A_PREFIX_LEN], len) &&
	       (mode < 0 ? !tb[MWAN_NPT_A_MODE] :
			   is_u8(tb[MWAN_NPT_A_MODE], mode)) &&
	       mnl_attr_get_payload_len(nest) ==
			20 + 20 + 8 + (mode < 0 ? 0 : 8);
}

static bool is_npt(const struct nlattr *nest, const uint8_t *in,
		   const uint8_t *ext, uint8_t len)
{
	return is_npt_mode(nest, in, ext, len, -1);
}

/* MAP4 nest: three be32 in network order, given as dotted quads */
static bool is_map4(const struct nlattr *nest, const char *first,
		    const char *last, const char *ext)
{
	const struct nlattr *tb[MWAN_MAP4_A_MAX + 1];
	struct in_addr f, l, e;

	inet_pton(AF_INET, first, &f);
	inet_pton(AF_INET, last, &l);
	inet_pton(AF_INET, ext, &e);
	return nest && nest_tiles(nest) &&
	       nest_types_ok(nest, MWAN_MAP4_A_MAX) &&
	       !attr_parse_nested(nest, tb, MWAN_MAP4_A_MAX) &&
	       is_bin(tb[MWAN_MAP4_A_INTERNAL_FIRST], &f, 4) &&
	       is_bin(tb[MWAN_MAP4_A_INTERNAL_LAST], &l, 4) &&
	       is_bin(tb[MWAN_MAP4_A_EXTERNAL_FIRST], &e, 4) &&
	       mnl_attr_get_payload_len(nest) == 3 * 8;
}

static bool is_empty_nest(const struct nlattr *a)
{
	return a && a->nla_len == sizeof(*a);
}

static const char translate[] =
	"link add att dev lo npt 3d06:bad:b01::/60 2600:1700:2f71:c80::/60 "
	"map4 10.250.250.2-10.250.250.6 104.57.226.193\n"
	"link add sonic dev lo map4 10.250.250.0/29 136.25.91.240/29\n"
	"link add lte dev lo npt 2001:db8::/48 2001:db8:1::/48 mode rfc6296\n"
	"link set lte npt off\n"
	"link add one dev lo map4 10.0.0.7 192.0.2.9\n"
	"link set one map4 10.0.0.8-10.0.0.9 192.0.2.10-192.0.2.11\n"
	"link add wp dev lo npt 3d06:bad:b01::/60 2600:1700:2f71:c80::/60 "
	"mode rfc6296 weight 2\n"
	"link set wp npt 3d06:bad:b01::/60 2600:1700:2f71:c80::/60 mode prefix\n"
	"link add plain dev lo\n";

static const struct nlattr *link_nest(const struct nlattr *links,
				      unsigned int i,
				      const struct nlattr **tb)
{
	const struct nlattr *l = nth(links, MWAN_A_LINK, i, NULL);

	memset(tb, 0, (MWAN_LINK_A_MAX + 1) * sizeof(*tb));
	if (l)
		attr_parse_nested(l, tb, MWAN_LINK_A_MAX);
	return l;
}

static void check_translate_links(const struct nlattr *links)
{
	const struct nlattr *tb[MWAN_LINK_A_MAX + 1];

	link_nest(links, 0, tb);
	ktap_check(is_npt(tb[MWAN_LINK_A_NPT], npt_in, npt_ext, 60) &&
		   is_map4(tb[MWAN_LINK_A_MAP4], "10.250.250.2",
			   "10.250.250.6", "104.57.226.193"),
		   "translate: att has NPT /60 and MAP4 .2-.6 -> 104.57.226.193");
	link_nest(links, 1, tb);
	ktap_check(!tb[MWAN_LINK_A_NPT] &&
		   is_map4(tb[MWAN_LINK_A_MAP4], "10.250.250.0",
			   "10.250.250.7", "136.25.91.240"),
		   "translate: sonic /29 -> /29 is the whole prefix, no NPT");
	link_nest(links, 2, tb);
	ktap_check(tb[MWAN_LINK_A_NAME] && !tb[MWAN_LINK_A_NPT] &&
		   !tb[MWAN_LINK_A_MAP4],
		   "translate: lte's \"npt off\" leaves the nest out of the replace");
	link_nest(links, 3, tb);
	ktap_check(is_map4(tb[MWAN_LINK_A_MAP4], "10.0.0.8", "10.0.0.9",
			   "192.0.2.10"),
		   "translate: one's map4 replaced by its set line, external range accepted");
	link_nest(links, 4, tb);
	ktap_check(is_npt_mode(tb[MWAN_LINK_A_NPT], npt_in, npt_ext, 60,
			       MWAN_NPT_MODE_PREFIX) &&
		   is_u32(tb[MWAN_LINK_A_WEIGHT], 2),
		   "translate: wp's set line replaces its rfc6296 NPT with mode prefix, the weight after \"mode\" stays");
	link_nest(links, 5, tb);
	ktap_check(tb[MWAN_LINK_A_NAME] && !tb[MWAN_LINK_A_NPT] &&
		   !tb[MWAN_LINK_A_MAP4],
		   "translate: plain has no translation nests");
}

/* What the kernel sends back parses into what was sent. */
static void check_translate_roundtrip(const struct nlattr *links)
{
	struct mwan_link l;

	mwan_parse_link(nth(links, MWAN_A_LINK, 0, NULL), &l);
	ktap_check(mwan_link_has_npt(&l) && l.npt.prefix_len == 60 &&
		   !memcmp(l.npt.internal, npt_in, 16) &&
		   !memcmp(l.npt.external, npt_ext, 16),
		   "roundtrip: att's NPT");
	ktap_check(mwan_link_has_map4(&l) &&
		   ntohl(l.map4.internal_first) == 0x0afafa02 &&
		   ntohl(l.map4.internal_last) == 0x0afafa06 &&
		   ntohl(l.map4.external_first) == 0x6839e2c1,
		   "roundtrip: att's MAP4, network order in the model");
	mwan_parse_link(nth(links, MWAN_A_LINK, 5, NULL), &l);
	ktap_check(!HAS(&l, MWAN_LINK_A_NPT) && !HAS(&l, MWAN_LINK_A_MAP4) &&
		   !mwan_link_has_npt(&l) && !mwan_link_has_map4(&l),
		   "roundtrip: plain has no translation");
}

static void test_translate(void)
{
	const struct nlattr *tb[MWAN_A_MAX + 1];
	struct mwan_config cfg;
	struct nlmsghdr *nlh;
	unsigned int n = 0;
	bool ok;
	int err;

	err = parse_text(translate, &cfg);
	ktap_check(!err, "translate config parses");
	if (err)
		return;
	nlh = build_config(&cfg, &ok);
	attr_parse_msg(nlh, GENL_HDRLEN, tb, MWAN_A_MAX);
	if (tb[MWAN_A_LINKS])
		nth(tb[MWAN_A_LINKS], MWAN_A_LINK, 0, &n);
	ktap_check(ok && n == 6 && nest_tiles(tb[MWAN_A_LINKS]),
		   "translate: 6 links in one CONFIG_REPLACE");
	if (n == 6) {
		check_translate_links(tb[MWAN_A_LINKS]);
		check_translate_roundtrip(tb[MWAN_A_LINKS]);
	}
	mwan_config_release(&cfg);
}

/* Build the LINK_SET or LINK_NEW of @argv; the link nest in @tb. */
static const struct nlattr *link_cmd(const char *args, enum args_mode mode,
				     const struct nlattr **tb)
{
	uint8_t cmd = mode == ARGS_ADD ? MWAN_CMD_LINK_NEW : MWAN_CMD_LINK_SET;
	const struct nlattr *top[MWAN_A_MAX + 1];
	char buf[256], *argv[32], *w;
	struct mwan_link l = { 0 };
	struct nlmsghdr *nlh;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", args);
	for (w = strtok(buf, " "); w && argc < 32; w = strtok(NULL, " "))
		argv[argc++] = w;
	memset(tb, 0, (MWAN_LINK_A_MAX + 1) * sizeof(*tb));
	if (args_link(argc, argv, mode, &l))
		return NULL;
	nlh = mwan_msg_init(msgbuf, FAMILY_ID, cmd, 0);
	if (!mwan_put_link(nlh, MWAN_MSG_SIZE, MWAN_A_LINK, &l))
		return NULL;
	attr_parse_msg(nlh, GENL_HDRLEN, top, MWAN_A_MAX);
	if (!top[MWAN_A_LINK] || !nest_tiles(top[MWAN_A_LINK]) ||
	    !nest_types_ok(top[MWAN_A_LINK], MWAN_LINK_A_MAX) ||
	    attr_parse_nested(top[MWAN_A_LINK], tb, MWAN_LINK_A_MAX))
		return NULL;
	return top[MWAN_A_LINK];
}

static void test_translate_commands(void)
{
	const struct nlattr *tb[MWAN_LINK_A_MAX + 1];
	const struct nlattr *l;

	l = link_cmd("att npt off map4 off", ARGS_SET, tb);
	ktap_check(l && is_str(tb[MWAN_LINK_A_NAME], "att") &&
		   is_empty_nest(tb[MWAN_LINK_A_NPT]) &&
		   is_empty_nest(tb[MWAN_LINK_A_MAP4]) &&
		   mnl_attr_get_payload_len(l) == 8 + 4 + 4,
		   "link set att npt off map4 off: NAME, empty NPT and MAP4 nests");
	l = link_cmd("att npt 3d06:bad:b01::/60 2600:1700:2f71:c80::/60 "
		     "map4 10.250.250.2-10.250.250.6 104.57.226.193",
		     ARGS_SET, tb);
	ktap_check(l && is_npt(tb[MWAN_LINK_A_NPT], npt_in, npt_ext, 60) &&
		   is_map4(tb[MWAN_LINK_A_MAP4], "10.250.250.2",
			   "10.250.250.6", "104.57.226.193") &&
		   mnl_attr_get_payload_len(l) == 8 + 4 + 48 + 4 + 24,
		   "link set att npt ... map4 ...: exactly NAME, NPT, MAP4");
	l = link_cmd("att map4 off", ARGS_SET, tb);
	ktap_check(l && is_empty_nest(tb[MWAN_LINK_A_MAP4]) &&
		   !tb[MWAN_LINK_A_NPT],
		   "link set att map4 off: NPT stays absent (unchanged)");
	l = link_cmd("att dev lo map4 192.0.2.1 198.51.100.1", ARGS_ADD, tb);
	ktap_check(l && is_u32(tb[MWAN_LINK_A_IFINDEX], lo) &&
		   is_map4(tb[MWAN_LINK_A_MAP4], "192.0.2.1", "192.0.2.1",
			   "198.51.100.1") && !tb[MWAN_LINK_A_NPT],
		   "link add att dev lo map4 A EXT: a single address");
	l = link_cmd("att dev lo map4 10.0.0.0/16 100.64.0.0/16", ARGS_ADD,
		     tb);
	ktap_check(l && is_map4(tb[MWAN_LINK_A_MAP4], "10.0.0.0",
				"10.0.255.255", "100.64.0.0"),
		   "link add map4 /16 -> /16: 65536 addresses, the most");
	l = link_cmd("att dev lo map4 10.0.0.0/24 255.255.255.0", ARGS_ADD,
		     tb);
	ktap_check(l && is_map4(tb[MWAN_LINK_A_MAP4], "10.0.0.0",
				"10.0.0.255", "255.255.255.0"),
		   "link add map4 ending on 255.255.255.255");
	l = link_cmd("att npt 3d06:bad:b01::/60 2600:1700:2f71:c80::/60 "
		     "mode rfc6296 state up", ARGS_SET, tb);
	ktap_check(l && is_npt_mode(tb[MWAN_LINK_A_NPT], npt_in, npt_ext, 60,
				    MWAN_NPT_MODE_RFC6296) &&
		   is_u8(tb[MWAN_LINK_A_STATE], MWAN_LINK_UP),
		   "link set att npt ... mode rfc6296 state up: MODE in the NPT nest");
	l = link_cmd("att dev lo npt 3d06:bad:b01::/60 2600:1700:2f71:c80::/60 "
		     "mode prefix", ARGS_ADD, tb);
	ktap_check(l && is_npt_mode(tb[MWAN_LINK_A_NPT], npt_in, npt_ext, 60,
				    MWAN_NPT_MODE_PREFIX),
		   "link add att ... npt ... mode prefix: MODE 0 is sent when given");
	l = link_cmd("att npt off weight 2", ARGS_SET, tb);
	ktap_check(l && is_empty_nest(tb[MWAN_LINK_A_NPT]) &&
		   is_u32(tb[MWAN_LINK_A_WEIGHT], 2),
		   "link set att npt off weight 2: \"off\" takes one word");
}

/* stdout into a string, for what "show" prints */
static FILE *saved_stdout;
static char *out_text;
static size_t out_len;

static void out_start(void)
{
	fflush(stdout);
	saved_stdout = stdout;
	free(out_text);
	out_text = NULL;
	stdout = open_memstream(&out_text, &out_len);
}

static const char *out_end(void)
{
	fclose(stdout);
	stdout = saved_stdout;
	return out_text ? out_text : "";
}

/* A LINK_GET reply's link as the kernel would send it, parsed. */
static void reply_link(struct mwan_link *l, bool translate)
{
	static const uint64_t stats[][2] = {
		{ MWAN_STATS_A_NEW_FLOWS, 7 },
		{ MWAN_STATS_A_TX_PACKETS, 100 },
		{ MWAN_STATS_A_TX_BYTES, 9000 },
		{ MWAN_STATS_A_RX_PACKETS, 90 },
		{ MWAN_STATS_A_RX_BYTES, 80000 },
		{ MWAN_STATS_A_NPT_OUT, 41 },
		{ MWAN_STATS_A_NPT_IN, 39 },
		{ MWAN_STATS_A_NPT_DROPPED, 2 },
		{ MWAN_STATS_A_MAP4_OUT, 5 },
		{ MWAN_STATS_A_MAP4_IN, 1 },
	};
	/* an older kernel: the first five counters only */
	unsigned int i, n = translate ? ARRAY_SIZE(stats) : 5;
	struct nlmsghdr *nlh;
	struct nlattr *link, *nest;

	nlh = mwan_msg_init(msgbuf, FAMILY_ID, MWAN_CMD_LINK_GET, 0);
	link = mnl_attr_nest_start(nlh, MWAN_A_LINK);
	mnl_attr_put_u32(nlh, MWAN_LINK_A_ID, 1);
	mnl_attr_put_strz(nlh, MWAN_LINK_A_NAME, "att");
	mnl_attr_put_u32(nlh, MWAN_LINK_A_IFINDEX, lo);
	mnl_attr_put_u8(nlh, MWAN_LINK_A_STATE, MWAN_LINK_UP);
	mnl_attr_put_u32(nlh, MWAN_LINK_A_WEIGHT, 1);
	mnl_attr_put_u32(nlh, MWAN_LINK_A_MARK, 0x100);
	nest = mnl_attr_nest_start(nlh, MWAN_LINK_A_STATS);
	for (i = 0; i < n; i++)
		mnl_attr_put_u64(nlh, stats[i][0], stats[i][1]);
	mnl_attr_nest_end(nlh, nest);
	if (translate) {
		nest = mnl_attr_nest_start(nlh, MWAN_LINK_A_NPT);
		mnl_attr_put(nlh, MWAN_NPT_A_INTERNAL, 16, npt_in);
		mnl_attr_put(nlh, MWAN_NPT_A_EXTERNAL, 16, npt_ext);
		mnl_attr_put_u8(nlh, MWAN_NPT_A_PREFIX_LEN, 60);
		mnl_attr_put_u8(nlh, MWAN_NPT_A_MODE, MWAN_NPT_MODE_PREFIX);
		mnl_attr_nest_end(nlh, nest);
		nest = mnl_attr_nest_start(nlh, MWAN_LINK_A_MAP4);
		mnl_attr_put_u32(nlh, MWAN_MAP4_A_INTERNAL_FIRST,
				 htonl(0x0afafa02));
		mnl_attr_put_u32(nlh, MWAN_MAP4_A_INTERNAL_LAST,
				 htonl(0x0afafa06));
		mnl_attr_put_u32(nlh, MWAN_MAP4_A_EXTERNAL_FIRST,
				 htonl(0x6839e2c1));
		mnl_attr_nest_end(nlh, nest);
	}
	mnl_attr_nest_end(nlh, link);
	mwan_parse_link(link, l);
}

static void test_output(void)
{
	static const char text[] =
		"link att id 1 dev lo mark 0x100 state up weight 1\n"
		"    flows 7 tx 100 packets 9000 bytes rx 90 packets 80000 bytes\n"
		"    npt 3d06:bad:b01::/60 -> 2600:1700:2f71:c80::/60 mode prefix packets out 41 in 39 dropped 2\n"
		"    map4 10.250.250.2-10.250.250.6 -> 104.57.226.193-104.57.226.197 flows out 5 in 1\n";
	static const char event[] =
		"link att id 1 dev lo mark 0x100 state up weight 1 "
		"npt 3d06:bad:b01::/60 -> 2600:1700:2f71:c80::/60 mode prefix "
		"map4 10.250.250.2-10.250.250.6 -> 104.57.226.193-104.57.226.197\n";
	static const char json[] =
		"{\"name\":\"att\",\"id\":1,\"dev\":\"lo\",\"ifindex\":1,"
		"\"mark\":256,\"state\":\"up\",\"state_secs\":null,"
		"\"health\":null,\"weight\":1,"
		"\"rtt_us\":null,"
		"\"loss_ppm\":null,\"npt\":{\"internal\":\"3d06:bad:b01::/60\","
		"\"external\":\"2600:1700:2f71:c80::/60\",\"prefix_len\":60,"
		"\"mode\":\"prefix\"},"
		"\"map4\":{\"internal_first\":\"10.250.250.2\","
		"\"internal_last\":\"10.250.250.6\","
		"\"external_first\":\"104.57.226.193\","
		"\"external_last\":\"104.57.226.197\"},"
		"\"stats\":{\"new_flows\":7,\"tx_packets\":100,\"tx_bytes\":9000,"
		"\"rx_packets\":90,\"rx_bytes\":80000,\"npt_out\":41,"
		"\"npt_in\":39,\"npt_dropped\":2,\"map4_out\":5,\"map4_in\":1}}\n";
	static const char json_plain[] =
		"\"loss_ppm\":null,\"npt\":null,\"map4\":null,"
		"\"stats\":{\"new_flows\":7,\"tx_packets\":100,\"tx_bytes\":9000,"
		"\"rx_packets\":90,\"rx_bytes\":80000,\"npt_out\":null,"
		"\"npt_in\":null,\"npt_dropped\":null,\"map4_out\":null,"
		"\"map4_in\":null}}";
	struct mwan_link l;
	const char *out;
	struct json j;

	/* lo is ifindex 1 in every netns (LOOPBACK_IFINDEX) */
	reply_link(&l, true);
	out_start();
	print_link(&l, true);
	out = out_end();
	ktap_check(!strcmp(out, text), "link show: a line per translation with its counters");
	if (strcmp(out, text))
		fprintf(stderr, "# got:\n%s", out);
	out_start();
	print_link(&l, false);
	out = out_end();
	ktap_check(!strcmp(out, event), "monitor: translations on the link's line");
	if (strcmp(out, event))
		fprintf(stderr, "# got:\n%s", out);
	out_start();
	json_init(&j, stdout);
	json_link(&j, NULL, &l);
	out = out_end();
	ktap_check(!strcmp(out, json), "link show -j: npt and map4 objects, counters in stats");
	if (strcmp(out, json))
		fprintf(stderr, "# got:\n%s", out);

	reply_link(&l, false);
	out_start();
	print_link(&l, true);
	out = out_end();
	ktap_check(!strchr(strchr(out, '\n') + 1, '\n')[1],
		   "link show without translation: two lines as before");
	out_start();
	json_init(&j, stdout);
	json_link(&j, NULL, &l);
	out = out_end();
	ktap_check(strstr(out, json_plain),
		   "link show -j without translation: null npt, map4 and unreported counters");
	if (!strstr(out, json_plain))
		fprintf(stderr, "# got:\n%s", out);
}

/* One object requests carry what was given and nothing more. */
static void test_commands(void)
{
	char a0[] = "wan1", a1[] = "weight", a2[] = "7";
	char *link_argv[] = { a0, a1, a2 };
	char r0[] = "r1", r1[] = "proto", r2[] = "udp", r3[] = "dport",
	     r4[] = "53";
	char *rule_argv[] = { r0, r1, r2, r3, r4 };
	char g0[] = "enabled", g1[] = "off", g2[] = "default-policy",
	     g3[] = "none";
	char *glob_argv[] = { g0, g1, g2, g3 };
	const struct nlattr *tb[MWAN_RULE_A_MAX + 1];
	const struct nlattr *top[MWAN_A_MAX + 1];
	struct mwan_globals g = { 0 };
	struct mwan_link l = { 0 };
	struct mwan_rule r = { 0 };
	struct nlmsghdr *nlh;
	bool ok;

	ok = !args_link(3, link_argv, ARGS_SET, &l);
	nlh = mwan_msg_init(msgbuf, FAMILY_ID, MWAN_CMD_LINK_SET, 0);
	ok &= mwan_put_link(nlh, MWAN_MSG_SIZE, MWAN_A_LINK, &l);
	attr_parse_msg(nlh, GENL_HDRLEN, top, MWAN_A_MAX);
	ok &= top[MWAN_A_LINK] &&
	      !attr_parse_nested(top[MWAN_A_LINK], tb, MWAN_LINK_A_MAX);
	ktap_check(ok && is_str(tb[MWAN_LINK_A_NAME], "wan1") &&
		   is_u32(tb[MWAN_LINK_A_WEIGHT], 7) &&
		   nest_types_ok(top[MWAN_A_LINK], MWAN_LINK_A_MAX) &&
		   mnl_attr_get_payload_len(top[MWAN_A_LINK]) == 12 + 8,
		   "link set wan1 weight 7: exactly NAME and WEIGHT");

	ok = !args_rule(5, rule_argv, ARGS_SET, &r);
	nlh = mwan_msg_init(msgbuf, FAMILY_ID, MWAN_CMD_RULE_SET, 0);
	ok &= mwan_put_rule(nlh, MWAN_MSG_SIZE, MWAN_A_RULE, &r);
	attr_parse_msg(nlh, GENL_HDRLEN, top, MWAN_A_MAX);
	ok &= top[MWAN_A_RULE] &&
	      !attr_parse_nested(top[MWAN_A_RULE], tb, MWAN_RULE_A_MAX);
	ktap_check(ok && is_str(tb[MWAN_RULE_A_NAME], "r1") &&
		   is_u32(tb[MWAN_RULE_A_FLAGS], 0) &&
		   is_u8(tb[MWAN_RULE_A_PROTO], 17) &&
		   is_u16(tb[MWAN_RULE_A_DPORT_MIN], 53) &&
		   !tb[MWAN_RULE_A_ID] && !tb[MWAN_RULE_A_POLICY] &&
		   !tb[MWAN_RULE_A_SPORT_MIN],
		   "rule set r1 proto udp dport 53: name, flags 0, matches; policy added by the command");

	ok = !args_globals(4, glob_argv, &g);
	nlh = mwan_msg_init(msgbuf, FAMILY_ID, MWAN_CMD_GLOBALS_SET, 0);
	ok &= mwan_put_globals(nlh, MWAN_MSG_SIZE, &g);
	attr_parse_msg(nlh, GENL_HDRLEN, top, MWAN_A_MAX);
	ktap_check(ok && is_u8(top[MWAN_A_ENABLED], 0) &&
		   is_u32(top[MWAN_A_DEFAULT_POLICY], 0) &&
		   !top[MWAN_A_MARK_MASK],
		   "globals set enabled off default-policy none");
}

int main(void)
{
	msgbuf = malloc(BUF_SIZE);
	lo = if_nametoindex("lo");
	ktap_start();
	test_festival();
	test_empty();
	test_set_lines();
	test_config_errors();
	test_cgroup_rule();
	test_agent_lines();
	test_limits();
	test_largest();
	test_commands();
	test_translate();
	test_translate_commands();
	test_output();
	free(out_text);
	free(err_text);
	free(msgbuf);
	return ktap_finish("test_msg");
}
