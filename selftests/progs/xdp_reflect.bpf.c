// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The baseline the DNS fast path is measured against: an XDP program that
 * only turns a DNS query around (swaps the Ethernet, IPv6 and UDP addresses
 * and ports, sets QR, patches the checksum for it) and sends it back. It
 * parses no name and looks nothing up: what the fast path costs on top of
 * this is the price of answering. Either port may be 53, so that
 * BPF_PROG_TEST_RUN, which repeats on the same buffer, turns the packet
 * around on every repetition. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lib/common.h"
#include "reflect.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define DNS_FLAGS_QR 0x8000

SEC("xdp")
int xdp_reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip6 + 1);
	__be16 *flags = (void *)(udp + 1) + 2;
	__u32 sum;
	__u16 old;

	if ((void *)(flags + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IPV6) ||
	    ip6->nexthdr != IPPROTO_UDP ||
	    (udp->dest != bpf_htons(DNS_PORT) && udp->source != bpf_htons(DNS_PORT)))
		return XDP_PASS;
	sixpn_reflect_eth(eth);
	sixpn_reflect_ip6(ip6);
	sixpn_reflect_udp(udp);
	old = bpf_ntohs(*flags);
	*flags = bpf_htons(old | DNS_FLAGS_QR);
	/* RFC 1624: HC' = ~(~HC + ~m + m') */
	sum = (__u16)~bpf_ntohs(udp->check) + (__u16)~old + (old | DNS_FLAGS_QR);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	udp->check = bpf_htons((__u16)~sum);
	return XDP_TX;
}
