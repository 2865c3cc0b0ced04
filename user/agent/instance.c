// SPDX-License-Identifier: GPL-2.0
/*
 * One agent per network namespace: two would fight over the links' states
 * and tables. The claim is an abstract unix socket, whose names belong to
 * the network namespace and vanish with the process, however it ends: no
 * stale pid file after a crash.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"

static const char instance_name[] = "\0mwan-agent";
static int claim_fd = -1;

static socklen_t instance_addr(struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, instance_name, sizeof(instance_name) - 1);
	return offsetof(struct sockaddr_un, sun_path) +
	       sizeof(instance_name) - 1;
}

/* The pid of the agent holding the claim, 0 if it cannot be told */
static pid_t holder(void)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	struct sockaddr_un sa;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&sa, instance_addr(&sa)) ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		cred.pid = 0;
	close(fd);
	return cred.pid;
}

int instance_claim(void)
{
	struct sockaddr_un sa;
	pid_t pid;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pr_err("cannot make a socket: %s", strerror(errno));
		return -errno;
	}
	if (!bind(fd, (struct sockaddr *)&sa, instance_addr(&sa)) &&
	    !listen(fd, 1)) {
		claim_fd = fd;
		return fd;
	}
	close(fd);
	if (errno != EADDRINUSE) {
		pr_err("cannot claim the network namespace: %s",
		       strerror(errno));
		return -errno;
	}
	pid = holder();
	if (pid)
		pr_err("another mwan-agent (pid %d) runs in this network namespace",
		       (int)pid);
	else
		pr_err("another mwan-agent runs in this network namespace");
	return -EADDRINUSE;
}

void instance_forget(void)
{
	if (claim_fd >= 0)
		close(claim_fd);
	claim_fd = -1;
}
