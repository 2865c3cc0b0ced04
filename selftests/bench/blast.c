// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic of `make bench`: small UDP datagrams, as fast as one CPU
 * sends them, until killed. Batches of 32 per sendmmsg(), so that the
 * sender's own share of each packet's cost stays small and the router's
 * part of the cost shows. IPv4 or IPv6, as the addresses are written.
 *
 *   blast flow DST PORT [SRC]  one connection: a connected UDP socket
 *                              (bound to SRC if given) that first waits
 *                              for the server to answer a "hello", so that
 *                              conntrack on the way sees an established
 *                              connection (a flow nobody ever answered
 *                              stays "new" for nftables' ct state), then
 *                              sends; from the LAN or, as a program on the
 *                              router, local out
 *   blast new SRC DST PORT     a new source port for every datagram (and
 *                              the next destination port once they are
 *                              used up): every packet a new connection.
 *                              With its own IP header (a raw socket): no
 *                              socket per port. IPv4: UDP checksum 0 (none,
 *                              allowed there): nothing to recompute. IPv6
 *                              needs one: it is computed here, as a packet
 *                              from a real host carries it, so that a
 *                              router that rewrites an address must
 *                              update it.
 *
 * Prints "ready" once it sends. The datagrams carry 18 bytes (UDP length
 * 26, what the bench's sink drops); the hello is shorter, and gets through
 * to the echo server.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <poll.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 32
#define PAYLOAD 18	/* 46-byte IPv4 packets: an Ethernet frame's minimum */
#define SPORT_FIRST 10000
#define SPORT_LAST 59999
#define HELLO "hello"
#define HELLO_TRIES 50	/* 0.2 s apart */

struct dgram {
	struct iphdr ip;
	struct udphdr udp;
	char payload[PAYLOAD];
} __attribute__((packed));

struct dgram6 {
	struct ip6_hdr ip;
	struct udphdr udp;
	char payload[PAYLOAD];
} __attribute__((packed));

/* An IPv4 or IPv6 socket address, as the text of the address says. */
union addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static socklen_t addr_len(const union addr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->sin6) : sizeof(a->sin);
}

static union addr addr_of(const char *text, int port)
{
	union addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, &a.sin.sin_addr) == 1) {
		a.sin.sin_family = AF_INET;
		a.sin.sin_port = htons(port);
	} else if (inet_pton(AF_INET6, text, &a.sin6.sin6_addr) == 1) {
		a.sin6.sin6_family = AF_INET6;
		a.sin6.sin6_port = htons(port);
	} else {
		fprintf(stderr, "blast: not an IP address: %s\n", text);
		exit(2);
	}
	return a;
}

/* tells the bench that counting may start */
static void ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

static void send_forever(int fd, struct mmsghdr *msgs)
{
	ready();
	for (;;)
		if (sendmmsg(fd, msgs, BATCH, 0) < 0)
			usleep(1000);	/* ENOBUFS and the like: keep going */
}

/* The next source port of a new connection, and destination port. */
static void next_ports(int *sport, int *dport, int port)
{
	if (++*sport > SPORT_LAST) {
		*sport = SPORT_FIRST;
		*dport = *dport == 65535 ? port : *dport + 1;
	}
}

/* new, IPv4: datagrams with our own IPv4 header (IPPROTO_RAW) */
static void new_flows4(const union addr *from, const union addr *to, int port)
{
	static struct dgram d[BATCH];
	static struct iovec iov[BATCH];
	static struct mmsghdr msgs[BATCH];
	int fd, i, sport = SPORT_FIRST, dport = port;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		die("socket");
	for (i = 0; i < BATCH; i++) {
		d[i].ip = (struct iphdr){ .version = 4, .ihl = 5, .ttl = 64,
			.protocol = IPPROTO_UDP, .tot_len = htons(sizeof(d[i])),
			.saddr = from->sin.sin_addr.s_addr,
			.daddr = to->sin.sin_addr.s_addr };
		d[i].udp = (struct udphdr){ .source = htons(sport),
			.dest = htons(port), .len = htons(sizeof(d[i]) - 20) };
		memcpy(d[i].payload, "mwan bench payload", PAYLOAD);
		iov[i] = (struct iovec){ &d[i], sizeof(d[i]) };
		msgs[i].msg_hdr = (struct msghdr){ .msg_name = (void *)to,
			.msg_namelen = sizeof(to->sin), .msg_iov = &iov[i],
			.msg_iovlen = 1 };
	}
	ready();
	for (;;) {
		for (i = 0; i < BATCH; i++) {
			d[i].udp.source = htons(sport);
			d[i].udp.dest = htons(dport);
			next_ports(&sport, &dport, port);
		}
		if (sendmmsg(fd, msgs, BATCH, 0) < 0)
			usleep(1000);
	}
}

/* Ones'-complement sum of @len bytes (even) at @p, in network order. */
static uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const uint16_t *w = p;

	for (; len > 1; len -= 2)
		sum += *w++;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * The UDP checksum of @d with ports @sport and @dport (network order),
 * from @base: the sum of the pseudo-header and the datagram with both
 * ports and the checksum zero. Zero is sent as all ones (RFC 768).
 */
static uint16_t udp6_check(uint32_t base, uint16_t sport, uint16_t dport)
{
	uint16_t c = ~fold(base + sport + dport);

	return c ? c : 0xffff;
}

/* new, IPv6: our own IPv6 header (IPPROTO_RAW implies IPV6_HDRINCL) */
static void new_flows6(const union addr *from, const union addr *to, int port)
{
	static struct dgram6 d[BATCH];
	static struct iovec iov[BATCH];
	static struct mmsghdr msgs[BATCH];
	/* the kernel takes the address only: the port is the protocol */
	struct sockaddr_in6 dst = to->sin6;
	int fd, i, sport = SPORT_FIRST, dport = port;
	uint16_t ulen = htons(sizeof(d[0]) - sizeof(d[0].ip));
	uint32_t base;

	fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		die("socket");
	/*
	 * Bound to the source it writes: routing then takes it as it is,
	 * where an unbound socket would have a source chosen by the address
	 * selection rules for every datagram, costing more than forwarding it.
	 */
	if (bind(fd, &from->sa, sizeof(from->sin6)) < 0)
		die("bind");
	dst.sin6_port = 0;
	for (i = 0; i < BATCH; i++) {
		d[i].ip.ip6_flow = htonl(6 << 28);
		d[i].ip.ip6_plen = ulen;
		d[i].ip.ip6_nxt = IPPROTO_UDP;
		d[i].ip.ip6_hlim = 64;
		d[i].ip.ip6_src = from->sin6.sin6_addr;
		d[i].ip.ip6_dst = to->sin6.sin6_addr;
		d[i].udp = (struct udphdr){ .len = ulen };
		memcpy(d[i].payload, "mwan bench payload", PAYLOAD);
		iov[i] = (struct iovec){ &d[i], sizeof(d[i]) };
		msgs[i].msg_hdr = (struct msghdr){ .msg_name = &dst,
			.msg_namelen = sizeof(dst), .msg_iov = &iov[i],
			.msg_iovlen = 1 };
	}
	/* pseudo-header: addresses, length, next header; then the datagram */
	base = sum16(&d[0].ip.ip6_src, 32, 0) + ulen + htons(IPPROTO_UDP);
	base = sum16(&d[0].udp, sizeof(d[0]) - sizeof(d[0].ip), base);
	ready();
	for (;;) {
		for (i = 0; i < BATCH; i++) {
			d[i].udp.source = htons(sport);
			d[i].udp.dest = htons(dport);
			d[i].udp.check = udp6_check(base, d[i].udp.source,
						    d[i].udp.dest);
			next_ports(&sport, &dport, port);
		}
		if (sendmmsg(fd, msgs, BATCH, 0) < 0)
			usleep(1000);
	}
}

static void new_flows(const char *src, const char *dst, int port)
{
	union addr from = addr_of(src, 0), to = addr_of(dst, port);

	if (from.sa.sa_family != to.sa.sa_family) {
		fprintf(stderr, "blast: %s and %s: not one family\n", src, dst);
		exit(2);
	}
	if (to.sa.sa_family == AF_INET6)
		new_flows6(&from, &to, port);
	new_flows4(&from, &to, port);
}

/* until the server's echo of a hello comes back */
static void hello(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[64];
	int i;

	for (i = 0; i < HELLO_TRIES; i++) {
		if (send(fd, HELLO, strlen(HELLO), 0) < 0)
			perror("blast: hello");
		if (poll(&pfd, 1, 200) == 1 && recv(fd, buf, sizeof(buf), 0) > 0)
			return;
	}
	fprintf(stderr, "blast: no answer from the server\n");
	exit(1);
}

/* flow: one connected socket, bound to @src if given, answered once */
static void flow(const char *dst, int port, const char *src)
{
	static char payload[PAYLOAD] = "mwan bench payload";
	static struct iovec iov = { payload, PAYLOAD };
	static struct mmsghdr msgs[BATCH];
	union addr to = addr_of(dst, port), from;
	int fd, i;

	fd = socket(to.sa.sa_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (src) {
		from = addr_of(src, 0);
		if (bind(fd, &from.sa, addr_len(&from)) < 0)
			die("bind");
	}
	if (connect(fd, &to.sa, addr_len(&to)) < 0)
		die("connect");
	hello(fd);
	for (i = 0; i < BATCH; i++)
		msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov,
						   .msg_iovlen = 1 };
	send_forever(fd, msgs);
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "flow"))
		flow(argv[2], atoi(argv[3]), argc == 5 ? argv[4] : NULL);
	if (argc == 5 && !strcmp(argv[1], "new"))
		new_flows(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr,
		"usage: blast flow DST PORT [SRC] | blast new SRC DST PORT\n");
	return 2;
}
