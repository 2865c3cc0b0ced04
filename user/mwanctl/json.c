// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>

#include "json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
}

static bool plain(const unsigned char *p)
{
	for (; *p; p++)
		if (*p == '"' || *p == '\\' || *p < 0x20 || *p >= 0x7f)
			return false;
	return true;
}

static void json_escaped(struct json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	/* most strings need no escape: flows prints a hundred thousand */
	if (plain(p)) {
		fprintf(j->f, "\"%s\"", s);
		return;
	}
	fputc('"', j->f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(j->f, "\\%c", *p);
		/* ASCII only: a device name need not be valid UTF-8 */
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(j->f, "\\u%04x", *p);
		else
			fputc(*p, j->f);
	}
	fputc('"', j->f);
}

/* The separator and key before a value. */
static void json_key(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		json_escaped(j, key);
		fputc(':', j->f);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_key(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
	if (!j->depth) {
		fputc('\n', j->f);
		j->first[0] = true;
	}
}

void json_obj_open(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_close(struct json *j)
{
	json_close(j, '}');
}

void json_arr_open(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_close(struct json *j)
{
	json_close(j, ']');
}

void json_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_escaped(j, s);
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void json_num(struct json *j, const char *key, double v, bool has,
	      int decimals)
{
	json_key(j, key);
	if (has)
		fprintf(j->f, "%.*f", decimals, v);
	else
		fputs("null", j->f);
}
