"""Packet bytes for the isolation matrix, built with struct: scapy takes about
a millisecond a packet, and the full matrix has a few hundred thousand.
gen_matrix.py --scapy-check rebuilds a sample with scapy and compares, so
these builders are held to scapy's idea of each header."""
import ipaddress
import struct

ETH_SRC = bytes.fromhex("020000000002")
ETH_DST = bytes.fromhex("020000000001")


def ip(text):
    return int(ipaddress.IPv6Address(text))


def a16(a):
    return a.to_bytes(16, "big")


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def sum16(b):
    if len(b) % 2:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def l4_checksum(src, dst, nh, seg):
    """RFC 8200 section 8.1: the pseudo-header names the final destination."""
    pseudo = a16(src) + a16(dst) + struct.pack("!IxxxB", len(seg), nh)
    c = 0xFFFF & ~fold(sum16(pseudo) + sum16(seg))
    return c if c or nh != 17 else 0xFFFF


def with_checksum(seg, at, src, dst, nh):
    c = l4_checksum(src, dst, nh, seg)
    return seg[:at] + struct.pack("!H", c) + seg[at + 2:]


# --- transport headers: (next header, bytes, hop limit) ----------------------

def udp(sport, dport, payload=b"sixpn-udp"):
    def build(src, dst):
        seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        return with_checksum(seg, 6, src, dst, 17)
    return 17, build


def tcp(sport, dport, flags=0x02):
    def build(src, dst):
        seg = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 8192, 0, 0)
        return with_checksum(seg, 16, src, dst, 6)
    return 6, build


def icmp(typ, code=0, body=b"\0\0\0\0"):
    def build(src, dst):
        seg = struct.pack("!BBH", typ, code, 0) + body
        return with_checksum(seg, 2, src, dst, 58)
    return 58, build


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = crc >> 1 ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def sctp(sport, dport):
    def build(_src, _dst):
        hdr = struct.pack("!HHII", sport, dport, 0, 0)
        return hdr[:8] + struct.pack("<I", crc32c(hdr))
    return 132, build


def raw(nh, payload):
    return nh, lambda _s, _d: payload


# --- extension headers -------------------------------------------------------
# Each takes the next header it points to and gives its bytes.

def hbh(nh):
    return bytes([nh, 0, 1, 4, 0, 0, 0, 0])          # PadN of 4


def hbh_router_alert(nh):
    return bytes([nh, 0, 5, 2, 0, 0, 1, 0])          # MLD's Router Alert, Pad1 x2


def dstopt(nh):
    return bytes([nh, 0, 1, 4, 0, 0, 0, 0])


def dstopt16(nh):
    return bytes([nh, 1, 1, 12]) + bytes(12)


def routing(segleft, via):
    def build(nh):
        return bytes([nh, 2, 0, segleft]) + bytes(4) + a16(via)
    return build


def fragment(offset, more):
    def build(nh):
        return struct.pack("!BBHI", nh, 0, offset << 3 | more, 0x5158)
    return build


def ah(nh):
    return bytes([nh, 4, 0, 0]) + struct.pack("!II", 0x100, 1) + bytes(12)


EXT_NH = {"H": 0, "HRA": 0, "D": 60, "D16": 60, "R0": 43, "R1": 43,
          "F0": 44, "Fn": 44, "A": 51}


def ext_builder(code, via):
    return {
        "H": hbh, "HRA": hbh_router_alert, "D": dstopt, "D16": dstopt16,
        "R0": routing(0, via), "R1": routing(1, via),
        "F0": fragment(0, 1), "Fn": fragment(10, 0), "A": ah,
    }[code]


# --- whole packets -----------------------------------------------------------

def ipv6(src, dst, l4, chain=(), hlim=64, via=None, version=6):
    """IPv6 header, extension headers `chain` (codes of EXT_NH), transport.
    The transport checksum uses the routing header's last address when a
    routing header has segments left (the final destination)."""
    nh, build = l4
    final = via if via is not None and "R1" in chain else dst
    seg = build(src, final)
    exts = b""
    for code in reversed(chain):
        exts = ext_builder(code, via if via is not None else dst)(nh) + exts
        nh = EXT_NH[code]
    payload = exts + seg
    hdr = struct.pack("!IHBB", version << 28, len(payload), nh, hlim) + a16(src) + a16(dst)
    return hdr + payload


def ether(payload, ethertype=0x86DD):
    return ETH_DST + ETH_SRC + struct.pack("!H", ethertype) + payload


def vlan(payload, vid=10, inner=0x86DD, tpid=0x8100):
    return struct.pack("!HH", vid, inner) + payload, tpid


def ipv4_udp(src="192.0.2.1", dst="192.0.2.2", dport=53):
    u = struct.pack("!HHHH", 3333, dport, 8 + 4, 0) + b"sixp"
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 1, 0, 64, 17, 0,
                      ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed)
    c = 0xFFFF & ~fold(sum16(hdr))
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + u


def arp():
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, ETH_SRC,
                       bytes([192, 0, 2, 1]), bytes(6), bytes([192, 0, 2, 2]))
