// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: the value of <prefix>rev (loader/registry/rev_key.c),
 * which anyone who can write etcd can set, read the ways a writer reads
 * it: valid, importing, a nonce among the recent writes, the keys the
 * writes since an older value touched, and the value after a write.
 *
 * Input: the old value, the current value, a nonce and up to 200 keys,
 * each a 2-byte big-endian length and the bytes.
 *
 * Checks: every call returns; a value revkey_next() makes is valid, names
 * the write's nonce first, and, put on top of a valid old value that names
 * a write, gives back through revkey_touched_since() exactly the write's
 * keys when they fit the log, and says "not covered" when they do not. */
#include <string.h>
#include <json-c/json.h>

#include "fuzz.h"
#include "registry/rev_key.h"

#define MAX_KEYS 200

static char *take_str(struct fz *f)
{
	const uint8_t *p;
	size_t n = fz_take(f, fz_u16(f) % 2048, &p);
	char *s = malloc(n + 1);

	FZ_CHECK(s, "oom");
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

struct seen {
	char *const *want;
	size_t n, got;
	int stray;
};

static int on_key(const char *key, void *ctx)
{
	struct seen *s = ctx;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->want[i], key))
			break;
	if (i == s->n)
		s->stray++;
	s->got++;
	return 0;
}

static int count_key(const char *key, void *ctx)
{
	*(size_t *)ctx += strlen(key) + 1;   /* touches every byte (ASan) */
	return 0;
}

/* old names at least one write (a valid value's "recent" is not empty) */
static int names_a_write(const char *old)
{
	json_object *o = json_tokener_parse(old), *a;
	int yes = o && json_object_object_get_ex(o, "recent", &a) &&
		  json_object_is_type(a, json_type_array) && json_object_array_length(a) > 0;

	json_object_put(o);
	return yes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	char *old = take_str(&f), *cur = take_str(&f), *nonce = take_str(&f);
	char *keys[MAX_KEYS], *next;
	size_t n = 0, i, touched = 0;
	struct seen s = { 0 };

	while (f.n && n < MAX_KEYS)
		keys[n++] = take_str(&f);
	(void)revkey_valid(cur);
	(void)revkey_importing(cur);
	(void)revkey_has_nonce(cur, nonce);
	(void)revkey_touched_since(old, cur, count_key, &touched);

	if (!*nonce)
		goto out;
	next = revkey_next(old, nonce, 0, keys, n);
	FZ_CHECK(next, "revkey_next failed");
	FZ_CHECK(revkey_valid(next), "revkey_next made an invalid value: %s", next);
	FZ_CHECK(revkey_has_nonce(next, nonce), "the write's nonce is not in %s", next);
	FZ_CHECK(!revkey_importing(next), "a write's value says importing");
	/* (a nonce already in old would be a write seen twice: random nonces
	 * do not repeat) */
	if (revkey_valid(old) && !revkey_importing(old) && names_a_write(old) &&
	    !revkey_has_nonce(old, nonce)) {
		int rc;

		s.want = keys;
		s.n = n;
		rc = revkey_touched_since(old, next, on_key, &s);
		if (n <= REV_LOG_MAX) {
			FZ_CHECK(rc == 0, "the write's own log is not read back: %s -> %s", old, next);
			FZ_CHECK(s.got == n && !s.stray, "read back %zu keys (%d stray), wrote %zu",
				 s.got, s.stray, n);
		}
		if (n > REV_LOG_MAX)
			FZ_CHECK(rc != 0, "%zu keys do not fit the log, yet it covers them", n);
	}
	free(next);
out:
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(old);
	free(cur);
	free(nonce);
	return 0;
}
