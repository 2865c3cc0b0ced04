/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The conntrack table, read with libnetfilter_conntrack: every entry, or
 * those whose mark has given bits (the kernel filters them), of IPv4 and
 * IPv6 alike, in the network namespace mwanctl is in.
 */
#ifndef MWANCTL_CT_H
#define MWANCTL_CT_H

#include <stdint.h>

struct nf_conntrack;

/* Called for each entry; a negative errno stops the walk with it. */
typedef int (*ct_fn)(const struct nf_conntrack *ct, void *data);

/*
 * Each entry whose mark & @mask is @mark (@mask 0: every entry) to @fn.
 * 0, the callback's error, or a negative errno after saying what failed.
 */
int ct_walk(uint32_t mark, uint32_t mask, ct_fn fn, void *data);

/* The entry's conntrack mark */
uint32_t ct_mark(const struct nf_conntrack *ct);

/*
 * How many entries each link has: @counts[id] for link id's mark bits
 * under @mask, @counts[0] for the unmarked; @n ids (0 .. n - 1).
 */
int ct_count_links(uint32_t mask, uint64_t *counts, unsigned int n);

#endif /* MWANCTL_CT_H */
