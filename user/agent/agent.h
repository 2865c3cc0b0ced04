/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mwan-agent: probes each uplink that has a check, and keeps the kernel's
 * idea of which are up in step with what the probes and the carrier say.
 * One thread, one epoll loop: every socket and timer is a struct watch.
 */
#ifndef MWAN_AGENT_H
#define MWAN_AGENT_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "health.h"
#include "nl.h"

#define PROBES_MAX	(CHECK_TARGETS_MAX * CHECK_COUNT_MAX)

/* A file descriptor in the loop and what to do when it is ready */
struct watch {
	int fd;
	void (*fn)(struct watch *w);
};

struct probe {
	uint64_t sent_ns;
	uint32_t rtt_us;
	bool answered;
};

struct alink {
	struct agent *agent;
	const struct check *check;
	const char *name;
	uint32_t id, ifindex, mark;	/* from the kernel's link object */
	char dev[IFNAMSIZ];
	struct health h;
	struct watch timer;		/* a timerfd: next round, or timeout */
	struct watch sock4, sock6;	/* raw ICMP sockets, fd -1: none */
	uint16_t ident;			/* ICMP echo id of this link */
	uint16_t seq;			/* sequence of this round's 1st probe */
	bool in_round;
	uint64_t round_ns;		/* when this round started */
	struct probe probes[PROBES_MAX];	/* target i, probe j: i*count+j */
	uint64_t pushed_ns;		/* when RTT and loss went out last */
};

struct agent {
	int epfd;
	struct mwan_nl nl;
	struct watch rtnl;
	void *rtnl_sk;			/* struct mnl_socket */
	struct watch sig;
	struct alink *links;
	unsigned int n_links;
	bool stop;
};

/* main.c */
void agent_log(const char *fmt, ...) __printf(1, 2);
int agent_watch(struct agent *a, struct watch *w);
uint64_t now_ns(void);

/* link.c: a link's rounds of probes, and what comes of them */
int link_start(struct alink *l);
void link_stop(struct alink *l);
void link_carrier(struct alink *l, bool up, const char *why);
/* A reply to probe @seq of this link from @addr (@family's size) */
void link_reply(struct alink *l, uint16_t seq, int family, const void *addr,
		uint64_t at_ns);

/* probe.c: raw ICMP and ICMPv6 echo sockets of a link */
int probe_open(struct alink *l, int family);
int probe_send(struct alink *l, const struct check_target *t, uint16_t seq);

/* kernel.c: the mwan netlink family */
int kernel_read_links(struct agent *a);
int kernel_push(struct alink *l, bool state);

/* carrier.c: rtnetlink link events */
int carrier_open(struct agent *a);
void carrier_close(struct agent *a);

/* notify.c: systemd's notify protocol, when $NOTIFY_SOCKET is set */
void notify_open(void);
int notify_watchdog_start(struct agent *a);
void notify_ready(const struct agent *a);
/* STATUS= again if a checked link's state changed since the last */
void notify_status(const struct agent *a);
void notify_stopping(void);
void notify_close(void);

#endif /* MWAN_AGENT_H */
