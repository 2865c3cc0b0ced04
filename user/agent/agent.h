/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mwan-agent: probes each uplink that has a check, and keeps the kernel's
 * idea of which are up in step with what the probes and the carrier say.
 * One thread, one epoll loop: every socket and timer is a struct watch.
 */
#ifndef MWAN_AGENT_H
#define MWAN_AGENT_H

#include <net/if.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "health.h"
#include "nl.h"
#include "prefix.h"
#include "routing.h"

#define AGENT_HOOKS_DIR	"/etc/mwan/hooks.d"

#define PROBES_MAX	(CHECK_TARGETS_MAX * CHECK_COUNT_MAX)

/* A file descriptor in the loop and what to do when it is ready */
struct watch {
	int fd;
	void (*fn)(struct watch *w);
};

/* One probe of a round; DNS and TCP probes have a socket of their own */
struct probe {
	struct watch w;			/* that socket, fd -1: none (any more) */
	struct alink *link;
	uint64_t sent_ns;
	uint32_t rtt_us;
	uint16_t dns_id;		/* the query's id, random */
	bool answered;
	bool lost;			/* known lost before the timeout */
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
	int sock_err;			/* errno of probe sockets, logged */
	uint16_t ident;			/* ICMP echo id of this link */
	uint16_t seq;			/* sequence of this round's 1st probe */
	bool in_round;
	bool starting;			/* round_begin() sends its probes */
	bool extended;			/* its timeout came late: waits more */
	uint64_t round_ns;		/* when this round started */
	uint64_t due_ns;		/* answers stamped later are lost */
	struct probe probes[PROBES_MAX];	/* target i, probe j: i*count+j */
	uint64_t pushed_ns;		/* when RTT and loss went out last */
	uint8_t kstate;			/* the state the kernel has */
	bool held;			/* that state was set by hand */
};

struct routing;
struct prefixes;

/* The lines of the file only the agent reads */
struct agent_conf {
	struct checks checks;
	struct routing_conf routing;
	struct prefix_confs prefixes;
	char hooks[256];		/* the hooks directory */
	unsigned int hooks_line;	/* 0: the default */
};

struct agent {
	int epfd;
	const char *fname;
	struct mwan_config cfg;		/* the file as last applied */
	struct agent_conf conf;
	struct mwan_nl nl;
	struct mwan_nl events;		/* the kernel's changes */
	struct watch kev;
	unsigned int last_event;	/* the last event id given */
	struct watch rtnl;
	void *rtnl_sk;			/* struct mnl_socket */
	struct watch sig;
	struct alink *links;
	unsigned int n_links;
	struct routing *routing;	/* NULL: "routing off" */
	struct prefixes *prefixes;	/* NULL: no "prefix" line */
	bool stop;
	bool reload;			/* SIGHUP came */
};

/* What the log says of an event beyond its text (log.c) */
struct log_event {
	const char *what;		/* "state", "held", "flush", ... */
	unsigned int id;		/* ties an event to what it caused */
	const char *link, *dev;
	const char *old_state, *new_state, *reason;
	bool has_quality, has_count;
	uint32_t rtt_us, loss_ppm;
	int count;
};

/* main.c */
int agent_watch(struct agent *a, struct watch *w);
uint64_t now_ns(void);

/* log.c: text lines, or JSON objects with --log-json */
void log_json(bool on);
void agent_log(const char *fmt, ...) __printf(1, 2);
void agent_event(const struct log_event *e, const char *fmt, ...)
	__printf(2, 3);

/* conf.c: the whole file, without the kernel; errors printed */
int agent_conf_parse(FILE *f, const char *fname, struct mwan_config *cfg,
		     struct agent_conf *ac);
int agent_conf_load(const char *fname, struct mwan_config *cfg,
		    struct agent_conf *ac);
void agent_conf_release(struct agent_conf *ac);

/* apply.c: a file to the kernel and the agent, at start and on SIGHUP */
int agent_start(struct agent *a);
void agent_reload(struct agent *a);
void agent_stop(struct agent *a);

/* kevents.c: the kernel's changes, an operator's among them */
int kevents_open(struct agent *a);
void kevents_close(struct agent *a);

/* link.c: a link's rounds of probes, and what comes of them */
int link_start(struct alink *l);
void link_stop(struct alink *l);
void link_carrier(struct alink *l, bool up, const char *why);
/* An echo reply to probe @seq of this link from @addr (@family's size) */
void link_reply(struct alink *l, uint16_t seq, int family, const void *addr,
		uint64_t at_ns);
/* A probe was answered at @at_ns, or will never be */
void link_answered(struct alink *l, struct probe *p, uint64_t at_ns);
void link_lost(struct alink *l, struct probe *p);

/* probe.c: raw ICMP and ICMPv6 echo sockets of a link */
int probe_open(struct alink *l, int family);
int probe_send(struct alink *l, const struct check_target *t, uint16_t seq);
/* The replies already in, as their watch would read them */
void probe_drain(struct alink *l);
/*
 * A socket that leaves by the link's device with its mark, or -errno; a
 * datagram socket's arrivals are stamped by the kernel
 */
int probe_socket(struct alink *l, int family, int type, int proto);
/*
 * recvmsg(): @at_ns is when the datagram came in (now_ns()'s clock) by
 * its stamp, not when it is read: a reply the agent reads late, busy or
 * not scheduled, still counts as in time if it came in time
 */
ssize_t probe_recv(int fd, void *buf, size_t len,
		   struct sockaddr_storage *from, uint64_t *at_ns);
socklen_t probe_sockaddr(const struct check_target *t,
			 struct sockaddr_storage *ss);

/*
 * sockprobe.c: DNS and TCP probes, a socket each for the round. Starting
 * one may already tell: it is then answered or lost when this returns.
 * Returns -errno if no socket could be had (the probe is lost then).
 */
int sockprobe_start(struct alink *l, struct probe *p,
		    const struct check_target *t);
/* What already came for @p, as its watch would read it */
void sockprobe_drain(struct probe *p);
void sockprobe_close(struct probe *p);

/* kernel.c: the mwan netlink family */
int kernel_read_links(struct agent *a);
/* @l's health, RTT and loss, and with @state its state unless held */
int kernel_push(struct alink *l, bool state);
/* Delete @l's connections from conntrack; how many, or -errno */
int kernel_flush(struct alink *l);
/* Every link as the kernel has it (struct mwan_link), @v to be freed */
int kernel_dump_links(struct agent *a, struct mwan_link **v, unsigned int *n);
/* Every link in the kernel, and the mark mask: @v to be freed */
int kernel_links(struct agent *a, struct mwan_link **v, unsigned int *n,
		 uint32_t *mask);
/* The kernel's link @name; -ENOENT if it has none */
int kernel_link(struct agent *a, const char *name, struct mwan_link *out);
/* Set @kl's NPT (id and npt used); the extack is in a->nl.ext_msg */
int kernel_set_npt(struct agent *a, const struct mwan_link *kl);

/* prefix.c: NPT external prefixes that follow delegations (prefix.h) */
int prefix_start(struct agent *a, const struct prefix_confs *pc);
void prefix_free(struct prefixes *p);

/* routing.c: the links' routing tables and rules (routing.h) */
int routing_start(struct agent *a, const struct routing_conf *conf);
/* A reload's conf (same on/off), applied at once */
void routing_set_conf(struct routing *r, const struct routing_conf *conf);
/* Now, rather than after the next change settled */
int routing_reconcile(struct routing *r);
void routing_free(struct routing *r);
/* Remove every route and rule the agent made; prints what it did */
int routing_cleanup(void);
/* The same, into the log */
void routing_cleanup_quiet(void);

/*
 * instance.c: claim this network namespace for this agent; the fd holds
 * the claim until it is closed or the process ends. Says who has it.
 */
int instance_claim(void);
/* In a child: the claim is the agent's, it must end with it */
void instance_forget(void);

/* hooks.c: run the hooks directory's programs for an event, unwaited */
void hooks_run(struct agent *a, const struct alink *l, unsigned int id,
	       const char *old_state, const char *new_state,
	       const char *reason);
/* SIGCHLD came: reap, and start the next event's hooks */
void hooks_reap(void);

/* carrier.c: rtnetlink link events */
int carrier_open(struct agent *a);
void carrier_close(struct agent *a);
/* Ask for every device's state again (new links after a reload) */
void carrier_refresh(struct agent *a);

/* notify.c: systemd's notify protocol, when $NOTIFY_SOCKET is set */
void notify_open(void);
int notify_watchdog_start(struct agent *a);
void notify_ready(const struct agent *a);
/* STATUS= again if a checked link's state changed since the last */
void notify_status(const struct agent *a);
void notify_stopping(void);
void notify_close(void);

#endif /* MWAN_AGENT_H */
