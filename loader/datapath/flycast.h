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
 * entries went, or -errno. */
int sixpn_fc_ct_forget_backend(int ct_fd, const struct sixpn_ip6 *addr);

#endif
