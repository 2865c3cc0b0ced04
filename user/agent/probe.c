// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and ICMPv6 echo over raw sockets, one per link and family. Each is
 * bound to the link's device and carries the link's mark, so a probe
 * leaves by its link whatever the main table says, and sees only replies
 * that came back by it; the DNS and TCP probes' sockets are made the same
 * way (probe_socket). Raw, not ping sockets: those need the gid in
 * net.ipv4.ping_group_range, which is empty by default.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

#ifndef ICMP_FILTER
#define ICMP_FILTER	1
#endif

#define PROBE_PAYLOAD	16
/* a datagram read later than this after it came: the clock stepped */
#define MAX_LATE_NS	(CHECK_TIMEOUT_MAX_MS * 1000000LL)

struct echo {
	uint8_t type, code;
	uint16_t cksum;
	uint16_t id, seq;		/* network order */
	uint8_t payload[PROBE_PAYLOAD];
};

static uint16_t cksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += (p[0] << 8) | p[1];
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* The replies' sender must be the target: anything else is not ours. */
static void reply_v4(struct alink *l, const uint8_t *buf, ssize_t n,
		     const struct sockaddr_in *from, uint64_t at)
{
	const struct iphdr *ip = (const void *)buf;
	const struct echo *e;
	size_t hl;

	if (n < (ssize_t)sizeof(*ip))
		return;
	hl = ip->ihl * 4;
	if ((size_t)n < hl + 8)
		return;
	e = (const void *)(buf + hl);
	if (e->type != ICMP_ECHOREPLY || ntohs(e->id) != l->ident)
		return;
	link_reply(l, ntohs(e->seq), AF_INET, &from->sin_addr, at);
}

static void reply_v6(struct alink *l, const uint8_t *buf, ssize_t n,
		     const struct sockaddr_in6 *from, uint64_t at)
{
	const struct echo *e = (const void *)buf;

	if (n < 8 || e->type != ICMP6_ECHO_REPLY || ntohs(e->id) != l->ident)
		return;
	link_reply(l, ntohs(e->seq), AF_INET6, &from->sin6_addr, at);
}

ssize_t probe_recv(int fd, void *buf, size_t len,
		   struct sockaddr_storage *from, uint64_t *at_ns)
{
	char ctl[CMSG_SPACE(sizeof(struct timespec))] __aligned(8);
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = from, .msg_namelen = from ? sizeof(*from) : 0,
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct timespec ts, rt;
	struct cmsghdr *cm;
	int64_t late;
	ssize_t n;

	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return n;
	*at_ns = now_ns();
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
		clock_gettime(CLOCK_REALTIME, &rt);
		late = (rt.tv_sec - ts.tv_sec) * 1000000000LL +
		       rt.tv_nsec - ts.tv_nsec;
		/* the real-time clock may step: then the reading time is it */
		if (late > 0 && late < MAX_LATE_NS && (uint64_t)late < *at_ns)
			*at_ns -= late;
	}
	return n;
}

static void probe_read(struct alink *l, int fd, int family)
{
	uint8_t buf[1500] __aligned(8);
	struct sockaddr_storage from;
	uint64_t at;
	ssize_t n;

	for (;;) {
		n = probe_recv(fd, buf, sizeof(buf), &from, &at);
		if (n < 0)
			return;
		if (family == AF_INET)
			reply_v4(l, buf, n, (void *)&from, at);
		else
			reply_v6(l, buf, n, (void *)&from, at);
	}
}

void probe_drain(struct alink *l)
{
	if (l->sock4.fd >= 0)
		probe_read(l, l->sock4.fd, AF_INET);
	if (l->sock6.fd >= 0)
		probe_read(l, l->sock6.fd, AF_INET6);
}

static void read4(struct watch *w)
{
	struct alink *l = (void *)((char *)w - offsetof(struct alink, sock4));

	probe_read(l, w->fd, AF_INET);
}

static void read6(struct watch *w)
{
	struct alink *l = (void *)((char *)w - offsetof(struct alink, sock6));

	probe_read(l, w->fd, AF_INET6);
}

/* Only echo replies wake us: every ICMP message reaches a raw socket. */
static int only_echo_replies(int fd, int family)
{
	struct icmp6_filter f6;
	uint32_t f4;

	if (family == AF_INET) {
		f4 = ~(1U << ICMP_ECHOREPLY);
		return setsockopt(fd, SOL_RAW, ICMP_FILTER, &f4, sizeof(f4));
	}
	ICMP6_FILTER_SETBLOCKALL(&f6);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
	return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof(f6));
}

int probe_socket(struct alink *l, int family, int type, int proto)
{
	int fd, err, one = 1;

	fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, l->dev,
		       strlen(l->dev) + 1) ||
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &l->mark, sizeof(l->mark))) {
		err = -errno;
		close(fd);
		return err;
	}
	/* without the stamps, replies count from when they are read */
	if (type != SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	return fd;
}

socklen_t probe_sockaddr(const struct check_target *t,
			 struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6;

	memset(ss, 0, sizeof(*ss));
	if (t->family == AF_INET) {
		struct sockaddr_in *s = (void *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(t->port);
		memcpy(&s->sin_addr, t->addr, 4);
		return sizeof(*s);
	}
	s6 = (void *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(t->port);
	memcpy(&s6->sin6_addr, t->addr, 16);
	return sizeof(*s6);
}

int probe_open(struct alink *l, int family)
{
	struct watch *w = family == AF_INET ? &l->sock4 : &l->sock6;
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int fd, err;

	fd = probe_socket(l, family, SOCK_RAW, proto);
	if (fd < 0) {
		pr_err("%s: cannot open a raw %s socket on %s with mark 0x%x: %s",
		       l->name, family == AF_INET ? "ICMP" : "ICMPv6", l->dev,
		       l->mark, strerror(-fd));
		return fd;
	}
	if (only_echo_replies(fd, family)) {
		err = -errno;
		pr_err("%s: cannot filter ICMP: %s", l->name, strerror(errno));
		close(fd);
		return err;
	}
	w->fd = fd;
	w->fn = family == AF_INET ? read4 : read6;
	return agent_watch(l->agent, w);
}

int probe_send(struct alink *l, const struct check_target *t, uint16_t seq)
{
	struct sockaddr_storage to;
	struct echo e = { 0 };
	socklen_t tlen;
	int fd;

	e.id = htons(l->ident);
	e.seq = htons(seq);
	memcpy(e.payload, "mwan-agent probe", PROBE_PAYLOAD);
	tlen = probe_sockaddr(t, &to);
	if (t->family == AF_INET) {
		e.type = ICMP_ECHO;
		e.cksum = cksum(&e, sizeof(e));
		fd = l->sock4.fd;
	} else {
		/* the kernel sums ICMPv6, pseudo-header and all */
		e.type = ICMP6_ECHO_REQUEST;
		fd = l->sock6.fd;
	}
	if (sendto(fd, &e, sizeof(e), 0, (struct sockaddr *)&to, tlen) < 0)
		return -errno;
	return 0;
}
