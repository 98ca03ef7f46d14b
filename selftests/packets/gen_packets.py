#!/usr/bin/python3
"""Builds the packets the packet-replay selftests feed to the BPF programs.

Prints one line per packet, `name hex`. The C tests look packets up by name
and own the assertions; this file only says what each packet is. Mesh-form
packets are built here from scratch with the swapped addresses, so scapy, not
the program under test, computes their checksums: a swap that broke a
checksum, or swapped the wrong words, cannot produce the same bytes.
"""
from scapy.all import (ARP, ICMPv6DestUnreach, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6PacketTooBig, IP,
                       IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, TCP, UDP, Ether,
                       Raw)
from scapy.layers.ipsec import AH

from fixtures import (GATEWAY, HOST1, HOST2, INST_ADDR, NET_A, NET_B,  # noqa: E402
                      REMOTE_B_ADDR, addr, write_packets)


def mesh(a):
    """The mesh form of a 6PN address: network and host words swapped."""
    w = [int(x, 16) for x in expand(a).split(":")]
    w[1], w[2], w[3], w[4] = w[3], w[4], w[1], w[2]
    return ":".join("%x" % x for x in w)


def expand(a):
    import ipaddress
    return ipaddress.IPv6Address(a).exploded


INST = INST_ADDR                           # the instance under test, /112
INST_OTHER = addr(NET_A, HOST1, 0xB, 2)    # a neighbour in the same network
REMOTE_A = addr(NET_A, HOST2, 0xB, 2)      # same network, other host
REMOTE_B = REMOTE_B_ADDR                   # other network
DNS = "fdaa::3"
DNS_A = addr(NET_A, 0, 0, 3)
DNS_B = addr(NET_B, 0, 0, 3)
PEER = addr(NET_A, HOST1, GATEWAY, 0x0102)     # slot 1 of gateway instance 0xf: /120
PEER_NEIGHBOUR = addr(NET_A, HOST1, GATEWAY, 0x0202)  # slot 2: another peer's /120
PEER_OTHER = addr(NET_A, HOST1, GATEWAY, 0x0302)  # slot 3: another registered peer
# Network A's words 1-2 under a prefix that is not fdaa::/16.
NOT_6PN_NET_A = addr(NET_A, HOST2, 0xB, 2, ula=0xFD00)
HOST_UNDERLAY = "2001:db8::1"
ETH = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")


def l2(pkt):
    return bytes(ETH / pkt)


def l3(pkt):
    return bytes(pkt)


def udp(src, dst, dport=4000, sport=3333, payload=b"sixpn-udp"):
    return IPv6(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(payload)


def tcp(src, dst, dport=8080, sport=40000):
    return IPv6(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags="S", seq=1)


def ptb(dst, quoted, src=HOST_UNDERLAY):
    """Packet Too Big toward dst, by default from the host's underlay address
    (the mesh MTU is the host's), quoting the bytes of `quoted`."""
    return IPv6(src=src, dst=dst) / ICMPv6PacketTooBig(mtu=1420) / bytes(quoted)


def unreach(src, dst, quoted, code=0):
    """Destination Unreachable from src to dst, quoting the bytes of `quoted`."""
    return IPv6(src=src, dst=dst) / ICMPv6DestUnreach(code=code) / bytes(quoted)


# Extension header chains: the audit's four (issue 11), RFC 8200's full
# order (section 4.1) of six, and one too many.
CHAIN_4 = ["hop", "dst", "frag", "ah"]
CHAIN_6 = ["hop", "dst", "rt", "frag", "ah", "dst"]
CHAIN_7 = CHAIN_6 + ["dst"]
EXT_NH = {"hop": 0, "dst": 60, "rt": 43, "frag": 44, "ah": 51}


def ext_chain(src, dst, chain, l4, proto=17):
    """IPv6 with the extension headers named in `chain` before l4; `proto`
    is l4's protocol number, which scapy cannot guess behind AH."""
    pkt = IPv6(src=src, dst=dst)
    for i, kind in enumerate(chain):
        nh = EXT_NH[chain[i + 1]] if i + 1 < len(chain) else proto
        if kind == "hop":
            pkt = pkt / IPv6ExtHdrHopByHop(nh=nh)
        elif kind == "dst":
            pkt = pkt / IPv6ExtHdrDestOpt(nh=nh)
        elif kind == "rt":
            pkt = pkt / IPv6ExtHdrRouting(nh=nh, segleft=0)
        elif kind == "frag":
            pkt = pkt / IPv6ExtHdrFragment(nh=nh, offset=0, m=0, id=7)
        else:
            # 24 bytes: (24 / 4) - 2.
            pkt = pkt / AH(nh=nh, payloadlen=4, spi=1, seq=1, icv=b"\0" * 12)
    return pkt / l4


def solicited_node(a):
    low = expand(a).replace(":", "")[-6:]
    return "ff02::1:ff%s:%s" % (low[:2], low[2:])


PACKETS = {
    # from an instance (L2, /112)
    "inst_udp_same_net": l2(udp(INST, REMOTE_A)),
    "inst_tcp_same_net": l2(tcp(INST, REMOTE_A)),
    "inst_udp_same_host": l2(udp(INST, INST_OTHER)),
    "inst_udp_cross_net": l2(udp(INST, REMOTE_B)),
    "inst_tcp_cross_net": l2(tcp(INST, REMOTE_B)),
    "inst_dns_udp_global": l2(udp(INST, DNS, dport=53)),
    "inst_dns_tcp_global": l2(tcp(INST, DNS, dport=53)),
    "inst_udp_global_dns_port_54": l2(udp(INST, DNS, dport=54)),
    "inst_tcp_global_dns_port_22": l2(tcp(INST, DNS, dport=22)),
    "inst_ping_global_dns": l2(IPv6(src=INST, dst=DNS) / ICMPv6EchoRequest()),
    "inst_dns_udp_own_net": l2(udp(INST, DNS_A, dport=53)),
    "inst_dns_udp_other_net": l2(udp(INST, DNS_B, dport=53)),
    "inst_dns_fragment_global": l2(IPv6(src=INST, dst=DNS) /
                                   IPv6ExtHdrFragment(nh=17, offset=10, m=0) /
                                   Raw(b"x" * 16)),
    "inst_spoofed_src_same_net": l2(udp(INST_OTHER, REMOTE_A)),
    "inst_spoofed_src_other_net": l2(udp(REMOTE_B, REMOTE_B)),
    "inst_to_not_6pn": l2(udp(INST, HOST_UNDERLAY)),
    "inst_ipv4": l2(IP(src="192.0.2.1", dst="192.0.2.2") / UDP(dport=53)),
    "inst_arp": l2(ARP(psrc="192.0.2.1", pdst="192.0.2.2")),
    # BPF_PROG_TEST_RUN refuses an IPv6 ethertype with less than 40 bytes
    # behind it, so truncation is tested past the fixed header here and on
    # the L3 devices below.
    "inst_truncated_ext_header": l2(IPv6(src=INST, dst=REMOTE_A, nh=0, plen=8)),
    "inst_truncated_udp_to_dns": l2(udp(INST, DNS, dport=53))[:14 + 40 + 2],
    # The IPv6 ethertype with a version nibble that is not 6.
    "inst_version_7_same_net": l2(IPv6(version=7, src=INST, dst=REMOTE_A) /
                                  UDP(sport=3333, dport=4000)),
    "inst_version_4_same_net": l2(IPv6(version=4, src=INST, dst=REMOTE_A) /
                                  UDP(sport=3333, dport=4000)),
    # Truncation past the fixed IPv6 header: an extension header that runs
    # past the packet, or a transport header (TCP 20 bytes, UDP 8, ICMPv6 8)
    # that is not all there. What needs no transport header may end early.
    "inst_hop_by_hop_cut_same_net": l2(IPv6(src=INST, dst=REMOTE_A, nh=0, plen=16) /
                                       Raw(bytes([17, 1, 1, 4, 0, 0, 0, 0]))),
    "inst_ah_cut_same_net": l2(IPv6(src=INST, dst=REMOTE_A, nh=51, plen=24) /
                               Raw(bytes(AH(nh=17, payloadlen=4, spi=1, seq=1,
                                            icv=b"\0" * 12))[:12])),
    "inst_routing_cut_same_net": l2((IPv6(src=INST, dst=REMOTE_A) /
                                     IPv6ExtHdrRouting(addresses=[REMOTE_A], segleft=0) /
                                     UDP(sport=3333, dport=4000)))[:14 + 40 + 8],
    "inst_udp_cut_same_net": l2(udp(INST, REMOTE_A))[:14 + 40 + 4],
    "inst_udp_cut_after_hop_by_hop": l2(IPv6(src=INST, dst=REMOTE_A) / IPv6ExtHdrHopByHop() /
                                        UDP(sport=3333, dport=4000))[:14 + 40 + 8 + 6],
    "inst_udp_cut_first_fragment": l2(IPv6(src=INST, dst=REMOTE_A) /
                                      IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=9) /
                                      Raw(bytes(UDP(sport=3333, dport=4000))[:4])),
    "inst_tcp_cut_same_net": l2(tcp(INST, REMOTE_A))[:14 + 40 + 12],
    "inst_icmp_cut_same_net": l2(IPv6(src=INST, dst=REMOTE_A) /
                                 ICMPv6EchoRequest())[:14 + 40 + 2],
    "inst_icmp_no_type_same_net": l2(IPv6(src=INST, dst=REMOTE_A, nh=58, plen=0)),
    "inst_udp_empty_same_net": l2(udp(INST, REMOTE_A, payload=b"")),
    "inst_icmp_echo_min_same_net": l2(IPv6(src=INST, dst=REMOTE_A) / ICMPv6EchoRequest()),
    "inst_no_next_header_same_net": l2(IPv6(src=INST, dst=REMOTE_A, nh=59, plen=0)),
    "inst_esp_same_net": l2(IPv6(src=INST, dst=REMOTE_A, nh=50) / Raw(b"\0" * 8)),
    "inst_fragment_tail_same_net": l2(IPv6(src=INST, dst=REMOTE_A) /
                                      IPv6ExtHdrFragment(nh=17, offset=10, m=0, id=9) /
                                      Raw(b"z" * 2)),
    "inst_only_ethernet": bytes(ETH)[:14],
    "inst_garbage_ipv6": bytes(Ether(src="02:00:00:00:00:02",
                                     dst="02:00:00:00:00:01", type=0x86DD) /
                               Raw(bytes(range(7, 7 + 60)))),
    "inst_ns_from_global": l2(IPv6(src=INST, dst=solicited_node("fe80::1"),
                                   hlim=255) / ICMPv6ND_NS(tgt="fe80::1")),
    "inst_ns_from_link_local": l2(IPv6(src="fe80::2", dst=solicited_node("fe80::1"),
                                       hlim=255) / ICMPv6ND_NS(tgt="fe80::1")),
    "inst_ns_dad": l2(IPv6(src="::", dst=solicited_node(INST), hlim=255) /
                      ICMPv6ND_NS(tgt=INST)),
    # A source address is never multicast (RFC 4291 2.7).
    "inst_ns_from_multicast": l2(IPv6(src="ff02::1", dst=solicited_node("fe80::1"),
                                      hlim=255) / ICMPv6ND_NS(tgt="fe80::1")),
    "inst_na_from_multicast": l2(IPv6(src="ff02::1:ff00:2", dst="fe80::1", hlim=255) /
                                 ICMPv6ND_NA(tgt=INST)),
    "inst_ns_hop_limit_64": l2(IPv6(src=INST, dst=solicited_node("fe80::1"),
                                    hlim=64) / ICMPv6ND_NS(tgt="fe80::1")),
    "inst_ns_to_other_net": l2(IPv6(src="fe80::2", dst=REMOTE_B, hlim=255) /
                               ICMPv6ND_NS(tgt=REMOTE_B)),
    "inst_routing_header": l2(IPv6(src=INST, dst=REMOTE_A) /
                              IPv6ExtHdrRouting(addresses=[REMOTE_B], segleft=1) /
                              UDP(dport=4000)),
    "inst_hop_by_hop_same_net": l2(IPv6(src=INST, dst=REMOTE_A) /
                                   IPv6ExtHdrHopByHop() / UDP(dport=4000)),
    "inst_hop_by_hop_cross_net": l2(IPv6(src=INST, dst=REMOTE_B) /
                                    IPv6ExtHdrHopByHop() / UDP(dport=4000)),
    "inst_hop_by_hop_dns": l2(IPv6(src=INST, dst=DNS) /
                              IPv6ExtHdrHopByHop() / UDP(dport=53)),
    # Up to six extension headers are walked, RFC 8200's full chain.
    "inst_four_ext_hdrs_same_net": l2(ext_chain(INST, REMOTE_A, CHAIN_4, UDP(sport=3333, dport=4000))),
    "inst_four_ext_hdrs_cross_net": l2(ext_chain(INST, REMOTE_B, CHAIN_4, UDP(sport=3333, dport=4000))),
    "inst_four_ext_hdrs_dns": l2(ext_chain(INST, DNS, CHAIN_4, UDP(sport=3333, dport=53))),
    "inst_four_ext_hdrs_dns_port_54": l2(ext_chain(INST, DNS, CHAIN_4, UDP(sport=3333, dport=54))),
    "inst_six_ext_hdrs_dns": l2(ext_chain(INST, DNS, CHAIN_6, UDP(sport=3333, dport=53))),
    "inst_six_ext_hdrs_dns_tcp_22": l2(ext_chain(INST, DNS, CHAIN_6, TCP(sport=40000, dport=22), proto=6)),
    "inst_six_ext_hdrs_same_net": l2(ext_chain(INST, REMOTE_A, CHAIN_6, UDP(sport=3333, dport=4000))),
    "inst_seven_ext_hdrs_same_net": l2(ext_chain(INST, REMOTE_A, CHAIN_7, UDP(sport=3333, dport=4000))),
    # toward an instance (L2, /112)
    "to_inst_same_net": l2(udp(REMOTE_A, INST)),
    "to_inst_cross_net": l2(udp(REMOTE_B, INST)),
    "to_inst_not_6pn": l2(udp(HOST_UNDERLAY, INST)),
    "to_inst_version_7_same_net": l2(IPv6(version=7, src=REMOTE_A, dst=INST) /
                                     UDP(sport=3333, dport=4000)),
    "to_inst_hop_by_hop_cut_same_net": l2(IPv6(src=REMOTE_A, dst=INST, nh=0, plen=16) /
                                          Raw(bytes([17, 1, 1, 4, 0, 0, 0, 0]))),
    "to_inst_udp_cut_same_net": l2(udp(REMOTE_A, INST))[:14 + 40 + 4],
    "to_inst_icmp_cut_same_net": l2(IPv6(src=REMOTE_A, dst=INST) /
                                    ICMPv6EchoRequest())[:14 + 40 + 1],
    "to_inst_udp_empty_same_net": l2(udp(REMOTE_A, INST, payload=b"")),
    "to_inst_dns_reply": l2(udp(DNS, INST, sport=53, dport=3333)),
    "to_inst_dns_other_port": l2(udp(DNS, INST, sport=80, dport=3333)),
    "to_inst_other_instance": l2(udp(REMOTE_A, INST_OTHER)),
    "to_inst_ptb_own_packet": l2(ptb(INST, tcp(INST, REMOTE_A))),
    "to_inst_ptb_from_dns_address": l2(ptb(INST, tcp(INST, REMOTE_A), src=DNS)),
    "to_inst_ptb_foreign_packet": l2(ptb(INST, tcp(REMOTE_B, REMOTE_A))),
    "to_inst_unreach_cross_net": l2(unreach(REMOTE_B, INST, udp(INST, REMOTE_B))),
    # ICMPv6 errors quoting what the instance did not send to its own
    # network: a foreign sender may not pass anything through that door.
    "to_inst_ptb_quote_not_6pn": l2(ptb(INST, udp(INST, NOT_6PN_NET_A, payload=b"x" * 64))),
    "to_inst_unreach_quote_not_6pn_cross_net": l2(unreach(REMOTE_B, INST,
                                                          udp(INST, NOT_6PN_NET_A))),
    "to_inst_ptb_quote_other_net": l2(ptb(INST, tcp(INST, REMOTE_B))),
    "to_inst_ptb_quote_other_src": l2(ptb(INST, tcp(addr(NET_A, HOST1, 0xA, 5), REMOTE_A))),
    "to_inst_ptb_quote_not_ipv6": l2(ptb(INST, IPv6(version=4, src=INST, dst=REMOTE_A) /
                                         TCP(dport=8080))),
    "to_inst_ptb_quote_cut": l2(ptb(INST, bytes(tcp(INST, REMOTE_A))[:39])),
    "to_inst_ptb_to_other_instance": l2(ptb(INST_OTHER, tcp(INST_OTHER, REMOTE_A))),
    "to_inst_unreach_quote_dns": l2(unreach(DNS, INST, udp(INST, DNS, dport=53), code=4)),
    "to_inst_four_ext_hdrs_same_net": l2(ext_chain(REMOTE_A, INST, CHAIN_4, UDP(sport=3333, dport=4000))),
    "to_inst_four_ext_hdrs_dns_reply": l2(ext_chain(DNS, INST, CHAIN_4, UDP(sport=53, dport=3333))),
    "to_inst_four_ext_hdrs_dns_port_80": l2(ext_chain(DNS, INST, CHAIN_4, UDP(sport=80, dport=3333))),
    "to_inst_six_ext_hdrs_same_net": l2(ext_chain(REMOTE_A, INST, CHAIN_6, UDP(sport=3333, dport=4000))),
    "to_inst_seven_ext_hdrs_same_net": l2(ext_chain(REMOTE_A, INST, CHAIN_7, UDP(sport=3333, dport=4000))),
    "to_inst_na_from_gateway": l2(IPv6(src="fe80::1", dst=INST, hlim=255) /
                                  ICMPv6ND_NA(tgt="fe80::1")),
    "to_inst_ns_from_gateway": l2(IPv6(src="fe80::1", dst=solicited_node(INST), hlim=255) /
                                  ICMPv6ND_NS(tgt=INST)),
    "to_inst_na_from_multicast": l2(IPv6(src="ff02::1", dst=INST, hlim=255) /
                                    ICMPv6ND_NA(tgt="fe80::1")),
    "to_inst_ns_from_multicast": l2(IPv6(src="ff02::2", dst=solicited_node(INST), hlim=255) /
                                    ICMPv6ND_NS(tgt=INST)),
    # The unspecified address is a source only (RFC 4291 2.5.2).
    "to_inst_na_to_unspecified": l2(IPv6(src="fe80::1", dst="::", hlim=255) /
                                    ICMPv6ND_NA(tgt="fe80::1")),
    # a single peer on an L3 device (/120)
    "peer_udp_same_net": l3(udp(PEER, REMOTE_A)),
    "peer_spoofed_neighbour": l3(udp(PEER_NEIGHBOUR, REMOTE_A)),
    "peer_dns_own_net": l3(udp(PEER, DNS_A, dport=53)),
    "peer_dns_tcp_own_net": l3(tcp(PEER, DNS_A, dport=53)),
    "peer_cross_net": l3(udp(PEER, REMOTE_B)),
    "peer_ipv4": l3(IP(src="192.0.2.1", dst="192.0.2.2") / UDP(dport=53)),
    "peer_version_7": l3(IPv6(version=7, src=PEER, dst=REMOTE_A) /
                         UDP(sport=3333, dport=4000)),
    "peer_udp_cut": l3(udp(PEER, REMOTE_A))[:40 + 4],
    "peer_truncated": l3(udp(PEER, REMOTE_A))[:30],
    "to_peer_same_net": l3(udp(REMOTE_A, PEER)),
    "to_peer_cross_net": l3(udp(REMOTE_B, PEER)),
    "to_peer_ptb_own_packet": l3(ptb(PEER, tcp(PEER, REMOTE_A))),
    "to_peer_ptb_other_peers_packet": l3(ptb(PEER, tcp(PEER_OTHER, REMOTE_A))),
    # mesh device (L3): 6PN form and the mesh form scapy builds independently
    "mesh_udp_6pn": l3(udp(INST, REMOTE_A)),
    "mesh_udp_mesh": l3(udp(mesh(INST), mesh(REMOTE_A))),
    "mesh_tcp_6pn": l3(tcp(INST, REMOTE_A) / Raw(b"y" * 1000)),
    "mesh_tcp_mesh": l3(tcp(mesh(INST), mesh(REMOTE_A)) / Raw(b"y" * 1000)),
    "mesh_icmp_6pn": l3(IPv6(src=INST, dst=REMOTE_A) / ICMPv6EchoRequest(data=b"ping")),
    "mesh_icmp_mesh": l3(IPv6(src=mesh(INST), dst=mesh(REMOTE_A)) /
                         ICMPv6EchoRequest(data=b"ping")),
    "mesh_cross_net_mesh": l3(udp(mesh(REMOTE_B), mesh(INST))),
    "mesh_net0_mesh": l3(udp(mesh(addr(0, HOST2, 0, 3)), mesh(DNS))),
    "mesh_not_6pn": l3(udp("2001:db8::1", "2001:db8::2")),
    "mesh_mixed_mesh": l3(udp(mesh(REMOTE_A), HOST_UNDERLAY)),
    "mesh_ipv4": l3(IP(src="192.0.2.1", dst="192.0.2.2") / UDP(dport=4000)),
    "mesh_truncated": l3(udp(mesh(REMOTE_A), mesh(INST)))[:24],
}


if __name__ == "__main__":
    write_packets(PACKETS)
