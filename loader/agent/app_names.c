// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "agent/app_names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sixpn_dns.h"
#include "lib/grow.h"

#define SFX SIXPN_DNS_ZONE_SUFFIX

/* The parts one after the other in buf, cut to size as snprintf() cuts;
 * the length the whole has. A full pass makes every name of the fleet
 * (millions): snprintf's parsing of its format was a tenth of its CPU. */
static size_t join(char *buf, size_t size, const char *const *parts, size_t n)
{
	size_t len = 0, i;

	for (i = 0; i < n; i++) {
		size_t l = strlen(parts[i]);

		if (len < size)
			memcpy(buf + len, parts[i], len + l < size ? l : size - len - 1);
		len += l;
	}
	if (size)
		buf[len < size ? len : size - 1] = '\0';
	return len;
}

#define JOIN(buf, size, ...) \
	join(buf, size, (const char *const[]){ __VA_ARGS__ }, \
	     sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

/* ---- machines in listing order ------------------------------------------ */

static int before(const struct name_machine *x, const struct name_machine *y)
{
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Where m is, or would go, in the ordered list l of n. */
static size_t list_pos(struct name_machine *const *l, size_t n, const struct name_machine *m)
{
	size_t lo = 0, hi = n;

	/* new machines come last: no search for them */
	if (n && before(l[n - 1], m) < 0)
		return n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (before(l[mid], m) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* m into the ordered list l of n (room for *cap), which grows to `first`
 * when it has none. */
static int list_add_from(struct name_machine ***l, size_t *n, size_t *cap, size_t first,
			 struct name_machine *m)
{
	struct name_machine **g = *l;
	size_t at;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : first;

		g = realloc(*l, c * sizeof(*g));
		if (!g)
			return -ENOMEM;
		*cap = c;
	}
	*l = g;
	at = list_pos(g, *n, m);
	memmove(&g[at + 1], &g[at], (*n - at) * sizeof(*g));
	g[at] = m;
	(*n)++;
	return 0;
}

static int list_add(struct name_machine ***l, size_t *n, size_t *cap, struct name_machine *m)
{
	return list_add_from(l, n, cap, 16, m);
}

static void list_del(struct name_machine **l, size_t *n, const struct name_machine *m)
{
	size_t at = list_pos(l, *n, m);

	if (at < *n && l[at] == m) {
		memmove(&l[at], &l[at + 1], (*n - at - 1) * sizeof(*l));
		(*n)--;
	}
}

/* ---- sets ---------------------------------------------------------------- */

static int delta_touch(struct app_delta *d, struct name_set *s, unsigned mark)
{
	struct name_set **g;

	if (!d || s->mark == mark)
		return 0;
	g = array_grow(d->sets, &d->cap_sets, d->n_sets, sizeof(*d->sets));
	if (!g)
		return -ENOMEM;
	d->sets = g;
	d->sets[d->n_sets++] = s;
	s->mark = mark;
	return 0;
}

void app_delta_free(struct app_delta *d)
{
	free(d->sets);
	memset(d, 0, sizeof(*d));
}

/* The set called `name`, made when new; NULL when the name is longer than
 * any name the sync publishes (the resolver's alone) or out of memory. */
static struct name_set *set_get(struct app_names *a, const char *name, bool addrs)
{
	struct name_set *s;
	int err;

	size_t len = strlen(name);

	if (len >= NAME_SET_NAME_MAX)
		return NULL;
	s = strmap_get(&a->sets, name);
	if (s)
		return s;
	s = calloc(1, sizeof(*s) + len + 1);
	if (!s)
		return NULL;
	memcpy(s->name, name, len + 1);
	s->addrs = addrs;
	strmap_put_ref(&a->sets, s->name, s, &err);
	if (err) {
		free(s);
		return NULL;
	}
	return s;
}

void app_set_drop(struct app_names *a, struct name_set *s)
{
	if (s->refs || s->state == NAME_IN || s->state == NAME_LEFT)
		return;
	strmap_del(&a->sets, s->name);
	free(s->m);
	free(s);
}

/* Machine m gives set s (join) or no longer does. */
static int set_join(struct app_names *a, struct name_set *s, struct name_machine *m,
		    struct app_delta *d)
{
	if (!s)
		return 0;
	s->refs++;
	if (delta_touch(d, s, a->mark))
		return -ENOMEM;
	/* most sets of a fleet (an app's regions) hold a machine or two */
	return s->addrs && m->started ? list_add_from(&s->m, &s->n, &s->cap, 1, m) : 0;
}

static void set_leave(struct app_names *a, struct name_set *s, struct name_machine *m,
		      struct app_delta *d)
{
	if (!s)
		return;
	if (s->refs)
		s->refs--;
	if (s->addrs && m->started)
		list_del(s->m, &s->n, m);
	delta_touch(d, s, a->mark); /* out of memory: the name stays as it was */
}

/* <key>.kv._metadata.<app> and <value>.<key>.kv._metadata.<app> of every
 * k=v of the machine's metadata. */
static int meta_sets(struct app_names *a, struct name_machine *m, struct app_delta *d, bool join)
{
	char k[REG_NAME_MAX + 1], v[REG_NAME_MAX + 1], name[256];
	size_t pos = 0;
	int err = 0;

	while (!err && m->metadata && reg_metadata_next(m->metadata, &pos, k, v)) {
		struct name_set *s;

		snprintf(name, sizeof(name), "%s." SIXPN_DNS_LABEL_KV "." SIXPN_DNS_LABEL_METADATA
			 ".%s" SFX, k, a->name);
		s = join ? set_get(a, name, false) : strmap_get(&a->sets, name);
		if (join && !s && strlen(name) < NAME_SET_NAME_MAX)
			return -ENOMEM;
		if (join)
			err = set_join(a, s, m, d);
		else
			set_leave(a, s, m, d);
		snprintf(name, sizeof(name), "%s.%s." SIXPN_DNS_LABEL_KV "." SIXPN_DNS_LABEL_METADATA
			 ".%s" SFX, v, k, a->name);
		s = join ? set_get(a, name, true) : strmap_get(&a->sets, name);
		if (join && !s && strlen(name) < NAME_SET_NAME_MAX)
			return -ENOMEM;
		if (join)
			err = err ? err : set_join(a, s, m, d);
		else
			set_leave(a, s, m, d);
	}
	return err;
}

/* ---- machines ------------------------------------------------------------ */

/* Region labels that make <region>.<app> one of the app's fixed names. */
static const char *const fixed_labels[] = {
	SIXPN_DNS_LABEL_GLOBAL, SIXPN_DNS_LABEL_PROCESS, SIXPN_DNS_LABEL_METADATA,
	SIXPN_DNS_LABEL_VM, SIXPN_DNS_LABEL_OF, SIXPN_DNS_LABEL_REGIONS, SIXPN_DNS_LABEL_VMS,
};

bool app_machine_odd(const struct reg_machine *m)
{
	size_t i;

	for (i = 0; i < sizeof(fixed_labels) / sizeof(fixed_labels[0]); i++)
		if (!strcmp(m->region, fixed_labels[i]))
			return true;
	return false;
}

bool app_names_incremental(const struct app_names *a)
{
	return !a->n_odd;
}

/* The record's fields from the row, its sets joined. */
static int machine_link(struct app_names *a, struct name_machine *rec,
			const struct reg_machine *m, struct app_delta *d)
{
	const char *group = m->process_group[0] ? m->process_group : REG_PROCESS_GROUP_DEFAULT;
	char name[256];
	int err;

	JOIN(rec->id, sizeof(rec->id), m->id);
	rec->app = NULL;
	rec->addr = m->addr;
	rec->order = m->order;
	rec->started = m->state == REG_MACHINE_STARTED;
	rec->odd = app_machine_odd(m);
	rec->metadata = NULL;
	rec->region = rec->group = NULL;
	/* In the app's list first: whatever fails after, app_names_clear()
	 * finds it there. */
	err = list_add(&a->ms, &a->n_ms, &a->cap_ms, rec);
	if (err)
		return err;
	rec->app = a;
	a->n_odd += rec->odd;
	if (m->metadata[0] && !(rec->metadata = strdup(m->metadata)))
		return -ENOMEM;
	a->n_meta += rec->metadata != NULL;
	/* names too long for any key are the resolver's: no set */
	JOIN(name, sizeof(name), m->region, ".", a->name, SFX);
	if (strlen(name) < NAME_SET_NAME_MAX && !(rec->region = set_get(a, name, true)))
		return -ENOMEM;
	JOIN(name, sizeof(name), group, "." SIXPN_DNS_LABEL_PROCESS ".", a->name, SFX);
	if (strlen(name) < NAME_SET_NAME_MAX && !(rec->group = set_get(a, name, true)))
		return -ENOMEM;
	if (rec->started) {
		err = list_add(&a->started, &a->n_started, &a->cap_started, rec);
		if (d)
			d->started = true;
	}
	if (!err)
		err = set_join(a, rec->region, rec, d);
	if (!err)
		err = set_join(a, rec->group, rec, d);
	if (!err)
		err = meta_sets(a, rec, d, true);
	return err;
}

static void machine_unlink(struct app_names *a, struct name_machine *rec, struct app_delta *d)
{
	list_del(a->ms, &a->n_ms, rec);
	if (rec->started) {
		list_del(a->started, &a->n_started, rec);
		if (d)
			d->started = true;
	}
	set_leave(a, rec->region, rec, d);
	set_leave(a, rec->group, rec, d);
	meta_sets(a, rec, d, false);
	if (rec->metadata && a->n_meta)
		a->n_meta--;
	if (rec->odd && a->n_odd)
		a->n_odd--;
	free(rec->metadata);
	rec->metadata = NULL;
	rec->region = rec->group = NULL;
}

static void delta_begin(struct app_names *a, struct app_delta *d)
{
	a->mark++;
	if (d)
		d->meta_before = a->n_meta > 0;
}

struct name_machine *app_machine_add(struct app_names *a, const struct reg_machine *m,
				     struct app_delta *d, int *err)
{
	struct name_machine *rec = calloc(1, sizeof(*rec));

	*err = rec ? 0 : -ENOMEM;
	if (!rec)
		return NULL;
	delta_begin(a, d);
	*err = machine_link(a, rec, m, d);
	if (*err && !rec->app) {
		free(rec->metadata);
		free(rec);
		return NULL;
	}
	return rec;
}

void app_machine_remove(struct app_names *a, struct name_machine *rec, struct app_delta *d)
{
	delta_begin(a, d);
	machine_unlink(a, rec, d);
	free(rec);
}

int app_machine_update(struct app_names *a, struct name_machine *rec,
		       const struct reg_machine *m, struct app_delta *d)
{
	int err;

	delta_begin(a, d);
	machine_unlink(a, rec, d);
	err = machine_link(a, rec, m, d);
	return err;
}

/* ---- the app ------------------------------------------------------------- */

struct app_names *app_names_new(const char *id)
{
	struct app_names *a = calloc(1, sizeof(*a));

	if (a)
		snprintf(a->id, sizeof(a->id), "%s", id);
	return a;
}

void app_names_clear(struct app_names *a, void (*forget)(void *ctx, struct name_machine *m),
		     void *ctx)
{
	const char *k;
	void *v;
	size_t i;

	for (i = 0; i < a->n_ms; i++) {
		if (forget)
			forget(ctx, a->ms[i]);
		free(a->ms[i]->metadata);
		free(a->ms[i]);
	}
	a->n_ms = a->n_started = a->n_meta = a->n_odd = 0;
	i = 0;
	while (strmap_next(&a->sets, &i, &k, &v)) {
		free(((struct name_set *)v)->m);
		free(v);
	}
	strmap_free(&a->sets);
	memset(&a->sets, 0, sizeof(a->sets));
	memset(a->fixed, 0, sizeof(a->fixed));
}

void app_names_free(struct app_names *a)
{
	app_names_clear(a, NULL, NULL);
	free(a->ms);
	free(a->started);
	free(a);
}

void app_vm_name(const struct name_machine *m, char *buf, size_t size)
{
	JOIN(buf, size, m->id, "." SIXPN_DNS_LABEL_VM ".", m->app->name, SFX);
}

/* <prefix><app>.internal */
static const char *const fixed_prefix[N_FIX] = {
	[FIX_APP] = "",
	[FIX_GLOBAL] = SIXPN_DNS_LABEL_GLOBAL ".",
	[FIX_PROCESS] = SIXPN_DNS_LABEL_PROCESS ".",
	[FIX_METADATA] = SIXPN_DNS_LABEL_METADATA ".",
	[FIX_KV] = SIXPN_DNS_LABEL_KV "." SIXPN_DNS_LABEL_METADATA ".",
	[FIX_VM] = SIXPN_DNS_LABEL_VM ".",
	[FIX_OF] = SIXPN_DNS_LABEL_OF ".",
	[FIX_NEAREST] = SIXPN_DNS_LABEL_NEAREST "." SIXPN_DNS_LABEL_OF ".",
	[FIX_REGIONS] = SIXPN_DNS_LABEL_REGIONS ".",
	[FIX_VMS] = SIXPN_DNS_LABEL_VMS ".",
};

void app_fixed_name(const struct app_names *a, enum app_fixed f, char *buf, size_t size)
{
	JOIN(buf, size, fixed_prefix[f], a->name, SFX);
}

/* Empty non-terminals answer NODATA, not NXDOMAIN; TXT names and the
 * computed nearest-N names are the resolver's, and so are the all. lists
 * under vms. and regions. (their children). */
uint16_t app_fixed_flags(enum app_fixed f)
{
	switch (f) {
	case FIX_NEAREST:
		return SIXPN_DNS_F_CHILDREN_USERSPACE;
	case FIX_REGIONS:
	case FIX_VMS:
		return SIXPN_DNS_F_USERSPACE | SIXPN_DNS_F_CHILDREN_USERSPACE;
	default:
		return 0;
	}
}

bool app_fixed_live(const struct app_names *a, enum app_fixed f)
{
	switch (f) {
	case FIX_APP:
		/* ns.internal is the zone's name server (the names sync's zone
		 * names), even when an app is called ns: the app keeps
		 * global.ns.internal and the rest */
		return strcmp(a->name, SIXPN_DNS_LABEL_NS) != 0;
	case FIX_METADATA:
	case FIX_KV:
		return a->n_meta > 0;
	default:
		return true;
	}
}

size_t app_fixed_members(const struct app_names *a, enum app_fixed f,
			 struct name_machine *const **m)
{
	*m = a->started;
	return f == FIX_APP || f == FIX_GLOBAL ? a->n_started : 0;
}

static void walk_fixed(struct app_names *a, enum app_fixed f, app_name_cb cb, void *ctx)
{
	struct name_machine *const *m;
	size_t n = app_fixed_members(a, f, &m);
	char name[128];

	if (!app_fixed_live(a, f))
		return;
	app_fixed_name(a, f, name, sizeof(name));
	cb(ctx, name, &a->fixed[f], m, n, app_fixed_flags(f));
}

static void walk_set(struct app_names *a, struct name_set *s, app_name_cb cb, void *ctx)
{
	if (!s || s->mark == a->mark)
		return;
	s->mark = a->mark;
	cb(ctx, s->name, &s->state, s->m, s->n, 0);
}

static void walk_meta(struct app_names *a, struct name_machine *m, app_name_cb cb, void *ctx)
{
	char k[REG_NAME_MAX + 1], v[REG_NAME_MAX + 1], name[256];
	size_t pos = 0;

	while (m->metadata && reg_metadata_next(m->metadata, &pos, k, v)) {
		snprintf(name, sizeof(name), "%s." SIXPN_DNS_LABEL_KV "." SIXPN_DNS_LABEL_METADATA
			 ".%s" SFX, k, a->name);
		walk_set(a, strmap_get(&a->sets, name), cb, ctx);
		snprintf(name, sizeof(name), "%s.%s." SIXPN_DNS_LABEL_KV "." SIXPN_DNS_LABEL_METADATA
			 ".%s" SFX, v, k, a->name);
		walk_set(a, strmap_get(&a->sets, name), cb, ctx);
	}
}

/* <app>, global.<app>, the regions in the order of their first machine,
 * every <machine>.vm.<app>, process.<app>, the metadata's non-terminals,
 * the groups' and metadata's names in the order of their first machine,
 * then vm., of., nearest.of., regions. and vms. */
void app_names_walk(struct app_names *a, app_name_cb cb, void *ctx)
{
	char name[128];
	size_t i;

	a->mark++;
	walk_fixed(a, FIX_APP, cb, ctx);
	walk_fixed(a, FIX_GLOBAL, cb, ctx);
	for (i = 0; i < a->n_ms; i++)
		walk_set(a, a->ms[i]->region, cb, ctx);
	for (i = 0; i < a->n_ms; i++) {
		app_vm_name(a->ms[i], name, sizeof(name));
		cb(ctx, name, &a->ms[i]->vm_state, &a->ms[i], 1, 0);
	}
	walk_fixed(a, FIX_PROCESS, cb, ctx);
	walk_fixed(a, FIX_METADATA, cb, ctx);
	walk_fixed(a, FIX_KV, cb, ctx);
	for (i = 0; i < a->n_ms; i++) {
		walk_set(a, a->ms[i]->group, cb, ctx);
		walk_meta(a, a->ms[i], cb, ctx);
	}
	for (i = FIX_VM; i < N_FIX; i++)
		walk_fixed(a, (enum app_fixed)i, cb, ctx);
}
