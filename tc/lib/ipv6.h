/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Bounded IPv6 parsing down to the transport header. */
#ifndef SIXPN_LIB_IPV6_H
#define SIXPN_LIB_IPV6_H

#include "common.h"
#include "sixpn_maps.h"

/* RFC 8200's full chain (section 4.1): hop-by-hop, destination options,
 * routing, fragment, AH, destination options. ESP ends the walk like a
 * transport: what follows it is encrypted. */
#define SIXPN_MAX_EXT_HDRS 6

struct sixpn_pkt {
	struct ipv6hdr *ip6;
	void *l4;        /* transport header, NULL when not in this packet */
	void *data_end;
	__u8 proto;      /* final next header */
};

static __always_inline struct sixpn_ip6 *sixpn_src(const struct sixpn_pkt *p)
{
	return (struct sixpn_ip6 *)&p->ip6->saddr;
}

static __always_inline struct sixpn_ip6 *sixpn_dst(const struct sixpn_pkt *p)
{
	return (struct sixpn_ip6 *)&p->ip6->daddr;
}

static __always_inline __u8 sixpn_ip6_version(const void *ip6)
{
	return *(const __u8 *)ip6 >> 4;
}

/* Finds the IPv6 header after `l2_len` bytes of link header (14 on Ethernet,
 * 0 on L3 devices). On an L3 device the version nibble is what tells IPv6
 * from IPv4; after an IPv6 ethertype a version that is not 6 is a broken
 * header, which the stack would drop and no rule here should read.
 * Returns SIXPN_CONTINUE when it is there, else the drop reason. */
static __always_inline int sixpn_find_ipv6(void *data, void *data_end,
					   __u32 l2_len, struct sixpn_pkt *p)
{
	struct ipv6hdr *ip6;

	if (l2_len) {
		struct ethhdr *eth = data;

		if ((void *)(eth + 1) > data_end)
			return SIXPN_DROP_MALFORMED;
		if (eth->h_proto != bpf_htons(ETH_P_IPV6))
			return SIXPN_DROP_NOT_IPV6;
		ip6 = (void *)(eth + 1);
	} else {
		ip6 = data;
		if ((void *)ip6 + 1 > data_end)
			return SIXPN_DROP_MALFORMED;
		if (sixpn_ip6_version(ip6) != 6)
			return SIXPN_DROP_NOT_IPV6;
	}
	if ((void *)(ip6 + 1) > data_end)
		return SIXPN_DROP_MALFORMED;
	if (sixpn_ip6_version(ip6) != 6) /* only after the ethertype */
		return SIXPN_DROP_MALFORMED;
	p->ip6 = ip6;
	p->data_end = data_end;
	return SIXPN_CONTINUE;
}

static __always_inline int sixpn_is_ext_hdr(__u8 next)
{
	return next == IPPROTO_HOPOPTS || next == IPPROTO_DSTOPTS ||
	       next == IPPROTO_ROUTING || next == IPPROTO_FRAGMENT ||
	       next == IPPROTO_AH;
}

/* The fixed header of the transports whose fields a verdict reads (ports,
 * the ICMPv6 type) and that the stack itself refuses when cut short; 0 for
 * the rest, where nothing after the extension headers is read. */
static __always_inline __u32 sixpn_l4_min_len(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return sizeof(struct tcphdr);
	case IPPROTO_UDP:
		return sizeof(struct udphdr);
	case IPPROTO_ICMPV6:
		return sizeof(struct icmp6hdr);
	}
	return 0;
}

/* Walks the extension headers to the transport header, at most
 * SIXPN_MAX_EXT_HDRS of them: the loop runs once more than that to look at
 * the next header after the last one. Every header must lie whole in the
 * packet, and so must the transport's fixed header: a verdict reached on
 * bytes that are not there would be a guess. A routing header that still
 * has segments to visit would send the packet on to an address that no
 * isolation check saw, so it is refused. A non-first fragment has no
 * transport header: l4 stays NULL. Returns SIXPN_CONTINUE or a drop reason. */
static __always_inline int sixpn_find_l4(struct sixpn_pkt *p)
{
	void *cur = p->ip6 + 1;
	__u8 next = p->ip6->nexthdr;
	__u32 len;
	int i;

	p->l4 = NULL;
#pragma unroll
	for (i = 0; i <= SIXPN_MAX_EXT_HDRS; i++) {
		struct ipv6_opt_hdr *opt = cur;

		if (!sixpn_is_ext_hdr(next)) {
			if (cur + sixpn_l4_min_len(next) > p->data_end)
				return SIXPN_DROP_MALFORMED;
			p->proto = next;
			p->l4 = cur;
			return SIXPN_CONTINUE;
		}
		if (i == SIXPN_MAX_EXT_HDRS)
			break;
		if ((void *)(opt + 1) > p->data_end)
			return SIXPN_DROP_MALFORMED;
		if (next == IPPROTO_FRAGMENT) {
			struct frag_hdr *frag = cur;

			if ((void *)(frag + 1) > p->data_end)
				return SIXPN_DROP_MALFORMED;
			next = frag->nexthdr;
			if (frag->frag_off & bpf_htons(IP6_OFFSET_MASK)) {
				p->proto = next;
				return SIXPN_CONTINUE;
			}
			cur = frag + 1;
			continue;
		}
		if (next == IPPROTO_ROUTING) {
			struct ipv6_rt_hdr *rt = cur;

			if ((void *)(rt + 1) > p->data_end)
				return SIXPN_DROP_MALFORMED;
			if (rt->segments_left)
				return SIXPN_DROP_EXT_HDR;
		}
		if (next == IPPROTO_AH)
			len = ((__u32)opt->hdrlen + 2) << 2;
		else
			len = ((__u32)opt->hdrlen + 1) << 3;
		if (cur + len > p->data_end)
			return SIXPN_DROP_MALFORMED;
		cur += len;
		next = opt->nexthdr;
	}
	return SIXPN_DROP_EXT_HDR;
}

/* Port `which` (0: source, 1: destination) of TCP/UDP, 0 when there is
 * none to read. */
static __always_inline __u16 sixpn_port(const struct sixpn_pkt *p, int which)
{
	__be16 *ports = p->l4;

	if (!ports || (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP))
		return 0;
	if ((void *)(ports + 2) > p->data_end)
		return 0;
	return bpf_ntohs(ports[which]);
}

static __always_inline __u16 sixpn_sport(const struct sixpn_pkt *p)
{
	return sixpn_port(p, 0);
}

static __always_inline __u16 sixpn_dport(const struct sixpn_pkt *p)
{
	return sixpn_port(p, 1);
}

static __always_inline int sixpn_is_link_local(const struct sixpn_ip6 *a)
{
	return (a->w[0] & bpf_htons(0xffc0)) == bpf_htons(0xfe80);
}

static __always_inline int sixpn_is_link_multicast(const struct sixpn_ip6 *a)
{
	return a->w[0] == bpf_htons(0xff02);
}

static __always_inline int sixpn_ip6_equal(const struct sixpn_ip6 *a,
					   const struct sixpn_ip6 *b)
{
	return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) |
		(a->w[3] ^ b->w[3]) | (a->w[4] ^ b->w[4]) | (a->w[5] ^ b->w[5]) |
		(a->w[6] ^ b->w[6]) | (a->w[7] ^ b->w[7])) == 0;
}

static __always_inline int sixpn_is_unspecified(const struct sixpn_ip6 *a)
{
	return (a->w[0] | a->w[1] | a->w[2] | a->w[3] | a->w[4] | a->w[5] |
		a->w[6] | a->w[7]) == 0;
}

#endif
