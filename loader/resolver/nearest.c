// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* "Nearest" for top<N>.nearest.of.<app>.internal. The distance between two
 * regions is the great-circle distance between their coordinates, from the
 * registry's `regions` table (`sixpnctl regions set REGION --lat --lon`).
 * Instances are ordered:
 *
 *   1. in the asking host's own region (distance 0, coordinates or not);
 *   2. in regions with a known distance, nearest first;
 *   3. the rest (a region without coordinates, or an asking host whose
 *      region has none),
 *
 * each group in the registry's order (by machine creation), so equal
 * distances and unknown ones give the same answer every time. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/resolver_int.h"
#include "lib/grow.h"

#define EARTH_RADIUS_KM 6371.0
#define DEG2RAD(d) ((d) * M_PI / 180.0)

struct regions {
	struct reg_region *g;
	size_t n, cap;
};

static int collect_region(const struct reg_region *g, void *ctx)
{
	struct regions *l = ctx;
	struct reg_region *p = array_grow(l->g, &l->cap, l->n, sizeof(*p));

	if (!p)
		return -1;
	l->g = p;
	l->g[l->n++] = *g;
	return 0;
}

static const struct reg_region *find(const struct regions *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->g[i].name, name))
			return &l->g[i];
	return NULL;
}

/* Haversine. */
static double distance_km(const struct reg_region *a, const struct reg_region *b)
{
	double dlat = DEG2RAD(b->lat - a->lat), dlon = DEG2RAD(b->lon - a->lon);
	double h = sin(dlat / 2) * sin(dlat / 2) +
		   cos(DEG2RAD(a->lat)) * cos(DEG2RAD(b->lat)) * sin(dlon / 2) * sin(dlon / 2);

	return 2 * EARTH_RADIUS_KM * asin(sqrt(h > 1 ? 1 : h));
}

struct ranked {
	int group;       /* 1, 2, 3 above */
	double km;
	size_t pos;      /* registry order */
	struct reg_machine m;
};

static int cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->group != b->group)
		return a->group - b->group;
	if (a->group == 2 && a->km != b->km)
		return a->km < b->km ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

int rsv_nearest_sort(struct reg *reg, const char *region, struct reg_machine *m, size_t n)
{
	struct regions l = { 0 };
	const struct reg_region *from, *to;
	struct ranked *rk;
	size_t i;

	if (n < 2)
		return 0;
	if (reg_foreach_region(reg, collect_region, &l)) {
		free(l.g);
		return -1;
	}
	rk = calloc(n, sizeof(*rk));
	if (!rk) {
		free(l.g);
		return -1;
	}
	from = region && *region ? find(&l, region) : NULL;
	for (i = 0; i < n; i++) {
		rk[i].pos = i;
		rk[i].m = m[i];
		to = find(&l, m[i].region);
		if (region && *region && !strcmp(m[i].region, region)) {
			rk[i].group = 1;
		} else if (from && to) {
			rk[i].km = distance_km(from, to);
			/* infinite coordinates (no writer takes them, a foreign
			 * file may hold them) give NaN, which no order sorts:
			 * that distance is unknown */
			rk[i].group = isfinite(rk[i].km) ? 2 : 3;
		} else {
			rk[i].group = 3;
		}
	}
	qsort(rk, n, sizeof(*rk), cmp_ranked);
	for (i = 0; i < n; i++)
		m[i] = rk[i].m;
	free(rk);
	free(l.g);
	return 0;
}
