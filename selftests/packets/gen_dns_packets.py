#!/usr/bin/python3
"""Builds the DNS queries the XDP fast-path replay test feeds to the program.

Prints one line per packet, `name hex`, like gen_packets.py. The C test
(selftests/prog_tests/xdp_dns.c) looks them up by name and owns the
assertions; this file only says what each query is. Queries are built by
scapy's DNS layer, except the malformed ones, which are raw bytes on purpose.
"""
import struct

from scapy.all import (DNS, DNSQR, DNSRROPT, DNSRRTSIG, EDNS0TLV, IPv6, TCP,
                       UDP, Ether, Raw)

from fixtures import (HOST1, INST_ADDR, INST_B_ADDR, NET_A, NET_B, addr,  # noqa: E402
                      write_packets)

INST_A = INST_ADDR                        # the asking instance, network A /112
INST_A_OTHER = addr(NET_A, HOST1, 0x99, 2)  # a neighbour: spoofed from the /112
INST_B = INST_B_ADDR                      # an instance of network B
DNS_ADDR = "fdaa::3"
DNS_NET_A = addr(NET_A, 0, 0, 3)
ETH = Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:01")
SPORT = 40053

# The name at the key's limit: 63 characters; and one past it.
NAME_63 = "k" * 50 + ".abc.internal"
NAME_64 = "k" * 51 + ".abc.internal"
assert len(NAME_63) == 63 and len(NAME_64) == 64


def dns_udp(dns_bytes, src=INST_A, dst=DNS_ADDR, dport=53, sport=SPORT):
    return bytes(ETH / IPv6(src=src, dst=dst) /
                 UDP(sport=sport, dport=dport) / Raw(dns_bytes))


def query(name, qtype="AAAA", qclass="IN", rd=1, cd=0, edns=None, qid=0x5a5a,
          opcode=0, **kw):
    ar = None
    if edns is not None:
        ar = DNSRROPT(rclass=edns.get("size", 4096), version=edns.get("version", 0),
                      z=0x8000 if edns.get("do") else 0, rdata=edns.get("options", []))
    return bytes(DNS(id=qid, rd=rd, cd=cd, opcode=opcode,
                     qd=DNSQR(qname=name, qtype=qtype, qclass=qclass), ar=ar))


def header(qid=0x1234, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def wire(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


AAAA_IN = struct.pack("!HH", 28, 1)


def opt_rr(rdata=b"", size=1232, ttl=0, owner=b"\0"):
    """An OPT record written out by hand, so that its options can be wrong."""
    return owner + struct.pack("!HHIH", 41, size, ttl, len(rdata)) + rdata


def edns_query(rdata=b"", qname="web.internal", **kw):
    """An AAAA query whose one additional record is opt_rr(rdata, **kw)."""
    return header(ar=1) + wire(qname) + AAAA_IN + opt_rr(rdata, **kw)


def cookie(n):
    """A COOKIE option (RFC 7873) of n bytes."""
    return struct.pack("!HH", 10, n) + bytes(range(1, n + 1))


def tsig(name="key.example."):
    """A TSIG record (RFC 8945) with a made-up MAC: class ANY, TTL 0."""
    return DNSRRTSIG(rrname=name, rclass=255, ttl=0, algo_name="hmac-sha256",
                     time_signed=1700000000, fudge=300, mac_len=32,
                     mac_data=b"\x11" * 32, original_id=0x5a5a, error=0)


def with_version(pkt, version):
    """The same frame with another IPv6 version nibble."""
    b = bytearray(pkt)
    b[14] = (version << 4) | (b[14] & 0x0F)
    return bytes(b)


def garbage_checksum(pkt, value):
    """The same packet with its UDP checksum replaced, as a veth would
    deliver a query whose checksum was left to an offload."""
    b = bytearray(pkt)
    off = 14 + 40 + 6
    b[off:off + 2] = struct.pack("!H", value)
    return bytes(b)


def partial_checksum(pkt):
    """The checksum field holding only the pseudo-header sum, not inverted:
    what CHECKSUM_PARTIAL leaves for the device to finish."""
    ip = IPv6(pkt[14:])
    import ipaddress
    words = ipaddress.IPv6Address(ip.src).packed + ipaddress.IPv6Address(ip.dst).packed
    s = sum(struct.unpack("!16H", words)) + ip.plen + 17
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return garbage_checksum(pkt, s)


AAAA_WEB = dns_udp(query("web.internal"))

PACKETS = {
    # answered from the map
    "aaaa_web": AAAA_WEB,
    "aaaa_web_mixed_case": dns_udp(query("WeB.InTeRNaL")),
    "aaaa_web_edns": dns_udp(query("web.internal", edns={"size": 4096})),
    "aaaa_web_edns_do": dns_udp(query("web.internal", edns={"size": 1400, "do": 1})),
    "aaaa_web_edns_options": dns_udp(query("web.internal", edns={
        "size": 1232, "options": [EDNS0TLV(optcode=10, optdata=b"\x01\x02\x03\x04\x05\x06\x07\x08"),
                                  EDNS0TLV(optcode=3, optdata=b"")]})),
    "aaaa_web_edns_small": dns_udp(query("web.internal", edns={"size": 100})),
    "aaaa_web_norecurse_cd": dns_udp(query("web.internal", rd=0, cd=1)),
    "aaaa_web_garbage_csum": garbage_checksum(AAAA_WEB, 0x1234),
    "aaaa_web_partial_csum": partial_checksum(AAAA_WEB),
    "aaaa_web_zero_csum": garbage_checksum(AAAA_WEB, 0),
    "aaaa_eight": dns_udp(query("eight.internal")),
    "aaaa_eight_edns": dns_udp(query("Eight.Internal", edns={"size": 1232})),
    "aaaa_three": dns_udp(query("three.internal")),
    "aaaa_name_63": dns_udp(query(NAME_63)),
    "aaaa_web_from_b": dns_udp(query("web.internal"), src=INST_B),
    # NODATA
    "a_web": dns_udp(query("web.internal", qtype="A")),
    "a_web_edns": dns_udp(query("WEB.internal", qtype="A", edns={"size": 4096, "do": 1})),
    "txt_web": dns_udp(query("web.internal", qtype="TXT")),
    "aaaa_vm_web": dns_udp(query("vm.web.internal")),
    # NXDOMAIN
    "aaaa_missing": dns_udp(query("nope.internal")),
    "a_missing_edns": dns_udp(query("Nope.Internal", qtype="A", edns={"size": 4096})),
    "aaaa_missing_under_vm": dns_udp(query("12345.vm.web.internal")),
    "aaaa_b_only_from_a": dns_udp(query("bonly.internal")),
    "aaaa_b_only_from_b": dns_udp(query("bonly.internal"), src=INST_B),
    # passed to userspace
    "aaaa_nine": dns_udp(query("nine.internal")),
    "txt_regions": dns_udp(query("regions.web.internal", qtype="TXT")),
    "aaaa_regions": dns_udp(query("regions.web.internal")),
    "aaaa_top2_nearest": dns_udp(query("top2.nearest.of.web.internal")),
    "soa_apex": dns_udp(query("internal", qtype="SOA")),
    "aaaa_external": dns_udp(query("example.com")),
    "aaaa_internal_lookalike": dns_udp(query("web.xinternal")),
    "aaaa_name_64": dns_udp(query(NAME_64)),
    "any_web": dns_udp(query("web.internal", qtype="ANY")),
    "aaaa_web_class_ch": dns_udp(query("web.internal", qclass="CH")),
    "aaaa_web_edns_v1": dns_udp(query("web.internal", edns={"size": 4096, "version": 1})),
    "opcode_status": dns_udp(query("web.internal", opcode=2)),
    "response_qr": dns_udp(bytes(DNS(id=7, qr=1, qd=DNSQR(qname="web.internal", qtype="AAAA")))),
    "qdcount_2": dns_udp(header(qd=2) + wire("web.internal") + AAAA_IN +
                         wire("three.internal") + AAAA_IN),
    "ancount_1": dns_udp(header(an=1) + wire("web.internal") + AAAA_IN),
    "arcount_2": dns_udp(query("web.internal", edns={"size": 4096})[:10] + b"\0\2" +
                         query("web.internal", edns={"size": 4096})[12:] +
                         bytes(DNSRROPT(rclass=4096))),
    "additional_not_opt": dns_udp(header(ar=1) + wire("web.internal") + AAAA_IN +
                                  wire("web.internal") + AAAA_IN + b"\0\0\0\5\0\x10" + b"\0" * 16),
    "compression_in_question": dns_udp(header() + b"\x03web\xc0\x0c" + AAAA_IN),
    "label_with_dot": dns_udp(header() + b"\x07we.b.co" + wire("internal") + AAAA_IN),
    "truncated_header": dns_udp(header()[:7]),
    "truncated_name": dns_udp(header() + wire("web.internal")[:6]),
    "truncated_qtype": dns_udp(header() + wire("web.internal") + AAAA_IN[:3]),
    "truncated_opt": dns_udp(query("web.internal", edns={"size": 4096})[:-4]),
    "opt_rdlen_past_end": dns_udp(query("web.internal", edns={"size": 4096})[:-2] + b"\0\x08"),
    "trailing_bytes": dns_udp(header() + wire("web.internal") + AAAA_IN + b"junk"),
    "ip6_payload_past_packet": AAAA_WEB[:-5],
    # issue 11: what the fast path answers although it is odd, and what it
    # must still answer
    "ip6_version_7": with_version(AAAA_WEB, 7),
    "ip6_version_4": with_version(AAAA_WEB, 4),
    "tsig_signed": dns_udp(bytes(DNS(id=0x5a5a, rd=1, qd=DNSQR(qname="web.internal", qtype="AAAA"),
                                     ar=tsig()))),
    "tsig_signed_edns": dns_udp(bytes(DNS(id=0x5a5a, rd=1,
                                          qd=DNSQR(qname="web.internal", qtype="AAAA"),
                                          ar=DNSRROPT(rclass=1232, z=0) / tsig()))),
    "tsig_root_owner": dns_udp(bytes(DNS(id=0x5a5a, rd=1, qd=DNSQR(qname="web.internal", qtype="AAAA"),
                                         ar=tsig(".")))),
    "edns_option_past_rdlen": dns_udp(edns_query(struct.pack("!HH", 10, 12) + b"abcd")),
    "edns_option_past_rdlen_2nd": dns_udp(edns_query(cookie(8) + struct.pack("!HH", 12, 1))),
    "edns_half_option_header": dns_udp(edns_query(b"\0\x0a")),
    "edns_option_then_half_header": dns_udp(edns_query(cookie(8) + b"\0\x0c\0")),
    "edns_cookie_5": dns_udp(edns_query(cookie(5))),
    "edns_cookie_12": dns_udp(edns_query(cookie(12))),
    "edns_cookie_41": dns_udp(edns_query(cookie(41))),
    "edns_cookie_0": dns_udp(edns_query(cookie(0))),
    "aaaa_web_edns_cookie_16": dns_udp(edns_query(cookie(16))),
    "aaaa_web_edns_cookie_40": dns_udp(edns_query(cookie(40))),
    "aaaa_web_edns_padding": dns_udp(edns_query(cookie(24) + struct.pack("!HH", 12, 20) + b"\0" * 20)),
    "aaaa_web_edns_eight_options": dns_udp(edns_query(struct.pack("!HH", 12, 0) * 8)),
    "edns_nine_options": dns_udp(edns_query(struct.pack("!HH", 12, 0) * 9)),
    "edns_owner_not_root": dns_udp(edns_query(owner=wire("web"))),
    "edns_in_answer": dns_udp(bytes(DNS(id=0x5a5a, rd=1, qd=DNSQR(qname="web.internal", qtype="AAAA"),
                                        an=DNSRROPT(rclass=1232, z=0)))),
    "edns_in_authority": dns_udp(header(ns=1) + wire("web.internal") + AAAA_IN + opt_rr()),
    "edns_trailing_bytes": dns_udp(edns_query(cookie(8)) + b"junk"),
    "edns_ext_rcode": dns_udp(edns_query(ttl=0x01000000)),
    "aaaa_web_edns_z": dns_udp(edns_query(ttl=0x00008123)),
    "qtype_opt": dns_udp(query("web.internal", qtype=41)),
    "qtype_opt_missing": dns_udp(query("nope.internal", qtype=41, edns={"size": 1232})),
    "qtype_0": dns_udp(query("web.internal", qtype=0)),
    "qtype_65535": dns_udp(query("web.internal", qtype=65535)),
    "qtype_65535_missing": dns_udp(query("nope.internal", qtype=65535)),
    "qtype_65534": dns_udp(query("web.internal", qtype=65534)),
    "qtype_tkey": dns_udp(query("web.internal", qtype="TKEY")),
    "qtype_tsig": dns_udp(query("web.internal", qtype="TSIG")),
    "qtype_ixfr": dns_udp(query("web.internal", qtype="IXFR")),
    "qtype_axfr": dns_udp(query("web.internal", qtype="AXFR")),
    "qtype_mailb": dns_udp(query("web.internal", qtype="MAILB")),
    "qtype_maila": dns_udp(query("web.internal", qtype="MAILA")),
    "qtype_any_missing": dns_udp(query("nope.internal", qtype="ANY")),
    "tc_in_query": dns_udp(header(flags=0x0300) + wire("web.internal") + AAAA_IN),
    "z_in_query": dns_udp(header(flags=0x0140) + wire("web.internal") + AAAA_IN),
    "rcode_in_query": dns_udp(header(flags=0x0101) + wire("web.internal") + AAAA_IN),
    "aaaa_web_ad": dns_udp(header(qid=0x5a5a, flags=0x0120) + wire("web.internal") + AAAA_IN),
    "nscount_1": dns_udp(header(ns=1) + wire("web.internal") + AAAA_IN),
    "qdcount_0": dns_udp(header(qd=0)),
    "class_any": dns_udp(query("web.internal", qclass="ANY")),
    "class_none": dns_udp(query("web.internal", qclass=254)),
    "label_64": dns_udp(header() + b"\x40" + b"k" * 64 + wire("internal") + AAAA_IN),
    "label_type_01": dns_udp(header() + b"\x41" + wire("web.internal") + AAAA_IN),
    "name_over_255": dns_udp(header() + b"\x3f" + b"k" * 63 + b"\x3f" + b"k" * 63 +
                             b"\x3f" + b"k" * 63 + b"\x3f" + b"k" * 63 + wire("internal") + AAAA_IN),
    "sport_0": dns_udp(query("web.internal"), sport=0),
    "aaaa_web_sport_53": dns_udp(query("web.internal"), sport=53),
    # not for the fast path at all, or not trusted
    "spoofed_neighbour": dns_udp(query("web.internal"), src=INST_A_OTHER),
    "source_outside_6pn": dns_udp(query("web.internal"), src="2001:db8::1"),
    "to_net_dns": dns_udp(query("web.internal"), dst=DNS_NET_A),
    "to_port_5353": dns_udp(query("web.internal"), dport=5353),
    "tcp_53": bytes(ETH / IPv6(src=INST_A, dst=DNS_ADDR) / TCP(sport=SPORT, dport=53, flags="S")),
}


if __name__ == "__main__":
    write_packets(PACKETS)
