/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A doubling array's room for one more element, the one growth rule the
 * loader's lists share (16 elements first, then twice as many). */
#ifndef SIXPN_LIB_GROW_H
#define SIXPN_LIB_GROW_H

#include <stdlib.h>

/* items (n used of *cap, each size bytes) as it is when there is room,
 * else reallocated with *cap raised; NULL when out of memory, items and
 * *cap then as they were. */
static inline void *array_grow(void *items, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return items;
	c = *cap ? *cap * 2 : 16;
	p = realloc(items, c * size);
	if (p)
		*cap = c;
	return p;
}

#endif
