// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/if_addr.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "prefix.h"
#include "util.h"

static const struct prefix_conf *find(const struct prefix_confs *pc,
				      const char *link)
{
	unsigned int i;

	for (i = 0; i < pc->n; i++)
		if (!strcmp(pc->v[i].link, link))
			return &pc->v[i];
	return NULL;
}

static int prefix_opt(struct prefix_conf *c, const char *kw, const char *val)
{
	if (!strcmp(kw, "dev")) {
		if (strlen(val) >= sizeof(c->dev) || strchr(val, '/')) {
			pr_err("invalid device name \"%s\"", val);
			return -EINVAL;
		}
		strcpy(c->dev, val);
		return 0;
	}
	if (!strcmp(kw, "within")) {
		if (parse_prefix(val, &c->within) ||
		    c->within.family != AF_INET6) {
			pr_err("invalid within \"%s\" (an IPv6 PREFIX/LEN)",
			       val);
			return -EINVAL;
		}
		c->has_within = true;
		return 0;
	}
	pr_err("unknown keyword \"%s\" (dev, within)", kw);
	return -EINVAL;
}

int prefix_line(void *data, int argc, char **argv, unsigned int line)
{
	struct prefix_confs *pc = data;
	struct prefix_conf c = { .line = line };
	const struct prefix_conf *old;
	int i;

	if (argc < 2 || parse_name(argv[1], c.link)) {
		pr_err("prefix needs a link: prefix LINK [dev DEVICE] [within PREFIX/LEN]");
		return -EINVAL;
	}
	old = find(pc, c.link);
	if (old) {
		pr_err("prefix for \"%s\" given twice (first on line %u)",
		       c.link, old->line);
		return -EINVAL;
	}
	for (i = 2; i < argc; i += 2) {
		if (i + 1 >= argc) {
			pr_err("%s needs a value", argv[i]);
			return -EINVAL;
		}
		if (prefix_opt(&c, argv[i], argv[i + 1]))
			return -EINVAL;
	}
	if (!array_add(&pc->v, &pc->n, sizeof(c)))
		return -ENOMEM;
	pc->v[pc->n - 1] = c;
	return 0;
}

int prefix_resolve(const struct prefix_confs *pc,
		   const struct mwan_config *cfg, const char *fname)
{
	const struct mwan_link *l;
	unsigned int i;
	int err = 0;

	for (i = 0; i < pc->n && !err; i++) {
		l = mwan_link_by_name(cfg, pc->v[i].link);
		err_context(fname, pc->v[i].line);
		if (!l) {
			pr_err("prefix of unknown link \"%s\"", pc->v[i].link);
			err = -ENOENT;
		} else if (!mwan_link_has_npt(l)) {
			pr_err("prefix of link \"%s\", which has no npt: give it one (its internal prefix, and the external one to start with)",
			       pc->v[i].link);
			err = -EINVAL;
		}
	}
	err_context(NULL, 0);
	return err;
}

void prefix_release(struct prefix_confs *pc)
{
	free(pc->v);
	pc->v = NULL;
	pc->n = 0;
}

static bool within(const struct mwan_prefix *p, const uint8_t a[16])
{
	unsigned int bytes = p->len / 8, bits = p->len % 8;

	if (memcmp(p->addr, a, bytes))
		return false;
	return !bits || !((p->addr[bytes] ^ a[bytes]) & (0xff << (8 - bits)));
}

static bool candidate(const struct prefix_conf *c, const struct prefix_addr *a,
		      uint8_t len)
{
	const uint32_t unfit = IFA_F_TEMPORARY | IFA_F_TENTATIVE |
			       IFA_F_DADFAILED | IFA_F_DEPRECATED;
	static const uint8_t zero[16];

	if (a->flags & unfit || !a->preferred)
		return false;
	/* global: not link-local, multicast or the unspecified/loopback */
	if ((a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80) ||
	    a->addr[0] == 0xff || !memcmp(a->addr, zero, 15))
		return false;
	if (a->plen != 128 && a->plen != len)
		return false;
	return !c->has_within || within(&c->within, a->addr);
}

bool prefix_pick(const struct prefix_conf *c, const struct prefix_addr *a,
		 unsigned int n, uint8_t len, uint8_t out[16])
{
	const struct prefix_addr *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!candidate(c, &a[i], len))
			continue;
		/* the newest delegation outlives the one it replaces */
		if (!best || a[i].preferred > best->preferred ||
		    (a[i].preferred == best->preferred &&
		     memcmp(a[i].addr, best->addr, 16) < 0))
			best = &a[i];
	}
	if (!best)
		return false;
	memset(out, 0, 16);
	memcpy(out, best->addr, len / 8);
	if (len % 8)
		out[len / 8] = best->addr[len / 8] & (0xff << (8 - len % 8));
	return true;
}
