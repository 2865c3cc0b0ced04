// SPDX-License-Identifier: GPL-2.0
/*
 * DNS and TCP probes. Each has a socket of its own for its round, made by
 * probe_socket() (the link's device, the link's mark) and watched by the
 * agent's one epoll loop: a probe never blocks and never waits on another.
 * The socket closes as soon as the probe is answered, and at the latest
 * when its round ends.
 *
 * DNS: a query for the NS records of the check's name over a UDP socket
 * connected to the server, so that only datagrams from the server's
 * address and port reach it. Any response with the query's id counts,
 * NXDOMAIN, REFUSED or SERVFAIL too: the server answered by this link.
 * An ICMP error (port unreachable) does not: it says nothing of DNS.
 *
 * TCP: a nonblocking connect. A completed handshake counts, and so does a
 * refused connection: the target's reset came back by this link as a
 * SYN-ACK would have (mwan3's nping-tcp counts any answer too). Any other
 * error (unreachable, no route) loses the probe at once. A connection is
 * closed with a reset right after, so that no side keeps it in TIME_WAIT.
 *
 * Datagrams are stamped by the kernel when they come, and a handshake's
 * round trip is the kernel's: a probe answered in time counts even if
 * the agent reads it only when its round times out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#include "agent.h"

#define DNS_HDR_LEN	12
#define DNS_FLAG_QR	0x8000		/* a response */
#define DNS_FLAG_RD	0x0100		/* recursion desired */
#define DNS_TYPE_NS	2
#define DNS_CLASS_IN	1

static struct probe *probe_of(struct watch *w)
{
	return (void *)((char *)w - offsetof(struct probe, w));
}

void sockprobe_close(struct probe *p)
{
	if (p->w.fd < 0)
		return;
	close(p->w.fd);
	p->w.fd = -1;
}

static void answered(struct probe *p, uint64_t at_ns)
{
	sockprobe_close(p);
	/* last: this may end the round */
	link_answered(p->link, p, at_ns);
}

static void lost(struct probe *p)
{
	sockprobe_close(p);
	link_lost(p->link, p);
}

static void dns_ready(struct watch *w)
{
	uint8_t buf[512] __aligned(4);
	struct probe *p = probe_of(w);
	unsigned int i;
	uint64_t at;
	ssize_t n;

	/* a few datagrams at most; an ICMP error reads as one, and is not */
	for (i = 0; w->fd >= 0 && i < 8; i++) {
		n = probe_recv(w->fd, buf, sizeof(buf), NULL, &at);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < DNS_HDR_LEN)
			continue;
		if ((buf[0] << 8 | buf[1]) != p->dns_id ||
		    !((buf[2] << 8 | buf[3]) & DNS_FLAG_QR))
			continue;
		answered(p, at);
		return;
	}
}

static uint16_t random_id(uint64_t salt)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) == sizeof(id))
		return id;
	/* no entropy yet at early boot: a guess is still an id */
	salt ^= now_ns();
	return salt ^ salt >> 16 ^ salt >> 32;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static int dns_send(struct alink *l, struct probe *p, int fd)
{
	uint8_t q[DNS_HDR_LEN + CHECK_QNAME_MAX + 4] = { 0 };
	const struct check *c = l->check;
	size_t len = DNS_HDR_LEN;

	p->dns_id = random_id((uintptr_t)p);
	put16(q, p->dns_id);
	/* a resolver answers from its cache; an authority answers anyway */
	put16(q + 2, DNS_FLAG_RD);
	put16(q + 4, 1);
	memcpy(q + len, c->qname, c->qname_len);
	len += c->qname_len;
	put16(q + len, DNS_TYPE_NS);
	put16(q + len + 2, DNS_CLASS_IN);
	len += 4;
	return send(fd, q, len, 0) < 0 ? -errno : 0;
}

/*
 * A connecting probe: done yet? A reset after the handshake (the target
 * accepted and aborted at once) is an answer as much as one before it.
 * The kernel measured the handshake's round trip (it takes no sample from
 * a retransmitted SYN): that, not when the agent looks, dates the answer.
 */
static void tcp_ready(struct watch *w)
{
	struct probe *p = probe_of(w);
	struct linger lg = { 1, 0 };
	struct tcp_info ti = { 0 };
	socklen_t len;
	int err = 0;

	len = sizeof(err);
	/* a stale event of a probe closed earlier in the same batch */
	if (w->fd < 0 || getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return;
	if (err && err != ECONNREFUSED && err != ECONNRESET) {
		lost(p);
		return;
	}
	len = sizeof(ti);
	getsockopt(w->fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	if (!err && ti.tcpi_state == TCP_SYN_SENT)
		return;
	if (!err)
		setsockopt(w->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	answered(p, ti.tcpi_rtt ? p->sent_ns + ti.tcpi_rtt * 1000ULL :
		     now_ns());
}

void sockprobe_drain(struct probe *p)
{
	if (p->w.fd >= 0)
		p->w.fn(&p->w);
}

static int watch_probe(struct alink *l, struct probe *p, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &p->w };

	return epoll_ctl(l->agent->epfd, EPOLL_CTL_ADD, p->w.fd, &ev) ?
	       -errno : 0;
}

/* The probe's socket is open and its connect() returned @err */
static void sockprobe_go(struct alink *l, struct probe *p,
			 const struct check_target *t, int err)
{
	if (t->method == CHECK_DNS) {
		if (!err)
			err = dns_send(l, p, p->w.fd);
		if (!err)
			err = watch_probe(l, p, EPOLLIN);
	} else if (!err || err == -ECONNREFUSED) {
		answered(p, now_ns());
		return;
	} else if (err == -EINPROGRESS) {
		err = watch_probe(l, p, EPOLLOUT);
	}
	if (err)
		lost(p);
}

int sockprobe_start(struct alink *l, struct probe *p,
		    const struct check_target *t)
{
	struct sockaddr_storage to;
	socklen_t tlen;
	int fd, err;

	fd = probe_socket(l, t->family,
			  t->method == CHECK_DNS ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0) {
		lost(p);
		return fd;
	}
	p->w.fd = fd;
	p->w.fn = t->method == CHECK_DNS ? dns_ready : tcp_ready;
	tlen = probe_sockaddr(t, &to);
	p->sent_ns = now_ns();
	/* UDP: only the server's datagrams; TCP: the SYN goes out */
	err = connect(fd, (struct sockaddr *)&to, tlen) ? -errno : 0;
	sockprobe_go(l, p, t, err);
	return 0;
}
