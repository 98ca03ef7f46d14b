/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Every verdict is counted by (hook, reason) in the per-CPU `stats` map. */
#ifndef SIXPN_LIB_STATS_H
#define SIXPN_LIB_STATS_H

#include "sixpn_maps.bpf.h"

static __always_inline void sixpn_count(__u32 hook, __u32 reason, __u32 bytes)
{
	__u32 key = sixpn_stat_index(hook, reason);
	struct sixpn_counter *c = bpf_map_lookup_elem(&stats, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

#endif
