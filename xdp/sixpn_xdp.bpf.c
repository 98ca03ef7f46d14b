// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* XDP programs of sixpn.
 *
 *   sixpn_xdp_dns   on instance interfaces: answers the common internal DNS
 *                   questions from the names map (dns-ebpf/fastpath.h)
 *
 * Maps are pinned by name under the same pin root as the TC object's, so
 * `ifaces` and `stats` are shared with it; the DNS maps are this object's.
 *
 * It runs as one program of libxdp's dispatcher (loader/datapath/
 * xdp_attach.c), beside an operator's own XDP programs on the interface. */
#include "vmlinux.h"
#include "fastpath.h"
#include <xdp/xdp_helpers.h>
#include "sixpn_pin.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Where the next answer starts in an entry's address list. Shared by every
 * CPU without atomics: a lost increment only repeats an order. */
__u32 sixpn_dns_rotor;

/* What libxdp's dispatcher reads from BTF. Priority 60, after programs at
 * libxdp's default of 50 (an operator's counter) and xdp-filter's 10: they
 * see every packet, the DNS queries answered here too. Only XDP_PASS goes
 * on to the next program; an answer (XDP_TX), a query over budget
 * (XDP_DROP) and XDP_ABORTED end the packet's run, as alone. */
struct {
	__uint(priority, SIXPN_XDP_RUN_PRIO);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(sixpn_xdp_dns);

SEC("xdp")
int sixpn_xdp_dns(struct xdp_md *ctx)
{
	return sixpn_dns_fastpath(ctx, sixpn_dns_rotor++);
}
