// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* An operator's own XDP program, as the coexistence tests load it beside
 * sixpn's (selftests/vm/test_xdp_coexist.sh): it counts every packet it
 * sees in its pinned map `lx_xdp_count` and passes it on, so that libxdp's
 * dispatcher runs the next program. The run priority comes from the
 * loader (xdp-loader --prio); libxdp's default is 50, before sixpn's 60. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lx_xdp_count SEC(".maps");

struct {
	__uint(priority, 50);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(xdp_count);

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lx_xdp_count, &zero);

	(void)ctx;
	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}
