/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's "prefix" lines: a link's NPT external prefix follows the
 * prefix its ISP delegates, as seen in an address a DHCPv6-PD client puts
 * on a device (the Debian seed's hook gives the WAN device PREFIX::1/128).
 *
 *   prefix LINK [dev DEVICE] [within PREFIX/LEN]
 *
 * Of the device's global IPv6 addresses (not temporary, tentative or
 * deprecated), those whose own prefix length is 128 or the NPT's length
 * are candidates, and with "within" only those inside it: the ISP's link
 * address (a /64 from SLAAC) is not a delegation. The candidate with the
 * longest preferred lifetime wins; its first NPT-length bits are the new
 * external prefix. Pure logic: user/tests/test_prefix.c runs it.
 */
#ifndef MWAN_AGENT_PREFIX_H
#define MWAN_AGENT_PREFIX_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct prefix_conf {
	char link[MWAN_NAME_MAX];
	unsigned int line;
	char dev[IF_NAMESIZE];		/* "": the link's device */
	bool has_within;
	struct mwan_prefix within;
};

struct prefix_confs {
	struct prefix_conf *v;
	unsigned int n;
};

/* An IPv6 address of a device, as rtnetlink tells it */
struct prefix_addr {
	uint8_t addr[16];
	uint8_t plen;
	uint32_t flags;			/* IFA_F_* */
	uint32_t preferred;		/* seconds, 0xffffffff: forever */
};

/* A config_line_fn for "prefix" lines; @data is a struct prefix_confs */
int prefix_line(void *data, int argc, char **argv, unsigned int line);
/* After the file: each line's link exists and has an npt to follow */
int prefix_resolve(const struct prefix_confs *pc,
		   const struct mwan_config *cfg, const char *fname);
void prefix_release(struct prefix_confs *pc);

/*
 * The delegated prefix among @n addresses, @len bits of it into @out
 * (the rest zero). False if no address is a candidate.
 */
bool prefix_pick(const struct prefix_conf *c, const struct prefix_addr *a,
		 unsigned int n, uint8_t len, uint8_t out[16]);

#endif /* MWAN_AGENT_PREFIX_H */
