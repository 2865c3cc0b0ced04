// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel says for free: a device without carrier, set down or
 * gone cannot carry a link, whatever the last probe found. rtnetlink
 * link events take such a link down at once, without waiting for probes
 * to time out; a carrier back starts the probes that bring it up.
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "agent.h"

/* <net/if.h> stops at IFF_DYNAMIC; <linux/if.h> would clash with it */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif

static struct alink *link_by_ifindex(struct agent *a, uint32_t ifindex)
{
	unsigned int i;

	for (i = 0; i < a->n_links; i++)
		if (a->links[i].ifindex == ifindex)
			return &a->links[i];
	return NULL;
}

static int link_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	unsigned int need = IFF_UP | IFF_LOWER_UP | IFF_RUNNING;
	struct agent *a = data;
	struct alink *l;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return MNL_CB_OK;
	l = link_by_ifindex(a, ifi->ifi_index);
	if (!l)
		return MNL_CB_OK;
	if (nlh->nlmsg_type == RTM_DELLINK)
		link_carrier(l, false, "device removed");
	else if (!(ifi->ifi_flags & IFF_UP))
		link_carrier(l, false, "device set down");
	else if ((ifi->ifi_flags & need) != need)
		link_carrier(l, false, "carrier lost");
	else
		link_carrier(l, true, NULL);
	return MNL_CB_OK;
}

static int dump_links(struct agent *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE] __aligned(8);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = time(NULL);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(a->rtnl_sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static void rtnl_read(struct watch *w)
{
	struct agent *a = (void *)((char *)w - offsetof(struct agent, rtnl));
	char buf[MNL_SOCKET_BUFFER_SIZE] __aligned(8);
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(a->rtnl_sk, buf, sizeof(buf));
		if (n < 0 && errno == ENOBUFS) {
			/* events were lost: ask for every device again */
			agent_log("rtnetlink overrun, reading all devices");
			dump_links(a);
			continue;
		}
		if (n <= 0)
			return;
		/* events and the dump's replies alike: seq, portid unchecked */
		mnl_cb_run(buf, n, 0, 0, link_msg, a);
	}
}

int carrier_open(struct agent *a)
{
	struct mnl_socket *sk;
	int err;

	sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!sk || mnl_socket_bind(sk, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		pr_err("cannot listen to rtnetlink: %s", strerror(errno));
		if (sk)
			mnl_socket_close(sk);
		return err;
	}
	a->rtnl_sk = sk;
	a->rtnl.fd = mnl_socket_get_fd(sk);
	a->rtnl.fn = rtnl_read;
	err = agent_watch(a, &a->rtnl);
	/* the state now; events from here on tell the changes */
	return err ? err : dump_links(a);
}

void carrier_refresh(struct agent *a)
{
	dump_links(a);
}

void carrier_close(struct agent *a)
{
	if (a->rtnl_sk)
		mnl_socket_close(a->rtnl_sk);
}
