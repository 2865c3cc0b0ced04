// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "rtnl.h"
#include "util.h"

static int sk_open(struct rtnl *r, int flags)
{
	memset(r, 0, sizeof(*r));
	r->buf = malloc(RTNL_BUF_SIZE);
	if (!r->buf)
		return -ENOMEM;
	r->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | flags);
	if (!r->sk || mnl_socket_bind(r->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		rtnl_close(r);
		return err;
	}
	r->portid = mnl_socket_get_portid(r->sk);
	r->seq = time(NULL);
	return 0;
}

int rtnl_open(struct rtnl *r)
{
	return sk_open(r, 0);
}

int rtnl_listen(struct rtnl *r, const int *groups, unsigned int n)
{
	/* a burst (a table of a thousand routes) must not overrun it */
	int rcvbuf = 1 << 20;
	unsigned int i;
	int err;

	err = sk_open(r, SOCK_NONBLOCK);
	for (i = 0; i < n && !err; i++) {
		int g = groups[i];

		if (mnl_socket_setsockopt(r->sk, NETLINK_ADD_MEMBERSHIP, &g,
					  sizeof(g)))
			err = -errno;
	}
	if (err) {
		rtnl_close(r);
		return err;
	}
	setsockopt(mnl_socket_get_fd(r->sk), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	return 0;
}

void rtnl_close(struct rtnl *r)
{
	if (r->sk)
		mnl_socket_close(r->sk);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(r->sk, r->buf, RTNL_BUF_SIZE);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(r->buf, n, r->seq, r->portid, cb, data);
		/* the rest of a dump an earlier error left unread */
		if (ret < 0 && errno == EPROTO)
			ret = MNL_CB_OK;
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

int rtnl_dump(struct rtnl *r, uint16_t type, uint8_t family, mnl_cb_t cb,
	      void *data)
{
	char buf[256] __aligned(8);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint8_t *hdr;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	/* ifaddrmsg, fib_rule_hdr and rtmsg all start with the family */
	hdr = mnl_nlmsg_put_extra_header(nlh, type == RTM_GETADDR ?
					 sizeof(struct ifaddrmsg) :
					 sizeof(struct rtmsg));
	hdr[0] = family;
	return rtnl_talk(r, nlh, cb, data);
}

struct attrs {
	const struct nlattr **tb;
	uint16_t max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct attrs *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

void rtnl_attrs(const struct nlmsghdr *nlh, size_t hdrlen,
		const struct nlattr **tb, uint16_t max)
{
	struct attrs t = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_parse(nlh, hdrlen, attr_cb, &t);
}
