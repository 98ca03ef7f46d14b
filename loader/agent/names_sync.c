// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "agent/names_sync.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "datapath/dns_names.h"
#include "datapath/map_walk.h"
#include "lib/log.h"
#include "registry/registry.h"

/* One machine as the names need it. */
struct name_machine {
	char id[REG_ID_MAX + 1];
	char region[REG_NAME_MAX + 1];
	struct sixpn_ip6 addr;
};

/* An app's published names, and while building, its machines. */
struct app_names {
	char id[REG_ID_MAX + 1];
	char name[REG_NAME_MAX + 1];
	uint32_t net_id;
	char **names;                /* what is in the map now */
	size_t n_names;
	struct name_machine *m;      /* scratch: machines being published */
	size_t n_m, cap_m;
	unsigned generation;
};

struct peer_name {
	uint32_t net_id;
	char name[REG_NAME_MAX + 1];
};

/* A name to publish. */
struct pub {
	char name[128];
	struct sixpn_ip6 *addrs;
	size_t n;
	uint16_t flags;
};

struct pub_list {
	struct pub *p;
	size_t n, cap;
};

static unsigned full_generation;

#define NAMES_BATCH 4096

void names_sync_init(struct names_sync *n, int names_fd)
{
	memset(n, 0, sizeof(*n));
	n->names_fd = names_fd;
}

static void app_names_free(struct app_names *a)
{
	size_t i;

	for (i = 0; i < a->n_names; i++)
		free(a->names[i]);
	free(a->names);
	free(a->m);
	free(a);
}

void names_sync_free(struct names_sync *n)
{
	const char *k;
	void *v;
	size_t i = 0;

	while (strmap_next(&n->apps, &i, &k, &v))
		app_names_free(v);
	i = 0;
	while (strmap_next(&n->machine_app, &i, &k, &v))
		free(v);
	i = 0;
	while (strmap_next(&n->peers, &i, &k, &v))
		free(v);
	strmap_free(&n->apps);
	strmap_free(&n->machine_app);
	strmap_free(&n->peers);
	strmap_free(&n->nets);
	free(n->bkeys);
	free(n->bvals);
}

static int flush(struct names_sync *n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	__u32 count = (__u32)n->bn;
	int err = 0;

	if (!n->bn)
		return 0;
	if (bpf_map_update_batch(n->names_fd, n->bkeys, n->bvals, &count, &opts)) {
		err = -errno;
		log_error("msg=\"cannot publish names\" written=%u of=%zu err=\"%s\"", count, n->bn,
			  strerror(errno));
	}
	n->puts += count;
	n->bn = 0;
	return err;
}

static int batch_add(struct names_sync *n, uint32_t net, const char *name,
		     const struct sixpn_ip6 *addrs, size_t count, uint16_t flags)
{
	int err;

	if (!n->bkeys) {
		n->bkeys = calloc(NAMES_BATCH, sizeof(*n->bkeys));
		n->bvals = calloc(NAMES_BATCH, sizeof(*n->bvals));
		if (!n->bkeys || !n->bvals)
			return -ENOMEM;
	}
	err = sixpn_dns_entry(net, name, addrs, count, flags, &n->bkeys[n->bn], &n->bvals[n->bn]);
	if (err)
		return err;
	if (++n->bn == NAMES_BATCH)
		return flush(n);
	return 0;
}

/* Names longer than the key holds belong to the resolver alone. */
static int put(struct names_sync *n, uint32_t net, const char *name,
	       const struct sixpn_ip6 *addrs, size_t count, uint16_t flags)
{
	int err = n->batching ? batch_add(n, net, name, addrs, count, flags)
			      : sixpn_dns_name_put(n->names_fd, net, name, addrs, count, flags);

	if (err == -ENAMETOOLONG) {
		n->skipped++;
		return 0;
	}
	if (err)
		log_error("msg=\"cannot publish name\" network=%u name=%s err=\"%s\"", net, name,
			  strerror(-err));
	else if (!n->batching)
		n->puts++;
	return err;
}

static void del(struct names_sync *n, uint32_t net, const char *name)
{
	if (!sixpn_dns_name_del(n->names_fd, net, name))
		n->dels++;
}

static struct pub *pub_add(struct pub_list *l, uint16_t flags, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct pub *pub_add(struct pub_list *l, uint16_t flags, const char *fmt, ...)
{
	va_list ap;
	struct pub *p;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct pub *np = realloc(l->p, cap * sizeof(*np));

		if (!np)
			return NULL;
		l->p = np;
		l->cap = cap;
	}
	p = &l->p[l->n++];
	memset(p, 0, sizeof(*p));
	p->flags = flags;
	va_start(ap, fmt);
	vsnprintf(p->name, sizeof(p->name), fmt, ap);
	va_end(ap);
	return p;
}

static void pub_list_free(struct pub_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->p[i].addrs);
	free(l->p);
}

static int pub_addrs(struct pub *p, const struct app_names *a, const char *region)
{
	size_t i;

	if (!p)
		return -ENOMEM;
	p->addrs = calloc(a->n_m ? a->n_m : 1, sizeof(*p->addrs));
	if (!p->addrs)
		return -ENOMEM;
	for (i = 0; i < a->n_m; i++)
		if (!region || !strcmp(a->m[i].region, region))
			p->addrs[p->n++] = a->m[i].addr;
	return 0;
}

/* The names of docs/design.md section 5 that belong to one app. */
static int app_pubs(const struct app_names *a, struct pub_list *l)
{
	struct pub *p;
	size_t i, j;
	int err;

	/* ns.internal is the zone's name server (net_zone_names), even when
	 * an app is called ns: the app keeps global.ns.internal and the rest */
	if (strcmp(a->name, SIXPN_DNS_LABEL_NS))
		err = pub_addrs(pub_add(l, 0, "%s" SIXPN_DNS_ZONE_SUFFIX, a->name), a, NULL);
	else
		err = 0;
	if (!err)
		err = pub_addrs(pub_add(l, 0, SIXPN_DNS_LABEL_GLOBAL ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name), a, NULL);
	for (i = 0; !err && i < a->n_m; i++) {
		bool seen = false;

		for (j = 0; j < i; j++)
			if (!strcmp(a->m[j].region, a->m[i].region))
				seen = true;
		if (!seen)
			err = pub_addrs(pub_add(l, 0, "%s.%s" SIXPN_DNS_ZONE_SUFFIX, a->m[i].region, a->name),
					a, a->m[i].region);
	}
	for (i = 0; !err && i < a->n_m; i++) {
		p = pub_add(l, 0, "%s." SIXPN_DNS_LABEL_VM ".%s" SIXPN_DNS_ZONE_SUFFIX, a->m[i].id, a->name);
		if (!p || !(p->addrs = malloc(sizeof(*p->addrs))))
			return -ENOMEM;
		p->addrs[0] = a->m[i].addr;
		p->n = 1;
	}
	if (err)
		return err;
	/* Empty non-terminals answer NODATA, not NXDOMAIN; TXT names and the
	 * computed nearest-N names are the resolver's. */
	if (!pub_add(l, 0, SIXPN_DNS_LABEL_VM ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name) ||
	    !pub_add(l, 0, SIXPN_DNS_LABEL_OF ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name) ||
	    !pub_add(l, SIXPN_DNS_F_CHILDREN_USERSPACE, SIXPN_DNS_LABEL_NEAREST "." SIXPN_DNS_LABEL_OF ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name) ||
	    !pub_add(l, SIXPN_DNS_F_USERSPACE, SIXPN_DNS_LABEL_REGIONS ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name) ||
	    !pub_add(l, SIXPN_DNS_F_USERSPACE, SIXPN_DNS_LABEL_VMS ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name))
		return -ENOMEM;
	return 0;
}

/* Every network's names of the zone itself, all the resolver's to answer:
 * the TXT names, and the NS target ns.internal, whose address is the
 * asker's DNS address (fdaa::3 on the fast path), which no map value can
 * hold (values keep the asker's network words). */
static const char *const zone_names[] = {
	SIXPN_DNS_LABEL_APPS SIXPN_DNS_ZONE_SUFFIX, SIXPN_DNS_LABEL_INSTANCES SIXPN_DNS_ZONE_SUFFIX,
	SIXPN_DNS_LABEL_PEER SIXPN_DNS_ZONE_SUFFIX, SIXPN_DNS_LABEL_NS SIXPN_DNS_ZONE_SUFFIX,
};
#define N_ZONE_NAMES (sizeof(zone_names) / sizeof(zone_names[0]))

static void net_zone_names(struct names_sync *n, uint32_t net)
{
	char key[16];
	size_t i;
	int err;

	snprintf(key, sizeof(key), "%u", net);
	if (strmap_get(&n->nets, key))
		return;
	for (i = 0; i < N_ZONE_NAMES; i++)
		put(n, net, zone_names[i], NULL, 0, SIXPN_DNS_F_USERSPACE);
	strmap_put(&n->nets, key, (void *)1, &err);
}

/* Writes the app's names: new and changed first, then removes the ones it
 * no longer has. */
static int app_publish(struct names_sync *n, struct app_names *a)
{
	struct pub_list l = { 0 };
	char **names;
	size_t i, j;
	int err;

	net_zone_names(n, a->net_id);
	err = app_pubs(a, &l);
	names = calloc(l.n + 1, sizeof(*names));
	if (err || !names) {
		pub_list_free(&l);
		free(names);
		return err ? err : -ENOMEM;
	}
	for (i = 0; i < l.n; i++) {
		put(n, a->net_id, l.p[i].name, l.p[i].addrs, l.p[i].n, l.p[i].flags);
		names[i] = strdup(l.p[i].name);
	}
	for (i = 0; i < a->n_names; i++) {
		bool keep = false;

		for (j = 0; j < l.n && !keep; j++)
			keep = !strcmp(a->names[i], l.p[j].name);
		if (!keep)
			del(n, a->net_id, a->names[i]);
		free(a->names[i]);
	}
	free(a->names);
	a->names = names;
	a->n_names = l.n;
	pub_list_free(&l);
	return 0;
}

static void app_unpublish(struct names_sync *n, const char *app_id)
{
	struct app_names *a = strmap_del(&n->apps, app_id);
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n_names; i++)
		del(n, a->net_id, a->names[i]);
	app_names_free(a);
}

static struct app_names *app_get(struct names_sync *n, const struct reg_app *ra)
{
	struct app_names *a = strmap_get(&n->apps, ra->id);
	int err;

	if (a && a->net_id != ra->network_id) {
		/* Apps never move; a registry that says so is rebuilt cleanly. */
		app_unpublish(n, ra->id);
		a = NULL;
	}
	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a)
			return NULL;
		snprintf(a->id, sizeof(a->id), "%s", ra->id);
		strmap_put(&n->apps, ra->id, a, &err);
		if (err) {
			free(a);
			return NULL;
		}
	}
	snprintf(a->name, sizeof(a->name), "%s", ra->name);
	a->net_id = ra->network_id;
	return a;
}

static int app_add_machine(struct app_names *a, const struct reg_machine *m)
{
	if (a->n_m == a->cap_m) {
		size_t cap = a->cap_m ? a->cap_m * 2 : 8;
		struct name_machine *nm = realloc(a->m, cap * sizeof(*nm));

		if (!nm)
			return -ENOMEM;
		a->m = nm;
		a->cap_m = cap;
	}
	snprintf(a->m[a->n_m].id, sizeof(a->m[0].id), "%s", m->id);
	snprintf(a->m[a->n_m].region, sizeof(a->m[0].region), "%s", m->region);
	a->m[a->n_m].addr = m->addr;
	a->n_m++;
	return 0;
}

static void remember_machine(struct names_sync *n, const char *machine_id, const char *app_id)
{
	char *old, *id = strdup(app_id);
	int err;

	if (!id)
		return;
	old = strmap_put(&n->machine_app, machine_id, id, &err);
	free(old);
	if (err)
		free(id);
}

struct collect_ctx {
	struct names_sync *n;
	struct app_names *a; /* NULL: look the app up per machine (full pass) */
};

static int collect_machine_cb(const struct reg_machine *m, void *ctx)
{
	struct collect_ctx *c = ctx;
	struct app_names *a = c->a ? c->a : strmap_get(&c->n->apps, m->app_id);

	if (!a || m->network_id != a->net_id || sixpn_net_id(&m->addr) != a->net_id) {
		log_error("msg=\"skipping bad registry row\" table=machines key=%s why=\"address outside its app's network\"",
			  m->id);
		return 0;
	}
	remember_machine(c->n, m->id, m->app_id);
	return app_add_machine(a, m);
}

static int app_refresh(struct names_sync *n, struct reg *r, const struct reg_app *ra)
{
	struct reg_filter f = { .app = ra->name };
	struct app_names *a = app_get(n, ra);
	struct collect_ctx c = { .n = n, .a = a };
	int err;

	if (!a)
		return -ENOMEM;
	a->n_m = 0;
	if (reg_foreach_machine(r, &f, collect_machine_cb, &c))
		return -EIO;
	err = app_publish(n, a);
	a->n_m = 0;
	return err;
}

int names_app_changed(struct names_sync *n, struct reg *r, const char *app_id)
{
	struct reg_app ra;
	int rc = reg_get_app(r, app_id, &ra);

	if (rc == REG_ENOENT) {
		app_unpublish(n, app_id);
		return 0;
	}
	return rc ? -EIO : app_refresh(n, r, &ra);
}

int names_machine_changed(struct names_sync *n, struct reg *r, const char *machine_id)
{
	struct reg_machine m;
	char *app_id = NULL;
	int rc = reg_get_machine(r, machine_id, &m), err = 0;

	if (rc && rc != REG_ENOENT)
		return -EIO;
	/* The app it belonged to, and the one it belongs to now. */
	app_id = strmap_del(&n->machine_app, machine_id);
	if (app_id && (rc == REG_ENOENT || strcmp(app_id, m.app_id)))
		err = names_app_changed(n, r, app_id);
	free(app_id);
	if (rc == REG_OK)
		err = names_app_changed(n, r, m.app_id);
	return err;
}

static int peer_publish(struct names_sync *n, const struct reg_peer *p)
{
	char key[24], name[128];
	struct peer_name *pn;
	int err;

	snprintf(key, sizeof(key), "%" PRId64, p->id);
	pn = strmap_get(&n->peers, key);
	if (!pn) {
		pn = calloc(1, sizeof(*pn));
		if (!pn)
			return -ENOMEM;
		strmap_put(&n->peers, key, pn, &err);
		if (err) {
			free(pn);
			return err;
		}
	}
	pn->net_id = p->network_id;
	snprintf(pn->name, sizeof(pn->name), "%s", p->name);
	net_zone_names(n, p->network_id);
	snprintf(name, sizeof(name), "%s." SIXPN_DNS_LABEL_PEER SIXPN_DNS_ZONE_SUFFIX, p->name);
	return put(n, p->network_id, name, &p->addr, 1, 0);
}

static void peer_unpublish(struct names_sync *n, const char *peer_id)
{
	struct peer_name *pn = strmap_del(&n->peers, peer_id);
	char name[128];

	if (!pn)
		return;
	snprintf(name, sizeof(name), "%s." SIXPN_DNS_LABEL_PEER SIXPN_DNS_ZONE_SUFFIX, pn->name);
	del(n, pn->net_id, name);
	free(pn);
}

int names_peer_changed(struct names_sync *n, struct reg *r, const char *peer_id)
{
	struct reg_peer p;
	int rc = reg_get_peer(r, strtoll(peer_id, NULL, 10), &p);

	if (rc == REG_ENOENT) {
		peer_unpublish(n, peer_id);
		return 0;
	}
	return rc ? -EIO : peer_publish(n, &p);
}

/* ---- the full pass ------------------------------------------------------ */

static int full_app_cb(const struct reg_app *ra, void *ctx)
{
	struct app_names *a = app_get(ctx, ra);

	if (!a)
		return -ENOMEM;
	a->n_m = 0;
	a->generation = full_generation;
	return 0;
}

static int full_peer_cb(const struct reg_peer *p, void *ctx)
{
	peer_publish(ctx, p);
	return 0;
}

struct want_ctx {
	struct names_sync *n;
	struct strmap want; /* "<net>/<name>" of every published name */
};

static void want(struct want_ctx *w, uint32_t net, const char *name)
{
	char key[192]; /* "<net>/<name>" */
	int err;

	snprintf(key, sizeof(key), "%u/%s", net, name);
	strmap_put(&w->want, key, (void *)1, &err);
}

/* What the map holds that the registry no longer has: from an earlier run
 * of sixpnd, or changes missed while it was down. */
static void remove_stale(struct names_sync *n)
{
	struct want_ctx w = { .n = n };
	struct sixpn_map_keys keys = { 0 };
	size_t n_gone = 0, i = 0, j;
	const char *k;
	void *v;
	char name[SIXPN_DNS_NAME_MAX + 1], wk[160];
	int err;

	while (strmap_next(&n->apps, &i, &k, &v)) {
		struct app_names *a = v;

		for (j = 0; j < a->n_names; j++)
			want(&w, a->net_id, a->names[j]);
	}
	i = 0;
	while (strmap_next(&n->peers, &i, &k, &v)) {
		struct peer_name *pn = v;

		snprintf(wk, sizeof(wk), "%s." SIXPN_DNS_LABEL_PEER SIXPN_DNS_ZONE_SUFFIX, pn->name);
		want(&w, pn->net_id, wk);
	}
	i = 0;
	while (strmap_next(&n->nets, &i, &k, &v)) {
		uint32_t net = (uint32_t)strtoul(k, NULL, 10);

		for (j = 0; j < N_ZONE_NAMES; j++)
			want(&w, net, zone_names[j]);
	}
	err = sixpn_map_keys(n->names_fd, false, &keys);
	if (err)
		log_error("msg=\"cannot read the names map; stale names stay\" err=\"%s\"", strerror(-err));
	for (j = 0; !err && j < keys.n; j++) {
		const struct sixpn_dns_key *key = sixpn_map_key(&keys, j);

		sixpn_dns_key_name(key, name, sizeof(name));
		snprintf(wk, sizeof(wk), "%u/%s", key->net_id, name);
		if (strmap_get(&w.want, wk))
			continue;
		n_gone++;
		if (!bpf_map_delete_elem(n->names_fd, key))
			n->dels++;
	}
	if (n_gone)
		log_info("msg=\"removed stale names\" count=%zu", n_gone);
	sixpn_map_keys_free(&keys);
	strmap_free(&w.want);
}

int names_sync_full(struct names_sync *n, struct reg *r)
{
	struct collect_ctx c = { .n = n };
	const char *k;
	void *v;
	size_t i = 0;
	int err = 0;

	full_generation++;
	if (reg_foreach_app(r, NULL, full_app_cb, n))
		return -EIO;
	/* One pass over every machine, grouped by app in memory: a query per
	 * app would cost a round trip per app at fleet scale. */
	if (reg_foreach_machine(r, NULL, collect_machine_cb, &c))
		return -EIO;
	n->batching = true;
	/* Apps gone from the registry first, then every app's names. */
	while (strmap_next(&n->apps, &i, &k, &v)) {
		if (((struct app_names *)v)->generation != full_generation) {
			char id[REG_ID_MAX + 1];

			snprintf(id, sizeof(id), "%s", k); /* the map frees k */
			app_unpublish(n, id); /* strmap_del() moves nothing: the walk goes on */
		}
	}
	i = 0;
	while (!err && strmap_next(&n->apps, &i, &k, &v)) {
		struct app_names *a = v;

		err = app_publish(n, a);
		a->n_m = 0;
		free(a->m);
		a->m = NULL;
		a->cap_m = 0;
	}
	if (!err && reg_foreach_peer(r, NULL, full_peer_cb, n))
		err = -EIO;
	n->batching = false;
	if (flush(n) && !err)
		err = -EIO;
	/* Only once every live name is in does anything stale go. */
	if (!err)
		remove_stale(n);
	return err;
}
