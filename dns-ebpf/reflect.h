/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Turning a packet around for XDP_TX: swap the link, network and transport
 * addresses. Swapping the IPv6 addresses and the ports permutes words of
 * the pseudo-header and header, so alone it leaves the UDP checksum valid. */
#ifndef SIXPN_DNS_REFLECT_H
#define SIXPN_DNS_REFLECT_H

#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif

#include "swar.h"

/* The two 6-byte addresses trade places in one 8-byte and one 4-byte load
 * and store each (memcpy of the 2-byte-aligned fields is three halfword
 * copies apiece for BPF). */
static __always_inline void sixpn_reflect_eth(struct ethhdr *eth)
{
	__u64 a = swar_load(eth), dst, src;
	__u32 b = swar_load32((__u8 *)eth + 8);

	dst = a & 0xffffffffffffULL;           /* bytes 0..5 */
	src = a >> 48 | (__u64)b << 16;        /* bytes 6..11 */
	swar_store(eth, src | dst << 48);
	swar_store32((__u8 *)eth + 8, (__u32)(dst >> 16));
}

static __always_inline void sixpn_reflect_ip6(struct ipv6hdr *ip6)
{
	__u8 *s = (__u8 *)&ip6->saddr, *d = (__u8 *)&ip6->daddr;
	__u64 s0 = swar_load(s), s1 = swar_load(s + 8);

	swar_store(s, swar_load(d));
	swar_store(s + 8, swar_load(d + 8));
	swar_store(d, s0);
	swar_store(d + 8, s1);
}

static __always_inline void sixpn_reflect_udp(struct udphdr *udp)
{
	__be16 tmp = udp->source;

	udp->source = udp->dest;
	udp->dest = tmp;
}

#endif
