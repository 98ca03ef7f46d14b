#!/usr/bin/python3
"""Builds the queries of the tenant-fairness replay test
(selftests/prog_tests/xdp_quota.c): who asks is what matters here, so each
question comes from several askers. Prints `name hex` lines like
gen_dns_packets.py; the C test owns the assertions.

  a1   instance 0xa of network A (the fixture's instance), and a1x, another
       address of the same /112
  a2   instance 0xc of network A: another asker of the same network
  b    instance 0xb of network B
  c    instance 0xd of network C, whose ID has A's low byte (0x118)
  p1, p2  two WireGuard peers of network A on the shared peers device (L3,
       no Ethernet header): two /120s of HOST1's gateway instance
"""
from scapy.all import DNS, DNSQR, IPv6, UDP, Ether, Raw

from fixtures import GATEWAY, HOST1, INST, INST_B, NET_A, NET_B, addr  # noqa: E402

NET_C = 0x118
assert NET_C & 0xFF == NET_A & 0xFF
ASKERS = {
    "a1": (addr(NET_A, HOST1, INST, 2), True),
    "a1x": (addr(NET_A, HOST1, INST, 7), True),
    "a2": (addr(NET_A, HOST1, 0xC, 2), True),
    "b": (addr(NET_B, HOST1, INST_B, 2), True),
    "c": (addr(NET_C, HOST1, 0xD, 2), True),
    "p1": (addr(NET_A, HOST1, GATEWAY, 0x102), False),
    "p2": (addr(NET_A, HOST1, GATEWAY, 0x202), False),
}
ETH = Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:01")

QUESTIONS = {
    "txt": ("regions.web.internal", "TXT"),      # a userspace name: passed up
    "aaaa": ("web.internal", "AAAA"),            # answered from the map
    "nx": ("missing.internal", "AAAA"),          # absent: NXDOMAIN or passed up
    "nx2": ("missing.vm.web.internal", "AAAA"),  # absent, and so is its parent
    "fwd": ("www.example.com", "AAAA"),          # forwarded: passed up
}


def frame(src, eth, payload, dport=53):
    ip = IPv6(src=src, dst="fdaa::3") / UDP(sport=40053, dport=dport) / payload
    return bytes(ETH / ip) if eth else bytes(ip)


for who, (src, eth) in ASKERS.items():
    for what, (name, qtype) in QUESTIONS.items():
        q = DNS(id=0x4242, rd=1, qd=DNSQR(qname=name, qtype=qtype))
        print("%s_%s %s" % (what, who, frame(src, eth, q).hex()))
    # A query cut short: the resolver answers FORMERR, so it is passed up.
    print("malformed_%s %s" % (who, frame(src, eth, Raw(b"\x42\x42\x01")).hex()))
    # UDP to fdaa::3 port 5353: not the fast path's, never limited.
    print("notdns_%s %s" % (who, frame(src, eth, Raw(b"x" * 12), dport=5353).hex()))
