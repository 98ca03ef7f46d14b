#!/usr/bin/python3
"""Builds the packets of the Flycast replay test
(selftests/prog_tests/flycast.c): a consumer instance of network A
(fixtures.h's FX_INST) talks to service addresses of A for an app of
network B, and the expected translated packets, every checksum computed
by scapy from scratch (the test's checksum oracle: the BPF side updates
checksums incrementally, scapy never sees those updates).

The SNAT word the TC program picks is a hash of the flow; it is computed
here again, in Python, from its definition (tc/lib/flycast.h,
sixpn_fc_hash), so the expected source address does not come from the
code under test. Prints `name hex` lines; the C test owns the assertions.

  svc1  fdaa:A::1:0, ports 80 and 5353, one backend: FX_INST_B_ADDR
  svc2  fdaa:A::2:0, no backend
  svc3  fdaa:A::3:0, every port, four backends (stickiness)
  svc9  fdaa:A::9:0, never allocated
"""
import struct

from scapy.all import (Ether, ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6PacketTooBig, IPv6,
                       Raw, TCP, UDP)

from fixtures import HOST1, INST_ADDR, INST_B_ADDR, NET_A, NET_B, addr, write_packets

ETH = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")
CONSUMER = INST_ADDR
BACKEND = INST_B_ADDR
SVC = {n: addr(NET_A, 0, n, 0) for n in (1, 2, 3, 9)}
ECHO_ID = 0x1234
M32 = 0xFFFFFFFF


def fc_hash(src, sport, dport, proto):
    """sixpn_fc_hash over the conntrack key: the source's four 32-bit
    words as a little-endian CPU loads them, the ports as stored (network
    byte order) and read as host-order u16."""
    import socket
    raw = socket.inet_pton(socket.AF_INET6, src)
    h = 0x9E3779B9
    for (w,) in struct.iter_unpack("<I", raw):
        h ^= w
        h = (h * 0x85EBCA6B) & M32
        h ^= h >> 13
    sp = struct.unpack("<H", struct.pack(">H", sport))[0]
    dp = struct.unpack("<H", struct.pack(">H", dport))[0]
    h ^= ((sp << 16) | dp) & M32
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    h ^= proto
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 15
    return h


def snat(sport, dport, proto):
    w = (fc_hash(CONSUMER, sport, dport, proto) >> 16) % (0x10000 - 0x100)
    return addr(NET_B, HOST1, 0, 0x100 + w)


def eth(ip):
    return bytes(ETH / ip)


P = {}
PAY = Raw(b"flycast-payload!")
# TCP SYN to svc1:80, its translation, the backend's SYN-ACK and its.
s_tcp = snat(40000, 80, 6)
P["tcp_syn"] = eth(IPv6(src=CONSUMER, dst=SVC[1]) / TCP(sport=40000, dport=80, flags="S", seq=1000))
P["tcp_syn_out"] = eth(IPv6(src=s_tcp, dst=BACKEND) / TCP(sport=40000, dport=80, flags="S", seq=1000))
P["tcp_synack"] = eth(IPv6(src=BACKEND, dst=s_tcp) / TCP(sport=80, dport=40000, flags="SA", seq=5000, ack=1001))
P["tcp_synack_out"] = eth(IPv6(src=SVC[1], dst=CONSUMER) / TCP(sport=80, dport=40000, flags="SA", seq=5000, ack=1001))
P["tcp_fin"] = eth(IPv6(src=CONSUMER, dst=SVC[1]) / TCP(sport=40000, dport=80, flags="FA", seq=1001, ack=5001))
P["tcp_fin_out"] = eth(IPv6(src=s_tcp, dst=BACKEND) / TCP(sport=40000, dport=80, flags="FA", seq=1001, ack=5001))
# UDP to svc1:5353 and back
s_udp = snat(40001, 5353, 17)
P["udp"] = eth(IPv6(src=CONSUMER, dst=SVC[1]) / UDP(sport=40001, dport=5353) / PAY)
P["udp_out"] = eth(IPv6(src=s_udp, dst=BACKEND) / UDP(sport=40001, dport=5353) / PAY)
P["udp_reply"] = eth(IPv6(src=BACKEND, dst=s_udp) / UDP(sport=5353, dport=40001) / PAY)
P["udp_reply_out"] = eth(IPv6(src=SVC[1], dst=CONSUMER) / UDP(sport=5353, dport=40001) / PAY)
# ICMPv6 echo: the identifier is the flow's port
s_icmp = snat(ECHO_ID, 0, 58)
P["echo"] = eth(IPv6(src=CONSUMER, dst=SVC[1]) / ICMPv6EchoRequest(id=ECHO_ID, seq=7, data=b"ping"))
P["echo_out"] = eth(IPv6(src=s_icmp, dst=BACKEND) / ICMPv6EchoRequest(id=ECHO_ID, seq=7, data=b"ping"))
P["echo_reply"] = eth(IPv6(src=BACKEND, dst=s_icmp) / ICMPv6EchoReply(id=ECHO_ID, seq=7, data=b"ping"))
P["echo_reply_out"] = eth(IPv6(src=SVC[1], dst=CONSUMER) / ICMPv6EchoReply(id=ECHO_ID, seq=7, data=b"ping"))
# ICMPv6 Packet Too Big about the translated UDP packet (SNAT -> backend):
# from the backend itself, and from this host on its way into the mesh (L3
# there; redirected to the consumer with the consumer's link header). The
# consumer must see an error about its own packet to the service address.
GW = addr(NET_B, HOST1, 0xF, 1)


def ptb(src, dst, quote_src, quote_dst, sport=40001, dport=5353):
    return (IPv6(src=src, dst=dst) / ICMPv6PacketTooBig(mtu=1280) /
            IPv6(src=quote_src, dst=quote_dst) / UDP(sport=sport, dport=dport) / PAY)


P["ptb_from_backend"] = eth(ptb(BACKEND, s_udp, s_udp, BACKEND))
P["ptb_from_backend_out"] = eth(ptb(BACKEND, CONSUMER, CONSUMER, SVC[1]))
P["mesh_ptb"] = bytes(ptb(GW, s_udp, s_udp, BACKEND))
P["mesh_ptb_out"] = bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
                          ptb(GW, CONSUMER, CONSUMER, SVC[1]))
# ... quoting a flow that does not exist (other consumer port): no flow
P["ptb_no_flow"] = eth(ptb(BACKEND, s_udp, s_udp, BACKEND, sport=40999))
P["mesh_ptb_no_flow"] = bytes(ptb(GW, s_udp, s_udp, BACKEND, sport=40999))
# must drop
P["udp_no_service"] = eth(IPv6(src=CONSUMER, dst=SVC[9]) / UDP(sport=40002, dport=5353) / PAY)
P["tcp_other_port"] = eth(IPv6(src=CONSUMER, dst=SVC[1]) / TCP(sport=40003, dport=81, flags="S"))
P["udp_other_port"] = eth(IPv6(src=CONSUMER, dst=SVC[1]) / UDP(sport=40003, dport=53) / PAY)
P["echo_reply_to_svc"] = eth(IPv6(src=CONSUMER, dst=SVC[1]) / ICMPv6EchoReply(id=ECHO_ID, seq=1))
P["udp_no_backend"] = eth(IPv6(src=CONSUMER, dst=SVC[2]) / UDP(sport=40004, dport=5353) / PAY)
# a backend's packet to a SNAT word no flow holds (0xffff: none of the above)
for w in (s_tcp, s_udp, s_icmp):
    assert w != addr(NET_B, HOST1, 0, 0xFFFF), w
P["udp_no_flow"] = eth(IPv6(src=BACKEND, dst=addr(NET_B, HOST1, 0, 0xFFFF)) / UDP(sport=5353, dport=40001) / PAY)
P["tcp_no_flow"] = eth(IPv6(src=BACKEND, dst=addr(NET_B, HOST1, 0, 0xFFFF)) / TCP(sport=80, dport=40000, flags="S"))
P["echo_req_to_snat"] = eth(IPv6(src=BACKEND, dst=s_icmp) / ICMPv6EchoRequest(id=ECHO_ID, seq=7))
# sixteen flows to svc3 (four backends): each keeps its backend
for i in range(16):
    P["sticky_%d" % i] = eth(IPv6(src=CONSUMER, dst=SVC[3]) / UDP(sport=41000 + i, dport=9000) / PAY)

write_packets(P)
