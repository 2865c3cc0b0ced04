// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <linux/magic.h>

#include "cgroup.h"

int cgroup_abs_path(const char *rel, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s%s", MWAN_CGROUP_ROOT,
			 *rel ? "/" : "", rel);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * Without file handles (CONFIG_FHANDLE off) the inode number stands in:
 * kernfs gives a cgroup its id as inode number on 64-bit kernels.
 */
static int handle_id(const char *path, uint64_t *id)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h = { .fh.handle_bytes = sizeof(uint64_t) };
	struct stat st;
	int mnt;

	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt, 0)) {
		if (errno != ENOSYS && errno != EOPNOTSUPP)
			return -errno;
		if (stat(path, &st))
			return -errno;
		*id = st.st_ino;
		return 0;
	}
	if (h.fh.handle_bytes != sizeof(uint64_t))
		return -ENOTDIR;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

int cgroup_id(const char *rel, uint64_t *id)
{
	char path[sizeof(MWAN_CGROUP_ROOT) + MWAN_CGROUP_PATH_MAX];
	struct statfs fs;
	struct stat st;
	int err;

	err = cgroup_abs_path(rel, path, sizeof(path));
	if (err)
		return err;
	if (stat(path, &st))
		return -errno;
	if (statfs(path, &fs))
		return -errno;
	if (!S_ISDIR(st.st_mode) || fs.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOTDIR;
	return handle_id(path, id);
}

/* Depth-first under @path (@len bytes used), @level directories down. */
static int find_below(char *path, size_t len, size_t size, uint64_t id,
		      uint16_t level)
{
	struct dirent *d;
	uint64_t here;
	DIR *dir;
	int err = -ENOENT;
	int n;

	if (!level)
		return handle_id(path, &here) || here != id ? -ENOENT : 0;
	dir = opendir(path);
	if (!dir)
		return -ENOENT;
	while (err && (d = readdir(dir))) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		n = snprintf(path + len, size - len, "/%s", d->d_name);
		if (n < 0 || (size_t)n >= size - len)
			continue;
		err = find_below(path, len + n, size, id, level - 1);
	}
	closedir(dir);
	if (err)
		path[len] = '\0';
	return err;
}

int cgroup_find(uint64_t id, uint16_t level, char rel[MWAN_CGROUP_PATH_MAX])
{
	char path[sizeof(MWAN_CGROUP_ROOT) + MWAN_CGROUP_PATH_MAX];
	size_t root = strlen(MWAN_CGROUP_ROOT);
	int err;

	strcpy(path, MWAN_CGROUP_ROOT);
	err = find_below(path, root, sizeof(path), id, level);
	if (err)
		return err;
	strcpy(rel, path[root] ? path + root + 1 : "");
	return 0;
}
