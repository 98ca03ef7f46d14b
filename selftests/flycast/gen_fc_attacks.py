#!/usr/bin/python3
"""Writes Flycast's attacker matrix (selftests/flycast/test_fc_attacks.sh):
packets from a consumer of network A toward service addresses and from a
backend of network B toward SNAT addresses, spoofed, cut short, with
extension headers, and ICMPv6 errors quoting crafted packets about the
live flows, each with what fc_oracle.py (the README's rules, written
without the BPF sources) says must come out.

  gen_fc_attacks.py --establish > est.txt
  gen_fc_attacks.py SNAT_TCP SNAT_UDP SNAT_ECHO > cases.txt

The arguments are the SNAT addresses the program gave the three flows
fc_attacks establishes before every case (`fc_attacks --establish`
prints them); this script checks that they are SNAT addresses of HOST1
in B before using them. Output lines (selftests/packets.c format):
  ID|IFACE|REASON|OUT|CT|DESC HEX
IFACE consumer or backend; OUT `-` dropped, `=` untouched, `T` a new flow
(translated to the backend from a SNAT address of HOST1 in B), else the
exact bytes; CT the conntrack entries there must be afterwards.
"""
import itertools
import os
import struct
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[1:1] = [HERE, os.path.join(HERE, "..", "isolation"), os.path.join(HERE, "..", "packets")]
import fc_oracle as O  # noqa: E402
import wire  # noqa: E402
from fixtures import HOST1, HOST2, NET_A, NET_B  # noqa: E402
from fixtures import addr as addr_text  # noqa: E402


def addr(*words):
    return wire.ip(addr_text(*words))


INST, INST_B = 0xA, 0xB
A = {
    "CONSUMER": addr(NET_A, HOST1, INST, 2),
    "CONSUMER_ALT": addr(NET_A, HOST1, INST, 0x77),        # same /112
    "A_NB": addr(NET_A, HOST1, 0xC, 2),                    # A, not the consumer's
    "REMOTE_A": addr(NET_A, HOST2, 0xD, 2),
    "BACKEND": addr(NET_B, HOST1, INST_B, 2),
    "BACKEND_ALT": addr(NET_B, HOST1, INST_B, 0x77),       # same /112, no backend
    "B_NB": addr(NET_B, HOST1, 0xE, 2),
    "SVC1": addr(NET_A, 0, 1, 0),                          # ports 80, 5353; the backend
    "SVC2": addr(NET_A, 0, 2, 0),                          # no backend
    "SVC9": addr(NET_A, 0, 9, 0),                          # never allocated
    "SVC_B": addr(NET_B, 0, 1, 0),                         # B's service range
    "SNAT_A": addr(NET_A, HOST1, 0, 0x4242),               # a SNAT form in A
    "SNAT_B_FREE": addr(NET_B, HOST1, 0, 0x4243),          # no flow has it
    "SNAT_HOST2": addr(NET_B, HOST2, 0, 0x4242),           # another host's
    "GLOBAL": wire.ip("2001:db8::1"),
    "LL": wire.ip("fe80::2"),
    "UNSPEC": 0,
}
ECHO_ID = 0x1234


def echo(typ, ident, seq=1):
    return wire.icmp(typ, 0, struct.pack("!HH", ident, seq) + b"sixpn-echo")


def snat_ok(a):
    return O.is_snat(a, HOST1) and O.net_of(a) == NET_B and (a & 0xFFFF) >= 0x100


def flows(snat):
    s = A["SVC1"]
    return [O.Flow(6, A["CONSUMER"], 40000, s, 80, A["BACKEND"], snat["tcp"]),
            O.Flow(17, A["CONSUMER"], 3333, s, 5353, A["BACKEND"], snat["udp"]),
            O.Flow(58, A["CONSUMER"], ECHO_ID, s, 0, A["BACKEND"], snat["echo"])]


SERVICES = {A["SVC1"]: O.Service(A["SVC1"], (80, 5353), [A["BACKEND"]]),
            A["SVC2"]: O.Service(A["SVC2"], (), [])}
IFACES = {"consumer": O.Iface(NET_A, addr(NET_A, HOST1, INST, 0), 112),
          "backend": O.Iface(NET_B, addr(NET_B, HOST1, INST_B, 0), 112)}

CONSUMER_L4 = {
    "tcp40000>80": wire.tcp(40000, 80, 0x10), "tcp40000>80fin": wire.tcp(40000, 80, 0x11),
    "tcp40001>80": wire.tcp(40001, 80), "tcp40000>443": wire.tcp(40000, 443),
    "tcp40000>5353": wire.tcp(40000, 5353), "udp3333>5353": wire.udp(3333, 5353),
    "udp3333>80": wire.udp(3333, 80), "udp4444>5353": wire.udp(4444, 5353),
    "udp3333>53": wire.udp(3333, 53),
    "echo": echo(128, ECHO_ID), "echo_new": echo(128, 0x9999), "echor": echo(129, ECHO_ID),
    "unreach": wire.icmp(1, 4, bytes(4) + bytes(48)), "sctp": wire.sctp(3333, 80),
    "esp": wire.raw(50, bytes(16)), "nonext": wire.raw(59, b""),
}
BACKEND_L4 = {
    "tcp80>40000": wire.tcp(80, 40000, 0x12), "tcp80>40000rst": wire.tcp(80, 40000, 0x04),
    "tcp80>40001": wire.tcp(80, 40001, 0x12), "tcp443>40000": wire.tcp(443, 40000, 0x12),
    "tcp40000>80": wire.tcp(40000, 80), "udp5353>3333": wire.udp(5353, 3333),
    "udp5353>3334": wire.udp(5353, 3334), "udp3333>5353": wire.udp(3333, 5353),
    "echor": echo(129, ECHO_ID), "echor_other": echo(129, 0x9999), "echo": echo(128, ECHO_ID),
}
CHAINS = [(), ("H",), ("D",), ("Fn",)]


def quotes(snat):
    """name -> (the quoted packet, as it would be cut)."""
    b, s = A["BACKEND"], A["SVC1"]
    t, u, e, c = snat["tcp"], snat["udp"], snat["echo"], A["CONSUMER"]
    full = {
        "tcp": wire.ipv6(t, b, wire.tcp(40000, 80)),
        "udp": wire.ipv6(u, b, wire.udp(3333, 5353)),
        "echo": wire.ipv6(e, b, echo(128, ECHO_ID)),
        "tcp_sport": wire.ipv6(t, b, wire.tcp(40001, 80)),
        "tcp_dport": wire.ipv6(t, b, wire.tcp(40000, 81)),
        "tcp_as_udp": wire.ipv6(t, b, wire.udp(40000, 80)),
        "tcp_other_snat": wire.ipv6(A["SNAT_B_FREE"], b, wire.tcp(40000, 80)),
        "tcp_other_backend": wire.ipv6(t, A["BACKEND_ALT"], wire.tcp(40000, 80)),
        # the flow's original direction, quoted as a packet to the consumer
        "orig_dir": wire.ipv6(s, c, wire.tcp(80, 40000)),
        "consumer_pkt": wire.ipv6(c, s, wire.tcp(40000, 80)),
        "reply_dir": wire.ipv6(b, t, wire.tcp(80, 40000)),
        "echo_reply": wire.ipv6(e, b, echo(129, ECHO_ID)),
        "echo_other_id": wire.ipv6(e, b, echo(128, 0x9999)),
    }
    out = dict(full)
    for n in (0, 8, 39, 40, 43, 44, 47, 48, 60):
        out["tcp_cut%d" % n] = full["tcp"][:n]
    out["udp_cut48"] = full["udp"][:48]
    out["echo_cut46"] = full["echo"][:46]
    out["tcp_v4"] = bytes([0x40 | full["tcp"][0] & 0xF]) + full["tcp"][1:]
    return out


def error(typ, code, q):
    head = {2: (1280).to_bytes(4, "big"), 4: (6).to_bytes(4, "big")}.get(typ, bytes(4))
    return wire.icmp(typ, code, head + q)


def consumer_cases():
    srcs = ["CONSUMER", "CONSUMER_ALT", "A_NB", "REMOTE_A", "BACKEND", "SNAT_A", "SVC1",
            "GLOBAL", "LL", "UNSPEC"]
    dsts = ["SVC1", "SVC2", "SVC9", "SVC_B", "SNAT_A", "SNAT_B_FREE", "BACKEND", "REMOTE_A"]
    for s, d, l4n, ch in itertools.product(srcs, dsts, CONSUMER_L4, CHAINS):
        yield ("consumer", "src=%s,dst=%s,l4=%s,ext=%s" % (s, d, l4n, ".".join(ch) or "-"),
               wire.ether(wire.ipv6(A[s], A[d], CONSUMER_L4[l4n], ch)))
    # cut short: the live flows' packets, inside their transport header
    for l4n, ch in itertools.product(("tcp40000>80", "udp3333>5353", "echo"), CHAINS[:3]):
        pkt = wire.ether(wire.ipv6(A["CONSUMER"], A["SVC1"], CONSUMER_L4[l4n], ch))
        start = 14 + 40 + 8 * len(ch)
        for keep in (0, 1, 2, 4, 7, 8, 12, 19):
            yield ("consumer", "src=CONSUMER,dst=SVC1,l4=%s,ext=%s,cut=l4+%d" %
                   (l4n, ".".join(ch) or "-", keep), pkt[:start + keep])


def backend_cases(snat):
    dst_of = dict(A, SNAT_TCP=snat["tcp"], SNAT_UDP=snat["udp"], SNAT_ECHO=snat["echo"],
                  CONSUMER=A["CONSUMER"])
    srcs = ["BACKEND", "BACKEND_ALT", "B_NB", "CONSUMER", "SVC1", "GLOBAL"]
    dsts = ["SNAT_TCP", "SNAT_UDP", "SNAT_ECHO", "SNAT_B_FREE", "SNAT_HOST2", "SNAT_A",
            "CONSUMER", "SVC1", "SVC_B"]
    for s, d, l4n, ch in itertools.product(srcs, dsts, BACKEND_L4, CHAINS):
        yield ("backend", "src=%s,dst=%s,l4=%s,ext=%s" % (s, d, l4n, ".".join(ch) or "-"),
               wire.ether(wire.ipv6(dst_of[s], dst_of[d], BACKEND_L4[l4n], ch)))
    for s, d in itertools.product(["BACKEND", "BACKEND_ALT", "GLOBAL", "B_NB"],
                                  ["SNAT_TCP", "SNAT_UDP", "SNAT_ECHO", "SNAT_B_FREE"]):
        for (typ, code), (qn, q) in itertools.product([(1, 4), (2, 0), (3, 0), (4, 0), (128, 0)],
                                                      quotes(snat).items()):
            yield ("backend", "src=%s,dst=%s,l4=icmp%d/%d,quote=%s" % (s, d, typ, code, qn),
                   wire.ether(wire.ipv6(dst_of[s], dst_of[d], error(typ, code, q))))


EST = [("tcp", wire.tcp(40000, 80)), ("udp", wire.udp(3333, 5353)), ("echo", echo(128, ECHO_ID))]


def est_packets():
    for name, l4 in EST:
        yield name, wire.ether(wire.ipv6(A["CONSUMER"], A["SVC1"], l4))


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--establish":
        for name, pkt in est_packets():
            print("@est|%s %s" % (name, pkt.hex()))
        return
    if len(sys.argv) != 4:
        sys.exit("usage: gen_fc_attacks.py --establish | SNAT_TCP SNAT_UDP SNAT_ECHO")
    snat = dict(zip(("tcp", "udp", "echo"), (wire.ip(a) for a in sys.argv[1:])))
    for k, a in snat.items():
        if not snat_ok(a):
            sys.exit("gen_fc_attacks: the %s flow's source %s is no SNAT address of HOST1 in B"
                     % (k, sys.argv[1:][list(snat).index(k)]))
    live = flows(snat)
    for name, pkt in est_packets():
        reason, out, _new = O.judge(IFACES["consumer"], pkt, SERVICES, live, HOST1)
        if reason != "PASS_FC_FORWARD" or isinstance(out, str) or out is None:
            sys.exit("gen_fc_attacks: the oracle does not translate the %s flow" % name)
        print("@est|%s|%s %s" % (name, out.hex(), pkt.hex()))
    n, counts = 0, {}
    for iface, desc, pkt in itertools.chain(consumer_cases(), backend_cases(snat)):
        reason, out, new = O.judge(IFACES[iface], pkt, SERVICES, live, HOST1)
        if out is None:
            spec = "-"
        elif isinstance(out, str):
            spec = out
        elif out == pkt:
            spec = "="
        else:
            spec = out.hex()
        print("c%05d|%s|%s|%s|%d|%s %s" % (n, iface, reason, spec, 8 if new else 6, desc, pkt.hex()))
        counts[reason] = counts.get(reason, 0) + 1
        n += 1
    for r in sorted(counts):
        sys.stderr.write("# %-20s %d\n" % (r, counts[r]))
    sys.stderr.write("# Flycast attacker matrix: %d cases\n" % n)


if __name__ == "__main__":
    main()
