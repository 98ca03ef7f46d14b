#!/usr/bin/python3
"""Builds the packets of the Machines API port replay test
(selftests/prog_tests/tc_api.c): TCP to port 4280 of the service address
(fdaa::3, the network's <prefix>::3) and its replies must pass, and
everything around it (UDP 4280, TCP 4279/4281, another network's ::3, a
"reply" sent by the instance, a non-first fragment) must not. Prints
`name hex` lines like gen_packets.py, whose addresses and helpers it uses;
the C test owns the assertions.
"""
from scapy.all import IPv6, IPv6ExtHdrFragment, TCP, UDP, Raw

from gen_packets import (DNS, DNS_A, DNS_B, INST, PEER, REMOTE_A,  # noqa: E402
                         CHAIN_4, ext_chain, l2, l3, tcp, udp)
from fixtures import write_packets  # noqa: E402

API = 4280   # SIXPN_API_PORT, written out: the test must not share the code


def reply(src, dst, sport=API, dport=40000):
    """A server's SYN-ACK from sport."""
    return IPv6(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags="SA", seq=1, ack=2)


PACKETS = {
    # from an instance (L2, /112) to the service address
    "api_tcp_global": l2(tcp(INST, DNS, dport=API)),
    "api_tcp_own_net": l2(tcp(INST, DNS_A, dport=API)),
    "api_tcp_other_net": l2(tcp(INST, DNS_B, dport=API)),
    "api_udp_global": l2(udp(INST, DNS, dport=API)),
    "api_udp_own_net": l2(udp(INST, DNS_A, dport=API)),
    "api_tcp_4281_global": l2(tcp(INST, DNS, dport=API + 1)),
    "api_tcp_4279_global": l2(tcp(INST, DNS, dport=API - 1)),
    "api_tcp_from_4280_global": l2(reply(INST, DNS)),
    "api_tcp_four_ext_hdrs": l2(ext_chain(INST, DNS, CHAIN_4, TCP(sport=40000, dport=API), proto=6)),
    "api_tcp_fragment_global": l2(IPv6(src=INST, dst=DNS) /
                                  IPv6ExtHdrFragment(nh=6, offset=8, m=0, id=9) /
                                  Raw(b"\x9c\x40\x10\xb8" + b"\0" * 16)),
    "api_tcp_same_net_peer": l2(tcp(INST, REMOTE_A, dport=API)),
    # toward the instance from the service address
    "api_reply_global": l2(reply(DNS, INST)),
    "api_reply_own_net": l2(reply(DNS_A, INST)),
    "api_reply_other_net": l2(reply(DNS_B, INST)),
    "api_udp_reply_global": l2(udp(DNS, INST, sport=API, dport=3333)),
    "api_reply_4281_global": l2(reply(DNS, INST, sport=API + 1)),
    "api_connect_to_inst_4280": l2(tcp(DNS, INST, dport=API)),
    # a WireGuard peer (L3, /120) of network A
    "api_peer_tcp_own_net": l3(tcp(PEER, DNS_A, dport=API)),
    "api_peer_udp_own_net": l3(udp(PEER, DNS_A, dport=API)),
    "api_peer_reply_own_net": l3(reply(DNS_A, PEER)),
}


if __name__ == "__main__":
    write_packets(PACKETS)
