/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Registry -> the XDP fast path's names map (maps/sixpn_dns.h). Names are
 * published per app: any change to an app or one of its machines
 * recomputes that app's names from the registry and writes the difference
 * (new and changed names first, then the ones that went away), so a live
 * name is never missing in between.
 *
 * Quotas: a network gets at most `quota` names in the map, and all networks
 * together stop short of the map's capacity by a headroom, so that no
 * network can fill the map for the others. A name over either is left out
 * (it keeps what it has: a name in the map stays in through its updates),
 * after the network's over-quota marker went in, so the fast path passes
 * its misses to the resolver, which reads the registry: a name left out is
 * answered, never NXDOMAIN. The marker goes once every name of the network
 * is in again (a full pass recounts from scratch). */
#ifndef SIXPN_NAMES_SYNC_H
#define SIXPN_NAMES_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include "sixpn_dns.h"
#include "datapath/dns_names.h"
#include "agent/app_names.h"
#include "lib/strmap.h"

struct reg;

/* What a scrape of the metrics reads, from another thread: atomics. */
struct names_quota_stats {
	uint64_t networks_over;      /* networks with names left out now */
	uint64_t left_out;           /* names left out now, all networks */
	uint64_t hits;               /* times a network went over, since start */
};

/* A name's table key, computed once per write: its hash, or why it has
 * none (no table, a name no key holds). */
struct name_key {
	int err;
	uint64_t hash;
};

/* One name of an app's walk, its key computed, waiting to be written. */
struct pub_item {
	char name[128];
	uint8_t *state;
	struct name_machine *const *m;
	size_t cnt;
	uint16_t flags;
	struct name_key key;
};

struct names_sync {
	int names_fd;
	int overflow_fd;             /* dns_overflow; -1: none (no marker counts) */
	struct strmap apps;          /* app ID -> struct app_names (app_names.h) */
	struct strmap machines;      /* machine ID (its record's) -> its struct name_machine, fleet-wide */
	bool machines_indexed;       /* machines holds every app's (not after a full pass, until a delta) */
	struct strmap peers;         /* peer ID -> struct peer_name */
	struct strmap nets;          /* network ID -> struct net_names */
	struct strmap flycast;       /* "NET/SVC" -> struct fc_name: <app>.flycast */
	uint64_t puts, dels, skipped;
	uint32_t quota;              /* names per network; 0: no per-network quota */
	uint64_t budget;             /* names of all networks together */
	uint64_t entries;            /* names in the map, all networks */
	uint32_t slots[SIXPN_DNS_OVERFLOW_SLOTS]; /* marked networks per slot */
	struct names_quota_stats qstats;
	/* The names table, mapped: a full pass writes straight into it. */
	struct sixpn_dns_table table;
	int table_err;               /* why it could not be mapped; 0: mapped */
	struct sixpn_dns_text text;  /* the names as text, for listings */
	bool has_text;
	bool batching;               /* in a full pass */
	bool fresh;                  /* ... into a table nothing was written to before */
	bool text_in_pass;           /* ... which lists each name in the text as it writes it */
	uint64_t rechecks;           /* keys put up for a second name (net_resolve()) */
	bool map_full;               /* a write met a full table */
	struct pub_item *batch;      /* the app being published (app_publish()) */
	size_t n_batch, cap_batch;
};

/* quota: names per network, 0 for none; the capacity comes from the map. */
void names_sync_init(struct names_sync *n, int names_fd, int overflow_fd, uint32_t quota);
/* The default quota for a names map of `capacity` entries. */
uint32_t names_quota_default(uint32_t capacity);
/* The map's max_entries (0 when it cannot be read). */
uint32_t names_capacity(int names_fd);
void names_sync_free(struct names_sync *n);
/* For a process about to exit: the model (millions of small allocations
 * at fleet scale) is forgotten, not freed one by one; the exit takes it
 * back whole. names_sync_free() after it releases the rest. */
void names_sync_forget_model(struct names_sync *n);
/* Keeps the names' text in `dns_text` too (sixpn-attach dns-list). */
void names_sync_set_text(struct names_sync *n, int text_fd);
/* Every app, machine and peer of the fleet; then what is stale goes. */
int names_sync_full(struct names_sync *n, struct reg *r);
/* Change-log deltas, by the change's table and key. */
int names_machine_changed(struct names_sync *n, struct reg *r, const char *machine_id);
int names_app_changed(struct names_sync *n, struct reg *r, const char *app_id);
int names_peer_changed(struct names_sync *n, struct reg *r, const char *peer_id);
/* A Flycast allocation ("NET/SVC") came or went: <app>.flycast in the
 * consumer network NET answers its address. */
int names_flycast_changed(struct names_sync *n, struct reg *r, const char *key);

#endif
