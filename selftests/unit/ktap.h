/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal KTAP emitter for userspace unit tests. */
#ifndef _MWAN_KTAP_H
#define _MWAN_KTAP_H

#include <stdarg.h>
#include <stdio.h>

static int ktap_count, ktap_failed;

static inline void ktap_plan(const char *suite, int n)
{
	printf("TAP version 13\n# %s\n1..%d\n", suite, n);
}

static inline void __attribute__((format(printf, 2, 3)))
ktap_check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++ktap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	ktap_failed += !ok;
}

static inline int ktap_finish(void)
{
	fflush(stdout);
	return ktap_failed ? 1 : 0;
}

#endif /* _MWAN_KTAP_H */
