/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the mwan user space tools: error reporting with
 * an optional "file:line: " context (for configuration files) and array
 * growth that checks for overflow.
 */
#ifndef MWAN_UTIL_H
#define MWAN_UTIL_H

#include <stddef.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1U << (n))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __aligned(x)	__attribute__((aligned(x)))

/* "<prog>: [file:line: ]message\n" on stderr, or to the sink */
void pr_err(const char *fmt, ...) __printf(1, 2);
/* Hand pr_err()'s "[file:line: ]message" to @sink instead; NULL: stderr */
void pr_err_sink(void (*sink)(const char *msg));

/* Prefix later pr_err() messages with "file:line: "; file NULL clears it. */
void err_context(const char *file, unsigned int line);
/* That "file:line: ", or "" when there is no context */
const char *err_where(void);

/*
 * Make room for one more element at index @n of the array @*arr holding @n
 * elements of @size bytes; the new element is zeroed and returned.
 */
void *array_add(void *arr, unsigned int *n, size_t size);

#endif /* MWAN_UTIL_H */
