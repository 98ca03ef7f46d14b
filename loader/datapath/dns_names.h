/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Filling the XDP fast path's names map and configuration (maps/sixpn_dns.h
 * says what an entry means). All of these take map fds: from
 * sixpn_xdp_names_fd()/sixpn_xdp_config_fd(), or from the pins
 * <pin dir>/dns_names and <pin dir>/dns_config. */
#ifndef SIXPN_DNS_NAMES_H
#define SIXPN_DNS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include "sixpn_dns.h"

/* The key of (net_id, name): `name` is dotted text, any case, with or
 * without the final dot, under internal. but not internal. itself, at most
 * 63 characters, labels of 1..63 printable characters. -EINVAL otherwise,
 * -ENAMETOOLONG when it is valid but longer than the key holds (such names
 * are the resolver's alone). */
int sixpn_dns_key_from_name(__u32 net_id, const char *name, struct sixpn_dns_key *key);
/* "web.internal" back from a key (for listings). */
void sixpn_dns_key_name(const struct sixpn_dns_key *key, char *buf, size_t size);

/* Puts (net_id, name) -> addresses and flags (SIXPN_DNS_F_*). Every address
 * must lie in network net_id's /48 (-EINVAL otherwise: answers never cross
 * networks). More than SIXPN_DNS_MAX_ADDRS addresses are recorded as a count
 * only; the fast path passes such names to userspace. n = 0 makes a name
 * that exists with no AAAA (NODATA). */
int sixpn_dns_name_put(int names_fd, __u32 net_id, const char *name,
		       const struct sixpn_ip6 *addrs, size_t n, __u16 flags);
/* The key and value sixpn_dns_name_put() would write, with the same checks,
 * for callers that write many at once (bpf_map_update_batch). */
int sixpn_dns_entry(__u32 net_id, const char *name, const struct sixpn_ip6 *addrs, size_t n,
		    __u16 flags, struct sixpn_dns_key *key, struct sixpn_dns_value *val);
/* The value alone, with the same checks (the key computed apart). */
int sixpn_dns_value_of(__u32 net_id, const struct sixpn_ip6 *addrs, size_t n, __u16 flags,
		       struct sixpn_dns_value *val);
/* Removes it; 0 also when it was not there. */
int sixpn_dns_name_del(int names_fd, __u32 net_id, const char *name);

/* The names table (maps/sixpn_dns.h) mapped into this process: what the
 * writes below go through. The fd-taking functions open and close one per
 * call; a writer of many names (the names sync) keeps one open. Every
 * write is made under the slot's sequence word, so a reader never takes a
 * slot in mid-write, also when the writer dies there (kill -9). One writer
 * at a time per table. */
struct sixpn_dns_table {
	union sixpn_dns_cell *cells;
	size_t n_cells;        /* the map's max_entries */
	__u32 mask;            /* slots are cells 1..mask */
	__u64 seed;
	__u32 rec_first, recs; /* address records: cells rec_first.. , recs of them */
	__u32 rec_hint;        /* where to look for a free record first */
	int fd;
	__u64 spilled;         /* names put past their probes (their homes flagged) */
};

/* What a slot holds, for listings. */
struct sixpn_dns_slot_view {
	__u32 net_id;
	__u64 hash;
	struct sixpn_dns_value val;  /* flags (SIXPN_DNS_F_*, entry bits), count, addresses */
	__u16 slot_flags;            /* F_SPILL, F_EXT and F_SHARED as the slot has them */
};

/* Maps the table of `names_fd` (setting its header up on first use: a
 * random seed, the slot count from the map's size). 0 or -errno. */
int sixpn_dns_table_open(struct sixpn_dns_table *t, int names_fd);
void sixpn_dns_table_close(struct sixpn_dns_table *t);
/* How many names a table of this fd was sized for (sixpn_dns_table_cells()). */
__u32 sixpn_dns_table_capacity(int names_fd);
/* The map size (cells) for `names` names. */
__u32 sixpn_dns_table_cells_for(__u32 names);
/* The key of a name in the table: its seeded hash. */
__u64 sixpn_dns_key_hash(const struct sixpn_dns_table *t, const struct sixpn_dns_key *key);
/* The entry of (net, hash), already checked (sixpn_dns_entry()). */
int sixpn_dns_table_put_entry(struct sixpn_dns_table *t, __u32 net_id, __u64 hash,
			      const struct sixpn_dns_value *val);
/* (net, hash) as a key two names or more of the network share: F_SHARED,
 * no address, every question and every child's the resolver's. */
int sixpn_dns_table_put_shared(struct sixpn_dns_table *t, __u32 net_id, __u64 hash);
/* Starts loading the home slot of (net, hash): a writer of many names
 * computes their keys ahead of writing them, so that the table's cache
 * misses (a slot anywhere in hundreds of MB) overlap. */
void sixpn_dns_table_prefetch(const struct sixpn_dns_table *t, __u32 net_id, __u64 hash);
/* The slot flags of (net, hash) (entry and slot bits), or -ENOENT. */
int sixpn_dns_table_flags(const struct sixpn_dns_table *t, __u32 net_id, __u64 hash);
/* The key hash of the zone apex: the over-quota marker's. */
__u64 sixpn_dns_table_zone_hash(const struct sixpn_dns_table *t);
int sixpn_dns_table_put(struct sixpn_dns_table *t, __u32 net_id, const char *name,
			const struct sixpn_ip6 *addrs, size_t n, __u16 flags);
/* Removes (net, hash); -ENOENT when it was not there. */
int sixpn_dns_table_del_hash(struct sixpn_dns_table *t, __u32 net_id, __u64 hash);
int sixpn_dns_table_del(struct sixpn_dns_table *t, __u32 net_id, const char *name);
/* The entry of (net, name): 0, or -ENOENT. */
int sixpn_dns_table_get(const struct sixpn_dns_table *t, __u32 net_id, const char *name,
			struct sixpn_dns_value *val);
/* Walks the names in the table: *pos starts at 0; 1 while there is one. */
int sixpn_dns_table_next(const struct sixpn_dns_table *t, __u32 *pos,
			 struct sixpn_dns_slot_view *v);
/* The names the table of `names_fd` holds, and how many it was sized for
 * (sixpn_dns_table_capacity()): its fill, as for the hash maps. 0 or -errno. */
int sixpn_dns_table_fill(int names_fd, __u64 *names, __u64 *capacity);
/* True when no slot has ever been written (a fresh table). */
bool sixpn_dns_table_empty(const struct sixpn_dns_table *t);
/* The marker of an over-quota network (below). */
int sixpn_dns_table_quota_mark(struct sixpn_dns_table *t, __u32 net_id, bool over);

/* The text log `dns_text` (maps/sixpn_dns.h), mapped. */
struct sixpn_dns_text {
	__u8 *base;            /* cell 0 */
	size_t bytes;          /* of the whole map */
	int fd;
};

int sixpn_dns_text_open(struct sixpn_dns_text *x, int text_fd);
void sixpn_dns_text_close(struct sixpn_dns_text *x);
/* Empties the log (a full pass writes it again). */
void sixpn_dns_text_reset(struct sixpn_dns_text *x);
/* Appends (net, name); -ENOSPC when the log is full. */
int sixpn_dns_text_add(struct sixpn_dns_text *x, __u32 net_id, const char *name);
/* Walks the records: *pos starts at 0; 1 while there is one. */
int sixpn_dns_text_next(const struct sixpn_dns_text *x, size_t *pos, __u32 *net_id,
			char *name, size_t size);
/* By fd, as the other fd-taking calls: appends (net, name). */
int sixpn_dns_text_append(int text_fd, __u32 net_id, const char *name);

/* Network net_id's names quota (maps/sixpn_dns.h): `over` puts the marker
 * (net_id, "internal") that sends its misses to userspace, else removes it
 * (0 also when it was not there). Mark before leaving a name out, and
 * unmark only once every name is in. */
int sixpn_dns_quota_mark(int names_fd, __u32 net_id, bool over);
/* dns_overflow[slot] = networks over their quota with that slot
 * (sixpn_dns_overflow_slot()). */
int sixpn_dns_overflow_set(int overflow_fd, __u32 slot, __u32 count);

/* enabled, SIXPN_DNS_DEFAULT_TTL, the default SOA and pass-up budgets. */
void sixpn_dns_config_default(struct sixpn_dns_config *cfg);
int sixpn_dns_config_set(int config_fd, const struct sixpn_dns_config *cfg);

#endif
