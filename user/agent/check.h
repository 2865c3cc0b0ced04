/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's "check" lines of mwan.conf(5): per link, how to probe it
 * and when to call it down or up.
 *
 *   check LINK METHOD TARGET... [METHOD TARGET...]... [interval T]
 *         [failure-interval T] [recovery-interval T] [timeout T] [count N]
 *         [reliability N] [down N] [up N] [initial up|down]
 *         [failure-latency T] [recovery-latency T] [failure-loss PCT]
 *         [recovery-loss PCT] [down-action keep|flush]
 *         [dns-name NAME]
 *
 * METHOD is icmp (ADDR), dns (ADDR, ADDR:PORT, [ADDR6]:PORT) or tcp
 * (ADDR:PORT, [ADDR6]:PORT); a method word applies to the targets after
 * it, up to the next method word or option. T is a time with its unit,
 * "500ms" or "2s" ("1.5s" too). Pure parsing: user/tests/test_check.c
 * runs it.
 */
#ifndef MWAN_AGENT_CHECK_H
#define MWAN_AGENT_CHECK_H

#include <stdint.h>

#include "health.h"
#include "model.h"

#define CHECK_TARGETS_MAX	8
#define CHECK_COUNT_MAX		16
#define CHECK_ROUNDS_MAX	1000
#define CHECK_INTERVAL_MIN_MS	10
#define CHECK_INTERVAL_MAX_MS	3600000
#define CHECK_TIMEOUT_MAX_MS	60000

/* The longest question name in wire format (RFC 1035, 3.1) */
#define CHECK_QNAME_MAX		255

enum check_method {
	CHECK_ICMP,			/* ICMP or ICMPv6 echo */
	CHECK_DNS,			/* a DNS query over UDP */
	CHECK_TCP,			/* a TCP handshake */
};

struct check_target {
	uint8_t method;			/* enum check_method */
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint16_t port;			/* DNS and TCP, host order */
	uint8_t addr[16];		/* network order */
	char text[64];			/* as written */
};

struct check {
	char link[MWAN_NAME_MAX];
	unsigned int line;
	struct check_target targets[CHECK_TARGETS_MAX];
	unsigned int n_targets;
	struct health_conf hc;
	bool flush_on_down;		/* down-action flush */
	/* what a DNS probe asks: NS records of this name, in wire format */
	uint8_t qname[CHECK_QNAME_MAX];
	unsigned int qname_len;
};

struct checks {
	struct check *v;
	unsigned int n;
};

/* What a check line leaves out */
extern const struct health_conf check_defaults;

/* A config_line_fn for config_parse_agent(): @data is a struct checks. */
int check_line(void *data, int argc, char **argv, unsigned int line);
/*
 * After the file: each check's link must be in @cfg, and take its first
 * state from the check ("initial"), not from a "state" of its own.
 */
int checks_resolve(const struct checks *cs, struct mwan_config *cfg,
		   const char *fname);
void checks_release(struct checks *cs);

/* "icmp", "dns", "tcp" */
const char *check_method_name(unsigned int method);

/* "500ms", "2s", "1.5s" within [@min, @max] ms; -EINVAL, -ERANGE */
int parse_duration_ms(const char *s, unsigned int min, unsigned int max,
		      unsigned int *ms);

#endif /* MWAN_AGENT_CHECK_H */
