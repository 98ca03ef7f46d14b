/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A tiny streaming JSON writer for sixpnctl's --json output. */
#ifndef SIXPN_JSON_H
#define SIXPN_JSON_H

#include <stdio.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	unsigned char first[JSON_MAX_DEPTH]; /* no member written yet */
};

void json_init(struct json *j, FILE *f);
/* key is NULL for a top-level value or an array element. */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);       /* a newline after the top level */
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *v); /* NULL/"": null */
void json_str_always(struct json *j, const char *key, const char *v);
void json_int(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, int v);
void json_null(struct json *j, const char *key);
/* Writes s as a JSON string literal, escaped. */
void json_escape(FILE *f, const char *s);

#endif
