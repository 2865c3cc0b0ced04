// SPDX-License-Identifier: GPL-2.0
/*
 * A file becomes the running configuration, at start and on SIGHUP, and
 * what is running carries over into it:
 *  - a checked link keeps its verdict, from the agent before the reload
 *    or, after a restart, from the kernel (the health the agent pushed):
 *    a link that was down stays down until its checks say otherwise;
 *  - a state set by hand stays set (held), whatever the file says;
 *  - on a reload, a weight set by hand stays unless the file changed that
 *    link's weight itself.
 * The kernel takes the new file in one replace, or not at all: a broken
 * or refused file leaves everything running as it was. A replace keeps
 * every connection on its link.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "confparse.h"

/* What a checked link of the new file starts from */
struct carried {
	bool known;			/* else the check's "initial" */
	struct health h;
	bool held;
	uint8_t kstate;
};

static const struct mwan_link *find_link(const struct mwan_link *v,
					 unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static const struct alink *find_alink(const struct agent *a, const char *name)
{
	unsigned int i;

	for (i = 0; i < a->n_links; i++)
		if (!strcmp(a->links[i].name, name))
			return &a->links[i];
	return NULL;
}

static void carry_link(const struct agent *a, const struct check *c,
		       const struct mwan_link *kv, unsigned int kn,
		       struct carried *out)
{
	const struct alink *old = find_alink(a, c->link);
	const struct mwan_link *k = find_link(kv, kn, c->link);
	uint8_t verdict;

	health_init(&out->h, &c->hc);
	if (old) {
		out->known = true;
		out->h.up = old->h.up;
		out->h.carrier = old->h.carrier;
		out->h.rtt_us = old->h.rtt_us;
		out->held = old->held;
		out->kstate = old->kstate;
		return;
	}
	if (!k || !HAS(k, MWAN_LINK_A_HEALTH) ||
	    k->health == MWAN_LINK_HEALTH_UNKNOWN)
		return;
	/* a restart: the kernel remembers what the last agent found */
	out->known = true;
	out->h.up = k->health == MWAN_LINK_HEALTH_UP;
	verdict = out->h.up ? MWAN_LINK_UP : MWAN_LINK_DOWN;
	out->kstate = k->state;
	out->held = k->state != verdict;
}

/* Weights set by hand since the last file, kept if the new one agrees */
static void carry_weight(const struct agent *a, struct mwan_link *nl,
			 const struct mwan_link *k)
{
	const struct mwan_link *ol = a->cfg.links ?
		mwan_link_by_name(&a->cfg, nl->name) : NULL;
	uint32_t file_old, file_new;

	if (!k || !ol || !HAS(k, MWAN_LINK_A_WEIGHT))
		return;
	file_old = HAS(ol, MWAN_LINK_A_WEIGHT) ? ol->weight : 1;
	file_new = HAS(nl, MWAN_LINK_A_WEIGHT) ? nl->weight : 1;
	if (k->weight == file_old)
		return;
	if (file_new != file_old) {
		agent_log("%s: weight %u set by hand gives way to the file's new %u",
			  nl->name, k->weight, file_new);
		return;
	}
	agent_log("%s: weight %u set by hand stays (the file says %u)",
		  nl->name, k->weight, file_new);
	nl->weight = k->weight;
	MARK(nl, MWAN_LINK_A_WEIGHT);
}

/* Fill @cv (one per check of @ac) and make @cfg say what carries over. */
static int carry_over(struct agent *a, struct mwan_config *cfg,
		      const struct agent_conf *ac, struct carried *cv)
{
	struct mwan_link *kv = NULL, *l;
	unsigned int i, kn = 0;
	int err;

	err = kernel_dump_links(a, &kv, &kn);
	if (err)
		return err;
	for (i = 0; i < ac->checks.n; i++) {
		const struct check *c = &ac->checks.v[i];

		carry_link(a, c, kv, kn, &cv[i]);
		l = mwan_link_by_name(cfg, c->link);
		if (!cv[i].known)
			continue;
		if (cv[i].held) {
			l->state = cv[i].kstate;
			agent_log("%s: state %s was set by hand: it stays (the checks say %s)",
				  c->link, link_state_name(cv[i].kstate),
				  cv[i].h.up ? "up" : "down");
		} else {
			l->state = cv[i].h.up ? MWAN_LINK_UP : MWAN_LINK_DOWN;
		}
	}
	for (i = 0; i < cfg->n_links; i++)
		carry_weight(a, &cfg->links[i],
			     find_link(kv, kn, cfg->links[i].name));
	free(kv);
	return 0;
}

static int links_init(struct agent *a, const struct carried *cv)
{
	const struct checks *cs = &a->conf.checks;
	unsigned int i;

	a->links = calloc(cs->n ? cs->n : 1, sizeof(*a->links));
	if (!a->links)
		return -ENOMEM;
	a->n_links = cs->n;
	for (i = 0; i < cs->n; i++) {
		struct alink *l = &a->links[i];

		l->agent = a;
		l->check = &cs->v[i];
		l->name = cs->v[i].link;
		l->timer.fd = l->sock4.fd = l->sock6.fd = -1;
		/* our echo id: apart from other pingers and other links */
		l->ident = (getpid() << 4) + i;
		l->h = cv[i].h;
		l->held = cv[i].held;
		l->kstate = cv[i].held ? cv[i].kstate :
			    (l->h.up ? MWAN_LINK_UP : MWAN_LINK_DOWN);
	}
	return 0;
}

static void links_stop(struct agent *a)
{
	unsigned int i;

	for (i = 0; i < a->n_links; i++)
		link_stop(&a->links[i]);
	free(a->links);
	a->links = NULL;
	a->n_links = 0;
}

/* The links' probes, from a state the kernel has just been told */
static int links_start(struct agent *a)
{
	unsigned int i;
	int err = kernel_read_links(a);

	for (i = 0; i < a->n_links && !err; i++) {
		err = link_start(&a->links[i]);
		/* the checks' verdict shows at once beside the state */
		if (!err)
			kernel_push(&a->links[i], false);
	}
	if (!err && !a->n_links)
		agent_log("no link has a check: nothing to watch");
	return err;
}

/*
 * Carry over, then replace the kernel's configuration with @cfg. On
 * success @cv says how each check of @ac starts.
 */
static int apply(struct agent *a, struct mwan_config *cfg,
		 const struct agent_conf *ac, struct carried **cv)
{
	int err;

	*cv = calloc(ac->checks.n ? ac->checks.n : 1, sizeof(**cv));
	if (!*cv)
		return -ENOMEM;
	err = carry_over(a, cfg, ac, *cv);
	if (!err)
		err = config_apply(&a->nl, cfg, a->fname);
	if (!err)
		agent_log("%s applied: %u links, %u policies, %u rules, %u checks",
			  a->fname, cfg->n_links, cfg->n_policies, cfg->n_rules,
			  ac->checks.n);
	return err;
}

int agent_start(struct agent *a)
{
	struct carried *cv = NULL;
	int err;

	err = apply(a, &a->cfg, &a->conf, &cv);
	if (!err)
		err = links_init(a, cv);
	free(cv);
	/* the links' tables before their first probe, which uses them */
	if (!err)
		err = routing_start(a, &a->conf.routing);
	if (!err)
		err = prefix_start(a, &a->conf.prefixes);
	if (!err)
		err = carrier_open(a);
	if (!err)
		err = kevents_open(a);
	if (!err)
		err = links_start(a);
	return err;
}

/* Routing on or off by the new file; the same way, only its conf moves */
static void routing_follow(struct agent *a)
{
	if (a->routing && a->conf.routing.off) {
		agent_log("routing off now: the agent's tables and rules go");
		routing_free(a->routing);
		a->routing = NULL;
		routing_cleanup_quiet();
	} else if (a->routing) {
		routing_set_conf(a->routing, &a->conf.routing);
	} else if (!a->conf.routing.off) {
		routing_start(a, &a->conf.routing);
	}
}

void agent_reload(struct agent *a)
{
	struct mwan_config cfg = { 0 };
	struct carried *cv = NULL;
	struct agent_conf ac;
	int err;

	agent_log("SIGHUP: reading %s again", a->fname);
	err = agent_conf_load(a->fname, &cfg, &ac);
	if (!err)
		err = apply(a, &cfg, &ac, &cv);
	if (err) {
		agent_log("reload failed: the running configuration stays");
		agent_conf_release(&ac);
		mwan_config_release(&cfg);
		free(cv);
		return;
	}
	links_stop(a);
	prefix_free(a->prefixes);
	a->prefixes = NULL;
	agent_conf_release(&a->conf);
	mwan_config_release(&a->cfg);
	a->conf = ac;
	a->cfg = cfg;
	err = links_init(a, cv);
	free(cv);
	routing_follow(a);
	if (!err)
		err = prefix_start(a, &a->conf.prefixes);
	if (!err)
		err = links_start(a);
	if (!err)
		carrier_refresh(a);
	if (err)
		agent_log("reload: the new checks cannot run: %s",
			  strerror(-err));
}

void agent_stop(struct agent *a)
{
	links_stop(a);
	kevents_close(a);
	carrier_close(a);
	routing_free(a->routing);
	a->routing = NULL;
	prefix_free(a->prefixes);
	a->prefixes = NULL;
}
