/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MWAN_NETNS_H
#define MWAN_NETNS_H

/*
 * Move this process into network namespace @name: a name made by
 * "ip netns add" (found in /run/netns) or a path such as
 * /proc/PID/ns/net. Only the network namespace changes, unlike
 * "ip netns exec", which also remounts /sys: mwan speaks only netlink.
 * Returns 0, or -errno after saying why.
 */
int netns_enter(const char *name);

#endif /* MWAN_NETNS_H */
