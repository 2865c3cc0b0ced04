// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic of `make bench`: small UDP datagrams, as fast as one CPU
 * sends them, until killed. Batches of 32 per sendmmsg(), so that the
 * sender's own share of each packet's cost stays small and the router's
 * part of the cost shows.
 *
 *   blast flow DST PORT        one connection: a connected UDP socket
 *                              that first waits for the server to answer a
 *                              "hello", so that conntrack on the way sees
 *                              an established connection (a flow nobody
 *                              ever answered stays "new" for nftables'
 *                              ct state), then sends; from the LAN or, as
 *                              a program on the router, local out
 *   blast new SRC DST PORT     a new source port for every datagram (and
 *                              the next destination port once they are
 *                              used up): every packet a new connection.
 *                              With its own IPv4 header (a raw socket):
 *                              no socket per port. UDP checksum 0 (none,
 *                              allowed in IPv4): nothing to recompute.
 *
 * Prints "ready" once it sends. The datagrams carry 18 bytes (UDP length 26, what the bench's sink
 * drops); the hello is shorter, and gets through to the echo server.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <poll.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
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

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static struct sockaddr_in sin_of(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "blast: not an IPv4 address: %s\n", addr);
		exit(2);
	}
	return sin;
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

/* new: datagrams with our own IPv4 header (IPPROTO_RAW) */
static void new_flows(const char *src, const char *dst, int port)
{
	static struct dgram d[BATCH];
	static struct iovec iov[BATCH];
	static struct mmsghdr msgs[BATCH];
	struct sockaddr_in from = sin_of(src, 0), to = sin_of(dst, port);
	int fd, i, sport = SPORT_FIRST, dport = port;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		die("socket");
	for (i = 0; i < BATCH; i++) {
		d[i].ip = (struct iphdr){ .version = 4, .ihl = 5, .ttl = 64,
			.protocol = IPPROTO_UDP, .tot_len = htons(sizeof(d[i])),
			.saddr = from.sin_addr.s_addr,
			.daddr = to.sin_addr.s_addr };
		d[i].udp = (struct udphdr){ .source = htons(sport),
			.dest = htons(port), .len = htons(sizeof(d[i]) - 20) };
		memcpy(d[i].payload, "mwan bench payload", PAYLOAD);
		iov[i] = (struct iovec){ &d[i], sizeof(d[i]) };
		msgs[i].msg_hdr = (struct msghdr){ .msg_name = &to,
			.msg_namelen = sizeof(to), .msg_iov = &iov[i],
			.msg_iovlen = 1 };
	}
	ready();
	for (;;) {
		for (i = 0; i < BATCH; i++) {
			d[i].udp.source = htons(sport);
			d[i].udp.dest = htons(dport);
			if (++sport > SPORT_LAST) {
				sport = SPORT_FIRST;
				dport = dport == 65535 ? port : dport + 1;
			}
		}
		if (sendmmsg(fd, msgs, BATCH, 0) < 0)
			usleep(1000);
	}
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

/* flow: one connected socket, answered once */
static void flow(const char *dst, int port)
{
	static char payload[PAYLOAD] = "mwan bench payload";
	static struct iovec iov = { payload, PAYLOAD };
	static struct mmsghdr msgs[BATCH];
	struct sockaddr_in to = sin_of(dst, port);
	int fd, i;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0)
		die("connect");
	hello(fd);
	for (i = 0; i < BATCH; i++)
		msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov,
						   .msg_iovlen = 1 };
	send_forever(fd, msgs);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "flow"))
		flow(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "new"))
		new_flows(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: blast flow DST PORT | blast new SRC DST PORT\n");
	return 2;
}
