/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal streaming JSON writer: compact output, one document per line.
 * A NULL key means "no key": the value is an array element or the document.
 */
#ifndef MWANCTL_JSON_H
#define MWANCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
/* a NULL string is written as null */
void json_str(struct json *j, const char *key, const char *s);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* @v with @decimals decimals, or null when !@has */
void json_num(struct json *j, const char *key, double v, bool has,
	      int decimals);

#endif /* MWANCTL_JSON_H */
