// SPDX-License-Identifier: GPL-2.0
/*
 * mwanctl flows [--link NAME] [--policy NAME] [-s]: the connections on
 * each link, as conntrack has them, told apart by their mark's link bits.
 * One link's are filtered in the kernel by its mark; a policy's are its
 * member links'. One line per entry, or a count per link (-s). Built for
 * large tables: one dump, each entry printed as it comes, nothing kept.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "ct.h"
#include "json.h"
#include "mwanctl.h"

#define NLINKS		(MWAN_LINK_ID_MAX + 1)

struct link_count {
	uint64_t all, tcp, udp, other, v4, v6;
};

struct flows {
	struct ctx *ctx;
	struct mwan_config cfg;
	uint32_t mask;
	unsigned int shift;
	bool want[NLINKS];		/* the links asked for */
	bool all;			/* every link, and the unmarked */
	bool summary;
	struct link_count count[NLINKS];
	struct json j;
	uint64_t listed;
};

static const char *const tcp_states[] = {
	[TCP_CONNTRACK_NONE] = "none",
	[TCP_CONNTRACK_SYN_SENT] = "syn_sent",
	[TCP_CONNTRACK_SYN_RECV] = "syn_recv",
	[TCP_CONNTRACK_ESTABLISHED] = "established",
	[TCP_CONNTRACK_FIN_WAIT] = "fin_wait",
	[TCP_CONNTRACK_CLOSE_WAIT] = "close_wait",
	[TCP_CONNTRACK_LAST_ACK] = "last_ack",
	[TCP_CONNTRACK_TIME_WAIT] = "time_wait",
	[TCP_CONNTRACK_CLOSE] = "close",
	[TCP_CONNTRACK_SYN_SENT2] = "syn_sent2",
};

/* One side of a tuple: address and port (0: the protocol has none) */
struct end {
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;
	bool has_port;
};

/* The ends of the original (@reply false) or the reply tuple */
static void tuple_ends(const struct nf_conntrack *ct, bool reply,
		       struct end *src, struct end *dst)
{
	uint8_t family = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);
	uint8_t proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	bool ports = proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
		     proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
		     proto == IPPROTO_DCCP;

	if (family == AF_INET6) {
		inet_ntop(AF_INET6, nfct_get_attr(ct, reply ?
			  ATTR_REPL_IPV6_SRC : ATTR_ORIG_IPV6_SRC),
			  src->addr, sizeof(src->addr));
		inet_ntop(AF_INET6, nfct_get_attr(ct, reply ?
			  ATTR_REPL_IPV6_DST : ATTR_ORIG_IPV6_DST),
			  dst->addr, sizeof(dst->addr));
	} else {
		inet_ntop(AF_INET, nfct_get_attr(ct, reply ?
			  ATTR_REPL_IPV4_SRC : ATTR_ORIG_IPV4_SRC),
			  src->addr, sizeof(src->addr));
		inet_ntop(AF_INET, nfct_get_attr(ct, reply ?
			  ATTR_REPL_IPV4_DST : ATTR_ORIG_IPV4_DST),
			  dst->addr, sizeof(dst->addr));
	}
	src->has_port = dst->has_port = ports;
	if (!ports)
		return;
	src->port = ntohs(nfct_get_attr_u16(ct, reply ? ATTR_REPL_PORT_SRC :
					    ATTR_ORIG_PORT_SRC));
	dst->port = ntohs(nfct_get_attr_u16(ct, reply ? ATTR_REPL_PORT_DST :
					    ATTR_ORIG_PORT_DST));
}

static bool same_end(const struct end *a, const struct end *b)
{
	return !strcmp(a->addr, b->addr) && a->port == b->port;
}

/* "10.0.0.2:80", "[2001:db8::1]:80", "10.0.0.2" */
static const char *end_str(const struct end *e, bool v6, char *buf,
			   size_t len)
{
	if (!e->has_port)
		snprintf(buf, len, "%s", e->addr);
	else if (v6)
		snprintf(buf, len, "[%s]:%u", e->addr, e->port);
	else
		snprintf(buf, len, "%s:%u", e->addr, e->port);
	return buf;
}

static const char *tcp_state(const struct nf_conntrack *ct)
{
	uint8_t s;

	if (nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO) != IPPROTO_TCP ||
	    nfct_attr_is_set(ct, ATTR_TCP_STATE) <= 0)
		return NULL;
	s = nfct_get_attr_u8(ct, ATTR_TCP_STATE);
	return s < ARRAY_SIZE(tcp_states) ? tcp_states[s] : NULL;
}

static const char *link_name(const struct flows *fl, uint32_t id, char *buf,
			     size_t len)
{
	const struct mwan_link *l = mwan_link_by_id(&fl->cfg, id);

	if (l)
		return l->name;
	if (!id)
		return "-";
	snprintf(buf, len, "#%u", id);
	return buf;
}

/*
 * What conntrack rewrote, seen from the original direction: the source
 * the other side sees (SNAT, masquerade, map4) and the destination it
 * really went to (DNAT); NULL ends where nothing was.
 */
struct nat {
	struct end src, dst;
	bool snat, dnat;
};

static void nat_of(const struct nf_conntrack *ct, const struct end *src,
		   const struct end *dst, struct nat *n)
{
	struct end rsrc, rdst;

	tuple_ends(ct, true, &rsrc, &rdst);
	n->src = rdst;
	n->dst = rsrc;
	n->snat = !same_end(src, &rdst);
	n->dnat = !same_end(dst, &rsrc);
}

static void print_entry(struct flows *fl, const struct nf_conntrack *ct,
			uint32_t id)
{
	bool v6 = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO) == AF_INET6;
	uint8_t proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	uint32_t status = nfct_get_attr_u32(ct, ATTR_STATUS);
	char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8], name[16];
	const char *pn = proto_name(proto), *state = tcp_state(ct);
	struct end src, dst;
	struct nat n;

	tuple_ends(ct, false, &src, &dst);
	nat_of(ct, &src, &dst, &n);
	printf("%s ", link_name(fl, id, name, sizeof(name)));
	if (pn)
		printf("%s", pn);
	else
		printf("%u", proto);
	printf(" %s > %s", end_str(&src, v6, a, sizeof(a)),
	       end_str(&dst, v6, b, sizeof(b)));
	if (!src.has_port && (proto == IPPROTO_ICMP ||
			      proto == IPPROTO_ICMPV6))
		printf(" id %u", ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID)));
	if (state)
		printf(" %s", state);
	if (!(status & IPS_SEEN_REPLY))
		printf(" unreplied");
	printf(" %us", nfct_get_attr_u32(ct, ATTR_TIMEOUT));
	if (n.snat)
		printf(" snat %s", end_str(&n.src, v6, a, sizeof(a)));
	if (n.dnat)
		printf(" dnat %s", end_str(&n.dst, v6, a, sizeof(a)));
	putchar('\n');
}

static void json_end(struct json *j, const char *addr_key,
		     const char *port_key, const struct end *e, bool has)
{
	json_str(j, addr_key, has ? e->addr : NULL);
	if (has && e->has_port)
		json_u64(j, port_key, e->port);
	else
		json_null(j, port_key);
}

static void json_entry(struct flows *fl, const struct nf_conntrack *ct,
		       uint32_t id)
{
	bool v6 = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO) == AF_INET6;
	uint8_t proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	uint32_t status = nfct_get_attr_u32(ct, ATTR_STATUS);
	const struct mwan_link *l = mwan_link_by_id(&fl->cfg, id);
	struct json *j = &fl->j;
	struct end src, dst;
	struct nat n;

	tuple_ends(ct, false, &src, &dst);
	nat_of(ct, &src, &dst, &n);
	json_obj_open(j, NULL);
	json_str(j, "link", l ? l->name : NULL);
	json_u64(j, "link_id", id);
	json_str(j, "family", v6 ? "ipv6" : "ipv4");
	json_u64(j, "proto", proto);
	json_end(j, "src", "sport", &src, true);
	json_end(j, "dst", "dport", &dst, true);
	json_str(j, "state", tcp_state(ct));
	json_u64(j, "timeout", nfct_get_attr_u32(ct, ATTR_TIMEOUT));
	json_u64(j, "mark", ct_mark(ct));
	json_bool(j, "replied", status & IPS_SEEN_REPLY);
	json_bool(j, "assured", status & IPS_ASSURED);
	json_end(j, "snat", "snat_port", &n.src, n.snat);
	json_end(j, "dnat", "dnat_port", &n.dst, n.dnat);
	json_obj_close(j);
}

static void count_entry(struct link_count *c, const struct nf_conntrack *ct)
{
	uint8_t proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);

	c->all++;
	c->tcp += proto == IPPROTO_TCP;
	c->udp += proto == IPPROTO_UDP;
	c->other += proto != IPPROTO_TCP && proto != IPPROTO_UDP;
	if (nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO) == AF_INET6)
		c->v6++;
	else
		c->v4++;
}

static int entry_cb(const struct nf_conntrack *ct, void *data)
{
	struct flows *fl = data;
	uint32_t id = (ct_mark(ct) & fl->mask) >> fl->shift;

	if (id >= NLINKS || (!fl->want[id] && !(fl->all && id)))
		return 0;
	if (fl->summary)
		count_entry(&fl->count[id], ct);
	else if (fl->ctx->json)
		json_entry(fl, ct, id);
	else
		print_entry(fl, ct, id);
	fl->listed++;
	/* a closed pipe ends the walk rather than printing into nothing */
	return ferror(stdout) ? -EPIPE : 0;
}

static void print_summary(struct flows *fl)
{
	const struct link_count *c;
	const char *name;
	char buf[16];
	unsigned int id;

	if (fl->ctx->json) {
		json_obj_open(&fl->j, NULL);
		json_arr_open(&fl->j, "links");
	} else {
		printf("%-15s %8s %8s %8s %8s %8s %8s\n", "LINK", "CONNS",
		       "TCP", "UDP", "OTHER", "IPV4", "IPV6");
	}
	for (id = 1; id < NLINKS; id++) {
		c = &fl->count[id];
		/* asked for, or there: a mark naming no link too */
		if (!fl->want[id] && !c->all)
			continue;
		name = link_name(fl, id, buf, sizeof(buf));
		if (!fl->ctx->json) {
			printf("%-15s %8" PRIu64 " %8" PRIu64 " %8" PRIu64
			       " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
			       name, c->all, c->tcp, c->udp, c->other, c->v4,
			       c->v6);
			continue;
		}
		json_obj_open(&fl->j, NULL);
		json_str(&fl->j, "link", mwan_link_by_id(&fl->cfg, id) ?
			 name : NULL);
		json_u64(&fl->j, "link_id", id);
		json_u64(&fl->j, "connections", c->all);
		json_u64(&fl->j, "tcp", c->tcp);
		json_u64(&fl->j, "udp", c->udp);
		json_u64(&fl->j, "other", c->other);
		json_u64(&fl->j, "ipv4", c->v4);
		json_u64(&fl->j, "ipv6", c->v6);
		json_obj_close(&fl->j);
	}
	if (fl->ctx->json) {
		json_arr_close(&fl->j);
		if (fl->all)
			json_u64(&fl->j, "unmarked", fl->count[0].all);
		else
			json_null(&fl->j, "unmarked");
		json_obj_close(&fl->j);
	} else if (fl->all) {
		printf("(%" PRIu64 " more without a link's mark: not placed by mwan)\n",
		       fl->count[0].all);
	}
}

/* --link NAME, --policy NAME: the links asked for, by id */
static int flows_select(struct flows *fl, const char *link,
			const char *policy)
{
	const struct mwan_policy *p = NULL;
	const struct mwan_link *l = NULL;
	unsigned int i;

	if (link) {
		l = mwan_link_by_name(&fl->cfg, link);
		if (!l) {
			pr_err("unknown link \"%s\"", link);
			return -ENOENT;
		}
	}
	if (policy) {
		p = mwan_policy_by_name(&fl->cfg, policy);
		if (!p) {
			pr_err("unknown policy \"%s\"", policy);
			return -ENOENT;
		}
	}
	fl->all = !l && !p;
	for (i = 0; i < fl->cfg.n_links; i++)
		fl->want[fl->cfg.links[i].id] = fl->all;
	for (i = 0; p && i < p->n_members; i++)
		if (p->members[i].link < NLINKS &&
		    (!l || l->id == p->members[i].link))
			fl->want[p->members[i].link] = true;
	if (l && !p)
		fl->want[l->id] = true;
	/* the unmarked are counted for the summary, never listed */
	fl->want[0] = fl->all && fl->summary;
	return 0;
}

static int flows_args(int argc, char **argv, const char **link,
		      const char **policy, bool *summary)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char **v = !strcmp(argv[i], "--link") ? link :
				 !strcmp(argv[i], "--policy") ? policy : NULL;

		if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--summary")) {
			*summary = true;
		} else if (!v) {
			pr_err("unexpected argument \"%s\"", argv[i]);
			return -E_USAGE;
		} else if (i + 1 == argc || *v) {
			pr_err("\"%s\" %s", argv[i], *v ? "given twice" :
			       "needs a name");
			return -E_USAGE;
		} else {
			*v = argv[++i];
		}
	}
	return 0;
}

int do_flows(struct ctx *ctx, int argc, char **argv)
{
	const char *link = NULL, *policy = NULL;
	struct flows *fl;
	struct mwan_nl *nl;
	const struct mwan_link *one = NULL;
	int err;

	fl = calloc(1, sizeof(*fl));
	if (!fl)
		return -ENOMEM;
	fl->ctx = ctx;
	err = flows_args(argc, argv, &link, &policy, &fl->summary);
	nl = err ? NULL : ctx_nl(ctx);
	if (!err && !nl)
		err = -ENOENT;
	if (!err)
		err = snapshot_load(nl, SNAP_GLOBALS | SNAP_LINKS |
				    SNAP_POLICIES, &fl->cfg);
	if (!err)
		err = flows_select(fl, link, policy);
	if (err)
		goto out;
	fl->mask = fl->cfg.globals.mark_mask;
	fl->shift = __builtin_ctz(fl->mask);
	if (link && !policy)
		one = mwan_link_by_name(&fl->cfg, link);
	json_init(&fl->j, stdout);
	if (ctx->json && !fl->summary)
		json_arr_open(&fl->j, NULL);
	/* one link: the kernel sends only its entries */
	err = ct_walk(one ? one->mark : 0, one ? fl->mask : 0, entry_cb, fl);
	if (err == -EPIPE)
		goto out;
	if (ctx->json && !fl->summary)
		json_arr_close(&fl->j);
	if (!err && fl->summary)
		print_summary(fl);
out:
	mwan_config_release(&fl->cfg);
	free(fl);
	return err;
}
