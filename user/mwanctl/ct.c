// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "ct.h"
#include "util.h"

struct walk {
	ct_fn fn;
	void *data;
	int err;
};

static int walk_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		   void *data)
{
	struct walk *w = data;

	(void)type;
	w->err = w->fn(ct, w->data);
	return w->err ? NFCT_CB_STOP : NFCT_CB_CONTINUE;
}

int ct_walk(uint32_t mark, uint32_t mask, ct_fn fn, void *data)
{
	struct nfct_filter_dump_mark m = { .val = mark, .mask = mask };
	struct walk w = { .fn = fn, .data = data };
	struct nfct_filter_dump *fd;
	struct nfct_handle *h;
	int err;

	h = nfct_open(CONNTRACK, 0);
	if (!h) {
		err = -errno;
		pr_err("cannot read conntrack: %s", strerror(errno));
		return err;
	}
	fd = nfct_filter_dump_create();
	if (!fd) {
		nfct_close(h);
		pr_err("out of memory");
		return -ENOMEM;
	}
	/* the kernel leaves out what does not match: less to read */
	if (mask)
		nfct_filter_dump_set_attr(fd, NFCT_FILTER_DUMP_MARK, &m);
	nfct_callback_register(h, NFCT_T_ALL, walk_cb, &w);
	err = nfct_query(h, NFCT_Q_DUMP_FILTER, fd) ? -errno : 0;
	if (err && !w.err)
		pr_err("cannot read conntrack: %s", strerror(-err));
	nfct_filter_dump_destroy(fd);
	nfct_close(h);
	return w.err ? w.err : err;
}

uint32_t ct_mark(const struct nf_conntrack *ct)
{
	return nfct_attr_is_set(ct, ATTR_MARK) > 0 ?
	       nfct_get_attr_u32(ct, ATTR_MARK) : 0;
}

struct count {
	uint32_t mask;
	unsigned int shift;
	uint64_t *counts;
	unsigned int n;
};

static int count_cb(const struct nf_conntrack *ct, void *data)
{
	struct count *c = data;
	uint32_t id = (ct_mark(ct) & c->mask) >> c->shift;

	if (id < c->n)
		c->counts[id]++;
	return 0;
}

int ct_count_links(uint32_t mask, uint64_t *counts, unsigned int n)
{
	struct count c = { .mask = mask, .counts = counts, .n = n };

	memset(counts, 0, n * sizeof(*counts));
	if (!mask)
		return -EINVAL;
	c.shift = __builtin_ctz(mask);
	return ct_walk(0, 0, count_cb, &c);
}
