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

struct peer_name {
	uint32_t net_id;
	char name[REG_NAME_MAX + 1];
	struct sixpn_ip6 addr;
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
	/* Keys of this network that may be held by more than one name (or by
	 * none any more), for net_resolve() to settle from the model. */
	uint64_t *recheck;
	size_t n_recheck, cap_recheck;
};

/* What publishing one name came to. */
enum pub_result {
	PUB_IN,                      /* in the map */
	PUB_LEFT,                    /* left out by a quota, or a failed write */
	PUB_NOT_MAPPED,              /* never in the map (too long): the resolver's */
};

static unsigned full_generation;

static void net_resolve(struct names_sync *n, struct net_names *net);
static int marker_put(struct names_sync *n, struct net_names *net);
static int marker_del(struct names_sync *n, struct net_names *net);


uint32_t names_capacity(int names_fd)
{
	return sixpn_dns_table_capacity(names_fd);
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
	/* Written through mmap from here on; without it every write fails,
	 * and the names that fail are passed up, never NXDOMAIN. */
	n->table_err = sixpn_dns_table_open(&n->table, names_fd);
	if (n->table_err)
		log_error("msg=\"cannot map the names table\" err=\"%s\"", strerror(-n->table_err));
}

void names_sync_set_text(struct names_sync *n, int text_fd)
{
	int err = sixpn_dns_text_open(&n->text, text_fd);

	n->has_text = !err;
	if (err)
		log_warn("msg=\"cannot map the names' text; dns-list shows hashes\" err=\"%s\"",
			 strerror(-err));
}

void names_sync_free(struct names_sync *n)
{
	const char *k;
	void *v;
	size_t i = 0;

	while (strmap_next(&n->apps, &i, &k, &v))
		app_names_free(v);
	i = 0;
	while (strmap_next(&n->peers, &i, &k, &v))
		free(v);
	i = 0;
	while (strmap_next(&n->nets, &i, &k, &v)) {
		free(((struct net_names *)v)->recheck);
		free(v);
	}
	i = 0;
	while (strmap_next(&n->flycast, &i, &k, &v))
		free(v);
	strmap_free(&n->flycast);
	strmap_free(&n->apps);
	strmap_free(&n->machines);
	strmap_free(&n->peers);
	strmap_free(&n->nets);
	free(n->batch);
	if (!n->table_err)
		sixpn_dns_table_close(&n->table);
	if (n->has_text)
		sixpn_dns_text_close(&n->text);
}

void names_sync_forget_model(struct names_sync *n)
{
	memset(&n->apps, 0, sizeof(n->apps));
	memset(&n->machines, 0, sizeof(n->machines));
	memset(&n->peers, 0, sizeof(n->peers));
	memset(&n->nets, 0, sizeof(n->nets));
	memset(&n->flycast, 0, sizeof(n->flycast));
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
	err = n->table_err ? n->table_err : marker_put(n, net);
	if (err)
		log_error("msg=\"cannot mark a network over its names quota: the fast path may answer NXDOMAIN for names left out\" network=%u err=\"%s\"",
			  net->net_id, strerror(-err));
	/* listed as remove_stale() lists the markers */
	if (n->text_in_pass)
		sixpn_dns_text_add(&n->text, net->net_id, SIXPN_DNS_ZONE);
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

	if (!n->batching)
		net_resolve(n, net);
	/* Within a full pass, names counted in may still wait in the batch. */
	if (!net->marked || net->left_out || net->failed || n->batching)
		return;
	if (n->slots[slot])
		n->slots[slot]--;
	set_slot(n, slot);
	err = n->table_err ? n->table_err : marker_del(n, net);
	if (err)
		log_error("msg=\"cannot remove a network's names quota marker\" network=%u err=\"%s\"",
			  net->net_id, strerror(-err));
	net->marked = false;
	net_resolve(n, net);
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

/* Writes go straight into the mapped table: nothing is held back. */
static int flush(struct names_sync *n)
{
	(void)n;
	return 0;
}

/* ---- names that share a hash --------------------------------------------- *
 * Two names of one network with the same key hash would share one slot, and
 * the second one written would answer for the first. Such a key is written
 * F_SHARED instead (maps/sixpn_dns.h: the resolver answers every name of
 * it), and net_resolve() settles it from the model once the change is
 * through: still two names, one (its own entry back), or none. What puts a
 * key up for that: a new name whose key the table holds already (in a
 * delta, or in a full pass into a fresh table), a name left out whose key
 * the table holds, every write or removal of a name of a shared key, and
 * in a full pass over an older table, two equal keys among those it
 * published (remove_stale()). Only those keys are looked at again: no map
 * of every name is kept. */

static void recheck_add(struct names_sync *n, struct net_names *net, uint64_t hash)
{
	uint64_t *grown = array_grow(net->recheck, &net->cap_recheck, net->n_recheck,
				     sizeof(*net->recheck));

	n->rechecks++;
	if (!grown) {
		/* The key stays shared until a full pass: passed up, never wrong. */
		log_error("msg=\"cannot note a shared names key; it stays the resolver's\" network=%u",
			  net->net_id);
		return;
	}
	net->recheck = grown;
	net->recheck[net->n_recheck++] = hash;
}

/* (net, hash) to the resolver, now, and looked at again later. */
static int share(struct names_sync *n, struct net_names *net, uint64_t hash)
{
	int err = sixpn_dns_table_put_shared(&n->table, net->net_id, hash);

	recheck_add(n, net, hash);
	return err;
}

/* Is a key the table holds some other name's? Not in a full pass over a
 * table an earlier run wrote: there every key is held, by the name itself. */
static bool held_means_other(const struct names_sync *n)
{
	return !n->batching || n->fresh;
}

static void name_key(const struct names_sync *n, uint32_t net_id, const char *name,
		     struct name_key *nk)
{
	struct sixpn_dns_key key;

	nk->err = n->table_err ? n->table_err : sixpn_dns_key_from_name(net_id, name, &key);
	nk->hash = nk->err ? 0 : sixpn_dns_key_hash(&n->table, &key);
}

/* Names longer than the key holds belong to the resolver alone
 * (-ENAMETOOLONG, counted as skipped). Of a name with more addresses than
 * the table keeps, only the first SIXPN_DNS_MAX_ADDRS are looked at (the
 * callers checked every one against the network): a big app's AAAA set
 * costs what a small one's does. `had`: the name is in the table already. */
static int put(struct names_sync *n, struct net_names *net, bool had, const char *name,
	       const struct name_key *nk, const struct sixpn_ip6 *addrs, size_t count,
	       uint16_t flags)
{
	struct sixpn_dns_value val;
	int err = nk->err;

	if (!err)
		err = sixpn_dns_value_of(net->net_id, addrs,
					 count < SIXPN_DNS_MAX_ADDRS ? count : SIXPN_DNS_MAX_ADDRS,
					 flags, &val);
	if (!err) {
		uint64_t hash = nk->hash;
		int held = sixpn_dns_table_flags(&n->table, net->net_id, hash);

		val.count = count > 0xffff ? 0xffff : (uint16_t)count;
		if (held >= 0 && ((held & SIXPN_DNS_F_SHARED) || (!had && held_means_other(n))))
			err = share(n, net, hash);
		else
			err = sixpn_dns_table_put_entry(&n->table, net->net_id, hash, &val);
	}
	if (err == -ENAMETOOLONG) {
		n->skipped++;
		return err;
	}
	if (err)
		log_error("msg=\"cannot publish name\" network=%u name=%s err=\"%s\"", net->net_id,
			  name, strerror(-err));
	else
		n->puts++;
	return err;
}

/* A name the quotas leave out, whose key the table holds: the name there
 * would answer for it. */
static void left_check(struct names_sync *n, struct net_names *net, const struct name_key *nk)
{
	if (!nk->err && sixpn_dns_table_flags(&n->table, net->net_id, nk->hash) >= 0)
		share(n, net, nk->hash);
}

static void del(struct names_sync *n, struct net_names *net, const char *name)
{
	struct sixpn_dns_key key;
	uint64_t hash;
	int held;

	if (n->table_err || sixpn_dns_key_from_name(net->net_id, name, &key))
		return;
	hash = sixpn_dns_key_hash(&n->table, &key);
	held = sixpn_dns_table_flags(&n->table, net->net_id, hash);
	if (held >= 0 && (held & SIXPN_DNS_F_SHARED)) {
		/* The others of the key may stay: net_resolve() decides. */
		recheck_add(n, net, hash);
		return;
	}
	if (held >= 0 && !sixpn_dns_table_del_hash(&n->table, net->net_id, hash))
		n->dels++;
}

/* One name of `net`: `had` says it is in the map already (an update,
 * which the quotas never refuse). `nk`: its key, computed already (NULL:
 * computed here). */
static enum pub_result publish(struct names_sync *n, struct net_names *net, bool had,
			       const char *name, const struct name_key *nk,
			       const struct sixpn_ip6 *addrs, size_t count, uint16_t flags)
{
	struct name_key own;
	int err;

	if (!nk) {
		name_key(n, net->net_id, name, &own);
		nk = &own;
	}
	if (!had && !admit(n, net)) {
		left_check(n, net, nk);
		return PUB_LEFT;
	}
	err = put(n, net, had, name, nk, addrs, count, flags);
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
		/* A full pass writes the text log whole once it is through
		 * (a fresh table's as it goes: nothing there is stale); an
		 * update is listed already. */
		if (n->has_text && (!n->batching || n->text_in_pass))
			sixpn_dns_text_add(&n->text, net->net_id, name);
	}
	return PUB_IN;
}

static void name_gone(struct names_sync *n, struct net_names *net, const char *name)
{
	del(n, net, name);
	if (net->entries)
		net->entries--;
	if (n->entries)
		n->entries--;
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
		enum pub_result r = publish(n, net, false, zone_names[i], NULL, NULL, 0,
						  zone_flags[i]);

		if (r == PUB_IN)
			net->zone_in |= 1u << i;
		else if (r == PUB_LEFT)
			net_left(n, net, 1);
	}
}

/* The over-quota marker (net, apex): a name with the apex's hash (no name
 * spells the apex) shares the key with it. */
static int marker_put(struct names_sync *n, struct net_names *net)
{
	uint64_t hash = sixpn_dns_table_zone_hash(&n->table);
	int held = sixpn_dns_table_flags(&n->table, net->net_id, hash);

	if (held >= 0 && ((held & SIXPN_DNS_F_SHARED) || !(held & SIXPN_DNS_F_OVER_QUOTA)))
		return share(n, net, hash);
	return sixpn_dns_table_quota_mark(&n->table, net->net_id, true);
}

static int marker_del(struct names_sync *n, struct net_names *net)
{
	uint64_t hash = sixpn_dns_table_zone_hash(&n->table);
	int held = sixpn_dns_table_flags(&n->table, net->net_id, hash);

	if (held >= 0 && (held & SIXPN_DNS_F_SHARED)) {
		recheck_add(n, net, hash);
		return 0;
	}
	if (held >= 0 && !(held & SIXPN_DNS_F_OVER_QUOTA))
		return 0; /* a name's, not the marker */
	return sixpn_dns_table_quota_mark(&n->table, net->net_id, false);
}

/* A key put up for net_resolve(), and what the model has of it. */
struct holder {
	uint64_t hash;
	unsigned names;                   /* distinct names with it: 0, 1, 2 (or more) */
	bool in;                          /* one of them is in the table */
	char key[SIXPN_DNS_NAME_MAX];     /* the first one's key text */
	struct sixpn_dns_value val;       /* the entry of the name in, when names == 1 */
};

struct resolve_ctx {
	struct names_sync *n;
	uint32_t net;
	struct holder *h;
	size_t n_h;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One name of the network (NULL: the marker), in the table or left out. */
static void resolve_one(struct resolve_ctx *c, const char *name, bool in,
			const struct sixpn_ip6 *addrs, size_t count, uint16_t flags)
{
	struct sixpn_dns_value val = { .flags = SIXPN_DNS_F_OVER_QUOTA };
	struct sixpn_dns_key key = { 0 };
	struct holder *h;
	uint64_t hash;

	if (!name) {
		memcpy(key.name, SIXPN_DNS_ZONE, sizeof(SIXPN_DNS_ZONE));
		hash = sixpn_dns_table_zone_hash(&c->n->table);
	} else {
		if (sixpn_dns_entry(c->net, name, addrs,
				    count < SIXPN_DNS_MAX_ADDRS ? count : SIXPN_DNS_MAX_ADDRS, flags,
				    &key, &val))
			return;
		val.count = count > 0xffff ? 0xffff : (uint16_t)count;
		hash = sixpn_dns_key_hash(&c->n->table, &key);
	}
	h = bsearch(&hash, c->h, c->n_h, sizeof(*c->h), cmp_u64);
	if (!h)
		return;
	if (!h->names) {
		h->names = 1;
		memcpy(h->key, key.name, sizeof(h->key));
	} else if (h->names == 1 && memcmp(h->key, key.name, sizeof(h->key))) {
		h->names = 2;
	}
	if (in) {
		h->in = true;
		h->val = val; /* one name given twice: the last write, as publishing does */
	}
}

static void resolve_app_cb(void *ctx, const char *name, uint8_t *state,
			   struct name_machine *const *m, size_t cnt, uint16_t flags)
{
	struct sixpn_ip6 addrs[SIXPN_DNS_MAX_ADDRS];
	size_t i;

	if (*state != NAME_IN && *state != NAME_LEFT)
		return;
	for (i = 0; i < cnt && i < SIXPN_DNS_MAX_ADDRS; i++)
		addrs[i] = m[i]->addr;
	resolve_one(ctx, name, *state == NAME_IN, addrs, cnt, flags);
}

/* Every name of the network the model gives, in the table or left out. */
static void resolve_walk(struct resolve_ctx *c, struct net_names *net)
{
	struct names_sync *n = c->n;
	char name[128];
	const char *k;
	void *v;
	size_t i;

	for (i = 0; net->zone && i < N_ZONE_NAMES; i++)
		resolve_one(c, zone_names[i], net->zone_in & (1u << i), NULL, 0, zone_flags[i]);
	if (net->marked)
		resolve_one(c, NULL, true, NULL, 0, 0);
	i = 0;
	while (strmap_next(&n->apps, &i, &k, &v))
		if (((struct app_names *)v)->net_id == net->net_id)
			app_names_walk(v, resolve_app_cb, c);
	i = 0;
	while (strmap_next(&n->peers, &i, &k, &v)) {
		struct peer_name *pn = v;

		if (pn->net_id != net->net_id || (!pn->in_map && !pn->left_out))
			continue;
		snprintf(name, sizeof(name), "%s." SIXPN_DNS_LABEL_PEER SIXPN_DNS_ZONE_SUFFIX, pn->name);
		resolve_one(c, name, pn->in_map, &pn->addr, 1, 0);
	}
	i = 0;
	while (strmap_next(&n->flycast, &i, &k, &v)) {
		struct fc_name *fn = v;

		if (fn->net_id == net->net_id && (fn->in_map || fn->left_out))
			resolve_one(c, fn->name, fn->in_map, &fn->addr, 1, 0);
	}
}

/* The network's keys put up since the last time, settled from the model in
 * one walk of its names: a key two names have stays shared, the one name
 * in the table of a key gets its entry back, a key no name in the table
 * has goes (a name left out is the resolver's through the marker). */
static void net_resolve(struct names_sync *n, struct net_names *net)
{
	struct resolve_ctx c = { .n = n, .net = net->net_id };
	size_t i, u = 0;
	int err;

	if (!net->n_recheck)
		return;
	if (n->table_err) {
		net->n_recheck = 0;
		return;
	}
	qsort(net->recheck, net->n_recheck, sizeof(*net->recheck), cmp_u64);
	for (i = 0; i < net->n_recheck; i++)
		if (!u || net->recheck[u - 1] != net->recheck[i])
			net->recheck[u++] = net->recheck[i];
	c.h = calloc(u, sizeof(*c.h));
	if (!c.h) {
		/* The keys stay shared until the next time: passed up. */
		log_error("msg=\"cannot settle shared names keys\" network=%u", net->net_id);
		net->n_recheck = u;
		return;
	}
	c.n_h = u;
	for (i = 0; i < u; i++)
		c.h[i].hash = net->recheck[i];
	net->n_recheck = 0;
	resolve_walk(&c, net);
	for (i = 0; i < u; i++) {
		struct holder *h = &c.h[i];

		if (!h->in) {
			err = sixpn_dns_table_del_hash(&n->table, net->net_id, h->hash);
			err = err == -ENOENT ? 0 : err;
		} else if (h->names > 1) {
			err = sixpn_dns_table_put_shared(&n->table, net->net_id, h->hash);
			log_info("msg=\"two names of a network have the same hash: the resolver answers them\" network=%u hash=%016" PRIx64 " first=%.*s",
				 net->net_id, h->hash, (int)sizeof(h->key), h->key);
		} else {
			err = sixpn_dns_table_put_entry(&n->table, net->net_id, h->hash, &h->val);
		}
		if (err)
			log_error("msg=\"cannot settle a shared names key; it stays the resolver's\" network=%u hash=%016" PRIx64 " err=\"%s\"",
				  net->net_id, h->hash, strerror(-err));
	}
	free(c.h);
}

/* ---- app names ----------------------------------------------------------- */

/* One of app a's names to where the model says it is: in, with the
 * addresses of m (n of them), or left out; a->n_left and the network's
 * count follow. */
static void app_name_put(struct names_sync *n, struct net_names *net, struct app_names *a,
			 const char *name, const struct name_key *nk, uint8_t *state,
			 struct name_machine *const *m, size_t cnt, uint16_t flags)
{
	struct sixpn_ip6 addrs[SIXPN_DNS_MAX_ADDRS];
	uint8_t was = *state;
	size_t i;

	for (i = 0; i < cnt && i < SIXPN_DNS_MAX_ADDRS; i++)
		addrs[i] = m[i]->addr;
	switch (publish(n, net, was == NAME_IN, name, nk, addrs, cnt, flags)) {
	case PUB_IN:
		*state = NAME_IN;
		break;
	case PUB_LEFT:
		*state = NAME_LEFT;
		break;
	case PUB_NOT_MAPPED:
		*state = NAME_NOT_MAPPED;
		break;
	}
	if (was == NAME_LEFT && *state != NAME_LEFT) {
		a->n_left--;
		net_left(n, net, -1);
	} else if (was != NAME_LEFT && *state == NAME_LEFT) {
		a->n_left++;
		net_left(n, net, 1);
	}
}

/* One of app a's names the app no longer gives. */
static void app_name_gone(struct names_sync *n, struct net_names *net, struct app_names *a,
			  const char *name, uint8_t *state)
{
	if (*state == NAME_IN)
		name_gone(n, net, name);
	if (*state == NAME_LEFT && a->n_left) {
		a->n_left--;
		net_left(n, net, -1);
	}
	*state = NAME_OUT;
}

static void app_fixed_put(struct names_sync *n, struct net_names *net, struct app_names *a,
			  enum app_fixed f)
{
	struct name_machine *const *m;
	size_t cnt = app_fixed_members(a, f, &m);
	char name[128];

	app_fixed_name(a, f, name, sizeof(name));
	if (app_fixed_live(a, f))
		app_name_put(n, net, a, name, NULL, &a->fixed[f], m, cnt, app_fixed_flags(f));
	else
		app_name_gone(n, net, a, name, &a->fixed[f]);
}

/* A walk of the app's names publishing each: `had` holds the names in the
 * table before (NULL: none, as in a full pass), `now` collects the ones in
 * it after. */
struct pub_walk {
	struct names_sync *n;
	struct net_names *net;
	struct app_names *a;
	struct strmap *had, *now;
	int err;
};

/* A walk's name, noted with its key; its home slot is on its way into the
 * cache while the walk goes on. */
static void pub_walk_cb(void *ctx, const char *name, uint8_t *state,
			struct name_machine *const *m, size_t cnt, uint16_t flags)
{
	struct pub_walk *w = ctx;
	struct names_sync *n = w->n;
	struct pub_item *it, *g = array_grow(n->batch, &n->cap_batch, n->n_batch,
					     sizeof(*n->batch));
	size_t len;

	if (!g) {
		w->err = -ENOMEM;
		return;
	}
	n->batch = g;
	it = &n->batch[n->n_batch++];
	len = strnlen(name, sizeof(it->name) - 1);
	memcpy(it->name, name, len); /* every walk's name fits (app_names.h) */
	it->name[len] = '\0';
	it->state = state;
	it->m = m;
	it->cnt = cnt;
	it->flags = flags;
	name_key(n, w->net->net_id, name, &it->key);
	if (!it->key.err)
		sixpn_dns_table_prefetch(&n->table, w->net->net_id, it->key.hash);
}

/* The walk's names, written in its order. */
static void pub_batch(struct pub_walk *w)
{
	struct names_sync *n = w->n;
	size_t i;
	int err = 0;

	for (i = 0; i < n->n_batch; i++) {
		struct pub_item *it = &n->batch[i];

		*it->state = w->had && strmap_get(w->had, it->name) ? NAME_IN : NAME_OUT;
		app_name_put(n, w->net, w->a, it->name, &it->key, it->state, it->m, it->cnt,
			     it->flags);
		if (w->now && *it->state == NAME_IN)
			strmap_put(w->now, it->name, (void *)1, &err);
		if (err)
			w->err = err;
	}
	n->n_batch = 0;
}

/* Every name of the app, as in the table now (the names left out too). */
static void had_walk_cb(void *ctx, const char *name, uint8_t *state,
			struct name_machine *const *m, size_t cnt, uint16_t flags)
{
	struct pub_walk *w = ctx;
	int err = 0;

	(void)m;
	(void)cnt;
	(void)flags;
	if (*state == NAME_IN)
		strmap_put(w->had, name, (void *)1, &err);
	if (err)
		w->err = err;
}

/* Writes every name of the app's model: new and changed first, then takes
 * out the ones of `had` it no longer has. */
static int app_publish(struct names_sync *n, struct app_names *a, struct strmap *had)
{
	struct net_names *net = net_get(n, a->net_id);
	struct strmap now = { 0 };
	struct pub_walk w = { .n = n, .net = net, .a = a, .had = had, .now = had ? &now : NULL };
	const char *k;
	void *v;
	size_t i = 0;

	if (!net)
		return -ENOMEM;
	net_zone_names(n, net);
	/* the names left out compete again, in the walk's order */
	net_left(n, net, -(int64_t)a->n_left);
	a->n_left = 0;
	n->n_batch = 0;
	app_names_walk(a, pub_walk_cb, &w);
	pub_batch(&w);
	while (had && strmap_next(had, &i, &k, &v))
		if (!strmap_get(&now, k))
			name_gone(n, net, k);
	net_settle(n, net);
	strmap_free(&now);
	return w.err;
}

/* A machine's change names only the machine: its record is found in the
 * fleet's index, n->machines. A full pass does not keep the index (a
 * million puts into a map the size of the fleet, a tenth of a cold sync,
 * for a host that may see few changes); the first delta after it indexes
 * every app's machines, once. */
static void machines_unindex(struct names_sync *n)
{
	strmap_free(&n->machines);
	memset(&n->machines, 0, sizeof(n->machines));
	n->machines_indexed = false;
}

static int machines_index(struct names_sync *n)
{
	const char *k;
	void *v;
	size_t i = 0, j;
	int err = 0;
	double t0;

	if (n->machines_indexed)
		return 0;
	t0 = sixpn_log_ms();
	while (!err && strmap_next(&n->apps, &i, &k, &v)) {
		struct app_names *a = v;

		for (j = 0; !err && j < a->n_ms; j++)
			strmap_put_ref(&n->machines, a->ms[j]->id, a->ms[j], &err);
	}
	if (err) {
		log_error("msg=\"cannot index the machines of the names model\" err=\"%s\"",
			  strerror(-err));
		machines_unindex(n);
		return err;
	}
	n->machines_indexed = true;
	log_debug("msg=\"machines of the names model indexed\" machines=%zu ms=%.0f",
		  n->machines.len, sixpn_log_ms() - t0);
	return 0;
}

static void forget_machine(void *ctx, struct name_machine *m)
{
	struct names_sync *n = ctx;

	if (strmap_get(&n->machines, m->id) == m)
		strmap_del(&n->machines, m->id);
}

static void gone_walk_cb(void *ctx, const char *name, uint8_t *state,
			 struct name_machine *const *m, size_t cnt, uint16_t flags)
{
	struct pub_walk *w = ctx;

	(void)m;
	(void)cnt;
	(void)flags;
	app_name_gone(w->n, w->net, w->a, name, state);
}

static void app_unpublish(struct names_sync *n, const char *app_id)
{
	struct app_names *a = strmap_del(&n->apps, app_id);
	struct pub_walk w = { .n = n, .a = a };

	if (!a)
		return;
	w.net = net_get(n, a->net_id);
	if (w.net) {
		app_names_walk(a, gone_walk_cb, &w);
		net_left(n, w.net, -(int64_t)a->n_left);
		net_settle(n, w.net);
	}
	app_names_clear(a, forget_machine, n);
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
		a = app_names_new(ra->id);
		if (!a)
			return NULL;
		strmap_put(&n->apps, ra->id, a, &err);
		if (err) {
			app_names_free(a);
			return NULL;
		}
	}
	snprintf(a->name, sizeof(a->name), "%s", ra->name);
	a->net_id = ra->network_id;
	return a;
}

struct collect_ctx {
	struct names_sync *n;
	struct app_names *a; /* NULL: look the app up per machine (full pass) */
	struct app_names *last; /* the last one looked up: rows come app by app */
	int err;
};

static bool machine_bad(const struct app_names *a, const struct reg_machine *m)
{
	if (m->network_id == a->net_id && sixpn_net_id(&m->addr) == a->net_id)
		return false;
	log_error("msg=\"skipping bad registry row\" table=machines key=%s why=\"address outside its app's network\"",
		  m->id);
	return true;
}

static int app_machine_delta(struct names_sync *n, struct reg *r, struct app_names *a,
			     struct name_machine *rec, const struct reg_machine *m);

/* Into the model only: the names are written by whoever collects. */
static int collect_machine_cb(const struct reg_machine *m, void *ctx)
{
	struct collect_ctx *c = ctx;
	struct app_names *a = c->a;
	struct name_machine *rec, *old;
	int err = 0;

	if (!a && c->last && !strcmp(c->last->id, m->app_id))
		a = c->last;
	else if (!a)
		a = c->last = strmap_get(&c->n->apps, m->app_id);

	if (!a) {
		log_error("msg=\"skipping bad registry row\" table=machines key=%s why=\"address outside its app's network\"",
			  m->id);
		return 0;
	}
	if (machine_bad(a, m))
		return 0;
	if (!c->n->machines_indexed) {
		/* a full pass: every app was emptied before its rows came,
		 * and machine IDs are unique in the registry */
		rec = app_machine_add(a, m, NULL, &err);
		c->err = err ? err : c->err;
		return 0;
	}
	/* the fleet's map is big: its slot loads while the record is made */
	strmap_prefetch(&c->n->machines, m->id);
	rec = app_machine_add(a, m, NULL, &err);
	old = rec && rec->app ? strmap_put_ref(&c->n->machines, rec->id, rec, &err)
			      : strmap_get(&c->n->machines, m->id);
	/* Another app's still (machines never change apps; a registry that
	 * says so is believed): out of that one (never this one, which was
	 * emptied before its rows came). One probe of the fleet's map. */
	if (old && old != rec)
		app_machine_delta(c->n, NULL, old->app, old, NULL);
	if (err)
		c->err = err;
	return 0;
}

/* The app read whole from the registry, its names written as a diff
 * against what the table had of it. */
static int app_refresh(struct names_sync *n, struct reg *r, const struct reg_app *ra)
{
	struct reg_filter f = { .app = ra->name };
	struct app_names *a = strmap_get(&n->apps, ra->id);
	struct strmap had = { 0 };
	struct pub_walk w = { .n = n, .had = &had };
	struct collect_ctx c = { .n = n };
	int err;

	/* what the table has of it, by its names before a rename */
	if (a && a->net_id == ra->network_id) {
		w.a = a;
		app_names_walk(a, had_walk_cb, &w);
	}
	a = app_get(n, ra);
	if (!a || w.err) {
		strmap_free(&had);
		return -ENOMEM;
	}
	app_names_clear(a, forget_machine, n);
	c.a = a;
	if (reg_foreach_machine(r, &f, collect_machine_cb, &c)) {
		strmap_free(&had);
		return -EIO;
	}
	err = app_publish(n, a, &had);
	strmap_free(&had);
	return err ? err : c.err;
}

static int app_changed(struct names_sync *n, struct reg *r, const char *app_id)
{
	struct reg_app ra;
	int rc = machines_index(n);

	if (rc)
		return rc;
	rc = reg_get_app(r, app_id, &ra);

	if (rc == REG_ENOENT) {
		app_unpublish(n, app_id);
		return 0;
	}
	return rc ? -EIO : app_refresh(n, r, &ra);
}

/* The names one machine's change touched, written: what the app gives
 * now first, then what it no longer gives. `gone` is the machine's own
 * name when the machine left the app. */
static void app_delta_write(struct names_sync *n, struct net_names *net, struct app_names *a,
			    struct app_delta *d, struct name_machine *rec, const char *gone,
			    uint8_t *gone_state)
{
	bool meta_now = app_fixed_live(a, FIX_METADATA);
	char name[128];
	size_t i;

	if (d->started) {
		app_fixed_put(n, net, a, FIX_APP);
		app_fixed_put(n, net, a, FIX_GLOBAL);
	}
	for (i = 0; i < d->n_sets; i++)
		if (d->sets[i]->refs)
			app_name_put(n, net, a, d->sets[i]->name, NULL, &d->sets[i]->state,
				     d->sets[i]->m, d->sets[i]->n, 0);
	if (meta_now && !d->meta_before) {
		app_fixed_put(n, net, a, FIX_METADATA);
		app_fixed_put(n, net, a, FIX_KV);
	}
	if (rec) {
		app_vm_name(rec, name, sizeof(name));
		app_name_put(n, net, a, name, NULL, &rec->vm_state, &rec, 1, 0);
	}
	for (i = 0; i < d->n_sets; i++) {
		if (d->sets[i]->refs)
			continue;
		app_name_gone(n, net, a, d->sets[i]->name, &d->sets[i]->state);
		app_set_drop(a, d->sets[i]);
	}
	if (!meta_now && d->meta_before) {
		app_fixed_put(n, net, a, FIX_METADATA);
		app_fixed_put(n, net, a, FIX_KV);
	}
	if (gone)
		app_name_gone(n, net, a, gone, gone_state);
	net_settle(n, net);
}

/* Machine m (NULL: no longer in app a) whose record in a was rec (NULL:
 * new to it): only the names it gave and gives are written. An app whose
 * names cannot follow machine by machine is read whole (not without r:
 * then the model follows as it can). */
static int app_machine_delta(struct names_sync *n, struct reg *r, struct app_names *a,
			     struct name_machine *rec, const struct reg_machine *m)
{
	struct net_names *net = net_get(n, a->net_id);
	struct app_delta d = { 0 };
	char gone[128];
	uint8_t gone_state = NAME_OUT;
	int err = 0;

	if (!net)
		return -ENOMEM;
	if (r && (!app_names_incremental(a) || (m && app_machine_odd(m))))
		return app_changed(n, r, a->id);
	net_zone_names(n, net);
	if (!m) {
		app_vm_name(rec, gone, sizeof(gone));
		gone_state = rec->vm_state;
		forget_machine(n, rec);
		app_machine_remove(a, rec, &d);
		rec = NULL;
	} else if (rec) {
		err = app_machine_update(a, rec, m, &d);
		if (err && !rec->app) {
			forget_machine(n, rec);
			free(rec);
		}
	} else {
		rec = app_machine_add(a, m, &d, &err);
		if (rec && rec->app && n->machines_indexed) {
			int e = 0;

			strmap_put_ref(&n->machines, rec->id, rec, &e);
			err = err ? err : e;
		}
	}
	if (err) {
		app_delta_free(&d);
		return r ? app_changed(n, r, a->id) : err;
	}
	app_delta_write(n, net, a, &d, rec, m ? NULL : gone, &gone_state);
	app_delta_free(&d);
	return 0;
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
	struct name_machine *rec;
	struct app_names *a = NULL;
	int rc = machines_index(n), err = 0;
	bool live;

	if (rc)
		return rc;
	rec = strmap_get(&n->machines, machine_id);
	rc = reg_get_machine(r, machine_id, &m);
	if (rc && rc != REG_ENOENT)
		return -EIO;
	if (rc == REG_OK)
		a = strmap_get(&n->apps, m.app_id);
	live = rc == REG_OK && !(a && machine_bad(a, &m));
	/* Out of the app it was in, when it left it; then into its app now,
	 * read whole when this sync has not seen the app yet. */
	if (rec && (!live || rec->app != a)) {
		err = app_machine_delta(n, r, rec->app, rec, NULL);
		rec = NULL;
	}
	if (live)
		err = a ? app_machine_delta(n, r, a, rec, &m) : app_changed(n, r, m.app_id);
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
		net_settle(n, net);
		return 0;
	}
	pn->net_id = p->network_id;
	pn->addr = p->addr;
	snprintf(pn->name, sizeof(pn->name), "%s", p->name);
	net_zone_names(n, net);
	snprintf(name, sizeof(name), "%s." SIXPN_DNS_LABEL_PEER SIXPN_DNS_ZONE_SUFFIX, p->name);
	r = publish(n, net, had, name, NULL, &p->addr, 1, 0);
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
	r = publish(n, net, had, name, NULL, &f->addr, 1, 0);
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
	/* the pass counts every name afresh (quota_recount()): what the
	 * model had goes, the table keeps it until remove_stale() */
	app_names_clear(a, forget_machine, ctx);
	a->generation = full_generation;
	return 0;
}

static int full_peer_cb(const struct reg_peer *p, void *ctx)
{
	peer_publish(ctx, p);
	return 0;
}

/* Every published name as its table key, sorted for bsearch: a flat array,
 * not a string map of 2.6M "<net>/<name>" strings. */
struct want_ctx {
	struct names_sync *n;
	struct want_key { uint64_t hash; uint32_t net; } *keys;
	size_t len, cap;
	int err;
	bool skip_keys;     /* the text log only: nothing can be stale */
	uint32_t app_net;   /* of the app being walked */
};

static void want_key(struct want_ctx *w, uint32_t net, uint64_t hash)
{
	if (w->len == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4096;
		void *p = realloc(w->keys, cap * sizeof(*w->keys));

		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		w->keys = p;
		w->cap = cap;
	}
	w->keys[w->len++] = (struct want_key){ .hash = hash, .net = net };
}

static void want(struct want_ctx *w, uint32_t net, const char *name)
{
	struct sixpn_dns_key key;

	if (w->n->has_text)
		sixpn_dns_text_add(&w->n->text, net, name);
	if (w->skip_keys)
		return;
	if (!strcmp(name, SIXPN_DNS_ZONE)) {
		/* The marker (net, "internal"), which no name can spell. */
		memset(&key, 0, sizeof(key));
		key.net_id = net;
		memcpy(key.name, SIXPN_DNS_ZONE, sizeof(SIXPN_DNS_ZONE));
	} else if (sixpn_dns_key_from_name(net, name, &key)) {
		return;
	}
	want_key(w, net, sixpn_dns_key_hash(&w->n->table, &key));
}

static void want_walk_cb(void *ctx, const char *name, uint8_t *state,
			 struct name_machine *const *m, size_t cnt, uint16_t flags)
{
	struct want_ctx *w = ctx;

	(void)m;
	(void)cnt;
	(void)flags;
	if (*state == NAME_IN)
		want(w, w->app_net, name);
}

static int cmp_want(const void *a, const void *b)
{
	const struct want_key *x = a, *y = b;

	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* Two equal keys among those the pass published: two names of one network
 * with one hash (or one name given twice, which net_resolve() tells
 * apart). The pass could not see it as it wrote, every key of an older
 * table being held already. */
static void shared_keys(struct names_sync *n, const struct want_key *keys, size_t len)
{
	size_t i;

	for (i = 1; i < len; i++) {
		struct net_names *net;

		if (keys[i].net != keys[i - 1].net || keys[i].hash != keys[i - 1].hash ||
		    (i > 1 && keys[i].net == keys[i - 2].net && keys[i].hash == keys[i - 2].hash))
			continue;
		net = net_get(n, keys[i].net);
		if (net)
			share(n, net, keys[i].hash);
	}
}

/* What the table holds that the registry no longer has: from an earlier run
 * of sixpnd, or changes missed while it was down. */
static void remove_stale(struct names_sync *n, bool fresh)
{
	struct want_ctx w = { .n = n, .skip_keys = fresh };
	struct sixpn_dns_slot_view sv;
	size_t n_gone = 0, i = 0, j;
	const char *k;
	void *v;
	char wk[160];
	__u32 pos = 0;

	if (n->table_err)
		return;
	if (n->has_text)
		sixpn_dns_text_reset(&n->text);
	while (strmap_next(&n->apps, &i, &k, &v)) {
		w.app_net = ((struct app_names *)v)->net_id;
		app_names_walk(v, want_walk_cb, &w);
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
	if (w.err) {
		log_error("msg=\"cannot list the published names; stale names stay\" err=\"%s\"",
			  strerror(-w.err));
		free(w.keys);
		return;
	}
	if (fresh)
		return;
	qsort(w.keys, w.len, sizeof(*w.keys), cmp_want);
	shared_keys(n, w.keys, w.len);
	while (sixpn_dns_table_next(&n->table, &pos, &sv)) {
		struct want_key key = { .hash = sv.hash, .net = sv.net_id };

		if (bsearch(&key, w.keys, w.len, sizeof(*w.keys), cmp_want))
			continue;
		n_gone++;
		if (!sixpn_dns_table_del_hash(&n->table, sv.net_id, sv.hash))
			n->dels++;
	}
	if (n_gone)
		log_info("msg=\"removed stale names\" count=%zu", n_gone);
	free(w.keys);
}

/* A full pass counts every network's share afresh: every name competes
 * for the quotas again (in the pass's order), and what a failed write left
 * uncertain is settled. Names in the map that lose their place stay until
 * remove_stale(), when everything that won is in. */
static void quota_recount(struct names_sync *n)
{
	const char *k;
	void *v;
	size_t i = 0;

	while (strmap_next(&n->nets, &i, &k, &v)) {
		struct net_names *net = v;

		net->entries = net->left_out = 0;
		net->zone = net->failed = false;
		net->zone_in = 0;
	}
	i = 0;
	while (strmap_next(&n->apps, &i, &k, &v))
		((struct app_names *)v)->n_left = 0;
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
	/* names need no app's count of machines (an index search each) */
	struct reg_filter every_app = { .no_counts = 1 };
	const char *k;
	void *v;
	size_t i = 0;
	int err = 0;

	double t0 = sixpn_log_ms(), t1, t2;

	full_generation++;
	machines_unindex(n);
	if (reg_foreach_app(r, &every_app, full_app_cb, n))
		return -EIO;
	t1 = sixpn_log_ms();
	/* One pass over every machine, grouped by app in memory: a query per
	 * app would cost a round trip per app at fleet scale. */
	if (reg_foreach_machine(r, NULL, collect_machine_cb, &c))
		return -EIO;
	t2 = sixpn_log_ms();
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

		err = app_publish(n, a, NULL);
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
	log_debug("msg=\"full names pass\" apps_ms=%.0f machines_ms=%.0f publish_ms=%.0f",
		  t1 - t0, t2 - t1, sixpn_log_ms() - t2);
	return err;
}

int names_sync_full(struct names_sync *n, struct reg *r)
{
	/* A table nothing was ever written to holds nothing stale once this
	 * pass is through: the walk is skipped (the cold start of a host). */
	bool fresh = !n->table_err && sixpn_dns_table_empty(&n->table);
	int err;

	n->map_full = false;
	n->fresh = fresh;
	/* A fresh table's names go into the text as they are written: no
	 * second walk of the model for the text alone. */
	n->text_in_pass = fresh && n->has_text;
	if (n->text_in_pass)
		sixpn_dns_text_reset(&n->text);
	err = full_publish(n, r);
	/* The names an earlier selection put in took the room (a restart with
	 * other quotas, changes missed while down): what this pass did not
	 * choose goes (every network with names out of the map is marked by
	 * now), then once more. */
	if (err && n->map_full) {
		log_warn("msg=\"names map full during the full pass: removing what this pass left out, then publishing again\"");
		remove_stale(n, false);
		n->map_full = false;
		n->fresh = n->text_in_pass = false;
		err = full_publish(n, r);
	}
	/* Only once every live name is in does anything stale go, markers of
	 * networks now within their quota last. */
	if (!err) {
		double t0 = sixpn_log_ms(), t1;

		/* On a fresh table only the text log is written, if the
		 * pass did not. */
		if (!fresh || (n->has_text && !n->text_in_pass))
			remove_stale(n, fresh);
		t1 = sixpn_log_ms();
		/* and the keys put up for a second name are settled */
		quota_settle_all(n);
		log_debug("msg=\"full names pass, after\" fresh=%d stale_ms=%.0f settle_ms=%.0f",
			  fresh, t1 - t0, sixpn_log_ms() - t1);
	}
	n->fresh = n->text_in_pass = false;
	return err;
}
