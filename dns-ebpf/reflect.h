/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Turning a packet around for XDP_TX: swap the link, network and transport
 * addresses. Swapping the IPv6 addresses and the ports permutes words of
 * the pseudo-header and header, so alone it leaves the UDP checksum valid. */
#ifndef SIXPN_DNS_REFLECT_H
#define SIXPN_DNS_REFLECT_H

#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif

static __always_inline void sixpn_reflect_eth(struct ethhdr *eth)
{
	unsigned char tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __always_inline void sixpn_reflect_ip6(struct ipv6hdr *ip6)
{
	struct in6_addr tmp = ip6->saddr;

	ip6->saddr = ip6->daddr;
	ip6->daddr = tmp;
}

static __always_inline void sixpn_reflect_udp(struct udphdr *udp)
{
	__be16 tmp = udp->source;

	udp->source = udp->dest;
	udp->dest = tmp;
}

#endif
