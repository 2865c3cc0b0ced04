/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MWAN_NETLINK_H
#define _MWAN_NETLINK_H

int mwan_genl_init(void);
void mwan_genl_exit(void);

#endif /* _MWAN_NETLINK_H */
