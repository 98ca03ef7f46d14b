// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The registry revision key's value; see rev_key.h. */
#include <string.h>
#include <stdlib.h>
#include <json-c/json.h>

#include "registry/rev_key.h"

struct revkey {
	json_object *o;          /* owns the rest */
	json_object *recent;     /* strings only, or NULL */
	json_object *keys;       /* nonce -> array of strings, or NULL */
	size_t n;                /* recent's length */
	int k, importing;
};

static int is_string_array(json_object *a)
{
	size_t i, n;

	if (!json_object_is_type(a, json_type_array))
		return 0;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string))
			return 0;
	return 1;
}

/* 0, or -1 when value is not one (rk then empty). */
static int revkey_parse(const char *value, struct revkey *rk)
{
	json_object *x;

	memset(rk, 0, sizeof(*rk));
	if (!value || !*value)
		return 0;
	rk->o = json_tokener_parse(value);
	if (!rk->o || !json_object_is_type(rk->o, json_type_object))
		goto bad;
	if (json_object_object_get_ex(rk->o, "recent", &x)) {
		if (!is_string_array(x) || json_object_array_length(x) > REV_RECENT)
			goto bad;
		rk->recent = x;
		rk->n = json_object_array_length(x);
	}
	if (json_object_object_get_ex(rk->o, "importing", &x)) {
		if (!json_object_is_type(x, json_type_boolean))
			goto bad;
		rk->importing = json_object_get_boolean(x);
	}
	if (json_object_object_get_ex(rk->o, "k", &x)) {
		int64_t k;

		if (!json_object_is_type(x, json_type_int))
			goto bad;
		k = json_object_get_int64(x);
		if (k < 0 || (size_t)k > rk->n)
			goto bad;
		rk->k = (int)k;
	}
	if (json_object_object_get_ex(rk->o, "keys", &x)) {
		size_t total = 0;

		if (!json_object_is_type(x, json_type_object))
			goto bad;
		json_object_object_foreach(x, nonce, keys) {
			(void)nonce;
			if (!is_string_array(keys))
				goto bad;
			total += json_object_array_length(keys);
		}
		if (total > REV_LOG_MAX)
			goto bad;
		rk->keys = x;
	}
	return 0;
bad:
	json_object_put(rk->o);
	memset(rk, 0, sizeof(*rk));
	return -1;
}

static const char *recent_at(const struct revkey *rk, size_t i)
{
	return json_object_get_string(json_object_array_get_idx(rk->recent, i));
}

/* The keys a logged write touched, or NULL (none). */
static json_object *keys_of(const struct revkey *rk, const char *nonce)
{
	json_object *keys;

	if (rk->keys && json_object_object_get_ex(rk->keys, nonce, &keys))
		return keys;
	return NULL;
}

int revkey_valid(const char *value)
{
	struct revkey rk;

	if (revkey_parse(value, &rk))
		return 0;
	json_object_put(rk.o);
	return 1;
}

int revkey_importing(const char *value)
{
	struct revkey rk;
	int imp;

	if (revkey_parse(value, &rk))
		return 0;
	imp = rk.importing;
	json_object_put(rk.o);
	return imp;
}

int revkey_has_nonce(const char *value, const char *nonce)
{
	struct revkey rk;
	size_t i;
	int found = 0;

	if (revkey_parse(value, &rk))
		return 0;
	for (i = 0; i < rk.n && !found; i++)
		found = !strcmp(recent_at(&rk, i), nonce);
	json_object_put(rk.o);
	return found;
}

char *revkey_next(const char *old, const char *nonce, int importing,
		  char *const *keys, size_t nkeys)
{
	struct revkey rk;
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	json_object *d = json_object_new_object();
	size_t i, total = nkeys;
	int k = 0;
	char *out;

	if (revkey_parse(old, &rk))
		memset(&rk, 0, sizeof(rk));   /* a malformed one starts over */
	if (nonce)
		json_object_array_add(a, json_object_new_string(nonce));
	for (i = 0; i < rk.n && i + 1 < REV_RECENT; i++)
		json_object_array_add(a, json_object_new_string(recent_at(&rk, i)));
	json_object_object_add(o, "recent", a);
	if (importing)
		json_object_object_add(o, "importing", json_object_new_boolean(1));
	/* the log: this write's keys, then the older writes' while every one
	 * of them is covered and the total fits */
	if (nonce && !importing && nkeys <= REV_LOG_MAX) {
		k = 1;
		if (nkeys) {
			json_object *mine = json_object_new_array();

			for (i = 0; i < nkeys; i++)
				json_object_array_add(mine, json_object_new_string(keys[i]));
			json_object_object_add(d, nonce, mine);
		}
		for (i = 0; i < (size_t)rk.k && (size_t)k < REV_RECENT; i++) {
			const char *n = recent_at(&rk, i);
			json_object *theirs = keys_of(&rk, n);
			size_t len = theirs ? json_object_array_length(theirs) : 0;

			if (total + len > REV_LOG_MAX || !strcmp(n, nonce))
				break;
			if (theirs)
				json_object_object_add(d, n, json_object_get(theirs));
			total += len;
			k++;
		}
	}
	json_object_object_add(o, "k", json_object_new_int(k));
	if (json_object_object_length(d))
		json_object_object_add(o, "keys", d);
	else
		json_object_put(d);
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	json_object_put(rk.o);
	return out;
}

int revkey_touched_since(const char *old, const char *cur, revkey_key_cb cb, void *ctx)
{
	struct revkey ro, rc;
	const char *newest;
	size_t i, j, p;
	int ret = -1;

	if (revkey_parse(old, &ro))
		return -1;
	if (revkey_parse(cur, &rc)) {
		json_object_put(ro.o);
		return -1;
	}
	if (!ro.n || ro.importing || rc.importing)
		goto out;
	newest = recent_at(&ro, 0);
	for (p = 0; p < rc.n && strcmp(recent_at(&rc, p), newest); p++)
		;
	/* recent[0..p-1] are the writes since: each must be logged */
	if (p == rc.n || p > (size_t)rc.k)
		goto out;
	ret = 0;
	for (i = 0; i < p && !ret; i++) {
		json_object *ks = keys_of(&rc, recent_at(&rc, i));
		size_t n = ks ? json_object_array_length(ks) : 0;

		for (j = 0; j < n && !ret; j++)
			ret = cb(json_object_get_string(json_object_array_get_idx(ks, j)), ctx);
	}
	if (ret)
		ret = -1;
out:
	json_object_put(ro.o);
	json_object_put(rc.o);
	return ret;
}
