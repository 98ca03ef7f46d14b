/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Isolation ("don't cross the streams") and anti-spoofing decisions for the
 * interfaces that face an instance or a WireGuard peer. Each function returns
 * an enum sixpn_reason; the caller counts it and drops exactly the DROP_ ones. */
#ifndef SIXPN_LIB_POLICY_H
#define SIXPN_LIB_POLICY_H

#include "ipv6.h"
#include "service.h"
#include "sixpn_maps.bpf.h"

#define ICMPV6_ERROR_MAX_TYPE   4   /* 1..4: unreachable, too big, time exceeded, parameter problem */
#define ICMPV6_MLD_QUERY        130
#define ICMPV6_MLD_DONE         132
#define ICMPV6_ND_FIRST         133 /* router solicitation */
#define ICMPV6_ND_LAST          137 /* redirect */
#define ICMPV6_MLD2_REPORT      143

/* Which network an address on this interface belongs to, if the interface
 * owns it: its delegated prefix for an instance or single peer, a peer's /120
 * from the `peers` map on the shared peers device. 0 when not owned. */
static __always_inline __u32 sixpn_owner_net(const struct sixpn_ifview *ifc,
					     const struct sixpn_ip6 *a)
{
	if (ifc->role == SIXPN_ROLE_PEERS_DEV) {
		struct sixpn_lpm_key key = { .prefixlen = 128, .addr = *a };
		struct sixpn_peer *peer = bpf_map_lookup_elem(&peers, &key);

		return peer ? peer->net_id : 0;
	}
	if (sixpn_in_masked(a, &ifc->prefix, &ifc->mask))
		return ifc->net_id;
	return 0;
}

static __always_inline int sixpn_icmp6_type(const struct sixpn_pkt *p)
{
	struct icmp6hdr *icmp = p->l4;

	if (!icmp || p->proto != IPPROTO_ICMPV6 || (void *)(icmp + 1) > p->data_end)
		return -1;
	return icmp->icmp6_type;
}

/* Neighbour discovery and MLD keep the link itself working. They are only
 * accepted in the form that cannot have been forwarded (hop limit 255 for ND,
 * 1 for MLD) and between the instance and link scope, so they cannot carry
 * traffic across networks. The instance's side may be link-local or its own
 * prefix, and :: as a source (duplicate address detection) or ff02::/16 as a
 * destination (its solicited-node address); the host's side is link-local,
 * or ff02::/16 as a destination. No source is multicast, no destination
 * unspecified (RFC 4291 2.7, 2.5.2). */
static __always_inline int sixpn_is_link_control(const struct sixpn_pkt *p,
						 const struct sixpn_ifview *ifc,
						 int from_instance)
{
	int type = sixpn_icmp6_type(p);
	const struct sixpn_ip6 *src = sixpn_src(p), *dst = sixpn_dst(p);

	if (type >= ICMPV6_ND_FIRST && type <= ICMPV6_ND_LAST) {
		if (p->ip6->hop_limit != 255)
			return 0;
		if (from_instance)
			return (sixpn_is_link_local(src) || sixpn_is_unspecified(src) ||
				sixpn_owner_net(ifc, src)) &&
			       (sixpn_is_link_local(dst) || sixpn_is_link_multicast(dst));
		return sixpn_is_link_local(src) &&
		       (sixpn_is_link_local(dst) || sixpn_is_link_multicast(dst) ||
			sixpn_owner_net(ifc, dst));
	}
	if ((type >= ICMPV6_MLD_QUERY && type <= ICMPV6_MLD_DONE) ||
	    type == ICMPV6_MLD2_REPORT) {
		if (p->ip6->hop_limit != 1)
			return 0;
		return (sixpn_is_link_local(src) || sixpn_is_unspecified(src)) &&
		       sixpn_is_link_multicast(dst);
	}
	return 0;
}

/* An ICMPv6 error the host sends about a packet the instance itself sent,
 * such as Packet Too Big from the smaller mesh MTU: path MTU discovery needs
 * it. Its outer source is not checked, so the quote is all that keeps the
 * door shut: it must be an IPv6 header from the very address the error goes
 * to (RFC 4443 sends an error to the offending packet's source) toward a
 * 6PN address of the same network or fdaa::3. Network ID words alone are
 * not enough; anyone can write them under another prefix. */
static __always_inline int sixpn_is_own_icmp_error(const struct sixpn_pkt *p,
						   __u32 net)
{
	int type = sixpn_icmp6_type(p);
	struct sixpn_ip6 *qsrc, *qdst;
	struct ipv6hdr *inner;

	if (type < 1 || type > ICMPV6_ERROR_MAX_TYPE)
		return 0;
	inner = p->l4 + sizeof(struct icmp6hdr);
	if ((void *)(inner + 1) > p->data_end)
		return 0;
	if (sixpn_ip6_version(inner) != 6)
		return 0;
	qsrc = (struct sixpn_ip6 *)&inner->saddr;
	qdst = (struct sixpn_ip6 *)&inner->daddr;
	if (!sixpn_ip6_equal(qsrc, sixpn_dst(p)))
		return 0;
	return (sixpn_is_6pn(qdst) && sixpn_net_id(qdst) == net) ||
	       sixpn_is_global_dns(qdst);
}

/* The other end of a packet whose own end is in network `net`: the service
 * address (fdaa::3 or the network's <prefix>::3), else same-network 6PN.
 * The same tests as sixpn_is_global_dns(), sixpn_is_net_dns(),
 * sixpn_is_6pn() and sixpn_net_id() in that order, on the address's two
 * 64-bit halves loaded once (unaligned, as sixpn_in_masked() loads them)
 * against constants in network byte order: fdaa:NET:0 is the upper half
 * of both <prefix>::3 and, masked past NET, of every address of `net`. */
static __always_inline int sixpn_other_verdict(const struct sixpn_pkt *p,
					       const struct sixpn_ip6 *other, __u32 net,
					       int from_instance)
{
	const __u64 *a = (const __u64 *)other->w;
	__u64 hi = a[0], lo = a[1];
	__u64 ula = bpf_cpu_to_be64((__u64)SIXPN_ULA_WORD << 48);
	__u64 net_hi = bpf_cpu_to_be64((__u64)SIXPN_ULA_WORD << 48 | (__u64)net << 16);

	if (lo == bpf_cpu_to_be64(SIXPN_DNS_FREE_WORD) && (hi == ula || hi == net_hi))
		return sixpn_service_verdict(p, from_instance ? sixpn_dport(p) : sixpn_sport(p));
	if ((hi & bpf_cpu_to_be64(0xffffULL << 48)) != ula)
		return SIXPN_DROP_NOT_6PN;
	if ((hi & bpf_cpu_to_be64(~0xffffULL)) != net_hi)
		return SIXPN_DROP_CROSS_NETWORK;
	return SIXPN_PASS;
}

/* A packet from an instance or peer (from_instance), or one the host is
 * about to deliver to it, after its IPv6 header was found: the interface
 * must own the instance's end, and the other end is judged. */
static __always_inline int sixpn_instance_verdict(struct sixpn_pkt *p,
						  const struct sixpn_ifview *ifc,
						  int from_instance)
{
	struct sixpn_ip6 *mine = from_instance ? sixpn_src(p) : sixpn_dst(p);
	struct sixpn_ip6 *other = from_instance ? sixpn_dst(p) : sixpn_src(p);
	__u32 net;
	int ret;

	ret = sixpn_find_l4(p);
	if (ret != SIXPN_CONTINUE)
		return ret;
	if (sixpn_is_link_control(p, ifc, from_instance))
		return SIXPN_PASS_NDP;
	net = sixpn_owner_net(ifc, mine);
	if (!net)
		return from_instance ? SIXPN_DROP_SPOOFED_SRC : SIXPN_DROP_UNKNOWN_DST;
	/* Before the DNS rule: the host's errors may well come from fdaa::3,
	 * its only 6PN address. */
	if (!from_instance && sixpn_is_own_icmp_error(p, net))
		return SIXPN_PASS_ICMP_ERROR;
	return sixpn_other_verdict(p, other, net, from_instance);
}

#endif
