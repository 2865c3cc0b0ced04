/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 paths and the ids the kernel matches sockets by. A cgroup's id
 * is its kernfs node id, which the kernel hands out as the directory's file
 * handle (and, on 64-bit, its inode number); a deleted and recreated
 * cgroup gets a new one.
 */
#ifndef MWAN_CGROUP_H
#define MWAN_CGROUP_H

#include <stdint.h>

#include "parse.h"

/* Build "ROOT/rel" into @buf; -ENAMETOOLONG if it does not fit. */
int cgroup_abs_path(const char *rel, char *buf, size_t size);
/*
 * The id of cgroup @rel (relative to MWAN_CGROUP_ROOT): -ENOENT if there
 * is none, -ENOTDIR if the path is not a directory of a cgroup v2 file
 * system, or another negative errno.
 */
int cgroup_id(const char *rel, uint64_t *id);
/*
 * The path, relative to the root, of the cgroup @id at depth @level;
 * -ENOENT if there is none (any more).
 */
int cgroup_find(uint64_t id, uint16_t level, char rel[MWAN_CGROUP_PATH_MAX]);

#endif /* MWAN_CGROUP_H */
