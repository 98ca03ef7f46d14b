/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Reading what a running sixpn counted, from its pins: the per-CPU `stats`
 * map summed over CPUs, the drop-event tallies, and how full every hash-like
 * map is. Used by `sixpnctl stats` and by the metrics endpoint of sixpnd.
 * Nothing here loads a program or needs the daemon. */
#ifndef SIXPN_STATS_H
#define SIXPN_STATS_H

#include <stdbool.h>
#include "sixpn_maps.h"

/* A map at or above this fill level is reported before inserts fail. */
#define SIXPN_FILL_WARN_PCT 90

struct sixpn_stats {
	struct sixpn_counter c[SIXPN_HOOK_MAX][SIXPN_REASON_MAX];
	/* `event_limit` summed over CPUs (sent, suppressed, lost, pending);
	 * has_events is false when the map is not pinned. */
	struct sixpn_event_limit events;
	bool has_events;
};

/* Packets counted under (hook, reason) in the `stats` map `stats_fd`,
 * summed over CPUs; ~0 when the map cannot be read. For tests and
 * benchmarks that hold the map of a skeleton rather than a pin. */
__u64 sixpn_stat_packets(int stats_fd, __u32 hook, __u32 reason);

/* Reads and sums `stats` (and `event_limit`) under pin_dir. Returns 0 or
 * -errno (-ENOENT: nothing pinned there). */
int sixpn_stats_read(const char *pin_dir, struct sixpn_stats *st);

struct sixpn_map_fill {
	char name[64];          /* the pin's file name */
	__u32 type;             /* enum bpf_map_type */
	__u64 entries;
	__u64 capacity;         /* max_entries */
};

/* Fills `out` (at most `max`) with every hash, LRU or LPM map pinned
 * directly under pin_dir, sorted by name, so that maps added by any object
 * are covered. Arrays are always full and ring buffers have no entries, so
 * they are left out, except the two arrays whose slots are filled as
 * entries are (the names table: names held; fc_backends: backends held).
 * Counting walks the keys: O(entries). Returns how many
 * maps, or -errno. */
int sixpn_map_fill_read(const char *pin_dir, struct sixpn_map_fill *out, int max);

static inline bool sixpn_map_fill_near(const struct sixpn_map_fill *f)
{
	return f->capacity && f->entries * 100 >= f->capacity * SIXPN_FILL_WARN_PCT;
}

/* The reason's class as text ("pass", "drop", "answer"): the verdict of
 * stats and metrics. */
const char *sixpn_reason_verdict(__u32 reason);

#endif
