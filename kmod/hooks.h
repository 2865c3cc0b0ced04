/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MWAN_HOOKS_H
#define _MWAN_HOOKS_H

/*
 * After conntrack (-200) and after the user's own mangle chains (-150), so
 * that a mark an nft rule sets there picks the link; before DNAT (-100).
 */
#define MWAN_HOOK_PRIORITY (NF_IP_PRI_MANGLE + 1)
#define MWAN_HOOK_PRIORITY6 (NF_IP6_PRI_MANGLE + 1)

struct mwan_net;

int mwan_hooks_register(struct mwan_net *mn);
void mwan_hooks_unregister(struct mwan_net *mn);

#endif /* _MWAN_HOOKS_H */
