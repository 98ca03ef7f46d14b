/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The XDP DNS fast path: UDP to fdaa::3 port 53 from an instance
 * is answered from the names map when the answer is AAAA, NODATA or
 * NXDOMAIN; everything else passes to the stack untouched, where TC ingress
 * applies isolation and sixpnd's resolver answers, unless it is bound for
 * the resolver and over its asker's pass-up budget (passup.h): dropped. Every outcome is counted
 * under SIXPN_HOOK_XDP_DNS. Written for Linux 6.1: helpers only (no kfuncs),
 * bounded loops. */
#ifndef SIXPN_DNS_FASTPATH_H
#define SIXPN_DNS_FASTPATH_H

#define SIXPN_WANT_DNS_MAPS
#include "lib/common.h"
#include "lib/stats.h"
#include "lib/ipv6.h"
#include "lib/policy.h"
#include "lib/iface.h"
#include "parse.h"
#include "lookup.h"
#include "answer.h"
#include "passup.h"

/* Per-CPU room for the parsed query and the parent's key. Kept out of the
 * stack on purpose: stack bytes are tracked one by one by the verifier, and
 * names of every length would leave it a different stack to check the rest
 * of the program against, once per length. */
struct sixpn_dns_scratch {
	struct sixpn_dns_query q;
	struct sixpn_dns_value v;       /* the name's entry, copied out of the table */
	struct sixpn_dns_value parent;  /* its parent's, or the quota marker's */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sixpn_dns_scratch);
} dns_scratch SEC(".maps");

/* The network a question comes from: the source must lie in what the
 * ingress interface was delegated, since DNS trusts it to pick the network.
 * 0 when the interface is not an instance/peer one or the source is foreign
 * (TC ingress drops and counts those). */
static __always_inline __u32 sixpn_dns_asker_net(const struct sixpn_ifview *ifc,
						 const struct sixpn_ip6 *src)
{
	if (!ifc)
		return 0;
	if (ifc->role != SIXPN_ROLE_INSTANCE && ifc->role != SIXPN_ROLE_PEER &&
	    ifc->role != SIXPN_ROLE_PEERS_DEV)
		return 0;
	return sixpn_owner_net(ifc, src);
}

static __always_inline int sixpn_dns_fastpath(struct xdp_md *ctx, __u32 rotor)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data, ifindex = ctx->ingress_ifindex, zero = 0, l2_len;
	const struct sixpn_dns_value *entry = NULL;
	const struct sixpn_dns_config *cfg;
	const union sixpn_dns_cell *hdr;
	struct sixpn_dns_scratch *scratch;
	struct sixpn_dns_query *q;
	struct sixpn_ifview ifc_view, *ifc = NULL;
	struct sixpn_pkt p;
	struct udphdr *udp;
	__u32 udp_len, net_id;
	int reason, limited;

	/* Instance interfaces are Ethernet; an unknown one is assumed to be,
	 * only to tell DNS from the rest in the counters. */
	if (sixpn_iface_find(ifindex, &ifc_view))
		ifc = &ifc_view;
	l2_len = (!ifc || ifc->l2_len) ? ETH_HLEN : 0;
	/* sixpn_find_ipv6 refuses a version nibble that is not 6 (the
	 * ethertype alone does not make IPv6). */
	if (sixpn_find_ipv6(data, data_end, l2_len, &p) != SIXPN_CONTINUE ||
	    p.ip6->nexthdr != IPPROTO_UDP) {
		reason = SIXPN_DNS_PASS_NOT_DNS;
		goto pass;
	}
	udp = (void *)(p.ip6 + 1);
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(DNS_PORT) ||
	    !sixpn_is_global_dns(sixpn_dst(&p))) {
		reason = SIXPN_DNS_PASS_NOT_DNS;
		goto pass;
	}

	net_id = sixpn_dns_asker_net(ifc, sixpn_src(&p));
	if (!net_id) {
		reason = SIXPN_DNS_PASS_SPOOFED;
		goto pass;
	}
	cfg = bpf_map_lookup_elem(&dns_config, &zero);
	scratch = bpf_map_lookup_elem(&dns_scratch, &zero);
	/* Cell 0 of the names table: its seed and size, once set up. */
	hdr = bpf_map_lookup_elem(&dns_names, &zero);
	if (!cfg || !cfg->enabled || !scratch || !hdr || hdr->hdr.magic != SIXPN_DNS_TABLE_MAGIC) {
		reason = SIXPN_DNS_PASS_UNSUPPORTED;
		goto pass;
	}
	q = &scratch->q;
	__builtin_memset(q, 0, sizeof(*q));
	q->net_id = net_id;

	/* The UDP length must be the IPv6 payload and lie in the packet. */
	udp_len = bpf_ntohs(udp->len);
	/* Linux 6.1's verifier forgets a value's bounds across a byte swap,
	 * and clang drops a check it knows to be true: hide the value from
	 * clang so that the bound below stays for the verifier. */
	asm volatile("" : "+r"(udp_len));
	if (udp_len != bpf_ntohs(p.ip6->payload_len) || udp_len < sizeof(*udp) ||
	    udp_len > 0xffff || (void *)udp + udp_len > data_end) {
		reason = SIXPN_DNS_PASS_MALFORMED;
		goto passup;
	}
	/* Source port 0: the sender wants no reply (RFC 768). */
	if (!udp->source) {
		reason = SIXPN_DNS_PASS_UNSUPPORTED;
		goto passup;
	}
	reason = sixpn_dns_parse(q, ctx, l2_len + sizeof(struct ipv6hdr) + sizeof(*udp),
				 (void *)(udp + 1), udp_len - sizeof(*udp), data_end, hdr->hdr.seed);
	if (reason != SIXPN_CONTINUE)
		goto passup;
	reason = sixpn_dns_decide(ctx, q, &hdr->hdr, &scratch->v, &scratch->parent, &entry);
	if (sixpn_reason_class(reason) != SIXPN_CLASS_ANSWER)
		goto passup;

	switch (sixpn_dns_answer(ctx, l2_len, q, entry, reason, cfg, rotor)) {
	case SIXPN_DNS_SENT:
		sixpn_count(SIXPN_HOOK_XDP_DNS, reason, len);
		return XDP_TX;
	case SIXPN_DNS_BROKEN:
		return XDP_ABORTED;
	default:
		reason = SIXPN_DNS_PASS_TOO_BIG;
	}
passup:
	/* Bound for the resolver, which every network shares: within budget. */
	limited = sixpn_dns_passup_budget(ctx, l2_len, ifc, cfg);
	if (limited != SIXPN_CONTINUE) {
		sixpn_count(SIXPN_HOOK_XDP_DNS, limited, len);
		return XDP_DROP;
	}
pass:
	sixpn_count(SIXPN_HOOK_XDP_DNS, reason, len);
	return XDP_PASS;
}

#endif
