// SPDX-License-Identifier: GPL-2.0
/*
 * The words after "link add NAME", "policy set NAME", ... as typed on the
 * command line or written in a config file, turned into a model object.
 * References to other objects stay names here: the command line resolves
 * them in the kernel, a config file within itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "cgroup.h"
#include "confparse.h"
#include "util.h"

struct keyword {
	const char *name;
	int (*fn)(void *obj, const char *val);
	/* instead of fn: two values, or with "set" "off" alone (both NULL) */
	int (*fn_pair)(void *obj, const char *val, const char *val2);
	/* after a pair's two values: an optional "opt VALUE" of its own */
	const char *opt;
	int (*fn_opt)(void *obj, const char *val);
	bool flag;		/* takes no value */
	bool repeat;		/* may be given more than once */
	bool add_only;		/* not with "set" */
};

#define KW(n, f, ...)	{ .name = n, .fn = f, __VA_ARGS__ }
#define KW_PAIR(n, f, ...)	{ .name = n, .fn_pair = f, __VA_ARGS__ }

static const struct keyword *keyword_find(const struct keyword *kw,
					  const char *s)
{
	for (; kw->name; kw++)
		if (!strcmp(kw->name, s))
			return kw;
	return NULL;
}

/* The words after a pair keyword: how many it took, or an error. */
static int args_pair(const struct keyword *kw, enum args_mode mode,
		     void *obj, int argc, char **argv)
{
	int err;

	if (argc && !strcmp(argv[0], "off")) {
		/* a new object has nothing to turn off */
		if (mode == ARGS_ADD) {
			pr_err("\"%s off\" is only valid with \"set\"",
			       kw->name);
			return -E_USAGE;
		}
		err = kw->fn_pair(obj, NULL, NULL);
		return err ? err : 1;
	}
	if (argc < 2) {
		pr_err("\"%s\" needs two values%s", kw->name,
		       mode == ARGS_SET ? " or \"off\"" : "");
		return -E_USAGE;
	}
	err = kw->fn_pair(obj, argv[0], argv[1]);
	if (err)
		return err;
	if (!kw->opt || argc < 3 || strcmp(argv[2], kw->opt))
		return 2;
	if (argc < 4) {
		pr_err("\"%s %s\" needs a value", kw->name, kw->opt);
		return -E_USAGE;
	}
	err = kw->fn_opt(obj, argv[3]);
	return err ? err : 4;
}

static int args_parse(const struct keyword *kws, enum args_mode mode,
		      void *obj, int argc, char **argv)
{
	uint64_t seen = 0;
	int i, used, err;

	for (i = 0; i < argc; i++) {
		const struct keyword *kw = keyword_find(kws, argv[i]);
		const char *val = NULL;
		uint64_t bit;

		if (!kw) {
			pr_err("unknown keyword \"%s\"", argv[i]);
			return -E_USAGE;
		}
		bit = 1ULL << (kw - kws);
		if (kw->add_only && mode == ARGS_SET) {
			pr_err("\"%s\" cannot be changed", kw->name);
			return -E_USAGE;
		}
		if ((seen & bit) && !kw->repeat) {
			pr_err("\"%s\" given twice", kw->name);
			return -E_USAGE;
		}
		seen |= bit;
		if (kw->fn_pair) {
			used = args_pair(kw, mode, obj, argc - i - 1,
					 argv + i + 1);
			if (used < 0)
				return used;
			i += used;
			continue;
		}
		if (!kw->flag) {
			if (++i == argc) {
				pr_err("\"%s\" needs a value", kw->name);
				return -E_USAGE;
			}
			val = argv[i];
		}
		err = kw->fn(obj, val);
		if (err)
			return err;
	}
	return 0;
}

static int bad_name(const char *what, const char *s, int err)
{
	if (err == -ENAMETOOLONG)
		pr_err("%s name \"%s\" is too long (at most %d bytes)", what, s,
		       MWAN_NAME_MAX - 1);
	else
		pr_err("invalid %s name \"%s\" (letters, digits, '-', '_', '.')",
		       what, s);
	return -EINVAL;
}

/* A name for a new object must be printable and parsable everywhere. */
static int args_new_name(const char *s, const char *what,
			 char name[MWAN_NAME_MAX])
{
	int err = parse_name(s, name);

	return err ? bad_name(what, s, err) : 0;
}

/* An existing object may have been named by another tool: length only. */
int args_ref_name(const char *s, const char *what, char name[MWAN_NAME_MAX])
{
	size_t len = strlen(s);

	if (!len || len >= MWAN_NAME_MAX)
		return bad_name(what, s, len ? -ENAMETOOLONG : -EINVAL);
	memcpy(name, s, len + 1);
	return 0;
}

static int args_u32(const char *what, const char *s, uint32_t min,
		    uint32_t max, uint32_t *v)
{
	if (parse_u32(s, min, max, v)) {
		pr_err("invalid %s \"%s\" (%u..%u)", what, s, min, max);
		return -EINVAL;
	}
	return 0;
}

static int args_word(const char *what, const char *s,
		     const struct word *words, unsigned int *v)
{
	char list[128] = "";

	if (!parse_word(s, words, v))
		return 0;
	for (; words->name; words++) {
		if (*list)
			strncat(list, "|", sizeof(list) - strlen(list) - 1);
		strncat(list, words->name, sizeof(list) - strlen(list) - 1);
	}
	pr_err("invalid %s \"%s\" (%s)", what, s, list);
	return -EINVAL;
}

static int args_dev(const char *s, uint32_t *ifindex)
{
	unsigned int idx = strlen(s) < IFNAMSIZ ? if_nametoindex(s) : 0;

	if (!idx) {
		pr_err("unknown device \"%s\"", s);
		return -ENODEV;
	}
	*ifindex = idx;
	return 0;
}

/* globals */

static int g_mark_mask(void *obj, const char *s)
{
	struct mwan_globals *g = obj;

	if (parse_mark_mask(s, &g->mark_mask)) {
		pr_err("invalid mark mask \"%s\" (contiguous, 1 to 8 bits)", s);
		return -EINVAL;
	}
	MARK(g, MWAN_A_MARK_MASK);
	return 0;
}

static int g_enabled(void *obj, const char *s)
{
	struct mwan_globals *g = obj;
	unsigned int v;
	int err;

	err = args_word("enabled value", s, bool_words, &v);
	if (err)
		return err;
	g->enabled = v;
	MARK(g, MWAN_A_ENABLED);
	return 0;
}

static int g_default_policy(void *obj, const char *s)
{
	struct mwan_globals *g = obj;

	g->default_policy = 0;
	g->default_policy_name[0] = '\0';
	MARK(g, MWAN_A_DEFAULT_POLICY);
	if (!strcmp(s, "none"))
		return 0;
	return args_ref_name(s, "policy", g->default_policy_name);
}

static const struct keyword globals_kw[] = {
	KW("mark-mask", g_mark_mask),
	KW("enabled", g_enabled),
	KW("default-policy", g_default_policy),
	{ }
};

int args_globals(int argc, char **argv, struct mwan_globals *g)
{
	if (!argc) {
		pr_err("nothing to set");
		return -E_USAGE;
	}
	return args_parse(globals_kw, ARGS_SET, g, argc, argv);
}

/* links */

static int l_id(void *obj, const char *s)
{
	struct mwan_link *l = obj;

	MARK(l, MWAN_LINK_A_ID);
	return args_u32("link id", s, 1, MWAN_LINK_ID_MAX, &l->id);
}

static int l_dev(void *obj, const char *s)
{
	struct mwan_link *l = obj;

	MARK(l, MWAN_LINK_A_IFINDEX);
	return args_dev(s, &l->ifindex);
}

static int l_weight(void *obj, const char *s)
{
	struct mwan_link *l = obj;

	MARK(l, MWAN_LINK_A_WEIGHT);
	return args_u32("weight", s, 1, MWAN_WEIGHT_MAX, &l->weight);
}

static int l_state(void *obj, const char *s)
{
	struct mwan_link *l = obj;
	unsigned int v;
	int err;

	err = args_word("link state", s, link_state_words, &v);
	l->state = v;
	MARK(l, MWAN_LINK_A_STATE);
	return err;
}

static int l_rtt(void *obj, const char *s)
{
	struct mwan_link *l = obj;

	MARK(l, MWAN_LINK_A_RTT_US);
	return args_u32("rtt", s, 0, UINT32_MAX, &l->rtt_us);
}

static int l_loss(void *obj, const char *s)
{
	struct mwan_link *l = obj;

	MARK(l, MWAN_LINK_A_LOSS_PPM);
	return args_u32("loss", s, 0, 1000000, &l->loss_ppm);
}

static int npt_prefix(const char *s, struct mwan_prefix *p)
{
	int err = parse_npt_prefix(s, p);

	if (err == -EDOM)
		pr_err("invalid NPT prefix \"%s\": host bits set", s);
	else if (err == -ERANGE)
		pr_err("invalid NPT prefix \"%s\": length must be 1..%d", s,
		       MWAN_NPT_PREFIX_MAX);
	else if (err)
		pr_err("invalid NPT prefix \"%s\" (IPv6 PREFIX/LEN)", s);
	return err;
}

/*
 * "npt INTERNAL/LEN EXTERNAL/LEN [mode prefix|rfc6296]", or "npt off"
 * (NULL). Without a mode the kernel's default applies: the prefix swap.
 */
static int l_npt(void *obj, const char *in, const char *ext)
{
	struct mwan_link *l = obj;
	struct mwan_prefix pi, pe;

	MARK(l, MWAN_LINK_A_NPT);
	memset(&l->npt, 0, sizeof(l->npt));
	if (!in)
		return 0;
	if (npt_prefix(in, &pi) || npt_prefix(ext, &pe))
		return -EINVAL;
	/* RFC 6296 maps prefixes of equal length only */
	if (pi.len != pe.len) {
		pr_err("NPT prefixes \"%s\" and \"%s\" differ in length", in,
		       ext);
		return -EINVAL;
	}
	memcpy(l->npt.internal, pi.addr, sizeof(l->npt.internal));
	memcpy(l->npt.external, pe.addr, sizeof(l->npt.external));
	l->npt.prefix_len = pi.len;
	l->npt.set = BIT(MWAN_NPT_A_INTERNAL) | BIT(MWAN_NPT_A_EXTERNAL) |
		     BIT(MWAN_NPT_A_PREFIX_LEN);
	return 0;
}

static int l_npt_mode(void *obj, const char *s)
{
	struct mwan_link *l = obj;
	unsigned int v;
	int err;

	err = args_word("NPT mode", s, npt_mode_words, &v);
	l->npt.mode = v;
	l->npt.set |= BIT(MWAN_NPT_A_MODE);
	return err;
}

static int map4_range(const char *s, uint32_t *first, uint32_t *last)
{
	int err = parse_range4(s, first, last);

	if (err == -EDOM)
		pr_err("invalid map4 prefix \"%s\": host bits set", s);
	else if (err == -ERANGE)
		pr_err("invalid map4 range \"%s\": last address below first",
		       s);
	else if (err)
		pr_err("invalid map4 addresses \"%s\" (A, A-B or PREFIX/LEN)",
		       s);
	return err;
}

/* The internal range fits the kernel's limits, mapped from @ext on. */
static int map4_fits(const char *in, const char *ext, uint32_t first,
		     uint32_t last, uint32_t ext_first)
{
	int err = map4_check(first, last, ext_first);

	if (err == -E2BIG)
		pr_err("map4 range \"%s\" holds more than %d addresses", in,
		       MWAN_MAP4_SIZE_MAX);
	else if (err == -EOVERFLOW)
		pr_err("map4 range \"%s\" from \"%s\" runs past 255.255.255.255",
		       in, ext);
	return err;
}

/*
 * "map4 INTERNAL EXTERNAL", or "map4 off" (NULL). An EXTERNAL of one
 * address is the first of the external range; a range or prefix must be
 * as large as INTERNAL.
 */
static int l_map4(void *obj, const char *in, const char *ext)
{
	uint32_t first, last, ext_first, ext_last;
	struct mwan_link *l = obj;

	MARK(l, MWAN_LINK_A_MAP4);
	memset(&l->map4, 0, sizeof(l->map4));
	if (!in)
		return 0;
	if (map4_range(in, &first, &last) ||
	    map4_range(ext, &ext_first, &ext_last))
		return -EINVAL;
	if (ext_last != ext_first && ext_last - ext_first != last - first) {
		pr_err("map4 ranges \"%s\" and \"%s\" differ in size", in,
		       ext);
		return -EINVAL;
	}
	if (map4_fits(in, ext, first, last, ext_first))
		return -EINVAL;
	l->map4.internal_first = htonl(first);
	l->map4.internal_last = htonl(last);
	l->map4.external_first = htonl(ext_first);
	l->map4.set = BIT(MWAN_MAP4_A_INTERNAL_FIRST) |
		      BIT(MWAN_MAP4_A_INTERNAL_LAST) |
		      BIT(MWAN_MAP4_A_EXTERNAL_FIRST);
	return 0;
}

static const struct keyword link_kw[] = {
	KW("id", l_id, .add_only = true),
	KW("dev", l_dev),
	KW("weight", l_weight),
	KW("state", l_state),
	KW("rtt", l_rtt),
	KW("loss", l_loss),
	KW_PAIR("npt", l_npt, .opt = "mode", .fn_opt = l_npt_mode),
	KW_PAIR("map4", l_map4),
	{ }
};

int args_link(int argc, char **argv, enum args_mode mode, struct mwan_link *l)
{
	int err;

	if (!argc) {
		pr_err("missing link name");
		return -E_USAGE;
	}
	err = mode == ARGS_ADD ? args_new_name(argv[0], "link", l->name) :
				 args_ref_name(argv[0], "link", l->name);
	if (!err)
		err = args_parse(link_kw, mode, l, argc - 1, argv + 1);
	if (err)
		return err;
	MARK(l, MWAN_LINK_A_NAME);
	if (mode == ARGS_ADD && !HAS(l, MWAN_LINK_A_IFINDEX)) {
		pr_err("\"dev\" is required");
		return -E_USAGE;
	}
	if (mode == ARGS_SET && argc == 1) {
		pr_err("nothing to set");
		return -E_USAGE;
	}
	return 0;
}

/* policies */

static int p_id(void *obj, const char *s)
{
	struct mwan_policy *p = obj;

	MARK(p, MWAN_POLICY_A_ID);
	return args_u32("policy id", s, 1, MWAN_POLICY_ID_MAX, &p->id);
}

static int p_mode(void *obj, const char *s)
{
	struct mwan_policy *p = obj;
	unsigned int v;
	int err;

	err = args_word("mode", s, mode_words, &v);
	p->mode = v;
	MARK(p, MWAN_POLICY_A_MODE);
	return err;
}

static int p_last_resort(void *obj, const char *s)
{
	struct mwan_policy *p = obj;
	unsigned int v;
	int err;

	err = args_word("last resort", s, last_resort_words, &v);
	p->last_resort = v;
	MARK(p, MWAN_POLICY_A_LAST_RESORT);
	return err;
}

static int p_member(void *obj, const char *s)
{
	struct mwan_policy *p = obj;
	struct mwan_member *m;
	unsigned int i;
	int err;

	m = mwan_add_member(p);
	if (!m) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	MARK(p, MWAN_POLICY_A_MEMBERS);
	err = args_ref_name(s, "link", m->link_name);
	if (err)
		return err;
	MARK(m, MWAN_MEMBER_A_LINK);
	for (i = 0; i + 1 < p->n_members; i++) {
		if (!strcmp(p->members[i].link_name, s)) {
			pr_err("link \"%s\" is a member twice", s);
			return -EINVAL;
		}
	}
	return 0;
}

/* "metric" and "weight" belong to the member named just before them */
static struct mwan_member *p_last_member(struct mwan_policy *p,
					 const char *kw, uint16_t attr)
{
	struct mwan_member *m;

	if (!p->n_members) {
		pr_err("\"%s\" must follow \"member LINK\"", kw);
		return NULL;
	}
	m = &p->members[p->n_members - 1];
	if (HAS(m, attr)) {
		pr_err("\"%s\" given twice for member \"%s\"", kw,
		       m->link_name);
		return NULL;
	}
	MARK(m, attr);
	return m;
}

static int p_metric(void *obj, const char *s)
{
	struct mwan_member *m;

	m = p_last_member(obj, "metric", MWAN_MEMBER_A_METRIC);
	if (!m)
		return -E_USAGE;
	return args_u32("metric", s, 0, UINT32_MAX, &m->metric);
}

static int p_weight(void *obj, const char *s)
{
	struct mwan_member *m;

	m = p_last_member(obj, "weight", MWAN_MEMBER_A_WEIGHT);
	if (!m)
		return -E_USAGE;
	return args_u32("weight", s, 1, MWAN_WEIGHT_MAX, &m->weight);
}

static const struct keyword policy_kw[] = {
	KW("id", p_id, .add_only = true),
	KW("mode", p_mode),
	KW("last-resort", p_last_resort),
	KW("member", p_member, .repeat = true),
	KW("metric", p_metric, .repeat = true),
	KW("weight", p_weight, .repeat = true),
	{ }
};

int args_policy(int argc, char **argv, enum args_mode mode,
		struct mwan_policy *p)
{
	int err;

	if (!argc) {
		pr_err("missing policy name");
		return -E_USAGE;
	}
	if (mode == ARGS_ADD && !strcmp(argv[0], "none")) {
		/* "default-policy none" could never name it */
		pr_err("policy name \"none\" is reserved");
		return -EINVAL;
	}
	err = mode == ARGS_ADD ? args_new_name(argv[0], "policy", p->name) :
				 args_ref_name(argv[0], "policy", p->name);
	if (!err)
		err = args_parse(policy_kw, mode, p, argc - 1, argv + 1);
	if (err)
		return err;
	MARK(p, MWAN_POLICY_A_NAME);
	if (mode == ARGS_SET && argc == 1) {
		pr_err("nothing to set");
		return -E_USAGE;
	}
	return 0;
}

/* rules */

static int r_id(void *obj, const char *s)
{
	struct mwan_rule *r = obj;

	MARK(r, MWAN_RULE_A_ID);
	return args_u32("rule id", s, 1, MWAN_RULE_ID_MAX, &r->id);
}

static int r_policy(void *obj, const char *s)
{
	struct mwan_rule *r = obj;

	return args_ref_name(s, "policy", r->policy_name);
}

static int r_family(void *obj, const char *s)
{
	struct mwan_rule *r = obj;
	unsigned int v;
	int err;

	err = args_word("family", s, family_words, &v);
	r->family = v;
	MARK(r, MWAN_RULE_A_FAMILY);
	return err;
}

static int r_proto(void *obj, const char *s)
{
	struct mwan_rule *r = obj;

	MARK(r, MWAN_RULE_A_PROTO);
	if (parse_proto(s, &r->proto)) {
		pr_err("invalid protocol \"%s\" (a name like tcp, or 1..255)",
		       s);
		return -EINVAL;
	}
	return 0;
}

static int r_prefix(const char *s, struct mwan_prefix *p)
{
	int err = parse_prefix(s, p);

	if (err == -EDOM)
		pr_err("invalid prefix \"%s\": host bits set", s);
	else if (err)
		pr_err("invalid prefix \"%s\"", s);
	return err;
}

static int r_src(void *obj, const char *s)
{
	struct mwan_rule *r = obj;

	r->set |= BIT(MWAN_RULE_A_SRC) | BIT(MWAN_RULE_A_SRC_LEN);
	return r_prefix(s, &r->src);
}

static int r_dst(void *obj, const char *s)
{
	struct mwan_rule *r = obj;

	r->set |= BIT(MWAN_RULE_A_DST) | BIT(MWAN_RULE_A_DST_LEN);
	return r_prefix(s, &r->dst);
}

static int r_ports(const char *s, uint16_t *min, uint16_t *max)
{
	if (parse_port_range(s, min, max)) {
		pr_err("invalid port range \"%s\" (P or P-P, 0..65535)", s);
		return -EINVAL;
	}
	return 0;
}

static int r_sport(void *obj, const char *s)
{
	struct mwan_rule *r = obj;

	r->set |= BIT(MWAN_RULE_A_SPORT_MIN) | BIT(MWAN_RULE_A_SPORT_MAX);
	return r_ports(s, &r->sport_min, &r->sport_max);
}

static int r_dport(void *obj, const char *s)
{
	struct mwan_rule *r = obj;

	r->set |= BIT(MWAN_RULE_A_DPORT_MIN) | BIT(MWAN_RULE_A_DPORT_MAX);
	return r_ports(s, &r->dport_min, &r->dport_max);
}

static int r_iif(void *obj, const char *s)
{
	struct mwan_rule *r = obj;

	MARK(r, MWAN_RULE_A_IIFINDEX);
	return args_dev(s, &r->iifindex);
}

static int r_mark(void *obj, const char *s)
{
	struct mwan_rule *r = obj;
	int err;

	r->set |= BIT(MWAN_RULE_A_MARK) | BIT(MWAN_RULE_A_MARK_MASK);
	err = parse_mark(s, &r->mark, &r->mark_mask);
	if (err == -EDOM)
		pr_err("invalid mark \"%s\": value has bits outside the mask",
		       s);
	else if (err)
		pr_err("invalid mark \"%s\" (V or V/M)", s);
	return err;
}

/* The kernel matches by id: resolve it now, the path is kept for show. */
static int r_cgroup(void *obj, const char *s)
{
	struct mwan_rule *r = obj;
	int err;

	r->set |= BIT(MWAN_RULE_A_CGROUP_ID) | BIT(MWAN_RULE_A_CGROUP_LEVEL);
	err = parse_cgroup_path(s, r->cgroup, &r->cgroup_level);
	if (err) {
		pr_err("invalid cgroup \"%s\" (a path under %s)", s,
		       MWAN_CGROUP_ROOT);
		return err;
	}
	err = cgroup_id(r->cgroup, &r->cgroup_id);
	if (err == -ENOENT)
		pr_err("no cgroup \"%s\"", s);
	else if (err == -ENOTDIR)
		pr_err("\"%s\" is not a cgroup v2 directory", s);
	else if (err)
		pr_err("cgroup \"%s\": %s", s, strerror(-err));
	return err;
}

static int r_local(void *obj, const char *s)
{
	struct mwan_rule *r = obj;

	(void)s;
	r->flags |= MWAN_RULE_F_LOCAL;
	return 0;
}

static int r_no_forward(void *obj, const char *s)
{
	struct mwan_rule *r = obj;

	(void)s;
	r->flags |= MWAN_RULE_F_NO_FORWARD;
	return 0;
}

static const struct keyword rule_kw[] = {
	KW("id", r_id, .add_only = true),
	KW("policy", r_policy),
	KW("family", r_family),
	KW("proto", r_proto),
	KW("src", r_src),
	KW("dst", r_dst),
	KW("sport", r_sport),
	KW("dport", r_dport),
	KW("iif", r_iif),
	KW("mark", r_mark),
	KW("cgroup", r_cgroup),
	KW("local", r_local, .flag = true),
	KW("no-forward", r_no_forward, .flag = true),
	{ }
};

static const char *family_name(uint8_t family)
{
	return word_name(family_words, family);
}

/* What the kernel would refuse anyway, said in the syntax's own words. */
static int rule_check(const struct mwan_rule *r)
{
	uint8_t family = HAS(r, MWAN_RULE_A_FAMILY) ? r->family : 0;

	if (HAS(r, MWAN_RULE_A_SRC) && HAS(r, MWAN_RULE_A_DST) &&
	    r->src.family != r->dst.family) {
		pr_err("src and dst are of different families");
		return -EINVAL;
	}
	if (family && ((HAS(r, MWAN_RULE_A_SRC) && r->src.family != family) ||
		       (HAS(r, MWAN_RULE_A_DST) && r->dst.family != family))) {
		pr_err("address does not match family %s", family_name(family));
		return -EINVAL;
	}
	if (HAS(r, MWAN_RULE_A_CGROUP_ID) &&
	    (family == AF_INET6 ||
	     (HAS(r, MWAN_RULE_A_SRC) && r->src.family == AF_INET6) ||
	     (HAS(r, MWAN_RULE_A_DST) && r->dst.family == AF_INET6))) {
		pr_err("cgroup rules balance IPv4 only (use mwanctl exec to pin a program's IPv6)");
		return -EINVAL;
	}
	if (HAS(r, MWAN_RULE_A_CGROUP_ID) && HAS(r, MWAN_RULE_A_IIFINDEX)) {
		pr_err("iif only applies to forwarded flows, cgroup only to the router's own");
		return -EINVAL;
	}
	if ((HAS(r, MWAN_RULE_A_SPORT_MIN) || HAS(r, MWAN_RULE_A_DPORT_MIN)) &&
	    (!HAS(r, MWAN_RULE_A_PROTO) || !proto_has_ports(r->proto))) {
		pr_err("sport and dport need proto tcp, udp, udplite, sctp or dccp");
		return -EINVAL;
	}
	return 0;
}

int args_rule(int argc, char **argv, enum args_mode mode, struct mwan_rule *r)
{
	int err;

	if (!argc) {
		pr_err("missing rule name");
		return -E_USAGE;
	}
	err = mode == ARGS_ADD ? args_new_name(argv[0], "rule", r->name) :
				 args_ref_name(argv[0], "rule", r->name);
	if (!err)
		err = args_parse(rule_kw, mode, r, argc - 1, argv + 1);
	if (err)
		return err;
	MARK(r, MWAN_RULE_A_NAME);
	/* "set" replaces all matches: no flag given means flags cleared */
	MARK(r, MWAN_RULE_A_FLAGS);
	if (mode == ARGS_ADD && !r->policy_name[0]) {
		pr_err("\"policy\" is required");
		return -E_USAGE;
	}
	return rule_check(r);
}
