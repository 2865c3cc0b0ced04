/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink for the agent's routing and prefix tracking: a socket for
 * requests and dumps, answered in order, and one that listens to groups.
 * Changes the agent makes come back on the groups with its request
 * socket's portid: rtnl_own() tells them apart.
 */
#ifndef MWAN_AGENT_RTNL_H
#define MWAN_AGENT_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define RTNL_BUF_SIZE	65536

struct rtnl {
	struct mnl_socket *sk;
	uint32_t portid, seq;
	void *buf;			/* RTNL_BUF_SIZE */
};

/* A request socket; -errno */
int rtnl_open(struct rtnl *r);
/* A nonblocking socket in the rtnetlink @groups (RTNLGRP_*) */
int rtnl_listen(struct rtnl *r, const int *groups, unsigned int n);
void rtnl_close(struct rtnl *r);
/* Send @nlh and run @cb over the replies up to the dump's end or ack */
int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
/* Dump @type (RTM_GET*) of @family into @cb */
int rtnl_dump(struct rtnl *r, uint16_t type, uint8_t family, mnl_cb_t cb,
	      void *data);
/* Attributes of @nlh after a @hdrlen header into @tb[0..@max] */
void rtnl_attrs(const struct nlmsghdr *nlh, size_t hdrlen,
		const struct nlattr **tb, uint16_t max);

#endif /* MWAN_AGENT_RTNL_H */
