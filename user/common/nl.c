// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>

#include "attr.h"
#include "nl.h"
#include "util.h"

/* A dump that keeps racing changes this often is not worth insisting on. */
#define DUMP_TRIES	10

struct nl_req {
	uint32_t seq;
	mwan_cb_t cb;
	void *data;
	int cb_err;
};

struct nlmsghdr *mwan_msg_init(void *buf, uint16_t family, uint8_t cmd,
			       uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = MWAN_GENL_VERSION;
	return nlh;
}

/* Read the extended ack TLVs that start @off bytes into the payload. */
static void nl_parse_extack(struct mwan_nl *nl, const struct nlmsghdr *nlh,
			    size_t off)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    off >= mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(a, nlh, off) {
		size_t len = mnl_attr_get_payload_len(a);
		uint32_t type;

		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			if (len >= sizeof(nl->ext_msg))
				len = sizeof(nl->ext_msg) - 1;
			memcpy(nl->ext_msg, mnl_attr_get_payload(a), len);
			nl->ext_msg[len] = '\0';
			break;
		case NLMSGERR_ATTR_OFFS:
			attr_get_u32(a, &nl->ext_offs);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (!attr_get_u32(a, &type))
				nl->ext_miss_type = type;
			break;
		}
	}
}

/* NLMSG_ERROR: the ack (error 0) or the failure of a request */
static int nl_handle_error(struct mwan_nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	/* without NETLINK_CAP_ACK the request's payload is echoed too */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= sizeof(e->msg))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	nl_parse_extack(nl, nlh, off);
	return e->error > 0 ? -e->error : e->error;
}

/* NLMSG_DONE ends a dump and carries the dump's error, if any */
static int nl_handle_done(struct mwan_nl *nl, const struct nlmsghdr *nlh)
{
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	nl_parse_extack(nl, nlh, sizeof(err));
	return err > 0 ? -err : err;
}

/*
 * Feed the messages in @buf to the request's callback. Returns 0 while the
 * request goes on, 1 once it is complete, or a negative errno (complete).
 * After a callback failed or a dump got interrupted we keep reading to the
 * end, so that the socket is left clean for the next request.
 */
static int nl_process(struct mwan_nl *nl, struct nl_req *req,
		      const void *buf, int len)
{
	const struct nlmsghdr *nlh;
	int err;

	for (nlh = buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		/* a late answer to an earlier request that we gave up on */
		if (nlh->nlmsg_seq != req->seq ||
		    (nlh->nlmsg_pid && nlh->nlmsg_pid != nl->portid))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			nl->dump_intr = true;

		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_OVERRUN:
			return -EOVERFLOW;
		case NLMSG_ERROR:
			err = nl_handle_error(nl, nlh);
			return err ? err : req->cb_err ? req->cb_err : 1;
		case NLMSG_DONE:
			err = nl_handle_done(nl, nlh);
			return err ? err : req->cb_err ? req->cb_err : 1;
		}
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE || !req->cb ||
		    req->cb_err || nl->dump_intr)
			continue;
		req->cb_err = req->cb(nlh, req->data);
	}
	return 0;
}

/* The kernel refuses a message longer than the send buffer. */
static void nl_fit_sndbuf(struct mwan_nl *nl, size_t len)
{
	int fd = mnl_socket_get_fd(nl->sk);
	socklen_t optlen = sizeof(int);
	int size;

	if (len < 32768)
		return;
	/* getsockopt reports the doubled value the kernel compares with */
	if (!getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &optlen) &&
	    (size_t)size >= len + 1024)
		return;
	size = len + 4096;
	/* SNDBUFFORCE passes wmem_max, we have CAP_NET_ADMIN anyway */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

static int nl_talk(struct mwan_nl *nl, struct nlmsghdr *nlh,
		   mwan_cb_t cb, void *data)
{
	struct nl_req req = { .cb = cb, .data = data };
	ssize_t n;
	int ret;

	nl->ext_msg[0] = '\0';
	nl->ext_offs = 0;
	nl->ext_miss_type = -1;
	nl->dump_intr = false;
	nlh->nlmsg_seq = req.seq = ++nl->seq;
	nl_fit_sndbuf(nl, nlh->nlmsg_len);
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sk, nl->rbuf, MWAN_NL_RBUF_SIZE);
		if (n < 0) {
			if (errno != EINTR)
				return -errno;
			ret = 0;
			continue;
		}
		ret = nl_process(nl, &req, nl->rbuf, n);
	} while (!ret);
	return ret < 0 ? ret : 0;
}

void mwan_nl_perror(const struct mwan_nl *nl, int err)
{
	/* a batch's line, when one runs */
	if (nl->ext_msg[0])
		fprintf(stderr, "Error: %s%s\n", err_where(), nl->ext_msg);
	else if (nl->ext_miss_type >= 0)
		fprintf(stderr, "Error: %s%s (missing attribute %d)\n",
			err_where(), strerror(-err), nl->ext_miss_type);
	else
		fprintf(stderr, "Error: %s%s\n", err_where(), strerror(-err));
}

int mwan_nl_request_quiet(struct mwan_nl *nl, struct nlmsghdr *nlh,
			  mwan_cb_t cb, void *data)
{
	nlh->nlmsg_flags |= NLM_F_ACK;
	return nl_talk(nl, nlh, cb, data);
}

void mwan_nl_report(const struct mwan_nl *nl, int err)
{
	if (err)
		mwan_nl_perror(nl, err);
	else if (nl->ext_msg[0])
		fprintf(stderr, "Warning: %s%s\n", err_where(), nl->ext_msg);
}

int mwan_nl_request(struct mwan_nl *nl, struct nlmsghdr *nlh,
		    mwan_cb_t cb, void *data)
{
	int err = mwan_nl_request_quiet(nl, nlh, cb, data);

	mwan_nl_report(nl, err);
	return err;
}

int mwan_nl_dump(struct mwan_nl *nl, uint8_t cmd, mwan_cb_t cb,
		 void (*reset)(void *data), void *data)
{
	char buf[MNL_NLMSG_HDRLEN + GENL_HDRLEN] __aligned(8);
	struct nlmsghdr *nlh;
	int try, err = 0;

	for (try = 0; try < DUMP_TRIES; try++) {
		if (try && reset)
			reset(data);
		nlh = mwan_msg_init(buf, nl->family, cmd, NLM_F_DUMP);
		err = nl_talk(nl, nlh, cb, data);
		if (err != -EINTR && !nl->dump_intr)
			break;
	}
	if (!err && nl->dump_intr)
		err = -EINTR;
	if (err == -EINTR)
		pr_err("the configuration kept changing during the dump, try again");
	else if (err)
		mwan_nl_perror(nl, err);
	return err;
}

static int nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct nlattr *gtb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	const struct nlattr *grp;
	struct mwan_nl *nl = data;
	char name[GENL_NAMSIZ];

	if (attr_parse_msg(nlh, GENL_HDRLEN, tb, CTRL_ATTR_MAX) ||
	    !tb[CTRL_ATTR_FAMILY_ID] ||
	    attr_get_u16(tb[CTRL_ATTR_FAMILY_ID], &nl->family))
		return -EBADMSG;
	if (tb[CTRL_ATTR_VERSION])
		attr_get_u32(tb[CTRL_ATTR_VERSION], &nl->version);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS]) {
		if (attr_parse_nested(grp, gtb, CTRL_ATTR_MCAST_GRP_MAX) ||
		    !gtb[CTRL_ATTR_MCAST_GRP_NAME] ||
		    !gtb[CTRL_ATTR_MCAST_GRP_ID] ||
		    attr_get_str(gtb[CTRL_ATTR_MCAST_GRP_NAME], name,
				 sizeof(name)))
			continue;
		if (!strcmp(name, MWAN_MCGRP_EVENTS))
			attr_get_u32(gtb[CTRL_ATTR_MCAST_GRP_ID],
				     &nl->events_group);
	}
	return 0;
}

/*
 * Asking the controller for "mwan" is also what loads the module: the
 * kernel request_module()s "net-pf-16-proto-16-family-mwan" on a miss.
 */
static int nl_resolve_family(struct mwan_nl *nl)
{
	char buf[256] __aligned(8);
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int err;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MWAN_GENL_NAME);

	err = mwan_nl_request_quiet(nl, nlh, nl_family_cb, nl);
	if (err == -ENOENT)
		pr_err("mwan kernel module not loaded");
	else if (err)
		pr_err("cannot resolve generic netlink family \"%s\": %s",
		       MWAN_GENL_NAME, strerror(-err));
	return err;
}

int mwan_nl_open(struct mwan_nl *nl)
{
	int one = 1;
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->ext_miss_type = -1;
	nl->rbuf = malloc(MWAN_NL_RBUF_SIZE);
	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->rbuf || !nl->sk) {
		err = -errno;
		pr_err("cannot open a netlink socket: %s", strerror(errno));
		goto fail;
	}
	/* Both are best effort: old kernels still work, just less chatty. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		pr_err("cannot bind the netlink socket: %s", strerror(errno));
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = time(NULL);
	err = nl_resolve_family(nl);
	if (err)
		goto fail;
	return 0;
fail:
	mwan_nl_close(nl);
	return err;
}

void mwan_nl_close(struct mwan_nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->rbuf);
	nl->sk = NULL;
	nl->rbuf = NULL;
}

int mwan_nl_subscribe(struct mwan_nl *nl)
{
	int grp = nl->events_group;

	if (!grp) {
		pr_err("the mwan module offers no \"%s\" multicast group",
		       MWAN_MCGRP_EVENTS);
		return -ENOENT;
	}
	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0) {
		pr_err("cannot join the \"%s\" multicast group: %s",
		       MWAN_MCGRP_EVENTS, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Returns -ENOBUFS when events were lost; the caller may go on listening. */
int mwan_nl_listen(struct mwan_nl *nl, mwan_cb_t cb, void *data)
{
	const struct nlmsghdr *nlh;
	ssize_t n;
	int len, err;

	for (;;) {
		n = mnl_socket_recvfrom(nl->sk, nl->rbuf, MWAN_NL_RBUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = n;
		for (nlh = nl->rbuf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != nl->family)
				continue;
			err = cb(nlh, data);
			if (err)
				return err;
		}
	}
}
