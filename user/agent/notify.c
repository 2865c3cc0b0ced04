// SPDX-License-Identifier: GPL-2.0
/*
 * systemd's notify protocol (sd_notify(3)) by hand, no libsystemd: one
 * datagram of "KEY=value" lines per message to the AF_UNIX socket named
 * by $NOTIFY_SOCKET, a path or "@name" for an abstract one.
 *
 *   READY=1      the file is applied and every checked link is probed
 *   STATUS=...   the checked links' states, "wan1 up, wan2 down", sent
 *                again whenever one changes
 *   WATCHDOG=1   every half $WATCHDOG_USEC, from a timer in the event
 *                loop: a loop that is stuck stops pinging, and systemd
 *                restarts the agent
 *   STOPPING=1   on SIGTERM or SIGINT
 *
 * Without NOTIFY_SOCKET nothing is sent. The socket is made first thing,
 * before -n NETNS: an abstract name belongs to the network namespace the
 * socket is made in, which must be the service manager's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"

/* "name down (no carrier), " for each of the most links there can be */
#define STATUS_MAX	(MWAN_LINK_ID_MAX * (MWAN_NAME_MAX + 20) + 64)

static struct {
	int fd;				/* -1: not notifying */
	struct sockaddr_un addr;
	socklen_t addr_len;
	uint64_t watchdog_us;		/* 0: no watchdog */
	struct watch watchdog;		/* a timerfd at half of it */
	bool send_failed;		/* said once, not at every ping */
	char status[STATUS_MAX];	/* the STATUS= last sent */
} nt = { .fd = -1, .watchdog.fd = -1 };

static void send_msg(const char *msg)
{
	ssize_t n;

	if (nt.fd < 0)
		return;
	n = sendto(nt.fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
		   (struct sockaddr *)&nt.addr, nt.addr_len);
	if (n >= 0 || nt.send_failed)
		return;
	/* the service manager may be gone or busy: the agent goes on */
	nt.send_failed = true;
	agent_log("cannot notify the service manager: %s", strerror(errno));
}

/* $NOTIFY_SOCKET to an address; false if it names none we can reach. */
static bool notify_addr(const char *s)
{
	bool path = s[0] == '/';
	size_t len = strlen(s);

	/* a path needs room for its NUL; an abstract name has none */
	if ((!path && s[0] != '@') || len < 2 ||
	    len > sizeof(nt.addr.sun_path) - path) {
		pr_err("NOTIFY_SOCKET \"%s\" is not a socket path or @name: not notifying",
		       s);
		return false;
	}
	nt.addr.sun_family = AF_UNIX;
	memcpy(nt.addr.sun_path, s, len + path);
	/* abstract: a NUL for the '@', then exactly the name's bytes */
	if (!path)
		nt.addr.sun_path[0] = '\0';
	nt.addr_len = offsetof(struct sockaddr_un, sun_path) + len + path;
	return true;
}

/* The watchdog is ours only if systemd set it for this process. */
static void watchdog_env(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	char *end;

	if (!usec)
		return;
	if (pid && strtol(pid, &end, 10) != getpid())
		return;
	errno = 0;
	nt.watchdog_us = strtoull(usec, &end, 10);
	/* in ns, halved, it must fit the timer */
	if (errno || *end || !*usec || !nt.watchdog_us ||
	    nt.watchdog_us > UINT64_MAX / 1000) {
		pr_err("WATCHDOG_USEC \"%s\" is not a number of microseconds: no watchdog pings",
		       usec);
		nt.watchdog_us = 0;
	}
}

void notify_open(void)
{
	const char *s = getenv("NOTIFY_SOCKET");

	notify_close();
	nt.watchdog_us = 0;
	nt.send_failed = false;
	nt.status[0] = '\0';
	if (s && notify_addr(s)) {
		nt.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (nt.fd < 0)
			pr_err("notify socket: %s", strerror(errno));
		else
			watchdog_env();
	}
	/* hooks and other children are not the service's main process */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void watchdog_fired(struct watch *w)
{
	uint64_t n;

	/* ticks missed while the loop was busy: one ping says it is back */
	if (read(w->fd, &n, sizeof(n)) < 0)
		return;
	send_msg("WATCHDOG=1");
}

int notify_watchdog_start(struct agent *a)
{
	uint64_t half_ns = nt.watchdog_us * 1000 / 2;
	struct itimerspec its = { 0 };

	if (nt.fd < 0 || !nt.watchdog_us)
		return 0;
	nt.watchdog.fd = timerfd_create(CLOCK_MONOTONIC,
					TFD_CLOEXEC | TFD_NONBLOCK);
	if (nt.watchdog.fd < 0) {
		pr_err("watchdog timer: %s", strerror(errno));
		return -errno;
	}
	nt.watchdog.fn = watchdog_fired;
	its.it_value.tv_sec = half_ns / 1000000000ULL;
	its.it_value.tv_nsec = half_ns % 1000000000ULL;
	/* at least a nanosecond: zero would disarm it */
	its.it_value.tv_nsec += !half_ns;
	its.it_interval = its.it_value;
	if (timerfd_settime(nt.watchdog.fd, 0, &its, NULL)) {
		pr_err("watchdog timer: %s", strerror(errno));
		return -errno;
	}
	return agent_watch(a, &nt.watchdog);
}

/* "wan1 up, wan2 down (no carrier)" into @buf, @size bytes */
static void status_text(const struct agent *a, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	if (!a->n_links)
		snprintf(buf, size, "no link has a check");
	for (i = 0; i < a->n_links && len < size; i++) {
		const struct alink *l = &a->links[i];

		/* a state held by hand is what the kernel has; say so */
		len += snprintf(buf + len, size - len, "%s%s %s%s%s",
				i ? ", " : "", l->name,
				l->held ? link_state_name(l->kstate) :
				l->h.up ? "up" : "down",
				l->held ? " (held)" : "",
				l->h.carrier ? "" : " (no carrier)");
	}
}

static void send_status(const struct agent *a, const char *prefix)
{
	char msg[STATUS_MAX + 32];

	status_text(a, nt.status, sizeof(nt.status));
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", prefix, nt.status);
	send_msg(msg);
}

void notify_ready(const struct agent *a)
{
	if (nt.fd >= 0)
		send_status(a, "READY=1\n");
}

void notify_status(const struct agent *a)
{
	char now[STATUS_MAX];

	if (nt.fd < 0)
		return;
	status_text(a, now, sizeof(now));
	if (strcmp(now, nt.status))
		send_status(a, "");
}

void notify_stopping(void)
{
	send_msg("STOPPING=1");
}

void notify_close(void)
{
	if (nt.watchdog.fd >= 0)
		close(nt.watchdog.fd);
	if (nt.fd >= 0)
		close(nt.fd);
	nt.watchdog.fd = nt.fd = -1;
}
