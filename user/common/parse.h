/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure parsers for the words of the mwan command and configuration syntax.
 * They never print and never talk to the kernel, so the unit tests link them
 * alone. All return 0 on success or a negative errno:
 *   -EINVAL        not of the expected form
 *   -ERANGE        well formed, but out of range
 *   -EDOM          bits set outside a mask (prefix host bits, mark value)
 *   -ENAMETOOLONG  a name longer than MWAN_NAME_MAX - 1 bytes
 *   -E2BIG         more addresses than the kernel maps
 *   -EOVERFLOW     a range that would run past the end of the address space
 */
#ifndef MWAN_PARSE_H
#define MWAN_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/mwan.h>

struct mwan_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;		/* prefix length in bits */
	uint8_t addr[16];	/* network order; 4 bytes used for AF_INET */
};

/* Longest "ffff:...:ffff/128" plus NUL */
#define PREFIX_STRLEN	(46 + 4 + 1)
/* Longest "255.255.255.255-255.255.255.255" plus NUL */
#define RANGE4_STRLEN	(2 * 15 + 1 + 1)

struct word {
	const char *name;
	unsigned int value;
};

/* Tables end with an entry whose name is NULL. */
extern const struct word link_state_words[];
extern const struct word link_health_words[];
extern const struct word mode_words[];
extern const struct word npt_mode_words[];
extern const struct word last_resort_words[];
extern const struct word family_words[];
extern const struct word bool_words[];

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);
int parse_name(const char *s, char name[MWAN_NAME_MAX]);
int parse_prefix(const char *s, struct mwan_prefix *p);
int parse_port_range(const char *s, uint16_t *min, uint16_t *max);
int parse_mark(const char *s, uint32_t *mark, uint32_t *mask);
int parse_mark_mask(const char *s, uint32_t *mask);
int parse_proto(const char *s, uint8_t *proto);
int parse_word(const char *s, const struct word *words, unsigned int *v);
/* An IPv6 PREFIX/LEN for NPTv6: the length is required, 1..64. */
int parse_npt_prefix(const char *s, struct mwan_prefix *p);
/*
 * IPv4 "A", "A-B" or "PREFIX/LEN" (every address of the prefix, network
 * and broadcast address too) as a range in host order; -ERANGE if B < A.
 */
int parse_range4(const char *s, uint32_t *first, uint32_t *last);
/*
 * Whether internal [@first, @last] can map 1:1 onto the addresses from
 * @ext_first on (host order): -ERANGE if reversed, -E2BIG if more than
 * MWAN_MAP4_SIZE_MAX addresses, -EOVERFLOW if past 255.255.255.255.
 */
int map4_check(uint32_t first, uint32_t last, uint32_t ext_first);

/*
 * A cgroup v2 path, absolute under MWAN_CGROUP_ROOT or relative to it, as
 * the path relative to the root ("system.slice/x.service", "" for the
 * root itself) and its level (number of components). -EINVAL for an
 * absolute path elsewhere, or a "." or ".." component; -ENAMETOOLONG if
 * it does not fit MWAN_CGROUP_PATH_MAX.
 */
#define MWAN_CGROUP_ROOT	"/sys/fs/cgroup"
#define MWAN_CGROUP_PATH_MAX	256
int parse_cgroup_path(const char *s, char rel[MWAN_CGROUP_PATH_MAX],
		      uint16_t *level);

/* The table's name for @v, or NULL if the value has none. */
const char *word_name(const struct word *words, unsigned int v);
/* "tcp", ... or NULL for protocols without a name here */
const char *proto_name(uint8_t proto);
/* Whether port matches make sense for this L4 protocol (see mwan.h). */
bool proto_has_ports(uint8_t proto);
/* "192.0.2.0/24"; @buf needs PREFIX_STRLEN bytes */
const char *format_prefix(const struct mwan_prefix *p, char *buf, size_t len);
/* "10.0.0.1-10.0.0.6", or "10.0.0.1" alone; host order, RANGE4_STRLEN */
const char *format_range4(uint32_t first, uint32_t last, char *buf,
			  size_t len);
/* Whether @mask is contiguous and 1..8 bits wide, as MWAN_A_MARK_MASK needs. */
bool mark_mask_valid(uint32_t mask);

#endif /* MWAN_PARSE_H */
