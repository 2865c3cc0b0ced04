// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *ctx_file;
static unsigned int ctx_line;

void err_context(const char *file, unsigned int line)
{
	ctx_file = file;
	ctx_line = line;
}

const char *err_where(void)
{
	static char where[320];

	if (!ctx_file)
		return "";
	snprintf(where, sizeof(where), "%s:%u: ", ctx_file, ctx_line);
	return where;
}

static void (*err_sink)(const char *msg);

void pr_err_sink(void (*sink)(const char *msg))
{
	err_sink = sink;
}

void pr_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n = 0;

	if (ctx_file)
		n = snprintf(msg, sizeof(msg), "%s:%u: ", ctx_file, ctx_line);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	if (err_sink)
		err_sink(msg);
	else
		fprintf(stderr, "%s: %s\n", program_invocation_short_name, msg);
}

void *array_add(void *arr, unsigned int *n, size_t size)
{
	void **parr = arr;
	char *p;

	/* Grow in powers of two; the counts here are small (<= 64K rules). */
	if ((*n & (*n - 1)) == 0) {
		size_t cap = *n ? (size_t)*n * 2 : 1;

		if (*n >= UINT32_MAX / 2 || cap > SIZE_MAX / size) {
			errno = ENOMEM;
			return NULL;
		}
		p = realloc(*parr, cap * size);
		if (!p)
			return NULL;
		*parr = p;
	}
	p = (char *)*parr + (size_t)*n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}
