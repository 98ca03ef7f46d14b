/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A string-keyed hash map (open addressing, linear probing) for sixpnd's
 * view of what it applied: machines, peers, apps. Keys are copied. */
#ifndef SIXPN_STRMAP_H
#define SIXPN_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	char *key;      /* NULL: empty; STRMAP_TOMBSTONE: deleted */
	void *value;
	uint64_t hash;  /* of key: a probe reads a key only when it matches */
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap, len, used; /* used counts tombstones too */
	int borrowed;          /* keys are the caller's (strmap_put_ref()) */
};

void *strmap_get(const struct strmap *m, const char *key);
/* Starts loading the slot where key's probe begins: a caller with work to
 * do before its get or put lets that cache miss overlap the work. */
void strmap_prefetch(const struct strmap *m, const char *key);
/* Inserts or replaces; returns the previous value (or NULL), sets *err. */
void *strmap_put(struct strmap *m, const char *key, void *value, int *err);
/* The same with a key that is not copied: it lives in the value (a record's
 * own ID or name) and stays unchanged while the entry is in. A map holds
 * keys of one kind: put_ref() only, or put() only. A million machines' keys
 * are then a million allocations fewer to make and to free. */
void *strmap_put_ref(struct strmap *m, const char *key, void *value, int *err);
/* Removes key; returns its value or NULL. It leaves a tombstone and moves
 * no other entry, so a strmap_next() walk may delete as it goes (the key
 * it was given, or any other) and still sees every entry once. */
void *strmap_del(struct strmap *m, const char *key);
void strmap_free(struct strmap *m);

/* for (i = 0; strmap_next(m, &i, &k, &v); ) ... */
int strmap_next(const struct strmap *m, size_t *i, const char **key, void **value);

#endif
