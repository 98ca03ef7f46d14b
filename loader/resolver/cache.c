// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The answer cache: the wire bytes of in-zone replies, so that a question
 * asked again costs a hash, a compare and a copy instead of an ldns parse,
 * registry reads and an ldns encode (docs/bench.md "DNS end to end").
 *
 * Exact by construction. The key is everything a reply of query.c's in-zone
 * branch depends on:
 *
 *   - the query's bytes, with the ID zeroed and the QNAME lowercased: RD,
 *     CD, the question, the whole EDNS OPT (UDP size: the size limit; DO;
 *     options) and anything else the message holds;
 *   - the asker: its network ID and host ID (every name is per network,
 *     top<N>.nearest.of. orders by the asking host's region); only askers
 *     with a 6PN source in a network other than 0 are looked up at all;
 *   - whether it asked fdaa::3 or its network's ::3 (the address of ns.,
 *     _api. and of the NS glue), and UDP or TCP (the size limit).
 *
 * Nothing else reaches an in-zone answer but the registry and the fixed
 * DNS config: names.c, flycast.c and nearest.c read no clock and no map.
 * The one exception, the rotor that rotates an AAAA set of several
 * addresses between answers, marks its reply uncacheable
 * (rsv_cache_uncacheable). SERVFAIL is never kept.
 *
 * The value is the reply as sent, with its RCODE and whether it was
 * truncated (for the counters). A hit patches the ID and puts the QNAME's
 * bytes back exactly as asked: the question is echoed at offset 12, and
 * ldns compresses every later name case-insensitively, so the rest of the
 * reply does not depend on the QNAME's case (test_resolver_cache.sh and the
 * resolver_query fuzz target compare hits with the uncached path's bytes).
 *
 * Validity: any commit to the registry empties the cache. rsv_cache_validate
 * reads the handle's PRAGMA data_version (another connection's commit
 * changes it) before each batch of queries that loop.c has already
 * received, so a cached reply never reflects a registry older than the one
 * the batch's first query would have been answered from; a reopened file
 * (refresh.c) empties it too. That read is SQLite's work, two fcntl locks
 * and an fstat: at a low rate, where a batch is one query, a seventh of a
 * hit's cost (docs/bench.md "DNS end to end"). So sixpnd, whose sync loop reads
 * every commit anyway, tells the resolver instead
 * (sixpn_resolver_registry_changed: an atomic counter, looked at per
 * batch), as soon as a read of its has begun that will find the change,
 * before the fast path shows it, and after every pass: a query that
 * arrives after sixpnd applied a commit gets an answer at least as new.
 * The tests' resolver_serve, told by nobody, reads data_version per batch.
 *
 * Bounded: RSV_CACHE_SLOTS slots in sets of RSV_CACHE_WAYS, chosen by a
 * seeded hash (direct-mapped, a table twice the size of the 2,000 names of
 * the bench's TXT mix still lost a third of them to collisions); a new
 * entry takes a free way of its set or replaces the set's next victim in
 * turn. Entries bigger than RSV_CACHE_ENTRY_MAX are not kept, nor any
 * beyond RSV_CACHE_BYTES_MAX in all. Crafted collisions can only evict. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/log.h"
#include "resolver/resolver_int.h"

struct rsv_centry {
	uint16_t key_len, reply_len;
	uint16_t rcode;
	bool truncated;
	uint8_t data[];                /* the key, then the reply */
};

int rsv_cache_init(struct sixpn_resolver *r, bool off)
{
	struct rsv_cache *c = &r->cache;

	c->off = off;
	c->valid = false;
	if (off)
		return 0;
	c->set = calloc(RSV_CACHE_SLOTS / RSV_CACHE_WAYS, sizeof(*c->set));
	if (!c->set)
		return -1;
	if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) != sizeof(c->seed))
		c->seed = (uint64_t)(uintptr_t)c ^ (uint64_t)rsv_now_ms();
	return 0;
}

void rsv_cache_clear(struct sixpn_resolver *r)
{
	struct rsv_cache *c = &r->cache;
	size_t i;
	int w;

	c->valid = false;
	if (!c->set || !c->entries)
		return;
	for (i = 0; i < RSV_CACHE_SLOTS / RSV_CACHE_WAYS; i++) {
		for (w = 0; w < RSV_CACHE_WAYS; w++)
			free(c->set[i].e[w]);
		memset(&c->set[i], 0, sizeof(c->set[i]));
	}
	c->entries = 0;
	c->bytes = 0;
}

void rsv_cache_free(struct sixpn_resolver *r)
{
	rsv_cache_clear(r);
	free(r->cache.set);
	r->cache.set = NULL;
}

void rsv_cache_validate(struct sixpn_resolver *r)
{
	struct rsv_cache *c = &r->cache;
	uint64_t gen;
	int64_t v;

	if (c->off)
		return;
	/* before the read: a change told of meanwhile is looked at next time */
	gen = atomic_load(&r->reg_gen);
	if (r->reg_notified && c->valid && gen == c->gen)
		return;
	c->gen = gen;
	/* a replaced file: cleared there */
	rsv_registry_refresh(r, r->reg_notified);
	if (reg_data_version(r->reg, &v)) {
		/* unknown: nothing looked up or kept until it is known */
		rsv_cache_clear(r);
		return;
	}
	if (!c->valid || v != c->version) {
		if (c->entries)
			atomic_fetch_add(&r->stats.cache_flushes, 1);
		rsv_cache_clear(r);
		c->version = v;
		c->valid = true;
	}
}

/* The QNAME at offset 12: its length with the final 0, or 0 when it is
 * malformed or compressed (such a query is not looked up). */
static size_t qname_len(const uint8_t *wire, size_t len)
{
	size_t p = LDNS_HEADER_SIZE;

	while (p < len && wire[p]) {
		if (wire[p] > 63)
			return 0;
		p += 1 + wire[p];
	}
	return p < len && p - LDNS_HEADER_SIZE + 1 <= LDNS_MAX_DOMAINLEN ? p - LDNS_HEADER_SIZE + 1 : 0;
}

/* Whether the lowercased name n (wire form, n_len with the final 0) ends in
 * the label `zone`: internal. or flycast., the only names kept. */
static bool ends_in(const uint8_t *n, size_t n_len, const char *zone)
{
	size_t z = strlen(zone), p = 0;

	while (n[p]) {
		if (n[p] == z && p + 1 + z + 1 == n_len && !memcmp(n + p + 1, zone, z))
			return true;
		p += 1 + n[p];
	}
	return false;
}

/* Eight bytes a step: byte by byte (FNV-1a), the chain of multiplies over
 * the ~50 bytes of a key was a visible part of a hit. */
static uint64_t hash(uint64_t seed, const uint8_t *b, size_t n)
{
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL), w;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (n) {
		w = 0;
		memcpy(&w, b, n);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

bool rsv_cache_key(struct sixpn_resolver *r, const struct rsv_origin *o, const uint8_t *wire,
		   size_t len, struct rsv_ckey *k)
{
	const struct sixpn_ip6 *src = (const struct sixpn_ip6 *)&o->src.sin6_addr;
	uint32_t net, host;
	uint8_t *m;
	size_t ql, i;

	k->len = 0;
	if (r->cache.off || !r->cache.valid || len > RSV_CACHE_QUERY_MAX)
		return false;
	if (!sixpn_is_6pn(src) || (net = sixpn_net_id(src)) == 0)
		return false;
	ql = qname_len(wire, len);
	if (!ql)
		return false;
	host = sixpn_host_id(src);
	k->b[0] = (o->conn ? 1 : 0) | (sixpn_is_global_dns((const struct sixpn_ip6 *)&o->dst) ? 2 : 0);
	memcpy(k->b + 1, &net, sizeof(net));
	memcpy(k->b + 5, &host, sizeof(host));
	m = k->b + RSV_CKEY_ASKER;
	memcpy(m, wire, len);
	m[0] = m[1] = 0;
	for (i = LDNS_HEADER_SIZE; i < LDNS_HEADER_SIZE + ql; i++)
		if (m[i] >= 'A' && m[i] <= 'Z')
			m[i] |= 0x20;
	if (!ends_in(m + LDNS_HEADER_SIZE, ql, SIXPN_DNS_ZONE) &&
	    !ends_in(m + LDNS_HEADER_SIZE, ql, SIXPN_DNS_FLYCAST_ZONE))
		return false;
	k->qname_len = (uint16_t)ql;
	k->len = (uint16_t)(RSV_CKEY_ASKER + len);
	k->hash = hash(r->cache.seed, k->b, k->len);
	return true;
}

static struct rsv_cset *set_of(struct rsv_cache *c, uint64_t hash)
{
	return &c->set[hash & (RSV_CACHE_SLOTS / RSV_CACHE_WAYS - 1)];
}

bool rsv_cache_find(struct sixpn_resolver *r, const struct rsv_ckey *k, struct rsv_chit *hit)
{
	struct rsv_cset *set = set_of(&r->cache, k->hash);
	const struct rsv_centry *e = NULL;
	int i;

	for (i = 0; i < RSV_CACHE_WAYS && !e; i++)
		if (set->e[i] && set->hash[i] == k->hash && set->e[i]->key_len == k->len &&
		    !memcmp(set->e[i]->data, k->b, k->len))
			e = set->e[i];
	if (!e) {
		atomic_fetch_add(&r->stats.cache_misses, 1);
		return false;
	}
	atomic_fetch_add(&r->stats.cache_hits, 1);
	hit->reply = e->data + e->key_len;
	hit->len = e->reply_len;
	hit->rcode = e->rcode;
	hit->truncated = e->truncated;
	return true;
}

void rsv_cache_store(struct sixpn_resolver *r, const struct rsv_ckey *k, const uint8_t *query,
		     const uint8_t *reply, size_t len, unsigned rcode, bool truncated)
{
	struct rsv_cache *c = &r->cache;
	size_t size = sizeof(struct rsv_centry) + k->len + len;
	struct rsv_centry *e;
	struct rsv_cset *set;
	int i, way = -1;

	if (!k->len || !c->valid || c->uncacheable || rcode == LDNS_RCODE_SERVFAIL)
		return;
	/* the question echoed at offset 12, as asked: what a hit patches */
	if (len < (size_t)LDNS_HEADER_SIZE + k->qname_len || LDNS_QDCOUNT(reply) != 1 ||
	    memcmp(reply + LDNS_HEADER_SIZE, query + LDNS_HEADER_SIZE, k->qname_len) ||
	    size > RSV_CACHE_ENTRY_MAX)
		return;
	set = set_of(c, k->hash);
	for (i = 0; i < RSV_CACHE_WAYS && way < 0; i++)
		if (!set->e[i])
			way = i;
	if (way < 0)
		way = (int)(c->victim++ % RSV_CACHE_WAYS);
	if (set->e[way]) {
		e = set->e[way];
		c->bytes -= sizeof(*e) + e->key_len + e->reply_len;
		free(e);
		set->e[way] = NULL;
		c->entries--;
	}
	if (c->bytes + size > RSV_CACHE_BYTES_MAX)
		return;
	e = malloc(size);
	if (!e)
		return;
	e->key_len = k->len;
	e->reply_len = (uint16_t)len;
	e->rcode = (uint16_t)rcode;
	e->truncated = truncated;
	memcpy(e->data, k->b, k->len);
	memcpy(e->data + k->len, reply, len);
	set->hash[way] = k->hash;
	set->e[way] = e;
	c->entries++;
	c->bytes += size;
}
