/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The Flycast maps seen from userspace (maps/sixpn_flycast.h): the Maglev
 * table of a service and the conntrack sweep of a removed backend. */
#ifndef SIXPN_DATAPATH_FLYCAST_H
#define SIXPN_DATAPATH_FLYCAST_H

#include <stddef.h>
#include <stdint.h>
#include "sixpn_flycast.h"

/* Maglev (Eisenbud et al., NSDI 2016) over n backends: addrs[i] sits at
 * index idx[i] of the service's backends. table[0..M-1] gets an index of
 * idx[] in every entry; n == 0 leaves it all SIXPN_FC_MAX_BACKENDS (none).
 * The permutation of a backend depends on its address only, so adding or
 * removing one moves about 1/n of the entries. */
void sixpn_fc_maglev(const struct sixpn_ip6 *addrs, const uint32_t *idx, size_t n,
		     uint32_t table[SIXPN_FC_MAGLEV_M]);

/* Deletes every conntrack entry of a flow to backend `addr` (both
 * directions): the flow's next packet is a new flow, balanced over the
 * backends that remain (TCP: reset by the new backend). Returns how many
 * flows went (their original entries), or -errno. */
int sixpn_fc_ct_forget_backend(int ct_fd, const struct sixpn_ip6 *addr);

/* Live flows of a conntrack map: its original entries (one per flow) not
 * expired at now_ns (CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns()),
 * by protocol and state. */
enum { SIXPN_FC_P_TCP, SIXPN_FC_P_UDP, SIXPN_FC_P_ICMPV6, SIXPN_FC_P_MAX };
struct sixpn_fc_flows {
	uint64_t live[SIXPN_FC_P_MAX][2];  /* [protocol][SIXPN_FC_ST_*] */
	uint64_t expired;                  /* entries past their timeout, both directions */
};
/* 0, or -errno when the map cannot be read. */
int sixpn_fc_flows_count(int ct_fd, uint64_t now_ns, struct sixpn_fc_flows *out);
extern const char *const sixpn_fc_proto_names[SIXPN_FC_P_MAX];

/* The backends table (an ARRAY, always "full"): the backends it holds
 * (entries with an address) against its size. 0 or -errno. */
int sixpn_fc_backends_fill(int backends_fd, __u64 *held, __u64 *capacity);

#endif
