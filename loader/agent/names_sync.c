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
#include "lib/grow.h"

/* One machine as the names need it. The group and metadata are copies
 * only when they are not the defaults (a fleet-wide full pass holds every
 * machine at once). */
struct name_machine {
	char id[REG_ID_MAX + 1];
	char region[REG_NAME_MAX + 1];
	struct sixpn_ip6 addr;
	bool started;                /* only started machines are in the AAAA sets */
	char *group;                 /* NULL: REG_PROCESS_GROUP_DEFAULT */
	char *metadata;              /* NULL: none; else "k=v,k=v" */
};

/* An app's published names, and while building, its machines. */
struct app_names {
	char id[REG_ID_MAX + 1];
	char name[REG_NAME_MAX + 1];
	uint32_t net_id;
	char **names;                /* what is in the map now */
	size_t n_names;
	size_t n_left;               /* names the quotas keep out of it */
	struct name_machine *m;      /* scratch: machines being published */
	size_t n_m, cap_m;
	unsigned generation;
};

struct peer_name {
	uint32_t net_id;
	char name[REG_NAME_MAX + 1];
	bool in_map, left_out;
};

/* <app>.flycast in a consumer network: the app's service address there. */
struct fc_name {
	uint32_t net_id;
	char name[128];
	struct sixpn_ip6 addr;
	bool in_map, left_out;
};

/* A network's share of the map. */
struct net_names {
	uint32_t net_id;
	uint64_t entries;            /* its names in the map */
	uint64_t left_out;           /* its names the quotas keep out */
	bool zone;                   /* its zone names were published */
	uint8_t zone_in;             /* which of them are in the map (bit i: zone_names[i]) */
	bool failed;                 /* a write failed: over until the next full pass */
	bool marked;                 /* its marker is in, counted in its slot */
	bool warned;                 /* the first quota hit was logged */
};

/* What publishing one name came to. */
enum pub_result {
	PUB_IN,                      /* in the map */
	PUB_LEFT,                    /* left out by a quota, or a failed write */
	PUB_NOT_MAPPED,              /* never in the map (too long): the resolver's */
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

uint32_t names_capacity(int names_fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(names_fd, &info, &len) ? 0 : info.max_entries;
}

uint32_t names_quota_default(uint32_t capacity)
{
	uint32_t quota = capacity / SIXPN_DNS_NAMES_QUOTA_DIV;

	return quota < SIXPN_DNS_NAMES_QUOTA_MIN ? SIXPN_DNS_NAMES_QUOTA_MIN : quota;
}

void names_sync_init(struct names_sync *n, int names_fd, int overflow_fd, uint32_t quota)
{
	uint32_t capacity = names_capacity(names_fd);

	memset(n, 0, sizeof(*n));
	n->names_fd = names_fd;
	n->overflow_fd = overflow_fd;
	n->quota = quota;
	n->budget = capacity ? capacity - capacity / SIXPN_DNS_NAMES_HEADROOM_DIV : UINT64_MAX;
}

/* Forgets the machines being published (their copies too). */
static void app_machines_clear(struct app_names *a)
{
	size_t i;

	for (i = 0; i < a->n_m; i++) {
		free(a->m[i].group);
		free(a->m[i].metadata);
	}
	a->n_m = 0;
}

static void app_names_free(struct app_names *a)
{
	size_t i;

	for (i = 0; i < a->n_names; i++)
		free(a->names[i]);
	free(a->names);
	app_machines_clear(a);
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
	i = 0;
	while (strmap_next(&n->nets, &i, &k, &v))
		free(v);
	i = 0;
	while (strmap_next(&n->flycast, &i, &k, &v))
		free(v);
	strmap_free(&n->flycast);
	strmap_free(&n->apps);
	strmap_free(&n->machine_app);
	strmap_free(&n->peers);
	strmap_free(&n->nets);
	free(n->bkeys);
	free(n->bvals);
}

/* ---- quotas -------------------------------------------------------------- */

static struct net_names *net_get(struct names_sync *n, uint32_t net_id)
{
	struct net_names *net;
	char key[16];
	int err;

	snprintf(key, sizeof(key), "%u", net_id);
	net = strmap_get(&n->nets, key);
	if (net)
		return net;
	net = calloc(1, sizeof(*net));
	if (!net)
		return NULL;
	net->net_id = net_id;
	strmap_put(&n->nets, key, net, &err);
	if (err) {
		free(net);
		return NULL;
	}
	return net;
}

static void set_slot(struct names_sync *n, uint32_t slot)
{
	int err;

	if (n->overflow_fd < 0)
		return;
	err = sixpn_dns_overflow_set(n->overflow_fd, slot, n->slots[slot]);
	if (err)
		log_error("msg=\"cannot set the names overflow slot\" slot=%u err=\"%s\"", slot,
			  strerror(-err));
}

/* Before the first name of `net` is left out: its marker, then its slot,
 * so the fast path passes its misses up instead of answering NXDOMAIN. */
static void net_mark(struct names_sync *n, struct net_names *net)
{
	uint32_t slot = sixpn_dns_overflow_slot(net->net_id);
	int err;

	if (net->marked)
		return;
	err = sixpn_dns_quota_mark(n->names_fd, net->net_id, true);
	if (err)
		log_error("msg=\"cannot mark a network over its names quota: the fast path may answer NXDOMAIN for names left out\" network=%u err=\"%s\"",
			  net->net_id, strerror(-err));
	n->slots[slot]++;
	set_slot(n, slot);
	net->marked = true;
	__atomic_add_fetch(&n->qstats.networks_over, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&n->qstats.hits, 1, __ATOMIC_RELAXED);
	if (!net->warned)
		log_warn("msg=\"network over its names quota: names left out of the map are answered by the resolver\" network=%u names=%" PRIu64 " quota=%u map_budget=%" PRIu64 " map_names=%" PRIu64,
			 net->net_id, net->entries, n->quota, n->budget, n->entries);
	else
		log_debug("msg=\"network over its names quota again\" network=%u", net->net_id);
	net->warned = true;
}

/* Once every name of `net` is in again: its slot, then its marker. */
static void net_settle(struct names_sync *n, struct net_names *net)
{
	uint32_t slot = sixpn_dns_overflow_slot(net->net_id);
	int err;

	/* Within a full pass, names counted in may still wait in the batch. */
	if (!net->marked || net->left_out || net->failed || n->batching)
		return;
	if (n->slots[slot])
		n->slots[slot]--;
	set_slot(n, slot);
	err = sixpn_dns_quota_mark(n->names_fd, net->net_id, false);
	if (err)
		log_error("msg=\"cannot remove a network's names quota marker\" network=%u err=\"%s\"",
			  net->net_id, strerror(-err));
	net->marked = false;
	__atomic_sub_fetch(&n->qstats.networks_over, 1, __ATOMIC_RELAXED);
	log_info("msg=\"network back within its names quota\" network=%u names=%" PRIu64,
		 net->net_id, net->entries);
}

static void net_left(struct names_sync *n, struct net_names *net, int64_t delta)
{
	if (delta < 0 && (uint64_t)-delta > net->left_out)
		delta = -(int64_t)net->left_out;
	net->left_out += delta;
	__atomic_add_fetch(&n->qstats.left_out, (uint64_t)delta, __ATOMIC_RELAXED);
}

static void net_write_failed(struct names_sync *n, uint32_t net_id)
{
	struct net_names *net = net_get(n, net_id);

	if (!net)
		return;
	net->failed = true;
	net_mark(n, net);
}

static bool admit_room(const struct names_sync *n, const struct net_names *net)
{
	return (!n->quota || net->entries < n->quota) && n->entries < n->budget;
}

/* May one more name of `net` go in? If not, `net` is marked first. */
static bool admit(struct names_sync *n, struct net_names *net)
{
	if (admit_room(n, net))
		return true;
	net_mark(n, net);
	return false;
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
	if (err == -E2BIG)
		n->map_full = true;
	/* What did not go in must not be answered NXDOMAIN. */
	for (; err && count < n->bn; count++)
		net_write_failed(n, n->bkeys[count].net_id);
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

/* Names longer than the key holds belong to the resolver alone
 * (-ENAMETOOLONG, counted as skipped). */
static int put(struct names_sync *n, uint32_t net, const char *name,
	       const struct sixpn_ip6 *addrs, size_t count, uint16_t flags)
{
	int err = n->batching ? batch_add(n, net, name, addrs, count, flags)
			      : sixpn_dns_name_put(n->names_fd, net, name, addrs, count, flags);

	if (err == -ENAMETOOLONG) {
		n->skipped++;
		return err;
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

/* One name of `net`: `had` says it is in the map already (an update,
 * which the quotas never refuse). */
static enum pub_result publish(struct names_sync *n, struct net_names *net, bool had,
			       const char *name, const struct sixpn_ip6 *addrs, size_t count,
			       uint16_t flags)
{
	int err;

	if (!had && !admit(n, net))
		return PUB_LEFT;
	err = put(n, net->net_id, name, addrs, count, flags);
	if (err == -ENAMETOOLONG)
		return PUB_NOT_MAPPED;
	if (err && !had) {
		net->failed = true;
		net_mark(n, net);
		return PUB_LEFT;
	}
	if (!had) {
		net->entries++;
		n->entries++;
	}
	return PUB_IN;
}

static void name_gone(struct names_sync *n, struct net_names *net, const char *name)
{
	del(n, net->net_id, name);
	if (net->entries)
		net->entries--;
	if (n->entries)
		n->entries--;
}

static struct pub *pub_add(struct pub_list *l, uint16_t flags, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct pub *pub_add(struct pub_list *l, uint16_t flags, const char *fmt, ...)
{
	struct pub *p = array_grow(l->p, &l->cap, l->n, sizeof(*p));
	va_list ap;

	if (!p)
		return NULL;
	l->p = p;
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

/* Which machines a name answers: started ones only (docs/design.md
 * section 5), of a region. */
static int pub_addrs(struct pub *p, const struct app_names *a, const char *region)
{
	size_t i;

	if (!p)
		return -ENOMEM;
	p->addrs = calloc(a->n_m ? a->n_m : 1, sizeof(*p->addrs));
	if (!p->addrs)
		return -ENOMEM;
	for (i = 0; i < a->n_m; i++)
		if (a->m[i].started && (!region || !strcmp(a->m[i].region, region)))
			p->addrs[p->n++] = a->m[i].addr;
	return 0;
}

/* The name's pub in l, made (with room for cap addresses) when new: its
 * index, -1 when out of memory, -2 when the name is longer than any key
 * holds (the resolver's alone). idx maps names to index + 1, so that an
 * app's machines are walked once whatever its groups and metadata. */
static ssize_t pub_named(struct pub_list *l, struct strmap *idx, size_t cap, const char *name)
{
	void *v = strmap_get(idx, name);
	struct pub *p;
	int err;

	if (v)
		return (ssize_t)(uintptr_t)v - 1;
	if (strlen(name) >= sizeof(p->name))
		return -2;
	p = pub_add(l, 0, "%s", name);
	if (!p || !(p->addrs = calloc(cap ? cap : 1, sizeof(*p->addrs))))
		return -1;
	strmap_put(idx, name, (void *)(uintptr_t)l->n, &err);
	return err ? -1 : (ssize_t)l->n - 1;
}

/* Adds machine m to the pub called name (made when new). */
static int pub_member(struct pub_list *l, struct strmap *idx, const struct app_names *a,
		      const struct name_machine *m, const char *name)
{
	ssize_t k = pub_named(l, idx, a->n_m, name);

	if (k == -1)
		return -ENOMEM;
	if (k >= 0 && m->started)
		l->p[k].addrs[l->p[k].n++] = m->addr;
	return 0;
}

/* <group>.process.<app>: a name for every group of any machine (so that
 * stopping the last machine of a group gives NODATA, not NXDOMAIN), with
 * the group's started machines; <value>.<key>.kv._metadata.<app> with the
 * started machines that have key=value, and when some machine has
 * metadata the names above those as empty non-terminals. Most metadata
 * names are longer than a key holds: the resolver's (the fast path passes
 * names it cannot hold). */
static int group_metadata_pubs(const struct app_names *a, struct pub_list *l)
{
	char k[REG_NAME_MAX + 1], v[REG_NAME_MAX + 1], name[256];
	struct strmap idx = { 0 };
	bool any = false;
	size_t i, pos;
	int err = 0;

	if (!pub_add(l, 0, SIXPN_DNS_LABEL_PROCESS ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name))
		return -ENOMEM;
	for (i = 0; i < a->n_m && !any; i++)
		any = a->m[i].metadata && a->m[i].metadata[0];
	if (any && (!pub_add(l, 0, SIXPN_DNS_LABEL_METADATA ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name) ||
		    !pub_add(l, 0, SIXPN_DNS_LABEL_KV "." SIXPN_DNS_LABEL_METADATA ".%s" SIXPN_DNS_ZONE_SUFFIX,
			     a->name)))
		return -ENOMEM;
	for (i = 0; !err && i < a->n_m; i++) {
		const struct name_machine *m = &a->m[i];

		snprintf(name, sizeof(name), "%s." SIXPN_DNS_LABEL_PROCESS ".%s" SIXPN_DNS_ZONE_SUFFIX,
			 m->group ? m->group : REG_PROCESS_GROUP_DEFAULT, a->name);
		err = pub_member(l, &idx, a, m, name);
		pos = 0;
		while (!err && m->metadata && reg_metadata_next(m->metadata, &pos, k, v)) {
			snprintf(name, sizeof(name), "%s." SIXPN_DNS_LABEL_KV "." SIXPN_DNS_LABEL_METADATA
				 ".%s" SIXPN_DNS_ZONE_SUFFIX, k, a->name);
			if (pub_named(l, &idx, 0, name) == -1)
				err = -ENOMEM;
			snprintf(name, sizeof(name), "%s.%s." SIXPN_DNS_LABEL_KV "." SIXPN_DNS_LABEL_METADATA
				 ".%s" SIXPN_DNS_ZONE_SUFFIX, v, k, a->name);
			if (!err)
				err = pub_member(l, &idx, a, m, name);
		}
	}
	strmap_free(&idx);
	return err;
}

/* The names of docs/design.md section 5 that belong to one app. Every
 * AAAA set holds the started machines only; <machine>.vm.<app> answers
 * whatever the machine's state; a name exists (NODATA when nothing in it
 * is started) as long as any machine gives it. */
static int app_pubs(const struct app_names *a, struct pub_list *l)
{
	struct pub *p;
	size_t i;
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
		size_t j;

		for (j = 0; j < i && !seen; j++)
			seen = !strcmp(a->m[j].region, a->m[i].region);
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
	if (!err)
		err = group_metadata_pubs(a, l);
	if (err)
		return err;
	/* Empty non-terminals answer NODATA, not NXDOMAIN; TXT names and the
	 * computed nearest-N names are the resolver's, and so are the all.
	 * lists under vms. and regions. (their children). */
	if (!pub_add(l, 0, SIXPN_DNS_LABEL_VM ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name) ||
	    !pub_add(l, 0, SIXPN_DNS_LABEL_OF ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name) ||
	    !pub_add(l, SIXPN_DNS_F_CHILDREN_USERSPACE, SIXPN_DNS_LABEL_NEAREST "." SIXPN_DNS_LABEL_OF ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name) ||
	    !pub_add(l, SIXPN_DNS_F_USERSPACE | SIXPN_DNS_F_CHILDREN_USERSPACE, SIXPN_DNS_LABEL_REGIONS ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name) ||
	    !pub_add(l, SIXPN_DNS_F_USERSPACE | SIXPN_DNS_F_CHILDREN_USERSPACE, SIXPN_DNS_LABEL_VMS ".%s" SIXPN_DNS_ZONE_SUFFIX, a->name))
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
	SIXPN_DNS_LABEL_API SIXPN_DNS_ZONE_SUFFIX,
};
/* all._instances: a child the resolver answers */
static const uint16_t zone_flags[] = {
	SIXPN_DNS_F_USERSPACE, SIXPN_DNS_F_USERSPACE | SIXPN_DNS_F_CHILDREN_USERSPACE,
	SIXPN_DNS_F_USERSPACE, SIXPN_DNS_F_USERSPACE, SIXPN_DNS_F_USERSPACE,
};
#define N_ZONE_NAMES (sizeof(zone_names) / sizeof(zone_names[0]))
_Static_assert(sizeof(zone_flags) / sizeof(zone_flags[0]) == N_ZONE_NAMES, "a flag per zone name");

static void net_zone_names(struct names_sync *n, struct net_names *net)
{
	size_t i;

	if (net->zone)
		return;
	net->zone = true;
	for (i = 0; i < N_ZONE_NAMES; i++) {
		enum pub_result r = publish(n, net, false, zone_names[i], NULL, 0, zone_flags[i]);

		if (r == PUB_IN)
			net->zone_in |= 1u << i;
		else if (r == PUB_LEFT)
			net_left(n, net, 1);
	}
}

/* Writes the app's names: new and changed first, then removes the ones it
 * no longer has. */
static int app_publish(struct names_sync *n, struct app_names *a)
{
	struct net_names *net = net_get(n, a->net_id);
	struct strmap had = { 0 }, now = { 0 };
	struct pub_list l = { 0 };
	size_t i, kept = 0, left = 0;
	char **names;
	int err;

	if (!net)
		return -ENOMEM;
	net_zone_names(n, net);
	err = app_pubs(a, &l);
	names = calloc(l.n + 1, sizeof(*names));
	if (err || !names) {
		pub_list_free(&l);
		free(names);
		return err ? err : -ENOMEM;
	}
	for (i = 0; i < a->n_names; i++)
		strmap_put(&had, a->names[i], (void *)1, &err);
	for (i = 0; i < l.n; i++) {
		const struct pub *p = &l.p[i];

		switch (publish(n, net, strmap_get(&had, p->name) != NULL, p->name, p->addrs, p->n,
				p->flags)) {
		case PUB_IN:
			names[kept] = strdup(p->name);
			if (names[kept])
				strmap_put(&now, names[kept++], (void *)1, &err);
			break;
		case PUB_LEFT:
			left++;
			break;
		case PUB_NOT_MAPPED:
			break;
		}
	}
	/* Only then what the app no longer has goes. */
	for (i = 0; i < a->n_names; i++) {
		if (!strmap_get(&now, a->names[i]))
			name_gone(n, net, a->names[i]);
		free(a->names[i]);
	}
	free(a->names);
	a->names = names;
	a->n_names = kept;
	net_left(n, net, (int64_t)left - (int64_t)a->n_left);
	a->n_left = left;
	net_settle(n, net);
	strmap_free(&had);
	strmap_free(&now);
	pub_list_free(&l);
	return 0;
}

static void app_unpublish(struct names_sync *n, const char *app_id)
{
	struct app_names *a = strmap_del(&n->apps, app_id);
	struct net_names *net;
	size_t i;

	if (!a)
		return;
	net = net_get(n, a->net_id);
	for (i = 0; net && i < a->n_names; i++)
		name_gone(n, net, a->names[i]);
	if (net) {
		net_left(n, net, -(int64_t)a->n_left);
		net_settle(n, net);
	}
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
	struct name_machine *nm = &a->m[a->n_m];

	memset(nm, 0, sizeof(*nm));
	snprintf(nm->id, sizeof(nm->id), "%s", m->id);
	snprintf(nm->region, sizeof(nm->region), "%s", m->region);
	nm->addr = m->addr;
	nm->started = m->state == REG_MACHINE_STARTED;
	if (strcmp(m->process_group, REG_PROCESS_GROUP_DEFAULT) && m->process_group[0] &&
	    !(nm->group = strdup(m->process_group)))
		return -ENOMEM;
	if (m->metadata[0] && !(nm->metadata = strdup(m->metadata))) {
		free(nm->group);
		return -ENOMEM;
	}
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
	app_machines_clear(a);
	if (reg_foreach_machine(r, &f, collect_machine_cb, &c))
		return -EIO;
	err = app_publish(n, a);
	app_machines_clear(a);
	return err;
}

static int app_changed(struct names_sync *n, struct reg *r, const char *app_id)
{
	struct reg_app ra;
	int rc = reg_get_app(r, app_id, &ra);

	if (rc == REG_ENOENT) {
		app_unpublish(n, app_id);
		return 0;
	}
	return rc ? -EIO : app_refresh(n, r, &ra);
}

static int peer_changed(struct names_sync *n, struct reg *r, const char *peer_id);

/* A network with names left out and room again (a delta removed some of
 * its names): its apps and peers with names left out publish again and
 * take the room, in the order they come. */
static void net_refill(struct names_sync *n, struct reg *r, struct net_names *net)
{
	struct strmap *maps[] = { &n->apps, &n->peers };
	char (*ids)[32] = NULL;
	size_t n_ids = 0, cap = 0, i, m;
	const char *k;
	void *v;

	for (m = 0; m < 2; m++) {
		i = 0;
		while (strmap_next(maps[m], &i, &k, &v)) {
			bool app = m == 0;
			const struct app_names *a = v;
			const struct peer_name *pn = v;
			char (*grown)[32];

			if (app ? (a->net_id != net->net_id || !a->n_left)
				: (pn->net_id != net->net_id || !pn->left_out))
				continue;
			grown = array_grow(ids, &cap, n_ids, sizeof(*ids));
			if (!grown)
				break;
			ids = grown;
			snprintf(ids[n_ids++], sizeof(ids[0]), "%c%s", app ? 'a' : 'p', k);
		}
	}
	/* The lists change under app_changed(): work from the copies. */
	for (i = 0; i < n_ids && net->left_out && admit_room(n, net); i++)
		(ids[i][0] == 'a' ? app_changed : peer_changed)(n, r, ids[i] + 1);
	free(ids);
}

static void quota_refill(struct names_sync *n, struct reg *r)
{
	const char *k;
	void *v;
	size_t i = 0, j, n_nets = 0, cap = 0;
	struct net_names **nets = NULL;

	/* Nothing is kept out (the total is the networks' sum): no walk. */
	if (!__atomic_load_n(&n->qstats.left_out, __ATOMIC_RELAXED))
		return;
	while (strmap_next(&n->nets, &i, &k, &v)) {
		struct net_names *net = v, **grown;

		if (!net->left_out || !admit_room(n, net))
			continue;
		grown = array_grow(nets, &cap, n_nets, sizeof(*nets));
		if (!grown)
			break;
		nets = grown;
		nets[n_nets++] = net;
	}
	for (j = 0; j < n_nets; j++)
		net_refill(n, r, nets[j]);
	free(nets);
}

int names_app_changed(struct names_sync *n, struct reg *r, const char *app_id)
{
	int err = app_changed(n, r, app_id);

	quota_refill(n, r);
	return err;
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
		err = app_changed(n, r, app_id);
	free(app_id);
	if (rc == REG_OK)
		err = app_changed(n, r, m.app_id);
	quota_refill(n, r);
	return err;
}

/* Whatever the peer's name was: out of the map and of the counts. */
static void peer_retire(struct names_sync *n, struct peer_name *pn)
{
	struct net_names *net = net_get(n, pn->net_id);
	char name[128];

	if (!net)
		return;
	snprintf(name, sizeof(name), "%s." SIXPN_DNS_LABEL_PEER SIXPN_DNS_ZONE_SUFFIX, pn->name);
	if (pn->in_map)
		name_gone(n, net, name);
	if (pn->left_out)
		net_left(n, net, -1);
	pn->in_map = pn->left_out = false;
	net_settle(n, net);
}

static int peer_publish(struct names_sync *n, const struct reg_peer *p)
{
	char key[24], name[128];
	struct net_names *net = net_get(n, p->network_id);
	struct peer_name *pn;
	enum pub_result r;
	bool had;
	int err;

	if (!net)
		return -ENOMEM;
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
	had = pn->in_map && pn->net_id == p->network_id && !strcmp(pn->name, p->name);
	if (!had)
		peer_retire(n, pn);
	if (!strncmp(p->name, SIXPN_DNS_PEER_HIDDEN_PREFIX, strlen(SIXPN_DNS_PEER_HIDDEN_PREFIX))) {
		/* no name: the fast path's NXDOMAIN is the resolver's */
		pn->net_id = p->network_id;
		snprintf(pn->name, sizeof(pn->name), "%s", p->name);
		net_zone_names(n, net);
		return 0;
	}
	pn->net_id = p->network_id;
	snprintf(pn->name, sizeof(pn->name), "%s", p->name);
	net_zone_names(n, net);
	snprintf(name, sizeof(name), "%s." SIXPN_DNS_LABEL_PEER SIXPN_DNS_ZONE_SUFFIX, p->name);
	r = publish(n, net, had, name, &p->addr, 1, 0);
	pn->in_map = r == PUB_IN;
	pn->left_out = r == PUB_LEFT;
	if (pn->left_out)
		net_left(n, net, 1);
	net_settle(n, net);
	return 0;
}

static void peer_unpublish(struct names_sync *n, const char *peer_id)
{
	struct peer_name *pn = strmap_del(&n->peers, peer_id);

	if (!pn)
		return;
	peer_retire(n, pn);
	free(pn);
}

static int peer_changed(struct names_sync *n, struct reg *r, const char *peer_id)
{
	struct reg_peer p;
	int rc = reg_get_peer(r, strtoll(peer_id, NULL, 10), &p);

	if (rc == REG_ENOENT) {
		peer_unpublish(n, peer_id);
		return 0;
	}
	return rc ? -EIO : peer_publish(n, &p);
}

int names_peer_changed(struct names_sync *n, struct reg *r, const char *peer_id)
{
	int err = peer_changed(n, r, peer_id);

	quota_refill(n, r);
	return err;
}

/* ---- Flycast names ------------------------------------------------------- */

static void fc_retire(struct names_sync *n, struct fc_name *fn)
{
	struct net_names *net = net_get(n, fn->net_id);

	if (!net)
		return;
	if (fn->in_map)
		name_gone(n, net, fn->name);
	if (fn->left_out)
		net_left(n, net, -1);
	fn->in_map = fn->left_out = false;
	net_settle(n, net);
}

/* One allocation's name: "<app>.flycast" in the consumer network, its one
 * address in that network's /48 (the map keeps words 48-127, like every
 * name). */
static int fc_publish(struct names_sync *n, const struct reg_flycast *f)
{
	struct net_names *net = net_get(n, f->network_id);
	char key[24], name[128];
	struct fc_name *fn;
	enum pub_result r;
	bool had;
	int err;

	if (!net)
		return -ENOMEM;
	snprintf(key, sizeof(key), "%u/%u", f->network_id, f->svc_id);
	snprintf(name, sizeof(name), "%s" SIXPN_DNS_FLYCAST_SUFFIX, f->app);
	fn = strmap_get(&n->flycast, key);
	if (!fn) {
		fn = calloc(1, sizeof(*fn));
		if (!fn)
			return -ENOMEM;
		strmap_put(&n->flycast, key, fn, &err);
		if (err) {
			free(fn);
			return err;
		}
	}
	had = fn->in_map && fn->net_id == f->network_id && !strcmp(fn->name, name);
	if (!had)
		fc_retire(n, fn);
	fn->net_id = f->network_id;
	fn->addr = f->addr;
	snprintf(fn->name, sizeof(fn->name), "%s", name);
	net_zone_names(n, net);
	r = publish(n, net, had, name, &f->addr, 1, 0);
	fn->in_map = r == PUB_IN;
	fn->left_out = r == PUB_LEFT;
	if (fn->left_out)
		net_left(n, net, 1);
	net_settle(n, net);
	return 0;
}

static void fc_unpublish(struct names_sync *n, const char *key)
{
	struct fc_name *fn = strmap_del(&n->flycast, key);

	if (!fn)
		return;
	fc_retire(n, fn);
	free(fn);
}

int names_flycast_changed(struct names_sync *n, struct reg *r, const char *key)
{
	unsigned long net = 0, svc = 0;
	struct reg_flycast f;
	struct sixpn_ip6 a;
	int rc;

	if (sscanf(key, "%lu/%lu", &net, &svc) != 2 || net > UINT32_MAX || svc > UINT32_MAX)
		return 0;
	sixpn_fc_service_addr(&a, (uint32_t)net, (uint32_t)svc);
	rc = reg_get_flycast(r, &a, &f);
	if (rc == REG_ENOENT) {
		fc_unpublish(n, key);
		rc = 0;
	} else {
		rc = rc ? -EIO : fc_publish(n, &f);
	}
	quota_refill(n, r);
	return rc;
}

static int full_flycast_cb(const struct reg_flycast *f, void *ctx)
{
	fc_publish(ctx, f);
	return 0;
}

/* ---- the full pass ------------------------------------------------------ */

static int full_app_cb(const struct reg_app *ra, void *ctx)
{
	struct app_names *a = app_get(ctx, ra);

	if (!a)
		return -ENOMEM;
	app_machines_clear(a);
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

		if (!pn->in_map)
			continue;
		snprintf(wk, sizeof(wk), "%s." SIXPN_DNS_LABEL_PEER SIXPN_DNS_ZONE_SUFFIX, pn->name);
		want(&w, pn->net_id, wk);
	}
	i = 0;
	while (strmap_next(&n->flycast, &i, &k, &v)) {
		struct fc_name *fn = v;

		if (fn->in_map)
			want(&w, fn->net_id, fn->name);
	}
	i = 0;
	while (strmap_next(&n->nets, &i, &k, &v)) {
		const struct net_names *net = v;

		/* Zone names left out are not the map's any more. */
		for (j = 0; j < N_ZONE_NAMES; j++)
			if (net->zone_in & (1u << j))
				want(&w, net->net_id, zone_names[j]);
		if (net->marked)
			want(&w, net->net_id, SIXPN_DNS_ZONE);
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

/* A full pass counts every network's share afresh: every name competes
 * for the quotas again (in the pass's order), and what a failed write left
 * uncertain is settled. Names in the map that lose their place stay until
 * remove_stale(), when everything that won is in. */
static void quota_recount(struct names_sync *n)
{
	const char *k;
	void *v;
	size_t i = 0, j;

	while (strmap_next(&n->nets, &i, &k, &v)) {
		struct net_names *net = v;

		net->entries = net->left_out = 0;
		net->zone = net->failed = false;
		net->zone_in = 0;
	}
	i = 0;
	while (strmap_next(&n->apps, &i, &k, &v)) {
		struct app_names *a = v;

		for (j = 0; j < a->n_names; j++)
			free(a->names[j]);
		free(a->names);
		a->names = NULL;
		a->n_names = a->n_left = 0;
	}
	i = 0;
	while (strmap_next(&n->peers, &i, &k, &v))
		((struct peer_name *)v)->in_map = ((struct peer_name *)v)->left_out = false;
	i = 0;
	while (strmap_next(&n->flycast, &i, &k, &v))
		((struct fc_name *)v)->in_map = ((struct fc_name *)v)->left_out = false;
	n->entries = 0;
	__atomic_store_n(&n->qstats.left_out, 0, __ATOMIC_RELAXED);
}

/* After the full pass: networks with every name in lose their marker, and
 * every slot is written, which clears what an earlier run left. */
static void quota_settle_all(struct names_sync *n)
{
	const char *k;
	void *v;
	size_t i = 0;
	uint32_t slot;

	while (strmap_next(&n->nets, &i, &k, &v))
		net_settle(n, v);
	for (slot = 0; slot < SIXPN_DNS_OVERFLOW_SLOTS; slot++)
		set_slot(n, slot);
}

/* Every app's and peer's names, counted afresh against the quotas. */
static int full_publish(struct names_sync *n, struct reg *r)
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
	/* Apps gone from the registry first, then every app's names. */
	while (strmap_next(&n->apps, &i, &k, &v)) {
		if (((struct app_names *)v)->generation != full_generation) {
			char id[REG_ID_MAX + 1];

			snprintf(id, sizeof(id), "%s", k); /* the map frees k */
			app_unpublish(n, id); /* strmap_del() moves nothing: the walk goes on */
		}
	}
	quota_recount(n);
	n->batching = true;
	i = 0;
	while (!err && strmap_next(&n->apps, &i, &k, &v)) {
		struct app_names *a = v;

		err = app_publish(n, a);
		app_machines_clear(a);
		free(a->m);
		a->m = NULL;
		a->cap_m = 0;
	}
	if (!err && reg_foreach_peer(r, NULL, full_peer_cb, n))
		err = -EIO;
	if (!err && reg_foreach_flycast(r, NULL, full_flycast_cb, n))
		err = -EIO;
	/* Allocations gone while sixpnd was down were not published again
	 * (remove_stale() takes their names from the map): forget them. */
	i = 0;
	while (!err && strmap_next(&n->flycast, &i, &k, &v)) {
		struct fc_name *fn = v;

		if (!fn->in_map && !fn->left_out)
			free(strmap_del(&n->flycast, k));
	}
	n->batching = false;
	if (flush(n) && !err)
		err = -EIO;
	return err;
}

int names_sync_full(struct names_sync *n, struct reg *r)
{
	int err;

	n->map_full = false;
	err = full_publish(n, r);
	/* The names an earlier selection put in took the room (a restart with
	 * other quotas, changes missed while down): what this pass did not
	 * choose goes (every network with names out of the map is marked by
	 * now), then once more. */
	if (err && n->map_full) {
		log_warn("msg=\"names map full during the full pass: removing what this pass left out, then publishing again\"");
		remove_stale(n);
		n->map_full = false;
		err = full_publish(n, r);
	}
	/* Only once every live name is in does anything stale go, markers of
	 * networks now within their quota last. */
	if (!err) {
		remove_stale(n);
		quota_settle_all(n);
	}
	return err;
}
