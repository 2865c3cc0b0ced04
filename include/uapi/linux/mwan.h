/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mwan: multi-WAN flow balancing and failover, generic netlink API.
 *
 * Family MWAN_GENL_NAME, version MWAN_GENL_VERSION. All state is per network
 * namespace. Changing anything needs CAP_NET_ADMIN in the user namespace that
 * owns the netns. Every object has a stable numeric id and a unique name;
 * requests that address an existing object may give either (the id wins).
 *
 * Objects
 * -------
 * link    An uplink: egress device, state, default weight. Its id is also
 *         its mark: flows on link N carry N shifted into the mark mask in
 *         the packet and conntrack marks (ip rule fwmark N<<shift/mask).
 * policy  Ordered tiers of member links. The tier with the lowest metric
 *         that has a usable (up) member takes new flows, split by weight.
 *         When no member is usable the last resort applies.
 * rule    A classifier for new flows, evaluated in ascending id order; the
 *         first match names the policy. Unmatched forwarded flows use the
 *         default policy (globals), if any.
 *
 * Commands and their attributes (R: required, O: optional, -: read only)
 * -----------------------------------------------------------------------
 * MWAN_CMD_GLOBALS_GET   reply: MWAN_A_* globals
 * MWAN_CMD_GLOBALS_SET   O: MWAN_A_MARK_MASK, MWAN_A_ENABLED,
 *                           MWAN_A_DEFAULT_POLICY (0 = none). A new mark
 *                           mask removes the conntrack entries of every
 *                           link's flows first (see LINK_DEL).
 * MWAN_CMD_LINK_NEW      MWAN_A_LINK { O: ID (lowest free if absent), R: NAME,
 *                           R: IFINDEX, O: STATE, WEIGHT, RTT_US, LOSS_PPM,
 *                           NPT, MAP4 }
 *                           reply: the new link
 * MWAN_CMD_LINK_SET      MWAN_A_LINK { R: ID or NAME, O: IFINDEX, STATE, WEIGHT,
 *                           RTT_US, LOSS_PPM, NPT, MAP4 (each replaces the
 *                           link's whole translation; an empty nest removes
 *                           it; takes effect on the next packet) }
 * MWAN_CMD_LINK_DEL      MWAN_A_LINK { R: ID or NAME }; refused while a policy
 *                           uses the link. The conntrack entries of its flows
 *                           are removed before the reply, so that its id
 *                           names no flow when it is handed out again.
 * MWAN_CMD_LINK_GET      doit: MWAN_A_LINK { R: ID or NAME }; dump: all links.
 *                           Replies carry every MWAN_LINK_A_* incl. MARK, STATS.
 * MWAN_CMD_LINK_FLUSH    MWAN_A_LINK { R: ID or NAME }: delete the conntrack
 *                           entries bound to this link, and no others.
 *                           reply: MWAN_A_FLUSHED
 * MWAN_CMD_POLICY_NEW    MWAN_A_POLICY { O: ID (lowest free), R: NAME, O: MODE,
 *                           LAST_RESORT, MEMBERS }; reply: the new policy
 * MWAN_CMD_POLICY_SET    MWAN_A_POLICY { R: ID or NAME, O: MODE, LAST_RESORT,
 *                           MEMBERS (replaces the whole member list) }
 * MWAN_CMD_POLICY_DEL    MWAN_A_POLICY { R: ID or NAME }; refused while a rule or
 *                           the default policy names it
 * MWAN_CMD_POLICY_GET    doit / dump, like links; replies add STATS.
 * MWAN_CMD_RULE_NEW      MWAN_A_RULE { O: ID (absent: after the last rule),
 *                           R: NAME, R: POLICY, O: FLAGS, matches }
 *                           reply: the new rule
 * MWAN_CMD_RULE_SET      MWAN_A_RULE { R: ID or NAME, O: NAME (with ID: rename),
 *                           O: POLICY (absent: kept), FLAGS and matches: the
 *                           given ones replace all of the rule's (absent: none) }
 * MWAN_CMD_RULE_DEL      MWAN_A_RULE { R: ID or NAME }
 * MWAN_CMD_RULE_GET      doit / dump, like links.
 * MWAN_CMD_CONFIG_REPLACE  the whole configuration in one request:
 *                           O: MWAN_A_MARK_MASK, ENABLED, DEFAULT_POLICY,
 *                           MWAN_A_LINKS { MWAN_A_LINK ... },
 *                           MWAN_A_POLICIES { MWAN_A_POLICY ... },
 *                           MWAN_A_RULES { MWAN_A_RULE ... }.
 *                           Every object needs its ID; globals left out take
 *                           their defaults. Links left out, or whose ID now
 *                           names a link with another name and ifindex, lose
 *                           their flows as by LINK_DEL; all links do if the
 *                           mark mask changes. A list attribute may repeat (a
 *                           nest holds at most 64 KiB). Either all of it is
 *                           valid and replaces the running config at once, or
 *                           nothing changes and extack names the culprit.
 *
 * Every change bumps MWAN_A_GENERATION. Dumps use it for consistency: a dump
 * that raced a change ends with NLM_F_DUMP_INTR and should be retried.
 *
 * Events (multicast group MWAN_MCGRP_EVENTS): after a change the kernel sends
 * the changed object with the command that changed it (LINK_NEW, LINK_SET,
 * LINK_DEL, POLICY_*, RULE_*, GLOBALS_SET), or CONFIG_REPLACE carrying the
 * globals. Delete events carry only the object's ID and NAME. An event's
 * nlmsg_pid is the netlink port of the request that caused it.
 *
 * Names hold 1..MWAN_NAME_MAX-1 of [A-Za-z0-9._-] and are unique per kind.
 *
 * Attribute trees
 * ---------------
 * MWAN_A_LINK: NLA_NESTED
 *   MWAN_LINK_A_ID        u32, 1 .. mark mask >> shift (max 255)
 *   MWAN_LINK_A_NAME      string, 1..MWAN_NAME_MAX-1 bytes, NUL terminated
 *   MWAN_LINK_A_IFINDEX   u32, the egress device; one link per device
 *   MWAN_LINK_A_STATE     u8, enum mwan_link_state (default UP)
 *   MWAN_LINK_A_WEIGHT    u32, 1..MWAN_WEIGHT_MAX (default 1); used by
 *                         members that give no weight of their own
 *   MWAN_LINK_A_RTT_US    u32, health figure pushed by the agent (info only)
 *   MWAN_LINK_A_LOSS_PPM  u32, 0..1000000, likewise
 *   MWAN_LINK_A_HEALTH    u8, enum mwan_link_health: what the agent's
 *                         checks say (info only: new flows follow STATE).
 *                         A STATE that differs was set by hand, and the
 *                         agent leaves it (mwan-agent(8), overrides)
 *   MWAN_LINK_A_MARK      u32, read only: the mark bits of this link
 *   MWAN_LINK_A_STATE_SECS  u32, read only: seconds since STATE last
 *                         changed, or since the link was added (or its id
 *                         given to another name and device)
 *   MWAN_LINK_A_STATS     nested MWAN_STATS_A_*, read only
 *   MWAN_LINK_A_NPT       nested, stateless NPTv6 on the link's device:
 *                         sources in INTERNAL leave as EXTERNAL,
 *                         destinations in EXTERNAL arrive as INTERNAL, before
 *                         conntrack sees them. Empty: none. At most one link
 *                         per device may translate.
 *     MWAN_NPT_A_INTERNAL    binary, 16 bytes, network order; bits past
 *                            PREFIX_LEN must be zero
 *     MWAN_NPT_A_EXTERNAL    likewise
 *     MWAN_NPT_A_PREFIX_LEN  u8, 1..MWAN_NPT_PREFIX_MAX (both prefixes)
 *     MWAN_NPT_A_MODE        u8, enum mwan_npt_mode (default PREFIX);
 *                            replies always carry it
 *   MWAN_LINK_A_MAP4      nested, 1:1 IPv4 mapping through conntrack NAT:
 *                         new flows from INTERNAL_FIRST + i leaving on the
 *                         link get source EXTERNAL_FIRST + i; new flows to
 *                         EXTERNAL_FIRST + i arriving on it go to
 *                         INTERNAL_FIRST + i. Empty: none.
 *     MWAN_MAP4_A_INTERNAL_FIRST  be32 (NLA_BE32)
 *     MWAN_MAP4_A_INTERNAL_LAST   be32, >= INTERNAL_FIRST, at most
 *                                 MWAN_MAP4_SIZE_MAX addresses
 *     MWAN_MAP4_A_EXTERNAL_FIRST  be32; the range must not wrap
 * MWAN_A_POLICY: NLA_NESTED
 *   MWAN_POLICY_A_ID           u32, 1..MWAN_POLICY_ID_MAX
 *   MWAN_POLICY_A_NAME         string
 *   MWAN_POLICY_A_MODE         u8, enum mwan_balance_mode (default FLOW)
 *   MWAN_POLICY_A_LAST_RESORT  u8, enum mwan_last_resort (default UNREACHABLE)
 *   MWAN_POLICY_A_MEMBERS      nested: MWAN_POLICY_A_MEMBER ... (at most
 *                              MWAN_MAX_MEMBERS, MWAN_MAX_TIERS metrics)
 *     MWAN_POLICY_A_MEMBER     nested
 *       MWAN_MEMBER_A_LINK     u32 link id (required)
 *       MWAN_MEMBER_A_METRIC   u32 tier, lower is preferred (default 0)
 *       MWAN_MEMBER_A_WEIGHT   u32, 1..MWAN_WEIGHT_MAX; absent or 0: the
 *                              link's own weight
 *   MWAN_POLICY_A_STATS        nested MWAN_STATS_A_*, read only
 * MWAN_A_RULE: NLA_NESTED
 *   MWAN_RULE_A_ID        u32, 1..MWAN_RULE_ID_MAX; also the evaluation order
 *   MWAN_RULE_A_NAME      string
 *   MWAN_RULE_A_POLICY    u32 policy id
 *   MWAN_RULE_A_FLAGS     u32, MWAN_RULE_F_*
 *   MWAN_RULE_A_FAMILY    u8, AF_INET or AF_INET6 (absent: both, unless an
 *                         address is given, which implies its family)
 *   MWAN_RULE_A_PROTO     u8, L4 protocol number (absent: any)
 *   MWAN_RULE_A_SRC       binary, 4 or 16 bytes, network order
 *   MWAN_RULE_A_SRC_LEN   u8 prefix length (default: full length)
 *   MWAN_RULE_A_DST, MWAN_RULE_A_DST_LEN   likewise
 *   MWAN_RULE_A_SPORT_MIN, MWAN_RULE_A_SPORT_MAX   u16 host order, inclusive
 *   MWAN_RULE_A_DPORT_MIN, MWAN_RULE_A_DPORT_MAX   likewise (ports need PROTO
 *                         tcp, udp, udplite, sctp or dccp)
 *   MWAN_RULE_A_IIFINDEX  u32 input device (forwarded flows only)
 *   MWAN_RULE_A_MARK, MWAN_RULE_A_MARK_MASK  u32: (skb mark & mask) == mark;
 *                         no MARK_MASK means all ones
 *   MWAN_RULE_A_CGROUP_ID     u64 (NLA_U64, padded with MWAN_RULE_A_PAD):
 *                         the id of a cgroup v2 (the inode number of its
 *                         directory); with CGROUP_LEVEL, its depth (number
 *                         of path components below the root). Matches the
 *                         router's own connections whose socket was created
 *                         in that cgroup or below it. Implies the flags
 *                         LOCAL and NO_FORWARD (a forwarded packet has no
 *                         socket), and so family AF_INET (see LOCAL)
 *   MWAN_RULE_A_CGROUP_LEVEL  u16, required with CGROUP_ID and only with it
 */
#ifndef _UAPI_LINUX_MWAN_H
#define _UAPI_LINUX_MWAN_H

#define MWAN_GENL_NAME		"mwan"
#define MWAN_GENL_VERSION	1
#define MWAN_MCGRP_EVENTS	"events"

#define MWAN_NAME_MAX		16	/* with the terminating NUL, like IFNAMSIZ */
#define MWAN_LINK_ID_MAX	255
#define MWAN_POLICY_ID_MAX	255
#define MWAN_RULE_ID_MAX	65535
#define MWAN_WEIGHT_MAX		1000
#define MWAN_MAX_POLICIES	64
#define MWAN_MAX_RULES		1024
#define MWAN_MAX_TIERS		8
#define MWAN_MAX_MEMBERS	64
#define MWAN_DEFAULT_MARK_MASK	0x3F00
#define MWAN_NPT_PREFIX_MAX	64	/* RFC 6296 needs a spare word past it */
#define MWAN_MAP4_SIZE_MAX	65536

enum mwan_cmd {
	MWAN_CMD_UNSPEC,
	MWAN_CMD_GLOBALS_GET,
	MWAN_CMD_GLOBALS_SET,
	MWAN_CMD_LINK_NEW,
	MWAN_CMD_LINK_SET,
	MWAN_CMD_LINK_DEL,
	MWAN_CMD_LINK_GET,
	MWAN_CMD_LINK_FLUSH,
	MWAN_CMD_POLICY_NEW,
	MWAN_CMD_POLICY_SET,
	MWAN_CMD_POLICY_DEL,
	MWAN_CMD_POLICY_GET,
	MWAN_CMD_RULE_NEW,
	MWAN_CMD_RULE_SET,
	MWAN_CMD_RULE_DEL,
	MWAN_CMD_RULE_GET,
	MWAN_CMD_CONFIG_REPLACE,
	__MWAN_CMD_MAX
};
#define MWAN_CMD_MAX (__MWAN_CMD_MAX - 1)

enum mwan_attr {
	MWAN_A_UNSPEC,
	MWAN_A_MARK_MASK,	/* u32: contiguous, 1..8 bits */
	MWAN_A_ENABLED,		/* u8: 0 leaves new flows alone (existing
				 * ones keep their link), 1 balances them
				 */
	MWAN_A_DEFAULT_POLICY,	/* u32: policy id, 0 = none */
	MWAN_A_GENERATION,	/* u32, read only */
	MWAN_A_LINK,		/* nested MWAN_LINK_A_* */
	MWAN_A_POLICY,		/* nested MWAN_POLICY_A_* */
	MWAN_A_RULE,		/* nested MWAN_RULE_A_* */
	MWAN_A_LINKS,		/* nested: MWAN_A_LINK ... */
	MWAN_A_POLICIES,	/* nested: MWAN_A_POLICY ... */
	MWAN_A_RULES,		/* nested: MWAN_A_RULE ... */
	MWAN_A_FLUSHED,		/* u32, read only: entries removed by a flush */
	__MWAN_A_MAX
};
#define MWAN_A_MAX (__MWAN_A_MAX - 1)

/*
 * DOWN and DRAIN both take no new flows and leave existing flows alone in
 * the kernel. They differ in intent: DOWN says the link is broken, and the
 * agent applies the link's down action (keep its flows, or end them with
 * MWAN_CMD_LINK_FLUSH); DRAIN says an operator is emptying it, and nothing
 * ever flushes it.
 */
enum mwan_link_state {
	MWAN_LINK_DOWN,		/* broken: takes no new flows */
	MWAN_LINK_UP,
	MWAN_LINK_DRAIN,	/* emptying: takes no new flows, flows stay */
	__MWAN_LINK_STATE_MAX
};
#define MWAN_LINK_STATE_MAX (__MWAN_LINK_STATE_MAX - 1)

enum mwan_link_health {
	MWAN_LINK_HEALTH_UNKNOWN,	/* no agent checks the link */
	MWAN_LINK_HEALTH_UP,
	MWAN_LINK_HEALTH_DOWN,
	__MWAN_LINK_HEALTH_MAX
};
#define MWAN_LINK_HEALTH_MAX (__MWAN_LINK_HEALTH_MAX - 1)

enum mwan_link_attr {
	MWAN_LINK_A_UNSPEC,
	MWAN_LINK_A_ID,
	MWAN_LINK_A_NAME,
	MWAN_LINK_A_IFINDEX,
	MWAN_LINK_A_STATE,
	MWAN_LINK_A_WEIGHT,
	MWAN_LINK_A_RTT_US,
	MWAN_LINK_A_LOSS_PPM,
	MWAN_LINK_A_MARK,
	MWAN_LINK_A_STATS,
	MWAN_LINK_A_NPT,
	MWAN_LINK_A_MAP4,
	MWAN_LINK_A_HEALTH,
	MWAN_LINK_A_STATE_SECS,
	__MWAN_LINK_A_MAX
};
#define MWAN_LINK_A_MAX (__MWAN_LINK_A_MAX - 1)

enum mwan_npt_attr {
	MWAN_NPT_A_UNSPEC,
	MWAN_NPT_A_INTERNAL,
	MWAN_NPT_A_EXTERNAL,
	MWAN_NPT_A_PREFIX_LEN,
	MWAN_NPT_A_MODE,
	__MWAN_NPT_A_MAX
};
#define MWAN_NPT_A_MAX (__MWAN_NPT_A_MAX - 1)

enum mwan_npt_mode {
	MWAN_NPT_MODE_PREFIX,	/* only the prefix bits change; the transport
				 * checksums are updated to match
				 */
	MWAN_NPT_MODE_RFC6296,	/* checksum-neutral (RFC 6296): a word past
				 * the prefix absorbs the difference, so no
				 * checksum changes; an all-ones interface
				 * identifier past /48 cannot be mapped
				 */
	__MWAN_NPT_MODE_MAX
};
#define MWAN_NPT_MODE_MAX (__MWAN_NPT_MODE_MAX - 1)

enum mwan_map4_attr {
	MWAN_MAP4_A_UNSPEC,
	MWAN_MAP4_A_INTERNAL_FIRST,
	MWAN_MAP4_A_INTERNAL_LAST,
	MWAN_MAP4_A_EXTERNAL_FIRST,
	__MWAN_MAP4_A_MAX
};
#define MWAN_MAP4_A_MAX (__MWAN_MAP4_A_MAX - 1)

enum mwan_balance_mode {
	MWAN_MODE_FLOW,		/* each new connection is placed on its own */
	MWAN_MODE_SRC,		/* sticky per source address */
	MWAN_MODE_SRC_DST,	/* sticky per source and destination address */
	__MWAN_MODE_MAX
};
#define MWAN_MODE_MAX (__MWAN_MODE_MAX - 1)

enum mwan_last_resort {
	MWAN_LAST_RESORT_UNREACHABLE,	/* ICMP unreachable back to the sender */
	MWAN_LAST_RESORT_BLACKHOLE,	/* drop silently */
	MWAN_LAST_RESORT_DEFAULT,	/* leave unmarked: main routing table */
	__MWAN_LAST_RESORT_MAX
};
#define MWAN_LAST_RESORT_MAX (__MWAN_LAST_RESORT_MAX - 1)

enum mwan_policy_attr {
	MWAN_POLICY_A_UNSPEC,
	MWAN_POLICY_A_ID,
	MWAN_POLICY_A_NAME,
	MWAN_POLICY_A_MODE,
	MWAN_POLICY_A_LAST_RESORT,
	MWAN_POLICY_A_MEMBERS,
	MWAN_POLICY_A_STATS,
	__MWAN_POLICY_A_MAX
};
#define MWAN_POLICY_A_MAX (__MWAN_POLICY_A_MAX - 1)

enum mwan_members_attr {
	MWAN_POLICY_A_MEMBER_UNSPEC,
	MWAN_POLICY_A_MEMBER,
	__MWAN_POLICY_A_MEMBER_MAX
};
#define MWAN_POLICY_A_MEMBER_MAX (__MWAN_POLICY_A_MEMBER_MAX - 1)

enum mwan_member_attr {
	MWAN_MEMBER_A_UNSPEC,
	MWAN_MEMBER_A_LINK,
	MWAN_MEMBER_A_METRIC,
	MWAN_MEMBER_A_WEIGHT,
	__MWAN_MEMBER_A_MAX
};
#define MWAN_MEMBER_A_MAX (__MWAN_MEMBER_A_MAX - 1)

enum mwan_rule_flag {
	/* also applies to router-originated flows; IPv4 rules only */
	MWAN_RULE_F_LOCAL = 1U << 0,
	MWAN_RULE_F_NO_FORWARD = 1U << 1, /* does not apply to forwarded flows */
	__MWAN_RULE_F_ALL = MWAN_RULE_F_LOCAL | MWAN_RULE_F_NO_FORWARD
};

enum mwan_rule_attr {
	MWAN_RULE_A_UNSPEC,
	MWAN_RULE_A_ID,
	MWAN_RULE_A_NAME,
	MWAN_RULE_A_POLICY,
	MWAN_RULE_A_FLAGS,
	MWAN_RULE_A_FAMILY,
	MWAN_RULE_A_PROTO,
	MWAN_RULE_A_SRC,
	MWAN_RULE_A_SRC_LEN,
	MWAN_RULE_A_DST,
	MWAN_RULE_A_DST_LEN,
	MWAN_RULE_A_SPORT_MIN,
	MWAN_RULE_A_SPORT_MAX,
	MWAN_RULE_A_DPORT_MIN,
	MWAN_RULE_A_DPORT_MAX,
	MWAN_RULE_A_IIFINDEX,
	MWAN_RULE_A_MARK,
	MWAN_RULE_A_MARK_MASK,
	MWAN_RULE_A_PAD,
	MWAN_RULE_A_CGROUP_ID,
	MWAN_RULE_A_CGROUP_LEVEL,
	__MWAN_RULE_A_MAX
};
#define MWAN_RULE_A_MAX (__MWAN_RULE_A_MAX - 1)

/*
 * Counters, all u64 (NLA_U64, 8-byte aligned is not guaranteed: read with
 * memcpy or nla_get_u64). Links fill the packet/byte, NEW_FLOWS and
 * translation counters; policies fill NEW_FLOWS and REFUSED.
 * TX is towards the link's device, RX is what arrived from it.
 */
enum mwan_stats_attr {
	MWAN_STATS_A_UNSPEC,
	MWAN_STATS_A_PAD,
	MWAN_STATS_A_NEW_FLOWS,
	MWAN_STATS_A_TX_PACKETS,
	MWAN_STATS_A_TX_BYTES,
	MWAN_STATS_A_RX_PACKETS,
	MWAN_STATS_A_RX_BYTES,
	MWAN_STATS_A_REFUSED,	/* new flows met by the last resort */
	MWAN_STATS_A_NPT_OUT,	/* packets whose source NPT translated */
	MWAN_STATS_A_NPT_IN,	/* packets whose destination NPT translated */
	MWAN_STATS_A_NPT_DROPPED, /* packets NPT could not map (dropped) */
	MWAN_STATS_A_MAP4_OUT,	/* new flows given an external source */
	MWAN_STATS_A_MAP4_IN,	/* new flows sent to an internal address */
	__MWAN_STATS_A_MAX
};
#define MWAN_STATS_A_MAX (__MWAN_STATS_A_MAX - 1)

#endif /* _UAPI_LINUX_MWAN_H */
