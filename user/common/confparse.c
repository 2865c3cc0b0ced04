// SPDX-License-Identifier: GPL-2.0
/*
 * The "config replace" file: lines of the add/set syntax, parsed into one
 * model. References resolve within the file (forward ones too), objects
 * without an id get the lowest free one in file order, so the file alone
 * says what the kernel will run.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "confparse.h"
#include "util.h"

struct line {
	char **argv;
	int argc;
	unsigned int n_alloc;
};

/* Split at blanks; '#' starts a comment. The words point into @s. */
static int tokenize(char *s, struct line *l)
{
	char **w;

	l->argc = 0;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			return 0;
		if ((unsigned int)l->argc == l->n_alloc) {
			l->n_alloc = l->n_alloc ? l->n_alloc * 2 : 16;
			w = realloc(l->argv, l->n_alloc * sizeof(*w));
			if (!w)
				return -ENOMEM;
			l->argv = w;
		}
		l->argv[l->argc++] = s;
		while (*s && !isspace((unsigned char)*s) && *s != '#')
			s++;
		if (*s == '#') {
			*s = '\0';
			return 0;
		}
		if (*s)
			*s++ = '\0';
	}
}

static void merge_globals(struct mwan_globals *dst,
			  const struct mwan_globals *src, unsigned int line)
{
	if (HAS(src, MWAN_A_MARK_MASK))
		dst->mark_mask = src->mark_mask;
	if (HAS(src, MWAN_A_ENABLED))
		dst->enabled = src->enabled;
	if (HAS(src, MWAN_A_DEFAULT_POLICY)) {
		dst->default_policy = 0;
		strcpy(dst->default_policy_name, src->default_policy_name);
		dst->line = line;
	}
	dst->set |= src->set;
}

static int line_globals(struct mwan_config *cfg, int argc, char **argv,
			unsigned int line)
{
	struct mwan_globals g = { 0 };
	int err;

	err = args_globals(argc, argv, &g);
	if (!err)
		merge_globals(&cfg->globals, &g, line);
	return err;
}

static int line_link_add(struct mwan_config *cfg, int argc, char **argv,
			 unsigned int line)
{
	struct mwan_link *l, *old;
	int err;

	old = argc ? mwan_link_by_name(cfg, argv[0]) : NULL;
	if (old) {
		pr_err("link \"%s\" already added on line %u", argv[0],
		       old->line);
		return -EEXIST;
	}
	l = mwan_add_link(cfg);
	if (!l)
		return -ENOMEM;
	l->line = line;
	err = args_link(argc, argv, ARGS_ADD, l);
	if (err)
		cfg->n_links--;
	return err;
}

static int line_link_set(struct mwan_config *cfg, int argc, char **argv)
{
	struct mwan_link s = { 0 }, *l;
	int err;

	err = args_link(argc, argv, ARGS_SET, &s);
	if (err)
		return err;
	l = mwan_link_by_name(cfg, s.name);
	if (!l) {
		pr_err("link \"%s\" is not added before this line", s.name);
		return -ENOENT;
	}
	if (HAS(&s, MWAN_LINK_A_IFINDEX))
		l->ifindex = s.ifindex;
	if (HAS(&s, MWAN_LINK_A_STATE))
		l->state = s.state;
	if (HAS(&s, MWAN_LINK_A_WEIGHT))
		l->weight = s.weight;
	if (HAS(&s, MWAN_LINK_A_RTT_US))
		l->rtt_us = s.rtt_us;
	if (HAS(&s, MWAN_LINK_A_LOSS_PPM))
		l->loss_ppm = s.loss_ppm;
	if (HAS(&s, MWAN_LINK_A_NPT))
		l->npt = s.npt;
	if (HAS(&s, MWAN_LINK_A_MAP4))
		l->map4 = s.map4;
	l->set |= s.set;
	/* the file adds the link: after "off" it has none, so no nest */
	if (HAS(l, MWAN_LINK_A_NPT) && !l->npt.set)
		l->set &= ~BIT(MWAN_LINK_A_NPT);
	if (HAS(l, MWAN_LINK_A_MAP4) && !l->map4.set)
		l->set &= ~BIT(MWAN_LINK_A_MAP4);
	return 0;
}

static void members_line(struct mwan_policy *p, unsigned int line)
{
	unsigned int i;

	for (i = 0; i < p->n_members; i++)
		p->members[i].line = line;
}

static int line_policy_add(struct mwan_config *cfg, int argc, char **argv,
			   unsigned int line)
{
	struct mwan_policy *p, *old;
	int err;

	old = argc ? mwan_policy_by_name(cfg, argv[0]) : NULL;
	if (old) {
		pr_err("policy \"%s\" already added on line %u", argv[0],
		       old->line);
		return -EEXIST;
	}
	p = mwan_add_policy(cfg);
	if (!p)
		return -ENOMEM;
	p->line = line;
	err = args_policy(argc, argv, ARGS_ADD, p);
	if (err) {
		mwan_policy_release(p);
		cfg->n_policies--;
		return err;
	}
	members_line(p, line);
	return 0;
}

static int line_policy_set(struct mwan_config *cfg, int argc, char **argv,
			   unsigned int line)
{
	struct mwan_policy s = { 0 }, *p;
	int err;

	err = args_policy(argc, argv, ARGS_SET, &s);
	p = err ? NULL : mwan_policy_by_name(cfg, s.name);
	if (!err && !p) {
		pr_err("policy \"%s\" is not added before this line", s.name);
		err = -ENOENT;
	}
	if (err) {
		mwan_policy_release(&s);
		return err;
	}
	if (HAS(&s, MWAN_POLICY_A_MODE))
		p->mode = s.mode;
	if (HAS(&s, MWAN_POLICY_A_LAST_RESORT))
		p->last_resort = s.last_resort;
	if (HAS(&s, MWAN_POLICY_A_MEMBERS)) {
		/* as in the kernel: a new member list replaces the old */
		mwan_policy_release(p);
		p->members = s.members;
		p->n_members = s.n_members;
		members_line(p, line);
	}
	p->set |= s.set;
	return 0;
}

static int line_rule_add(struct mwan_config *cfg, int argc, char **argv,
			 unsigned int line)
{
	struct mwan_rule *r, *old;
	int err;

	old = argc ? mwan_rule_by_name(cfg, argv[0]) : NULL;
	if (old) {
		pr_err("rule \"%s\" already added on line %u", argv[0],
		       old->line);
		return -EEXIST;
	}
	r = mwan_add_rule(cfg);
	if (!r)
		return -ENOMEM;
	r->line = line;
	err = args_rule(argc, argv, ARGS_ADD, r);
	if (err)
		cfg->n_rules--;
	return err;
}

/* As in the kernel: the matches are replaced, id and policy stay. */
static int line_rule_set(struct mwan_config *cfg, int argc, char **argv,
			 unsigned int line)
{
	struct mwan_rule s = { 0 }, *r;
	int err;

	err = args_rule(argc, argv, ARGS_SET, &s);
	if (err)
		return err;
	r = mwan_rule_by_name(cfg, s.name);
	if (!r) {
		pr_err("rule \"%s\" is not added before this line", s.name);
		return -ENOENT;
	}
	if (!s.policy_name[0])
		strcpy(s.policy_name, r->policy_name);
	s.id = r->id;
	s.set |= r->set & BIT(MWAN_RULE_A_ID);
	s.line = line;
	*r = s;
	return 0;
}

const char *const config_agent_words[] = {
	"check", "routing", "route", "prefix", "hooks", NULL
};

static bool agent_line(const char *word)
{
	const char *const *w;

	for (w = config_agent_words; *w; w++)
		if (!strcmp(*w, word))
			return true;
	return false;
}

static int config_line(struct mwan_config *cfg, int argc, char **argv,
		       unsigned int line)
{
	const char *obj = argv[0], *verb = argc > 1 ? argv[1] : "";
	bool add = !strcmp(verb, "add"), set = !strcmp(verb, "set");

	argc -= 2;
	argv += 2;
	if (!strcmp(obj, "globals") && set)
		return line_globals(cfg, argc, argv, line);
	if (!strcmp(obj, "link") && add)
		return line_link_add(cfg, argc, argv, line);
	if (!strcmp(obj, "link") && set)
		return line_link_set(cfg, argc, argv);
	if (!strcmp(obj, "policy") && add)
		return line_policy_add(cfg, argc, argv, line);
	if (!strcmp(obj, "policy") && set)
		return line_policy_set(cfg, argc, argv, line);
	if (!strcmp(obj, "rule") && add)
		return line_rule_add(cfg, argc, argv, line);
	if (!strcmp(obj, "rule") && set)
		return line_rule_set(cfg, argc, argv, line);
	pr_err("expected \"globals set\", \"link add|set\", \"policy add|set\" or \"rule add|set\", not \"%s%s%s\"",
	       obj, *verb ? " " : "", verb);
	return -EINVAL;
}

/* Where one kind of object keeps its id, set bitmap and line. */
struct id_layout {
	const char *what;
	size_t stride;
	size_t id_off, set_off, line_off;
	unsigned int id_attr;
	uint32_t max;
};

#define ID_LAYOUT(what, type, attr, max) \
	{ what, sizeof(type), offsetof(type, id), offsetof(type, set), \
	  offsetof(type, line), attr, max }

static const struct id_layout link_ids =
	ID_LAYOUT("link", struct mwan_link, MWAN_LINK_A_ID, MWAN_LINK_ID_MAX);
static const struct id_layout policy_ids =
	ID_LAYOUT("policy", struct mwan_policy, MWAN_POLICY_A_ID,
		  MWAN_POLICY_ID_MAX);
static const struct id_layout rule_ids =
	ID_LAYOUT("rule", struct mwan_rule, MWAN_RULE_A_ID, MWAN_RULE_ID_MAX);

struct id_obj {
	uint32_t *id;
	uint32_t *set;
	unsigned int line;
};

static struct id_obj id_obj(const struct id_layout *lay, void *arr,
			    unsigned int i)
{
	char *o = (char *)arr + i * lay->stride;

	return (struct id_obj) {
		(uint32_t *)(o + lay->id_off),
		(uint32_t *)(o + lay->set_off),
		*(unsigned int *)(o + lay->line_off),
	};
}

/* Check the ids given, then give the lowest free ones in file order. */
static int assign_ids(const struct id_layout *lay, void *arr, unsigned int n,
		      const char *fname)
{
	unsigned int *used_on = calloc(lay->max + 1, sizeof(*used_on));
	uint32_t next = 1;
	struct id_obj o;
	unsigned int i;
	int err = 0;

	if (!used_on)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		o = id_obj(lay, arr, i);
		if (!(*o.set & BIT(lay->id_attr)))
			continue;
		if (used_on[*o.id]) {
			err_context(fname, o.line);
			pr_err("%s id %u is already used on line %u", lay->what,
			       *o.id, used_on[*o.id]);
			err = -EEXIST;
		}
		used_on[*o.id] = o.line;
	}
	for (i = 0; i < n && !err; i++) {
		o = id_obj(lay, arr, i);
		if (*o.set & BIT(lay->id_attr))
			continue;
		while (next <= lay->max && used_on[next])
			next++;
		if (next > lay->max) {
			err_context(fname, o.line);
			pr_err("no free %s id left (1..%u)", lay->what,
			       lay->max);
			err = -ENOSPC;
			break;
		}
		*o.id = next;
		*o.set |= BIT(lay->id_attr);
		used_on[next] = o.line;
	}
	free(used_on);
	return err;
}

static int resolve_refs(struct mwan_config *cfg, const char *fname)
{
	const struct mwan_policy *pol;
	const struct mwan_link *l;
	unsigned int i, k;

	for (i = 0; i < cfg->n_policies; i++) {
		struct mwan_policy *p = &cfg->policies[i];

		for (k = 0; k < p->n_members; k++) {
			struct mwan_member *m = &p->members[k];

			l = mwan_link_by_name(cfg, m->link_name);
			if (!l) {
				err_context(fname, m->line);
				pr_err("unknown link \"%s\"", m->link_name);
				return -ENOENT;
			}
			m->link = l->id;
		}
	}
	for (i = 0; i < cfg->n_rules; i++) {
		struct mwan_rule *r = &cfg->rules[i];

		pol = mwan_policy_by_name(cfg, r->policy_name);
		if (!pol) {
			err_context(fname, r->line);
			pr_err("unknown policy \"%s\"", r->policy_name);
			return -ENOENT;
		}
		r->policy = pol->id;
		MARK(r, MWAN_RULE_A_POLICY);
	}
	/* The file is the whole configuration: no default policy, none. */
	if (cfg->globals.default_policy_name[0]) {
		pol = mwan_policy_by_name(cfg, cfg->globals.default_policy_name);
		if (!pol) {
			err_context(fname, cfg->globals.line);
			pr_err("unknown policy \"%s\"",
			       cfg->globals.default_policy_name);
			return -ENOENT;
		}
		cfg->globals.default_policy = pol->id;
	}
	MARK(&cfg->globals, MWAN_A_DEFAULT_POLICY);
	return 0;
}

static int config_finish(struct mwan_config *cfg, const char *fname)
{
	int err;

	err = assign_ids(&link_ids, cfg->links, cfg->n_links, fname);
	if (!err)
		err = assign_ids(&policy_ids, cfg->policies, cfg->n_policies,
				 fname);
	if (!err)
		err = assign_ids(&rule_ids, cfg->rules, cfg->n_rules, fname);
	if (!err)
		err = resolve_refs(cfg, fname);
	err_context(NULL, 0);
	return err;
}

int config_parse_agent(FILE *f, const char *fname, struct mwan_config *cfg,
		       config_line_fn fn, void *data)
{
	struct line l = { 0 };
	unsigned int lineno = 0;
	size_t cap = 0;
	char *buf = NULL;
	int err = 0;

	while (!err && getline(&buf, &cap, f) >= 0) {
		lineno++;
		err = tokenize(buf, &l);
		if (err || !l.argc)
			continue;
		err_context(fname, lineno);
		if (!agent_line(l.argv[0]))
			err = config_line(cfg, l.argc, l.argv, lineno);
		else if (fn)
			err = fn(data, l.argc, l.argv, lineno);
	}
	err_context(NULL, 0);
	if (!err && ferror(f)) {
		pr_err("cannot read %s", fname);
		err = -EIO;
	}
	if (err == -ENOMEM)
		pr_err("out of memory");
	free(buf);
	free(l.argv);
	if (!err)
		err = config_finish(cfg, fname);
	return err;
}

int config_parse(FILE *f, const char *fname, struct mwan_config *cfg)
{
	return config_parse_agent(f, fname, cfg, NULL, NULL);
}
