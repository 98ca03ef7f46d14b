// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* TC programs of sixpn.
 *
 *   sixpn_from_inst  tc ingress of an instance/peer interface (packets from it)
 *   sixpn_to_inst    tc egress of an instance/peer interface (packets to it)
 *   sixpn_mesh_out   tc egress of the mesh device: 6PN -> mesh form
 *   sixpn_mesh_in    tc ingress of the mesh device: mesh form -> 6PN, isolation
 */
#include "vmlinux.h"
#define SIXPN_WANT_FC_MAPS
#include "lib/common.h"
#include "lib/stats.h"
#include "lib/events.h"
#include "lib/ipv6.h"
#include "lib/policy.h"
#include "lib/mesh.h"
#include "lib/flycast.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* `l2_len` only serves the drop report: passing packets cost a counter. */
static __always_inline int sixpn_tc_verdict(struct __sk_buff *skb, __u32 hook,
					    __u32 reason, __u32 l2_len)
{
	sixpn_count(hook, reason, skb->len);
	if (!sixpn_reason_is_drop(reason))
		return TC_ACT_OK;
	sixpn_report_drop(skb, hook, reason, l2_len);
	return TC_ACT_SHOT;
}

static __always_inline int sixpn_instance_hook(struct __sk_buff *skb, int from_instance)
{
	__u32 hook = from_instance ? SIXPN_HOOK_FROM_INSTANCE : SIXPN_HOOK_TO_INSTANCE;
	__u32 ifindex = skb->ifindex;
	struct sixpn_iface *ifc;
	struct sixpn_pkt p;
	int reason;

	/* Fail closed: an interface that sixpn attached to but no longer
	 * describes has no prefix to check against. */
	ifc = bpf_map_lookup_elem(&ifaces, &ifindex);
	if (!ifc)
		return sixpn_tc_verdict(skb, hook, SIXPN_DROP_UNKNOWN_IFACE, SIXPN_L2_UNKNOWN);

	reason = sixpn_find_ipv6((void *)(long)skb->data, (void *)(long)skb->data_end,
				 ifc->l2_len, &p);
	if (reason == SIXPN_CONTINUE)
		reason = sixpn_instance_verdict(&p, ifc, from_instance);
	/* Flycast refines a same-network pass (docs/design.md section 7) */
	if (from_instance && reason == SIXPN_PASS && sixpn_fc_wants(&p))
		reason = sixpn_fc_from_instance(skb, ifc->l2_len);
	return sixpn_tc_verdict(skb, hook, reason, ifc->l2_len);
}

SEC("tc")
int sixpn_from_inst(struct __sk_buff *skb)
{
	return sixpn_instance_hook(skb, 1);
}

SEC("tc")
int sixpn_to_inst(struct __sk_buff *skb)
{
	return sixpn_instance_hook(skb, 0);
}

SEC("tc")
int sixpn_mesh_out(struct __sk_buff *skb)
{
	struct sixpn_pkt p;
	int reason;

	reason = sixpn_find_ipv6((void *)(long)skb->data, (void *)(long)skb->data_end,
				 0, &p);
	if (reason == SIXPN_CONTINUE && sixpn_fc_is_snat(sixpn_dst(&p))) {
		/* this host's ICMPv6 error about a Flycast flow (lib/flycast.h) */
		int act = sixpn_fc_mesh_out(skb);

		if (act >= 0) {
			sixpn_count(SIXPN_HOOK_MESH_OUT, SIXPN_PASS_FC_ICMP_ERROR, skb->len);
			return act;
		}
		if (act == -2)
			return sixpn_tc_verdict(skb, SIXPN_HOOK_MESH_OUT, SIXPN_DROP_NO_FLOW, 0);
		reason = sixpn_find_ipv6((void *)(long)skb->data, (void *)(long)skb->data_end,
					 0, &p);
	}
	if (reason == SIXPN_CONTINUE)
		reason = sixpn_mesh_swap(&p) ? SIXPN_PASS : SIXPN_PASS_NOT_6PN;
	else if (reason == SIXPN_DROP_NOT_IPV6)
		reason = SIXPN_PASS_NOT_6PN;
	return sixpn_tc_verdict(skb, SIXPN_HOOK_MESH_OUT, reason, 0);
}

SEC("tc")
int sixpn_mesh_in(struct __sk_buff *skb)
{
	struct sixpn_pkt p;
	int reason;

	reason = sixpn_find_ipv6((void *)(long)skb->data, (void *)(long)skb->data_end,
				 0, &p);
	if (reason == SIXPN_CONTINUE) {
		reason = sixpn_mesh_in_verdict(&p, sixpn_mesh_swap(&p));
		if (reason == SIXPN_PASS && sixpn_fc_wants(&p))
			reason = sixpn_fc_from_mesh(skb);
	} else if (reason == SIXPN_DROP_NOT_IPV6) {
		reason = SIXPN_PASS_NOT_6PN;
	}
	return sixpn_tc_verdict(skb, SIXPN_HOOK_MESH_IN, reason, 0);
}
