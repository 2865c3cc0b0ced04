// SPDX-License-Identifier: GPL-2.0
/*
 * mwan-agent's side of systemd's notify protocol (agent/notify.c), against
 * sockets of this test: what each message says, to an abstract name and
 * to a path, the watchdog's period and whose it is, and what a wrong
 * environment gets. selftests/mwan_agent_notify.sh runs the real agent.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "ktap.h"

/* What notify.c needs of main.c */
static struct watch *watched;

void agent_log(const char *fmt, ...)
{
	(void)fmt;
}

int agent_watch(struct agent *a, struct watch *w)
{
	(void)a;
	watched = w;
	return 0;
}

static FILE *saved_stderr;
static char *err_text;
static size_t err_len;

static void capture_start(void)
{
	fflush(stderr);
	saved_stderr = stderr;
	free(err_text);
	err_text = NULL;
	stderr = open_memstream(&err_text, &err_len);
}

static const char *capture_end(void)
{
	fclose(stderr);
	stderr = saved_stderr;
	return err_text ? err_text : "";
}

/* A service manager's socket at @name: "@..." abstract, else a path */
static int manager(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, name, strlen(name));
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	else
		unlink(name);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len)) {
		printf("# socket %s: %s\n", name, strerror(errno));
		return -1;
	}
	return fd;
}

/* The next message, or "" if none is waiting */
static const char *next_msg(int fd)
{
	static char buf[16384];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void set_link(struct alink *l, const char *name, bool up,
		     bool carrier)
{
	l->name = name;
	l->h.up = up;
	l->h.carrier = carrier;
}

static void test_abstract(void)
{
	struct alink links[2] = { 0 };
	struct agent a = { .links = links, .n_links = 2 };
	struct itimerspec its;
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@mwan-test-notify-%d", getpid());
	fd = manager(name);
	setenv("NOTIFY_SOCKET", name, 1);
	setenv("WATCHDOG_USEC", "200000", 1);
	unsetenv("WATCHDOG_PID");
	set_link(&links[0], "wan1", true, true);
	set_link(&links[1], "wan2", false, false);
	notify_open();
	ktap_check(!getenv("NOTIFY_SOCKET") && !getenv("WATCHDOG_USEC"),
		   "notify: NOTIFY_SOCKET and WATCHDOG_USEC are not passed on");
	notify_ready(&a);
	ktap_check(!strcmp(next_msg(fd),
			   "READY=1\nSTATUS=wan1 up, wan2 down (no carrier)"),
		   "notify: READY=1 with the links' states, to an abstract name");
	notify_status(&a);
	ktap_check(!*next_msg(fd), "notify: no STATUS= when nothing changed");
	links[1].h.carrier = true;
	notify_status(&a);
	ktap_check(!strcmp(next_msg(fd), "STATUS=wan1 up, wan2 down"),
		   "notify: STATUS= when the carrier came back");
	links[1].h.up = true;
	notify_status(&a);
	ktap_check(!strcmp(next_msg(fd), "STATUS=wan1 up, wan2 up"),
		   "notify: STATUS= when a link came up");

	watched = NULL;
	notify_watchdog_start(&a);
	ktap_check(watched && !timerfd_gettime(watched->fd, &its) &&
		   its.it_interval.tv_sec == 0 &&
		   its.it_interval.tv_nsec == 100000000,
		   "notify: the watchdog timer runs every half WATCHDOG_USEC");
	if (watched) {
		struct pollfd p = { .fd = watched->fd, .events = POLLIN };

		poll(&p, 1, 1000);
		watched->fn(watched);
	}
	ktap_check(!strcmp(next_msg(fd), "WATCHDOG=1"),
		   "notify: WATCHDOG=1 when it fires");
	notify_stopping();
	ktap_check(!strcmp(next_msg(fd), "STOPPING=1"), "notify: STOPPING=1");
	notify_close();
	close(fd);
}

static void test_path(void)
{
	struct alink links[MWAN_LINK_ID_MAX] = { 0 };
	struct agent a = { .links = links, .n_links = MWAN_LINK_ID_MAX };
	static char names[MWAN_LINK_ID_MAX][MWAN_NAME_MAX];
	const char *msg;
	char path[64];
	unsigned int i;
	int fd;

	snprintf(path, sizeof(path), "/tmp/mwan-test-notify-%d", getpid());
	fd = manager(path);
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "200000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	for (i = 0; i < MWAN_LINK_ID_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "uplink-%08u", i);
		set_link(&links[i], names[i], false, false);
	}
	notify_open();
	ktap_check(!getenv("WATCHDOG_PID"),
		   "notify: WATCHDOG_PID is not passed on");
	notify_ready(&a);
	msg = next_msg(fd);
	ktap_check(!strncmp(msg, "READY=1\nSTATUS=uplink-00000000 down (no carrier), uplink-00000001 ", 66) &&
		   strstr(msg, ", uplink-00000254 down (no carrier)") &&
		   strlen(msg) == 15 + 255 * 35 - 2,
		   "notify: READY=1 to a path; 255 links of the longest names, none left out");
	watched = NULL;
	notify_watchdog_start(&a);
	ktap_check(!watched,
		   "notify: no watchdog when WATCHDOG_PID is another process");
	notify_close();
	close(fd);
	unlink(path);
}

static void test_wrong_env(void)
{
	struct agent a = { 0 };
	const char *msg;

	setenv("NOTIFY_SOCKET", "run/systemd/notify", 1);
	capture_start();
	notify_open();
	notify_ready(&a);
	msg = capture_end();
	ktap_check(strstr(msg, "NOTIFY_SOCKET \"run/systemd/notify\" is not a socket path or @name: not notifying") != NULL,
		   "notify: a relative NOTIFY_SOCKET is refused, and said");
	notify_close();

	setenv("NOTIFY_SOCKET", "@x", 1);
	setenv("WATCHDOG_USEC", "2s", 1);
	unsetenv("WATCHDOG_PID");
	capture_start();
	notify_open();
	watched = NULL;
	notify_watchdog_start(&a);
	msg = capture_end();
	ktap_check(!watched && strstr(msg, "WATCHDOG_USEC \"2s\" is not a number of microseconds") != NULL,
		   "notify: a WATCHDOG_USEC that is no number: no watchdog, said");
	notify_close();

	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "200000", 1);
	notify_open();
	watched = NULL;
	notify_watchdog_start(&a);
	ktap_check(!watched, "notify: no NOTIFY_SOCKET, no watchdog");
	notify_close();
}

int main(void)
{
	ktap_start();
	test_abstract();
	test_path();
	test_wrong_env();
	free(err_text);
	return ktap_finish("test_notify");
}
