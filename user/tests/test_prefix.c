// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's prefix tracking (agent/prefix_conf.c): its lines and their
 * mistakes, and which of a device's addresses tells the delegated prefix.
 */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "confparse.h"
#include "ktap.h"
#include "prefix.h"
#include "util.h"

static char *err_text;
static size_t err_len;

static int prefix_lines(void *data, int argc, char **argv, unsigned int line)
{
	return strcmp(argv[0], "prefix") ? 0 :
	       prefix_line(data, argc, argv, line);
}

static int parse(const char *text, struct mwan_config *cfg,
		 struct prefix_confs *pc)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	FILE *saved = stderr;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	memset(pc, 0, sizeof(*pc));
	fflush(stderr);
	free(err_text);
	err_text = NULL;
	stderr = open_memstream(&err_text, &err_len);
	err = config_parse_agent(f, "p.conf", cfg, prefix_lines, pc);
	if (!err)
		err = prefix_resolve(pc, cfg, "p.conf");
	fclose(stderr);
	stderr = saved;
	fclose(f);
	return err;
}

#define NPT_LINK "link add att dev lo npt 3d06:bad:b01::/60 2600:1700:2f71:c80::/60\n"

static void test_conf(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ NPT_LINK "prefix\n",
		  "p.conf:2: prefix needs a link: prefix LINK [dev DEVICE] [within PREFIX/LEN]" },
		{ NPT_LINK "prefix web\n", "p.conf:2: prefix of unknown link \"web\"" },
		{ "link add att dev lo\nprefix att\n",
		  "p.conf:2: prefix of link \"att\", which has no npt" },
		{ NPT_LINK "prefix att within 10.0.0.0/8\n",
		  "p.conf:2: invalid within \"10.0.0.0/8\" (an IPv6 PREFIX/LEN)" },
		{ NPT_LINK "prefix att dev\n", "p.conf:2: dev needs a value" },
		{ NPT_LINK "prefix att from eth0\n",
		  "p.conf:2: unknown keyword \"from\" (dev, within)" },
		{ NPT_LINK "prefix att\nprefix att\n",
		  "p.conf:3: prefix for \"att\" given twice (first on line 2)" },
		{ NPT_LINK "prefix att dev a/b\n",
		  "p.conf:2: invalid device name \"a/b\"" },
	};
	struct mwan_config cfg;
	struct prefix_confs pc;
	unsigned int i;
	int err;

	err = parse(NPT_LINK "prefix att dev enatt0 within 2600:1700::/28\n",
		    &cfg, &pc);
	ktap_check(!err && pc.n == 1 && !strcmp(pc.v[0].dev, "enatt0") &&
		   pc.v[0].has_within && pc.v[0].within.len == 28,
		   "prefix att dev enatt0 within 2600:1700::/28");
	mwan_config_release(&cfg);
	prefix_release(&pc);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		bool ok;

		err = parse(bad[i].text, &cfg, &pc);
		ok = err && err_text && strstr(err_text, bad[i].msg);
		ktap_check(ok, "error: %s", bad[i].msg);
		if (!ok && err_text)
			fprintf(stderr, "# got: %s", err_text);
		mwan_config_release(&cfg);
		prefix_release(&pc);
	}
}

static struct prefix_addr addr(const char *s, uint8_t plen, uint32_t flags,
			       uint32_t preferred)
{
	struct prefix_addr a = { .plen = plen, .flags = flags,
				 .preferred = preferred };

	inet_pton(AF_INET6, s, a.addr);
	return a;
}

static bool picked(const struct prefix_conf *c, const struct prefix_addr *a,
		   unsigned int n, uint8_t len, const char *want)
{
	uint8_t out[16], w[16];

	if (!prefix_pick(c, a, n, len, out))
		return !want;
	inet_pton(AF_INET6, want, w);
	return want && !memcmp(out, w, 16);
}

static void test_pick(void)
{
	struct prefix_conf c = { .link = "att" };
	struct prefix_addr a[6];

	/* the seed: PD ::1/128 beside the ISP's /64 and link-local */
	a[0] = addr("fe80::1", 64, IFA_F_PERMANENT, UINT32_MAX);
	a[1] = addr("2001:506:6000:10::5", 64, 0, 3600);
	a[2] = addr("2600:1700:2f71:c80::1", 128, 0, 3600);
	ktap_check(picked(&c, a, 3, 60, "2600:1700:2f71:c80::"),
		   "pick: PREFIX::1/128 gives the /60, not the ISP's /64");
	ktap_check(picked(&c, a, 2, 60, NULL),
		   "pick: no delegation, no prefix (a /64 is the ISP's link)");
	/* the whole delegation as one address of the NPT's length */
	a[2] = addr("2600:1700:2f71:c8f::1", 60, 0, 3600);
	ktap_check(picked(&c, a, 3, 60, "2600:1700:2f71:c80::"),
		   "pick: an address of the NPT's length, masked to it");
	/* renumbered: the old one deprecated, the new one wins */
	a[2] = addr("2600:1700:2f71:c80::1", 128, IFA_F_DEPRECATED, 0);
	a[3] = addr("2600:1700:2f71:d90::1", 128, 0, 7200);
	ktap_check(picked(&c, a, 4, 60, "2600:1700:2f71:d90::"),
		   "pick: a deprecated delegation loses to its successor");
	a[2] = addr("2600:1700:2f71:c80::1", 128, 0, 600);
	ktap_check(picked(&c, a, 4, 60, "2600:1700:2f71:d90::"),
		   "pick: of two, the longer preferred lifetime");
	a[4] = addr("2600:1700:2f71:e00::1", 128, IFA_F_TENTATIVE, 9000);
	a[5] = addr("2600:1700:2f71:f00::1", 128, IFA_F_TEMPORARY, 9000);
	ktap_check(picked(&c, a, 6, 60, "2600:1700:2f71:d90::"),
		   "pick: tentative and temporary addresses are no delegation");
	/* within: only the ISP's pool counts */
	c.has_within = true;
	c.within.family = AF_INET6;
	c.within.len = 56;
	inet_pton(AF_INET6, "2600:1700:2f71:c00::", c.within.addr);
	ktap_check(picked(&c, a, 6, 60, "2600:1700:2f71:c80::"),
		   "pick: within 2600:1700:2f71:c00::/56 leaves d90 out");
	a[6 - 1] = addr("::1", 128, 0, UINT32_MAX);
	c.has_within = false;
	ktap_check(picked(&c, &a[5], 1, 60, NULL), "pick: ::1 is no delegation");
	ktap_check(picked(&c, &a[3], 1, 57, "2600:1700:2f71:d80::"),
		   "pick: a length that is no multiple of 8 (/57)");
}

int main(void)
{
	ktap_start();
	test_conf();
	test_pick();
	free(err_text);
	return ktap_finish("test_prefix");
}
