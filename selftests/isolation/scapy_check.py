"""Holds wire.py to scapy: rebuilds a sample of the matrix's packets from
their descriptions with scapy's layers and compares the bytes. Each piece
(transport with its checksum, every extension header, the quote of an
ICMPv6 error) is built by scapy on its own, since scapy leaves a checksum
behind AH at zero and does not fill AH's next header."""
import sys

import gen_matrix as gm

VIA = str(gm.wire.ipaddress.IPv6Address(gm.VIA))


def text(a):
    return str(gm.wire.ipaddress.IPv6Address(a))


def scapy_l4(s, name, src, dst):
    """The transport segment of L4 kind `name`, checksummed against src/dst."""
    L = s
    quotes = {
        "ptb_inst": (L.ICMPv6PacketTooBig, {"mtu": 1420}, "INST", "REMOTE_A", "tcp"),
        "ptb_peer": (L.ICMPv6PacketTooBig, {"mtu": 1420}, "PEER", "REMOTE_A", "tcp"),
        "unreach_xnet": (L.ICMPv6DestUnreach, {"code": 4}, "INST", "REMOTE_B", "udp"),
        "timex_notfdaa": (L.ICMPv6TimeExceeded, {}, "INST", "NOTFDAA_REMOTE", "tcp"),
        "param_inst": (L.ICMPv6ParamProblem, {"ptr": 6}, "INST_ALT", "INST_NB", "udp"),
    }
    if name in quotes:
        cls, kw, qs, qd, qnh = quotes[name]
        layer = cls(**kw) / L.Raw(scapy_quote(s, qs, qd, qnh, None))
    elif name == "type5_inst":
        layer = L.ICMPv6Unknown(type=5, code=0, msgbody=b"\0" * 4 + scapy_quote(s, "INST", "REMOTE_A", "tcp", None))
    else:
        layer = {
            "udp4000": lambda: L.UDP(sport=3333, dport=4000) / L.Raw(b"sixpn-udp"),
            "udp53": lambda: L.UDP(sport=3333, dport=53) / L.Raw(b"\x12\x34\x01\x00\x00\x01"),
            "udp53r": lambda: L.UDP(sport=53, dport=3333) / L.Raw(b"\x12\x34\x81\x80\x00\x01"),
            "tcp8080": lambda: L.TCP(sport=40000, dport=8080, flags="S", seq=1),
            "tcp53": lambda: L.TCP(sport=40000, dport=53, flags="S", seq=1),
            "tcp53r": lambda: L.TCP(sport=53, dport=40000, flags="SA", seq=1),
            "tcp4280": lambda: L.TCP(sport=40000, dport=4280, flags="S", seq=1),
            "tcp4280r": lambda: L.TCP(sport=4280, dport=40000, flags="SA", seq=1),
            "tcp4281": lambda: L.TCP(sport=40000, dport=4281, flags="S", seq=1),
            "tcp4281r": lambda: L.TCP(sport=4281, dport=40000, flags="SA", seq=1),
            "udp4280": lambda: L.UDP(sport=3333, dport=4280) / L.Raw(b"sixpn-udp"),
            "udp4280r": lambda: L.UDP(sport=4280, dport=3333) / L.Raw(b"sixpn-udp"),
            "echo": lambda: L.ICMPv6EchoRequest(),
            "echor": lambda: L.ICMPv6EchoReply(),
            "ns": lambda: L.ICMPv6ND_NS(tgt="fe80::1"),
            "ns_hl64": lambda: L.ICMPv6ND_NS(tgt="fe80::1"),
            "na": lambda: L.ICMPv6ND_NA(tgt="fe80::1"),
            "rs": lambda: L.ICMPv6ND_RS(),
            "ra": lambda: L.ICMPv6ND_RA(),
            "redirect": lambda: L.ICMPv6ND_Redirect(tgt="fe80::1", dst="fe80::2"),
            "mldq": lambda: L.ICMPv6MLQuery(),
            "mldr": lambda: L.ICMPv6MLReport(mladdr="ff02::16"),
            "mldd": lambda: L.ICMPv6MLDone(mladdr="ff02::16"),
            "mld2r": lambda: L.ICMPv6MLReport2(),
            "mld2r_hl64": lambda: L.ICMPv6MLReport2(),
            "sctp53": lambda: L.SCTP(sport=3333, dport=53),
            "unknown253": lambda: L.Raw(b"sixpn-??"),
            "nonext": lambda: L.Raw(b""),
            "esp": lambda: L.Raw(bytes.fromhex("00000100000000010000000000000000")),
        }[name]()
    nh = {"unknown253": 253, "nonext": 59, "esp": 50}.get(name)
    ip6 = L.IPv6(src=text(src), dst=text(dst)) if nh is None else L.IPv6(src=text(src), dst=text(dst), nh=nh)
    return bytes(ip6 / layer)[40:]


def scapy_quote(s, qs, qd, qnh, length, version=6):
    L = s
    l4 = {"tcp": lambda: L.TCP(sport=40000, dport=8080, flags="S", seq=1),
          "udp": lambda: L.UDP(sport=3333, dport=4000) / L.Raw(b"sixpn-udp"),
          "echo": lambda: L.ICMPv6EchoRequest()}[qnh]()
    q = bytes(L.IPv6(version=version, src=text(gm.A[qs]), dst=text(gm.A[qd])) / l4)
    return q if length is None else q[:length]


def scapy_error(s, typ, code, quoted, src, dst):
    L = s
    cls = {1: (L.ICMPv6DestUnreach, {}), 2: (L.ICMPv6PacketTooBig, {"mtu": 1420}),
           3: (L.ICMPv6TimeExceeded, {}), 4: (L.ICMPv6ParamProblem, {"ptr": 6}),
           128: (L.ICMPv6EchoRequest, {})}.get(typ)
    if cls is None:
        layer = L.ICMPv6Unknown(type=typ, code=code, msgbody=b"\0" * 4 + quoted)
    elif typ == 128:
        layer = L.ICMPv6EchoRequest(id=0, seq=0, data=quoted)
    else:
        layer = cls[0](code=code, **cls[1]) / L.Raw(quoted)
    return bytes(L.IPv6(src=text(src), dst=text(dst)) / layer)[40:]


def scapy_ext(s, code, nh):
    L = s
    if code == "A":
        return bytes(L.AH(nh=nh, payloadlen=4, spi=0x100, seq=1, icv=b"\0" * 12))
    layer = {
        "H": lambda: L.IPv6ExtHdrHopByHop(nh=nh, options=[L.PadN(optdata=b"\0" * 4)]),
        "HRA": lambda: L.IPv6ExtHdrHopByHop(nh=nh, options=[L.RouterAlert(value=0)]),
        "D": lambda: L.IPv6ExtHdrDestOpt(nh=nh, options=[L.PadN(optdata=b"\0" * 4)]),
        "D16": lambda: L.IPv6ExtHdrDestOpt(nh=nh, options=[L.PadN(optdata=b"\0" * 12)]),
        "R0": lambda: L.IPv6ExtHdrRouting(nh=nh, type=0, segleft=0, addresses=[VIA]),
        "R1": lambda: L.IPv6ExtHdrRouting(nh=nh, type=0, segleft=1, addresses=[VIA]),
        "F0": lambda: L.IPv6ExtHdrFragment(nh=nh, offset=0, m=1, id=0x5158),
        "Fn": lambda: L.IPv6ExtHdrFragment(nh=nh, offset=10, m=0, id=0x5158),
    }[code]()
    return bytes(layer)


def rebuild(s, c):
    """The packet of case `c` by scapy, or None when its description is not
    one scapy can rebuild (blocks D and M are raw frames)."""
    if c.block not in "ABCTXW":
        return None
    d = dict(kv.split("=", 1) for kv in c.desc.split(","))
    m = d["src"].startswith("m.")
    src, dst = gm.A[d["src"].removeprefix("m.")], gm.A[d["dst"].removeprefix("m.")]
    if m:
        src, dst = gm.meshed(src), gm.meshed(dst)
    chain = () if d.get("ext", "-") == "-" else tuple(d["ext"].split("."))
    final = gm.VIA if "R1" in chain else dst
    if "quote" in d:
        typ, code = (int(x) for x in d["l4"][4:].split("/"))
        qs, rest = d["quote"].split(">")
        qd, qnh, qlen = rest.split("/")
        quoted = scapy_quote(s, qs, qd, qnh, None if qlen == "full" else int(qlen),
                             int(d.get("qver", 6)))
        seg = scapy_error(s, typ, code, quoted, src, dst)
        nh, hlim = 58, 64
    else:
        seg = scapy_l4(s, d["l4"], src, final)
        nh = {"udp": 17, "tcp": 6, "sct": 132, "unk": 253, "non": 59, "esp": 50}.get(d["l4"][:3], 58)
        hlim = gm.L4[d["l4"]][1]
    exts = b""
    for code in reversed(chain):
        exts = scapy_ext(s, code, nh) + exts
        nh = gm.wire.EXT_NH[code]
    pkt = bytes(s.IPv6(src=text(src), dst=text(dst), nh=nh, hlim=hlim) / s.Raw(exts + seg))
    if "cut" in d:
        pkt = dict(gm.cuts_for(chain))[d["cut"]](pkt)
    return gm.frame(c.setup, pkt)


def run(cases, n):
    """Compares n cases spread over `cases`; prints what differs. Returns
    how many differ."""
    import scapy.all as s
    eligible = [(cid, c) for cid, c in cases if c.block in "ABCTXW"]
    step = max(1, len(eligible) // n)
    bad = checked = 0
    for cid, c in eligible[::step][:n]:
        want = rebuild(s, c)
        got = c.make()
        checked += 1
        if want != got:
            bad += 1
            sys.stderr.write("# scapy differs %s %s\n#   scapy %s\n#   wire  %s\n" % (
                cid, c.desc, want.hex(), got.hex()))
    sys.stderr.write("# scapy check: %d packets rebuilt by scapy, %d differ\n" % (checked, bad))
    return bad
