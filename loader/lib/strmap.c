// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "lib/strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char tombstone;
#define STRMAP_TOMBSTONE (&tombstone)

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* A probe compares the stored hashes and reads a key (another cache line,
 * the key being a copy of its own) only when they match: at a million
 * machines, a miss of the linear probe would otherwise read a key per slot
 * it passes. */
static struct strmap_slot *find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i, mask = m->cap - 1;

	if (!m->cap)
		return NULL;
	for (i = h & mask;; i = (i + 1) & mask) {
		struct strmap_slot *s = &m->slots[i];

		if (!s->key)
			return NULL;
		if (s->hash == h && s->key != STRMAP_TOMBSTONE && !strcmp(s->key, key))
			return s;
	}
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_slot *s = find(m, key, hash_str(key));

	return s ? s->value : NULL;
}

void strmap_prefetch(const struct strmap *m, const char *key)
{
	if (m->cap)
		__builtin_prefetch(&m->slots[hash_str(key) & (m->cap - 1)], 1);
}

/* Small maps are the many (a fleet's hundred thousand apps each keep
 * their names' sets in one): the first table is small. */
static int grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 8, i, j;
	struct strmap_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	/* Rehash live keys only: tombstones go away here. */
	for (i = 0; i < m->cap; i++) {
		char *k = m->slots[i].key;

		if (!k || k == STRMAP_TOMBSTONE)
			continue;
		for (j = m->slots[i].hash & (cap - 1); slots[j].key; j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	m->used = m->len;
	return 0;
}

static void *put(struct strmap *m, const char *key, void *value, int *err);

void *strmap_put(struct strmap *m, const char *key, void *value, int *err)
{
	return put(m, key, value, err);
}

void *strmap_put_ref(struct strmap *m, const char *key, void *value, int *err)
{
	m->borrowed = 1;
	return put(m, key, value, err);
}

static void *put(struct strmap *m, const char *key, void *value, int *err)
{
	uint64_t h = hash_str(key);
	struct strmap_slot *s = find(m, key, h);
	size_t i;
	void *old;

	*err = 0;
	if (s) {
		old = s->value;
		s->value = value;
		if (m->borrowed)
			s->key = (char *)key; /* the old one may go with its value */
		return old;
	}
	if ((m->used + 1) * 4 >= m->cap * 3 && (*err = grow(m)))
		return NULL;
	for (i = h & (m->cap - 1); m->slots[i].key && m->slots[i].key != STRMAP_TOMBSTONE;
	     i = (i + 1) & (m->cap - 1))
		;
	if (!m->slots[i].key)
		m->used++;
	m->slots[i].key = m->borrowed ? (char *)key : strdup(key);
	if (!m->slots[i].key) {
		*err = -ENOMEM;
		return NULL;
	}
	m->slots[i].value = value;
	m->slots[i].hash = h;
	m->len++;
	return NULL;
}

void *strmap_del(struct strmap *m, const char *key)
{
	struct strmap_slot *s = find(m, key, hash_str(key));
	void *v;

	if (!s)
		return NULL;
	v = s->value;
	if (!m->borrowed)
		free(s->key);
	s->key = STRMAP_TOMBSTONE;
	s->value = NULL;
	m->len--;
	return v;
}

int strmap_next(const struct strmap *m, size_t *i, const char **key, void **value)
{
	for (; *i < m->cap; (*i)++) {
		struct strmap_slot *s = &m->slots[*i];

		if (s->key && s->key != STRMAP_TOMBSTONE) {
			*key = s->key;
			*value = s->value;
			(*i)++;
			return 1;
		}
	}
	return 0;
}

void strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; !m->borrowed && i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != STRMAP_TOMBSTONE)
			free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
