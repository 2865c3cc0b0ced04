/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attribute helpers on top of libmnl: parse a message or a nest into a table
 * indexed by type, and read scalars only after checking their size, so a
 * malformed (or newer) kernel reply cannot make us read past an attribute.
 */
#ifndef MWAN_ATTR_H
#define MWAN_ATTR_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* Unknown types above @max are skipped: a newer kernel may add some. */
int attr_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen,
		   const struct nlattr **tb, unsigned int max);
int attr_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		      unsigned int max);

int attr_get_u8(const struct nlattr *a, uint8_t *v);
int attr_get_u16(const struct nlattr *a, uint16_t *v);
int attr_get_u32(const struct nlattr *a, uint32_t *v);
int attr_get_u64(const struct nlattr *a, uint64_t *v);
/* Exactly @len bytes of binary payload, like an address */
int attr_get_bin(const struct nlattr *a, void *buf, size_t len);
/* NUL terminated string of at most @size - 1 bytes */
int attr_get_str(const struct nlattr *a, char *buf, size_t size);

#endif /* MWAN_ATTR_H */
