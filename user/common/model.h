/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory model of the mwan objects, and its conversion to and from the
 * attribute trees of <linux/mwan.h>.
 *
 * Each object has a "set" bitmap with BIT(attribute type) for every field
 * that holds a value: on the way out only those are put, on the way in it
 * tells what the kernel sent. Besides the kernel's fields an object may carry
 * the symbolic names a user wrote for its references (a member's link, a
 * rule's policy, the default policy) and the line it came from, for the
 * config file parser which resolves them within the file.
 */
#ifndef MWAN_MODEL_H
#define MWAN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/mwan.h>
#include <linux/types.h>

#include "parse.h"

#define HAS(obj, attr)	(((obj)->set >> (attr)) & 1)
#define MARK(obj, attr)	((obj)->set |= 1U << (attr))

struct mwan_stats {
	uint32_t set;				/* BIT(MWAN_STATS_A_*) */
	uint64_t v[MWAN_STATS_A_MAX + 1];	/* indexed by attribute */
};

struct mwan_globals {
	uint32_t set;			/* BIT(MWAN_A_*) */
	uint32_t mark_mask;
	uint8_t enabled;
	uint32_t default_policy;	/* policy id, 0: none */
	uint32_t generation;
	char default_policy_name[MWAN_NAME_MAX];
	unsigned int line;
};

/*
 * A link's translations. With MWAN_LINK_A_NPT (MAP4) in the link's set the
 * nest is put, holding the fields set here: none makes the empty nest that
 * turns the translation off.
 */
struct mwan_link_npt {
	uint32_t set;			/* BIT(MWAN_NPT_A_*) */
	uint8_t internal[16];		/* network order */
	uint8_t external[16];
	uint8_t prefix_len;
	uint8_t mode;			/* enum mwan_npt_mode */
};

struct mwan_link_map4 {
	uint32_t set;			/* BIT(MWAN_MAP4_A_*) */
	__be32 internal_first;		/* network order, as on the wire */
	__be32 internal_last;
	__be32 external_first;
};

struct mwan_link {
	uint32_t set;			/* BIT(MWAN_LINK_A_*) */
	uint32_t id;
	char name[MWAN_NAME_MAX];
	uint32_t ifindex;
	uint8_t state;
	uint8_t health;			/* enum mwan_link_health */
	uint32_t weight;
	uint32_t rtt_us;
	uint32_t loss_ppm;
	uint32_t mark;
	uint32_t state_secs;		/* read only: age of the state */
	struct mwan_stats stats;
	struct mwan_link_npt npt;
	struct mwan_link_map4 map4;
	unsigned int line;
};

struct mwan_member {
	uint32_t set;			/* BIT(MWAN_MEMBER_A_*) */
	uint32_t link;
	uint32_t metric;
	uint32_t weight;		/* 0: the link's own weight */
	char link_name[MWAN_NAME_MAX];
	unsigned int line;
};

struct mwan_policy {
	uint32_t set;			/* BIT(MWAN_POLICY_A_*) */
	uint32_t id;
	char name[MWAN_NAME_MAX];
	uint8_t mode;
	uint8_t last_resort;
	struct mwan_member *members;	/* sent when MWAN_POLICY_A_MEMBERS set */
	unsigned int n_members;
	struct mwan_stats stats;
	unsigned int line;
};

struct mwan_rule {
	uint32_t set;			/* BIT(MWAN_RULE_A_*) */
	uint32_t id;
	char name[MWAN_NAME_MAX];
	uint32_t policy;
	uint32_t flags;			/* MWAN_RULE_F_* */
	uint8_t family;
	uint8_t proto;
	struct mwan_prefix src;		/* with SRC: SRC_LEN is put too */
	struct mwan_prefix dst;
	uint16_t sport_min, sport_max;	/* set together */
	uint16_t dport_min, dport_max;
	uint32_t iifindex;
	uint32_t mark, mark_mask;	/* set together */
	uint64_t cgroup_id;		/* CGROUP_ID and _LEVEL set together */
	uint16_t cgroup_level;
	char cgroup[MWAN_CGROUP_PATH_MAX];	/* as given, relative */
	char policy_name[MWAN_NAME_MAX];
	unsigned int line;
};

struct mwan_config {
	struct mwan_globals globals;
	struct mwan_link *links;
	unsigned int n_links;
	struct mwan_policy *policies;
	unsigned int n_policies;
	struct mwan_rule *rules;
	unsigned int n_rules;
};

/* Put an object nested as attribute @type; false if @size is too small. */
bool mwan_put_globals(struct nlmsghdr *nlh, size_t size,
		      const struct mwan_globals *g);
bool mwan_put_link(struct nlmsghdr *nlh, size_t size, uint16_t type,
		   const struct mwan_link *l);
bool mwan_put_policy(struct nlmsghdr *nlh, size_t size, uint16_t type,
		     const struct mwan_policy *p);
bool mwan_put_rule(struct nlmsghdr *nlh, size_t size, uint16_t type,
		   const struct mwan_rule *r);
/*
 * The body of MWAN_CMD_CONFIG_REPLACE, each list split into as many list
 * attributes as its size needs (a nest holds at most 64 KiB).
 */
bool mwan_put_config(struct nlmsghdr *nlh, size_t size,
		     const struct mwan_config *cfg);

/*
 * Upper bounds of an object's bytes in a request with every field set
 * (user/tests/test_msg.c checks them), and from them a CONFIG_REPLACE
 * buffer for the largest configuration the kernel takes: MWAN_LINK_ID_MAX
 * links (mark mask 0xff00), MWAN_MAX_POLICIES policies of MWAN_MAX_MEMBERS
 * members and MWAN_MAX_RULES rules, plus the globals, headers and list
 * attributes. About 440 KiB; libmnl has no limit of its own, the socket's
 * send buffer is raised to fit (mwan_nl_request()).
 */
#define MWAN_LINK_MSG_MAX	192
#define MWAN_MEMBER_MSG_MAX	32
#define MWAN_POLICY_MSG_MAX	(64 + MWAN_MAX_MEMBERS * MWAN_MEMBER_MSG_MAX)
#define MWAN_RULE_MSG_MAX	256
#define MWAN_CONFIG_MSG_SIZE	(MWAN_LINK_ID_MAX * MWAN_LINK_MSG_MAX + \
				 MWAN_MAX_POLICIES * MWAN_POLICY_MSG_MAX + \
				 MWAN_MAX_RULES * MWAN_RULE_MSG_MAX + 4096)

/* From the kernel's attributes; -EINVAL if malformed, -ENOMEM. */
int mwan_parse_globals(const struct nlmsghdr *nlh, struct mwan_globals *g);
int mwan_parse_link(const struct nlattr *nest, struct mwan_link *l);
int mwan_parse_policy(const struct nlattr *nest, struct mwan_policy *p);
int mwan_parse_rule(const struct nlattr *nest, struct mwan_rule *r);

/* Append a zeroed element; NULL when out of memory. */
struct mwan_link *mwan_add_link(struct mwan_config *cfg);
struct mwan_policy *mwan_add_policy(struct mwan_config *cfg);
struct mwan_rule *mwan_add_rule(struct mwan_config *cfg);
struct mwan_member *mwan_add_member(struct mwan_policy *p);

const struct mwan_link *mwan_link_by_id(const struct mwan_config *cfg,
					uint32_t id);
const struct mwan_policy *mwan_policy_by_id(const struct mwan_config *cfg,
					    uint32_t id);
struct mwan_link *mwan_link_by_name(const struct mwan_config *cfg,
				    const char *name);
struct mwan_policy *mwan_policy_by_name(const struct mwan_config *cfg,
					const char *name);
struct mwan_rule *mwan_rule_by_name(const struct mwan_config *cfg,
				    const char *name);

/* Whether the link has the translation with all its fields. */
bool mwan_link_has_npt(const struct mwan_link *l);
bool mwan_link_has_map4(const struct mwan_link *l);

void mwan_policy_release(struct mwan_policy *p);
/* Free what @cfg holds and zero it, ready for reuse. */
void mwan_config_release(struct mwan_config *cfg);

#endif /* MWAN_MODEL_H */
