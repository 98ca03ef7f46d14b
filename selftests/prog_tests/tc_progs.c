// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Packet replay through BPF_PROG_TEST_RUN for the TC programs: isolation and
 * anti-spoofing on instance and peer interfaces, and the mesh swap. Each case
 * checks the verdict, the output bytes and the counter it must bump. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixtures.h"
#include "tc_case.h"
#include "sixpn_maps.h"
#include "packets.h"
#include "test_harness.h"
#include "datapath/stats.h"

TEST_HARNESS_DEFINE();

/* BPF_PROG_TEST_RUN runs TC programs on the loopback device. */


static const struct tc_case cases[] = {
	/* isolation from an instance */
	{ "from instance: same-network UDP across hosts passes", "inst_udp_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: same-network TCP passes", "inst_tcp_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: same-network UDP on the same host passes", "inst_udp_same_host", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: cross-network UDP is dropped", "inst_udp_cross_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_CROSS_NETWORK },
	{ "from instance: cross-network TCP is dropped", "inst_tcp_cross_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_CROSS_NETWORK },
	{ "from instance: UDP to fdaa::3 port 53 passes", "inst_dns_udp_global", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_DNS },
	{ "from instance: TCP to fdaa::3 port 53 passes", "inst_dns_tcp_global", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_DNS },
	{ "from instance: UDP to fdaa::3 port 54 is dropped", "inst_udp_global_dns_port_54", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: TCP to fdaa::3 port 22 is dropped", "inst_tcp_global_dns_port_22", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: ICMPv6 echo to fdaa::3 is dropped", "inst_ping_global_dns", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: a non-first fragment to fdaa::3 is dropped", "inst_dns_fragment_global", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: UDP 53 to its own network's ::3 passes", "inst_dns_udp_own_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_DNS },
	{ "from instance: UDP 53 to another network's ::3 is dropped", "inst_dns_udp_other_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_CROSS_NETWORK },
	{ "from instance: a neighbour's source address is dropped as spoofed", "inst_spoofed_src_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_SPOOFED_SRC },
	{ "from instance: another network's source address is dropped as spoofed", "inst_spoofed_src_other_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_SPOOFED_SRC },
	{ "from instance: a non-6PN destination is dropped", "inst_to_not_6pn", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_6PN },
	{ "from instance: IPv4 is dropped", "inst_ipv4", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_IPV6 },
	{ "from instance: ARP is dropped", "inst_arp", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_IPV6 },
	{ "from instance: a truncated extension header is dropped", "inst_truncated_ext_header", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: a truncated UDP header to fdaa::3 is dropped", "inst_truncated_udp_to_dns", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: a hop-by-hop header running past the packet is dropped", "inst_hop_by_hop_cut_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: an AH header running past the packet is dropped", "inst_ah_cut_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: a routing header running past the packet is dropped", "inst_routing_cut_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: a cut UDP header, same network, is dropped", "inst_udp_cut_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: a cut UDP header after hop-by-hop is dropped", "inst_udp_cut_after_hop_by_hop", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: a first fragment with a cut UDP header is dropped", "inst_udp_cut_first_fragment", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: a cut TCP header, same network, is dropped", "inst_tcp_cut_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: a cut ICMPv6 header, same network, is dropped", "inst_icmp_cut_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: ICMPv6 without even its type, same network, is dropped", "inst_icmp_no_type_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: a whole UDP header and no payload passes", "inst_udp_empty_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: an 8-byte ICMPv6 echo passes", "inst_icmp_echo_min_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: no next header and no payload passes", "inst_no_next_header_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: ESP, same network, passes", "inst_esp_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: a short non-first fragment, same network, passes", "inst_fragment_tail_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: an Ethernet header alone is dropped", "inst_only_ethernet", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_IPV6 },
	{ "from instance: garbage after an IPv6 ethertype is dropped", "inst_garbage_ipv6", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: IPv6 ethertype, version 7, same network, is dropped", "inst_version_7_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: IPv6 ethertype, version 4, same network, is dropped", "inst_version_4_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "from instance: neighbour solicitation from its address passes", "inst_ns_from_global", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_NDP },
	{ "from instance: neighbour solicitation from link-local passes", "inst_ns_from_link_local", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_NDP },
	{ "from instance: duplicate address detection from :: passes", "inst_ns_dad", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_NDP },
	{ "from instance: neighbour solicitation from ff02::1 is dropped as spoofed", "inst_ns_from_multicast", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_SPOOFED_SRC },
	{ "from instance: neighbour advertisement from a solicited-node address is dropped as spoofed", "inst_na_from_multicast", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_SPOOFED_SRC },
	{ "from instance: neighbour solicitation with hop limit 64 is not link control", "inst_ns_hop_limit_64", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_6PN },
	{ "from instance: link-local ND aimed at another network is dropped", "inst_ns_to_other_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_SPOOFED_SRC },
	{ "from instance: a routing header with segments left is dropped", "inst_routing_header", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_EXT_HDR },
	{ "from instance: hop-by-hop header, same network, passes", "inst_hop_by_hop_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: hop-by-hop header, cross network, is dropped", "inst_hop_by_hop_cross_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_CROSS_NETWORK },
	{ "from instance: hop-by-hop header before DNS to fdaa::3 passes", "inst_hop_by_hop_dns", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_DNS },
	{ "from instance: hop-by-hop, dest options, fragment and AH, same network, passes", "inst_four_ext_hdrs_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: four extension headers, cross network, is dropped", "inst_four_ext_hdrs_cross_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_CROSS_NETWORK },
	{ "from instance: four extension headers before DNS to fdaa::3 passes", "inst_four_ext_hdrs_dns", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_DNS },
	{ "from instance: four extension headers before UDP 54 to fdaa::3 is dropped", "inst_four_ext_hdrs_dns_port_54", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: RFC 8200's six extension headers before DNS to fdaa::3 passes", "inst_six_ext_hdrs_dns", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS_DNS },
	{ "from instance: six extension headers before TCP 22 to fdaa::3 is dropped", "inst_six_ext_hdrs_dns_tcp_22", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "from instance: six extension headers, same network, passes", "inst_six_ext_hdrs_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "from instance: seven extension headers are dropped", "inst_seven_ext_hdrs_same_net", FROM_INST, IF_INSTANCE_L2, SIXPN_DROP_EXT_HDR },
	{ "from instance: unknown interface fails closed", "inst_udp_same_net", FROM_INST, IF_MISSING, SIXPN_DROP_UNKNOWN_IFACE },
	/* isolation toward an instance */
	{ "to instance: same-network UDP passes", "to_inst_same_net", TO_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "to instance: cross-network UDP is dropped", "to_inst_cross_net", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_CROSS_NETWORK },
	{ "to instance: IPv6 ethertype, version 7, same network, is dropped", "to_inst_version_7_same_net", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "to instance: a hop-by-hop header running past the packet is dropped", "to_inst_hop_by_hop_cut_same_net", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "to instance: a cut UDP header, same network, is dropped", "to_inst_udp_cut_same_net", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "to instance: a cut ICMPv6 header, same network, is dropped", "to_inst_icmp_cut_same_net", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_MALFORMED },
	{ "to instance: a whole UDP header and no payload passes", "to_inst_udp_empty_same_net", TO_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "to instance: a non-6PN source is dropped", "to_inst_not_6pn", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_6PN },
	{ "to instance: a DNS reply from fdaa::3 port 53 passes", "to_inst_dns_reply", TO_INST, IF_INSTANCE_L2, SIXPN_PASS_DNS },
	{ "to instance: fdaa::3 from port 80 is dropped", "to_inst_dns_other_port", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "to instance: a destination outside its /112 is dropped", "to_inst_other_instance", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_UNKNOWN_DST },
	{ "to instance: Packet Too Big about its own packet passes", "to_inst_ptb_own_packet", TO_INST, IF_INSTANCE_L2, SIXPN_PASS_ICMP_ERROR },
	{ "to instance: Packet Too Big from fdaa::3 (the host's 6PN address) passes", "to_inst_ptb_from_dns_address", TO_INST, IF_INSTANCE_L2, SIXPN_PASS_ICMP_ERROR },
	{ "to instance: Packet Too Big quoting a foreign packet is dropped", "to_inst_ptb_foreign_packet", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_6PN },
	{ "to instance: unreachable from another network is dropped", "to_inst_unreach_cross_net", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_CROSS_NETWORK },
	{ "to instance: Packet Too Big quoting a non-6PN destination with its network's words is dropped", "to_inst_ptb_quote_not_6pn", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_6PN },
	{ "to instance: unreachable from another network quoting a non-6PN destination is dropped", "to_inst_unreach_quote_not_6pn_cross_net", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_CROSS_NETWORK },
	{ "to instance: Packet Too Big quoting its packet to another network is dropped", "to_inst_ptb_quote_other_net", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_6PN },
	{ "to instance: Packet Too Big quoting another source than its destination is dropped", "to_inst_ptb_quote_other_src", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_6PN },
	{ "to instance: Packet Too Big quoting a header that is not IPv6 is dropped", "to_inst_ptb_quote_not_ipv6", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_6PN },
	{ "to instance: Packet Too Big quoting a cut IPv6 header is dropped", "to_inst_ptb_quote_cut", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_6PN },
	{ "to instance: Packet Too Big for another instance is dropped", "to_inst_ptb_to_other_instance", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_UNKNOWN_DST },
	{ "to instance: port unreachable from fdaa::3 about its DNS query passes", "to_inst_unreach_quote_dns", TO_INST, IF_INSTANCE_L2, SIXPN_PASS_ICMP_ERROR },
	{ "to instance: four extension headers, same network, passes", "to_inst_four_ext_hdrs_same_net", TO_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "to instance: a DNS reply behind four extension headers passes", "to_inst_four_ext_hdrs_dns_reply", TO_INST, IF_INSTANCE_L2, SIXPN_PASS_DNS },
	{ "to instance: fdaa::3 from port 80 behind four extension headers is dropped", "to_inst_four_ext_hdrs_dns_port_80", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_DNS_PORT },
	{ "to instance: six extension headers, same network, passes", "to_inst_six_ext_hdrs_same_net", TO_INST, IF_INSTANCE_L2, SIXPN_PASS },
	{ "to instance: seven extension headers are dropped", "to_inst_seven_ext_hdrs_same_net", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_EXT_HDR },
	{ "to instance: neighbour advertisement from fe80::1 passes", "to_inst_na_from_gateway", TO_INST, IF_INSTANCE_L2, SIXPN_PASS_NDP },
	{ "to instance: neighbour solicitation from fe80::1 to its solicited-node address passes", "to_inst_ns_from_gateway", TO_INST, IF_INSTANCE_L2, SIXPN_PASS_NDP },
	{ "to instance: neighbour advertisement from ff02::1 is dropped", "to_inst_na_from_multicast", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_NOT_6PN },
	{ "to instance: neighbour solicitation from ff02::2 is dropped", "to_inst_ns_from_multicast", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_UNKNOWN_DST },
	{ "to instance: neighbour advertisement to :: is dropped", "to_inst_na_to_unspecified", TO_INST, IF_INSTANCE_L2, SIXPN_DROP_UNKNOWN_DST },
	{ "to instance: unknown interface fails closed", "to_inst_same_net", TO_INST, IF_MISSING, SIXPN_DROP_UNKNOWN_IFACE },
	/* a single WireGuard peer on an L3 device, /120 */
	{ "from peer (L3): same-network UDP passes", "peer_udp_same_net", FROM_INST, IF_PEER_L3, SIXPN_PASS },
	{ "from peer (L3): a neighbouring /120 is dropped as spoofed", "peer_spoofed_neighbour", FROM_INST, IF_PEER_L3, SIXPN_DROP_SPOOFED_SRC },
	{ "from peer (L3): UDP 53 to its network's ::3 passes", "peer_dns_own_net", FROM_INST, IF_PEER_L3, SIXPN_PASS_DNS },
	{ "from peer (L3): TCP 53 to its network's ::3 passes", "peer_dns_tcp_own_net", FROM_INST, IF_PEER_L3, SIXPN_PASS_DNS },
	{ "from peer (L3): cross-network UDP is dropped", "peer_cross_net", FROM_INST, IF_PEER_L3, SIXPN_DROP_CROSS_NETWORK },
	{ "from peer (L3): IPv4 is dropped", "peer_ipv4", FROM_INST, IF_PEER_L3, SIXPN_DROP_NOT_IPV6 },
	{ "from peer (L3): version 7 is not IPv6", "peer_version_7", FROM_INST, IF_PEER_L3, SIXPN_DROP_NOT_IPV6 },
	{ "from peer (L3): a truncated header is dropped", "peer_truncated", FROM_INST, IF_PEER_L3, SIXPN_DROP_MALFORMED },
	{ "from peer (L3): a cut UDP header is dropped", "peer_udp_cut", FROM_INST, IF_PEER_L3, SIXPN_DROP_MALFORMED },
	{ "to peer (L3): same-network UDP passes", "to_peer_same_net", TO_INST, IF_PEER_L3, SIXPN_PASS },
	{ "to peer (L3): cross-network UDP is dropped", "to_peer_cross_net", TO_INST, IF_PEER_L3, SIXPN_DROP_CROSS_NETWORK },
	{ "to peer (L3): Packet Too Big about its own packet passes", "to_peer_ptb_own_packet", TO_INST, IF_PEER_L3, SIXPN_PASS_ICMP_ERROR },
	{ "to peer (L3): Packet Too Big about another /120's packet is dropped", "to_peer_ptb_other_peers_packet", TO_INST, IF_PEER_L3, SIXPN_DROP_NOT_6PN },
	/* the shared peers device: who may send is in the `peers` map */
	{ "peers device: a registered peer's UDP passes", "peer_udp_same_net", FROM_INST, IF_PEERS_DEV_L3, SIXPN_PASS },
	{ "peers device: an unregistered /120 is dropped as spoofed", "peer_spoofed_neighbour", FROM_INST, IF_PEERS_DEV_L3, SIXPN_DROP_SPOOFED_SRC },
	{ "peers device: cross-network UDP is dropped", "peer_cross_net", FROM_INST, IF_PEERS_DEV_L3, SIXPN_DROP_CROSS_NETWORK },
	{ "peers device: to a registered peer, same network, passes", "to_peer_same_net", TO_INST, IF_PEERS_DEV_L3, SIXPN_PASS },
	{ "peers device: to a registered peer, cross network, is dropped", "to_peer_cross_net", TO_INST, IF_PEERS_DEV_L3, SIXPN_DROP_CROSS_NETWORK },
	{ "peers device: Packet Too Big about the peer's own packet passes", "to_peer_ptb_own_packet", TO_INST, IF_PEERS_DEV_L3, SIXPN_PASS_ICMP_ERROR },
	{ "peers device: Packet Too Big about another registered peer's packet is dropped", "to_peer_ptb_other_peers_packet", TO_INST, IF_PEERS_DEV_L3, SIXPN_DROP_NOT_6PN },
	/* the mesh swap */
	{ "mesh egress: UDP is rewritten to mesh form", "mesh_udp_6pn", MESH_OUT, IF_NONE, SIXPN_PASS, "mesh_udp_mesh" },
	{ "mesh egress: TCP with payload is rewritten to mesh form", "mesh_tcp_6pn", MESH_OUT, IF_NONE, SIXPN_PASS, "mesh_tcp_mesh" },
	{ "mesh egress: ICMPv6 is rewritten to mesh form", "mesh_icmp_6pn", MESH_OUT, IF_NONE, SIXPN_PASS, "mesh_icmp_mesh" },
	{ "mesh egress: non-6PN IPv6 passes untouched", "mesh_not_6pn", MESH_OUT, IF_NONE, SIXPN_PASS_NOT_6PN },
	{ "mesh egress: IPv4 passes untouched", "mesh_ipv4", MESH_OUT, IF_NONE, SIXPN_PASS_NOT_6PN },
	{ "mesh ingress: UDP is swapped back to 6PN form", "mesh_udp_mesh", MESH_IN, IF_NONE, SIXPN_PASS, "mesh_udp_6pn" },
	{ "mesh ingress: TCP is swapped back to 6PN form", "mesh_tcp_mesh", MESH_IN, IF_NONE, SIXPN_PASS, "mesh_tcp_6pn" },
	{ "mesh ingress: ICMPv6 is swapped back to 6PN form", "mesh_icmp_mesh", MESH_IN, IF_NONE, SIXPN_PASS, "mesh_icmp_6pn" },
	{ "mesh ingress: cross-network traffic is dropped", "mesh_cross_net_mesh", MESH_IN, IF_NONE, SIXPN_DROP_CROSS_NETWORK },
	{ "mesh ingress: traffic within reserved network 0 is dropped", "mesh_net0_mesh", MESH_IN, IF_NONE, SIXPN_DROP_CROSS_NETWORK },
	{ "mesh ingress: 6PN to non-6PN is dropped", "mesh_mixed_mesh", MESH_IN, IF_NONE, SIXPN_DROP_NOT_6PN },
	{ "mesh ingress: non-6PN IPv6 passes untouched", "mesh_not_6pn", MESH_IN, IF_NONE, SIXPN_PASS_NOT_6PN },
	{ "mesh ingress: IPv4 passes untouched", "mesh_ipv4", MESH_IN, IF_NONE, SIXPN_PASS_NOT_6PN },
	{ "mesh ingress: a truncated header is dropped", "mesh_truncated", MESH_IN, IF_NONE, SIXPN_DROP_MALFORMED },
};

static struct sixpn_tc *skel;

/* Egress then ingress gives back the original bytes, with a valid checksum
 * in mesh form on the way. */
static void test_swap_round_trip(const char *name)
{
	const struct test_packet *orig = packet(name);
	__u8 mid[4096], back[4096];
	__u32 mid_len = sizeof(mid), back_len = sizeof(back), retval;

	CHECK_EQ(ipv6_l4_checksum_residue(orig->data, orig->len), 0,
		 "round trip %s: checksum of the 6PN packet is valid", name);
	tc_prog_run(skel, MESH_OUT, orig->data, orig->len, mid, &mid_len, &retval);
	CHECK_EQ(ipv6_l4_checksum_residue(mid, mid_len), 0,
		 "round trip %s: checksum is still valid in mesh form", name);
	CHECK(mid_len == orig->len && memcmp(mid, orig->data, orig->len),
	      "round trip %s: mesh form differs from the 6PN form", name);
	tc_prog_run(skel, MESH_IN, mid, mid_len, back, &back_len, &retval);
	CHECK(back_len == orig->len && !memcmp(back, orig->data, orig->len),
	      "round trip %s: egress then ingress gives back the original bytes", name);
}

/* Slots 1 and 3 of gateway instance 0xf, as PEER and PEER_OTHER in
 * gen_packets.py; slot 2 stays unregistered. */
static int add_registered_peer(__u16 slot)
{
	struct sixpn_lpm_key key = { .prefixlen = 120 };
	struct sixpn_peer peer = { .net_id = FX_NET_A };

	sixpn_compose(&key.addr, FX_NET_A, FX_HOST1, FX_GATEWAY, slot << 8);
	return bpf_map_update_elem(bpf_map__fd(skel->maps.peers), &key, &peer, BPF_ANY);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "build/selftests/packets.txt";
	size_t i;

	skel = tc_skel_setup(path);
	if (!skel)
		return 2;
	CHECK_EQ(add_registered_peer(1), 0, "peers map takes a /120");
	CHECK_EQ(add_registered_peer(3), 0, "peers map takes a second /120");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tc_run_case(skel, &cases[i]);
	test_swap_round_trip("mesh_udp_6pn");
	test_swap_round_trip("mesh_tcp_6pn");
	test_swap_round_trip("mesh_icmp_6pn");

	sixpn_tc__destroy(skel);
	return test_summary("tc_progs");
}
