// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* XDP programs of sixpn.
 *
 *   sixpn_xdp_dns   on instance interfaces: answers the common internal DNS
 *                   questions from the names map (dns-ebpf/fastpath.h)
 *
 * Maps are pinned by name under the same pin root as the TC object's, so
 * `ifaces` and `stats` are shared with it; the DNS maps are this object's. */
#include "vmlinux.h"
#include "fastpath.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Where the next answer starts in an entry's address list. Shared by every
 * CPU without atomics: a lost increment only repeats an order. */
__u32 sixpn_dns_rotor;

SEC("xdp")
int sixpn_xdp_dns(struct xdp_md *ctx)
{
	return sixpn_dns_fastpath(ctx, sixpn_dns_rotor++);
}
