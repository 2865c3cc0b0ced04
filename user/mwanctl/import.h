/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mwan3's UCI configuration (/etc/config/mwan3) turned into mwan.conf(5):
 * links with mwan3's ids and checks with its knobs, policies, rules. Pure:
 * no netlink, no devices looked up; user/tests/test_import.c runs it.
 */
#ifndef MWANCTL_IMPORT_H
#define MWANCTL_IMPORT_H

#include <stdio.h>

#include "uci.h"

/*
 * Write to @out what the mwan3 configuration @m does, as mwan.conf(5);
 * the interfaces' devices come from the network configuration @net
 * (NULL: none given). What cannot be carried over, or means something
 * else in mwan, is said on stderr (naming file, line, section and option)
 * and as comments at the head of the output. 0, or -ENOMEM.
 */
int import_mwan3(const struct uci_file *m, const struct uci_file *net,
		 FILE *out);

#endif /* MWANCTL_IMPORT_H */
