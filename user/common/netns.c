// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "util.h"

#define NETNS_RUN_DIR "/run/netns"

int netns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd, err;

	if (!*name) {
		pr_err("empty network namespace name");
		return -EINVAL;
	}
	/* a bare name is one of ip-netns(8)'s, like "ip -n NAME" takes */
	if (strchr(name, '/'))
		err = snprintf(path, sizeof(path), "%s", name);
	else
		err = snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	if (err < 0 || (size_t)err >= sizeof(path)) {
		pr_err("network namespace name too long");
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("network namespace \"%s\": %s", name, strerror(errno));
		return err;
	}
	err = setns(fd, CLONE_NEWNET) ? -errno : 0;
	if (err)
		pr_err("cannot enter network namespace \"%s\": %s", name,
		       strerror(-err));
	close(fd);
	return err;
}
