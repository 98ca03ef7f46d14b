/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The network <-> host swap on the host-to-host mesh device. WireGuard is an
 * L3 device, so the IPv6 header starts the packet. The swap permutes 16-bit
 * words of the pseudo-header, so no checksum needs touching. */
#ifndef SIXPN_LIB_MESH_H
#define SIXPN_LIB_MESH_H

#include "ipv6.h"

/* Swaps every 6PN address of the packet. Returns how many it swapped. */
static __always_inline int sixpn_mesh_swap(struct sixpn_pkt *p)
{
	struct sixpn_ip6 *src = sixpn_src(p), *dst = sixpn_dst(p);
	int n = 0;

	if (sixpn_is_6pn(src)) {
		sixpn_swap_net_host(src);
		n++;
	}
	if (sixpn_is_6pn(dst)) {
		sixpn_swap_net_host(dst);
		n++;
	}
	return n;
}

/* After the swap back on mesh ingress: traffic between hosts is 6PN to 6PN
 * within one network, or not 6PN at all. */
static __always_inline int sixpn_mesh_in_verdict(struct sixpn_pkt *p, int swapped)
{
	struct sixpn_ip6 *src = sixpn_src(p), *dst = sixpn_dst(p);

	if (!swapped)
		return SIXPN_PASS_NOT_6PN;
	if (swapped != 2)
		return SIXPN_DROP_NOT_6PN;
	/* Network 0 is reserved: nothing lives in it that a host may reach. */
	if (sixpn_net_id(src) != sixpn_net_id(dst) || sixpn_net_id(dst) == 0)
		return SIXPN_DROP_CROSS_NETWORK;
	return SIXPN_PASS;
}

#endif
