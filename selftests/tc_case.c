// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "tc_case.h"

#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixtures.h"
#include "packets.h"
#include "test_harness.h"
#include "datapath/stats.h"

int tc_apply_setup(struct sixpn_tc *skel, enum tc_setup setup)
{
	int ifaces_fd = bpf_map__fd(skel->maps.ifaces);
	__u32 ifindex = FX_TEST_IFINDEX;
	struct sixpn_iface ifc = { 0 };

	switch (setup) {
	case IF_INSTANCE_L2:
		ifc = (struct sixpn_iface){ .role = SIXPN_ROLE_INSTANCE, .net_id = FX_NET_A,
					    .prefix_len = 112, .l2_len = 14 };
		sixpn_compose(&ifc.prefix, FX_NET_A, FX_HOST1, FX_INST, 0);
		break;
	case IF_PEER_L3:
		ifc = (struct sixpn_iface){ .role = SIXPN_ROLE_PEER, .net_id = FX_NET_A,
					    .prefix_len = 120, .l2_len = 0 };
		sixpn_compose(&ifc.prefix, FX_NET_A, FX_HOST1, FX_GATEWAY, 0x0100);
		break;
	case IF_PEERS_DEV_L3:
		ifc = (struct sixpn_iface){ .role = SIXPN_ROLE_PEERS_DEV, .l2_len = 0 };
		break;
	case IF_MISSING:
	case IF_NONE:
		bpf_map_delete_elem(ifaces_fd, &ifindex);
		return 0;
	}
	return bpf_map_update_elem(ifaces_fd, &ifindex, &ifc, BPF_ANY);
}

__u64 tc_counter(struct sixpn_tc *skel, __u32 hook, __u32 reason)
{
	return sixpn_stat_packets(bpf_map__fd(skel->maps.stats), hook, reason);
}

void tc_run_case(struct sixpn_tc *skel, const struct tc_case *c)
{
	const struct test_packet *in = packet(c->packet);
	const struct test_packet *want = packet(c->out ? c->out : c->packet);
	int drop = sixpn_reason_is_drop(c->reason);
	__u32 hook = tc_prog_hook[c->prog], out_len = 4096, retval = ~0U;
	__u64 before = tc_counter(skel, hook, c->reason);
	__u8 out[4096];
	int err;

	if (tc_apply_setup(skel, c->setup)) {
		CHECK(0, "%s: set up the ifaces map", c->what);
		return;
	}
	err = tc_prog_run(skel, c->prog, in->data, in->len, out, &out_len, &retval);
	CHECK_EQ(err, 0, "%s: BPF_PROG_TEST_RUN runs", c->what);
	CHECK_EQ(retval, drop ? TC_ACT_SHOT : TC_ACT_OK, "%s: verdict is %s",
		 c->what, drop ? "TC_ACT_SHOT" : "TC_ACT_OK");
	CHECK_EQ(tc_counter(skel, hook, c->reason) - before, 1,
		 "%s: counts %s once", c->what, sixpn_reason_names[c->reason]);
	if (!drop)
		CHECK(out_len == want->len && !memcmp(out, want->data, want->len),
		      "%s: output bytes are %s", c->what, c->out ? c->out : "unchanged");
}
