"""What the Flycast translating path must do with one packet, from the
rules of README.md (Verdicts; Flycast) and docs/design.md section 7 alone,
never from the BPF sources: the reason, and the bytes that come out.

A host (HOST1) with a consumer instance of network A and a backend
instance of network B (app of B, service addresses of A). Live flows are
given by the caller as the test established them (the SNAT address each
got is an observed fact, checked to lie in the SNAT range).

judge(iface, pkt, flows) -> (reason, out, new_flow)
  out: None (dropped), pkt (untouched), bytes (the packet rebuilt from
  scratch with the translated addresses, checksums included), or "T" for
  a new flow (translated to the backend from some SNAT address of HOST1
  in B: its word is the program's choice).
"""
import struct

import wire


def net_of(a):
    return a >> 80 & 0xFFFFFFFF


def host_of(a):
    return a >> 48 & 0xFFFFFFFF


def is_6pn(a):
    return a >> 112 == 0xFDAA


def in_service_range(a):
    # fdaa:NET:0:0:SVC:0, SVC != 0 (host word 0 is reserved)
    return is_6pn(a) and host_of(a) == 0 and (a >> 16 & 0xFFFFFFFF) != 0


def is_snat(a, host):
    # fdaa:NET:HOST:0:0:W, instance 0 on HOST
    return is_6pn(a) and host_of(a) == host and (a >> 16 & 0xFFFFFFFF) == 0 and host != 0


class Iface:
    def __init__(self, net, prefix, plen):
        self.net, self.prefix, self.plen = net, prefix, plen

    def owns(self, a):
        return a >> (128 - self.plen) == self.prefix >> (128 - self.plen)


class Service:
    def __init__(self, addr, ports, backends):
        self.addr, self.ports, self.backends = addr, ports, backends


class Flow:
    """A consumer's flow: proto, consumer address and port (echo: its
    identifier), service address and port (echo: 0), backend, SNAT."""
    def __init__(self, proto, consumer, cport, svc, sport, backend, snat):
        self.proto, self.consumer, self.cport = proto, consumer, cport
        self.svc, self.sport, self.backend, self.snat = svc, sport, backend, snat


EXT = {0, 60, 43, 44, 51}
FIXED = {6: 20, 17: 8, 58: 8}


def parse(pkt):
    """Fixed header, extension headers, transport: a dict, or a reason."""
    if len(pkt) < 14 or pkt[12:14] != b"\x86\xdd":
        return "DROP_NOT_IPV6"
    ip = pkt[14:]
    if len(ip) < 40 or ip[0] >> 4 != 6:
        return "DROP_MALFORMED"
    nh, off, frag_later = ip[6], 40, False
    while nh in EXT:
        if len(ip) < off + 8:
            return "DROP_MALFORMED"
        if nh == 44:
            frag_later = struct.unpack("!H", ip[off + 2:off + 4])[0] >> 3 != 0
            nxt, size = ip[off], 8
        elif nh == 51:
            nxt, size = ip[off], (ip[off + 1] + 2) * 4
        else:
            nxt, size = ip[off], (ip[off + 1] + 1) * 8
            if nh == 43 and ip[off + 3]:
                return "DROP_EXT_HDR"
        if len(ip) < off + size:
            return "DROP_MALFORMED"
        nh, off = nxt, off + size
        if frag_later:
            break
    l4 = None if frag_later else off
    if l4 is not None and nh in FIXED and len(ip) < l4 + FIXED[nh]:
        return "DROP_MALFORMED"
    return {"src": int.from_bytes(ip[8:24], "big"), "dst": int.from_bytes(ip[24:40], "big"),
            "proto": nh, "l4": l4, "ip": ip}


def ports(p):
    """(sport, dport) of TCP/UDP, (identifier, 0) of an echo request,
    ("reply", identifier) of an echo reply; None for anything else."""
    ip, l4 = p["ip"], p["l4"]
    if l4 is None:
        return None
    if p["proto"] in (6, 17):
        return struct.unpack("!HH", ip[l4:l4 + 4])
    if p["proto"] == 58 and ip[l4] in (128, 129):
        ident = struct.unpack("!H", ip[l4 + 4:l4 + 6])[0]
        return (ident, 0) if ip[l4] == 128 else ("reply", ident)
    return None


def adjusted(csum, old_addrs, new_addrs):
    """A checksum over old_addrs moved to new_addrs (RFC 1624 eqn. 3)."""
    diff = wire.sum16(new_addrs) + (0xFFFF * (len(old_addrs) // 2) - wire.sum16(old_addrs))
    return 0xFFFF & ~wire.fold((~csum & 0xFFFF) + wire.fold(diff))


def rebuild(pkt, p, src, dst, l4_bytes=None):
    """pkt with new addresses and its transport checksum over them (the
    pseudo-header), nothing else changed: computed anew when the packet
    is whole, moved by the addresses' difference when it was cut (the
    checksum covers bytes the packet no longer has)."""
    ip = bytearray(p["ip"])
    old_addrs = bytes(ip[8:40])
    ip[8:24], ip[24:40] = wire.a16(src), wire.a16(dst)
    l4 = p["l4"]
    seg = bytearray(l4_bytes if l4_bytes is not None else ip[l4:])
    at = {6: 16, 17: 6, 58: 2}[p["proto"]]
    old = struct.unpack("!H", seg[at:at + 2])[0]
    whole = struct.unpack("!H", ip[4:6])[0] == len(ip) - 40
    if p["proto"] == 17 and old == 0:            # UDP without checksum stays so
        pass
    elif whole:
        seg[at:at + 2] = b"\0\0"
        seg[at:at + 2] = struct.pack("!H", wire.l4_checksum(src, dst, p["proto"], bytes(seg)))
    else:
        seg[at:at + 2] = struct.pack("!H", adjusted(old, old_addrs, bytes(ip[8:40])))
    ip[l4:] = seg
    return pkt[:14] + bytes(ip)


def flow_of_quote(q, flows):
    """The flow whose packet, as the backend received it, the quote is:
    from the flow's SNAT address to its backend, the flow's protocol and
    ports. None when no flow's."""
    if len(q) < 48 or q[0] >> 4 != 6:
        return None
    qsrc, qdst, qnh = (int.from_bytes(q[8:24], "big"), int.from_bytes(q[24:40], "big"), q[6])
    for f in flows:
        if (qsrc, qdst, qnh) != (f.snat, f.backend, f.proto):
            continue
        if qnh in (6, 17) and struct.unpack("!HH", q[40:44]) == (f.cport, f.sport):
            return f
        if qnh == 58 and q[40] == 128 and struct.unpack("!H", q[44:46])[0] == f.cport:
            return f
    return None


def translate_error(pkt, p, f):
    """An error about flow f, as the consumer must see it: to the consumer,
    quoting its own packet to the service (quoted checksum adjusted to the
    new addresses when the quote holds it)."""
    ip, l4 = p["ip"], p["l4"]
    body = bytearray(ip[l4:])
    q = bytearray(body[8:])
    q[8:24], q[24:40] = wire.a16(f.consumer), wire.a16(f.svc)
    at = 40 + {6: 16, 17: 6, 58: 2}[f.proto]
    if len(q) >= at + 2:
        old = struct.unpack("!H", q[at:at + 2])[0]
        if not (f.proto == 17 and old == 0):
            # the quote may be cut: its checksum moves by the addresses'
            # difference, it cannot be recomputed
            q[at:at + 2] = struct.pack("!H", adjusted(
                old, wire.a16(f.snat) + wire.a16(f.backend), wire.a16(f.consumer) + wire.a16(f.svc)))
    body[8:] = q
    return rebuild(pkt, p, p["src"], f.consumer, bytes(body))


def judge(iface, pkt, services, flows, host):
    """(reason, out, new_flow) for pkt from iface's instance (tc ingress)."""
    p = parse(pkt)
    if isinstance(p, str):
        return p, None, False
    src, dst = p["src"], p["dst"]
    if not iface.owns(src):
        return "DROP_SPOOFED_SRC", None, False
    if not is_6pn(dst):
        return "DROP_NOT_6PN", None, False
    if net_of(dst) != net_of(src):
        return "DROP_CROSS_NETWORK", None, False
    if in_service_range(dst):
        svc = services.get(dst)
        if svc is None:
            return "DROP_NO_SERVICE", None, False
        pp = ports(p)
        if pp is None or pp[0] == "reply":
            return "DROP_SVC_PORT", None, False
        if p["proto"] != 58 and svc.ports and pp[1] not in svc.ports:
            return "DROP_SVC_PORT", None, False
        for f in flows:
            if (f.proto, f.consumer, f.cport, f.svc, f.sport) == (p["proto"], src, pp[0], dst, pp[1]):
                return "PASS_FC_FORWARD", rebuild(pkt, p, f.snat, f.backend), False
        if not svc.backends:
            return "DROP_NO_BACKEND", None, False
        return "PASS_FC_FORWARD", "T", True
    if is_snat(dst, host):
        ip, l4 = p["ip"], p["l4"]
        if p["proto"] == 58 and l4 is not None and 1 <= ip[l4] <= 4:
            f = flow_of_quote(ip[l4 + 8:], flows)
            # errors go back to the invoking packet's source (RFC 4443
            # 2.2): the quote's source is the error's destination
            if f is None or f.snat != dst:
                return "DROP_NO_FLOW", None, False
            return "PASS_FC_ICMP_ERROR", translate_error(pkt, p, f), False
        pp = ports(p)
        if pp is None or (p["proto"] == 58 and pp[0] != "reply"):
            return "DROP_NO_FLOW", None, False
        for f in flows:
            if (f.backend, f.snat, f.proto) != (src, dst, p["proto"]):
                continue
            if (p["proto"] == 58 and pp[1] == f.cport) or tuple(pp) == (f.sport, f.cport):
                return "PASS_FC_REPLY", rebuild(pkt, p, f.svc, f.consumer), False
        return "DROP_NO_FLOW", None, False
    return "PASS", pkt, False
