/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of KTAP for the unit tests: "ok N description" or
 * "not ok N description" per check, the plan at the end, then a summary
 * line "NAME: P passed, F failed". The exit status is 1 if any failed.
 */
#ifndef MWAN_KTAP_H
#define MWAN_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int ktap_n, ktap_failed;

static void __attribute__((format(printf, 2, 3)))
ktap_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++ktap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		ktap_failed++;
}

static void ktap_start(void)
{
	printf("KTAP version 1\n");
}

static int ktap_finish(const char *name)
{
	printf("1..%d\n", ktap_n);
	printf("%s: %d passed, %d failed\n", name, ktap_n - ktap_failed,
	       ktap_failed);
	return ktap_failed ? 1 : 0;
}

#endif /* MWAN_KTAP_H */
