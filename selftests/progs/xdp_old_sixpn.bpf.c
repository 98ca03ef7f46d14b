// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Another build of sixpn's XDP program, as the coexistence test needs one
 * (selftests/vm/test_xdp_coexist.sh): the same name and run config as
 * xdp/sixpn_xdp.bpf.c, other code (another tag). sixpn-attach must replace
 * it, in libxdp's dispatcher and without one, and leave the rest. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include "sixpn_pin.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(priority, SIXPN_XDP_RUN_PRIO);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(sixpn_xdp_dns);

SEC("xdp")
int sixpn_xdp_dns(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}
