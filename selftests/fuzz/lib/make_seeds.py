#!/usr/bin/python3
# Writes the seed corpus of the libFuzzer targets of selftests/fuzz/lib/
# into selftests/fuzz/corpus/<target>/ (committed: small real inputs; the
# regress-* files there are inputs that once crashed a target and are not
# written here). Run as root from the top of the tree when a target's input
# format changes:  selftests/fuzz/lib/make_seeds.py
#
#   resolver_query     DNS queries built by scapy for every name kind of
#                      design.md section 5, every refusal and error
#   resolver_upstream  upstream replies (scapy) to the target's 4 queries
#   registry_rows      rows as sixpnctl writes them, and some it never would
#   registry_rules     names, endpoints, host IDs and keys
#   wg_uapi            wireguard-go's answer to get=1, in its format
#   wg_genl            WG_CMD_GET_DEVICE dumps, as the kernel builds them
#   netlink            real rtnetlink answers, captured in a private network
#                      namespace (unshare -n) with a veth pair, an
#                      address and sixpn routes
import base64
import os
import socket
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.abspath(__file__)) + "/../corpus"


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- DNS (scapy) ---------------------------------------------------------
def dns_seeds():
    from scapy.layers.dns import DNS, DNSQR, DNSRR, DNSRROPT, DNSRRSOA

    def q(name, qtype="AAAA", edns=None, do=False, **kw):
        kw.setdefault("rd", 1)
        p = DNS(id=0x4242, qd=DNSQR(qname=name, qtype=qtype), **kw)
        if edns:
            p.ar = DNSRROPT(rclass=edns, z=0x8000 if do else 0)
            p.arcount = 1
        return bytes(p)

    # the first byte: bits 0-2 the source (0 web machine, 1 db machine,
    # 2 globex, 3 peer, 4 unknown host, 5 network 0, 6 unbound, 7 outside
    # 6PN), bit 3 TCP
    seeds = {
        "apex-soa": (0, q("internal.", "SOA")),
        "apex-ns": (0, q("internal.", "NS")),
        "apex-any": (0, q("internal.", 255)),
        "apex-a": (0, q("internal.", "A")),
        "app": (0, q("web.internal.")),
        "app-0x20": (0, q("WeB.InTeRnAl.")),
        "app-tcp": (8, q("web.internal.")),
        "app-any": (0, q("web.internal.", 255)),
        "app-a-nodata": (0, q("web.internal.", "A")),
        "vms": (0, q("vms.web.internal.", "TXT")),
        "regions": (0, q("regions.web.internal.", "TXT")),
        "region": (0, q("ams.web.internal.")),
        "region-nocoords": (0, q("lhr.web.internal.")),
        "global": (0, q("global.web.internal.")),
        "of": (0, q("of.web.internal.")),
        "vm": (0, q("vm.web.internal.")),
        "machine": (0, q("00000000000001.vm.web.internal.")),
        "nearest": (0, q("nearest.of.web.internal.")),
        "top2": (0, q("top2.nearest.of.web.internal.")),
        "top-unknown-host": (4, q("top3.nearest.of.web.internal.")),
        "top-leading-zero": (0, q("top02.nearest.of.web.internal.")),
        "apps": (0, q("_apps.internal.", "TXT")),
        "instances": (0, q("_instances.internal.", "TXT")),
        "peers": (0, q("_peer.internal.", "TXT")),
        "peer": (0, q("laptop._peer.internal.")),
        "from-peer": (3, q("web.internal.")),
        "big-udp-tc": (0, q("big.internal.")),
        "big-edns": (0, q("big.internal.", edns=1232, do=True)),
        "big-edns-small": (0, q("big.internal.", edns=100)),
        "big-tcp": (8, q("big.internal.")),
        "vms-big-txt-split": (8, q("vms.big.internal.", "TXT")),
        "instances-edns": (0, q("_instances.internal.", "TXT", edns=4096)),
        "other-network": (1, q("web.internal.")),
        "db-from-backend": (1, q("db.internal.")),
        "other-org": (2, q("shop.internal.")),
        "nxdomain": (0, q("nosuch.internal.")),
        "nxdomain-deep": (0, q("a.b.c.d.e.web.internal.")),
        "nxdomain-underscore": (0, q("_x.web.internal.")),
        "refused-net0": (5, q("web.internal.")),
        "refused-unbound": (6, q("web.internal.")),
        "refused-outside": (7, q("web.internal.")),
        "forward": (0, q("example.com.", "A")),
        "forward-tcp": (8, q("example.com.", "A")),
        "notimp-opcode": (0, bytes(DNS(id=7, opcode=4, qd=DNSQR(qname="web.internal.")))),
        "notimp-axfr": (8, q("internal.", "AXFR")),
        "notimp-class": (0, bytes(DNS(id=8, qd=DNSQR(qname="web.internal.", qclass="CH")))),
        "formerr-opt-question": (0, q("web.internal.", "OPT")),
        "formerr-2-questions": (0, bytes(DNS(id=9, qd=DNSQR(qname="web.internal.") /
                                             DNSQR(qname="db.internal."), qdcount=2))),
        "formerr-no-question": (0, bytes(DNS(id=10, qdcount=0))),
        "formerr-2-opts": (0, bytes(DNS(id=11, qd=DNSQR(qname="web.internal."),
                                        ar=DNSRROPT(rclass=1232) / DNSRROPT(rclass=1232),
                                        arcount=2))),
        "badvers": (0, bytes(DNS(id=12, qd=DNSQR(qname="web.internal."),
                                 ar=DNSRROPT(rclass=1232, version=1), arcount=1))),
        "cd-do": (0, q("web.internal.", edns=1232, do=True, cd=1)),
        "truncated-message": (0, q("web.internal.")[:20]),
        "response": (0, bytes(DNS(id=13, qr=1, qd=DNSQR(qname="web.internal.")))),
        # the lifecycle and the rest of Fly's names (fixture.c: a stopped
        # web machine in group worker with role=replica, metadata on
        # another, an interactive- peer)
        "all-vms": (0, q("all.vms.web.internal.", "TXT")),
        "all-regions": (0, q("all.regions.web.internal.", "TXT")),
        "all-instances": (0, q("all._instances.internal.", "TXT")),
        "process": (0, q("process.web.internal.")),
        "process-group": (0, q("worker.process.web.internal.")),
        "process-app": (0, q("app.process.web.internal.")),
        "metadata-pair": (0, q("replica.role.kv._metadata.web.internal.")),
        "metadata-key": (0, q("role.kv._metadata.web.internal.")),
        "metadata-kv": (0, q("kv._metadata.web.internal.")),
        "metadata-long": (8, q("a-value-long-enough-to-leave-the-map.role.kv._metadata.web.internal.")),
        "api": (0, q("_api.internal.")),
        "api-from-peer": (3, q("_api.internal.")),
        "peer-interactive": (0, q("interactive-1._peer.internal.")),
    }
    for name, (how, msg) in seeds.items():
        write("resolver_query", name, bytes([how]) + msg)

    # resolver_upstream: byte 0 picks the target's query (0 example.com A,
    # 1 Example.COM AAAA with EDNS and DO, 2 example.org TXT from a TCP
    # client, 3 big.example ANY with CD and EDNS 4096); then the UDP
    # reply's length and bytes, then what the upstream sends over TCP.
    def up(qi, udp, tcp=b""):
        return bytes([qi]) + struct.pack(">H", len(udp)) + udp + tcp

    def framed(msg):
        return struct.pack(">H", len(msg)) + msg

    a = bytes(DNS(id=0, qr=1, rd=1, ra=1, qd=DNSQR(qname="example.com.", qtype="A"),
                  an=DNSRR(rrname="example.com.", type="A", rdata="93.184.216.34", ttl=300)))
    aaaa = bytes(DNS(id=0, qr=1, rd=1, ra=1, ad=1, qd=DNSQR(qname="example.com.", qtype="AAAA"),
                     an=DNSRR(rrname="example.com.", type="AAAA", rdata="2606:2800:220:1::1"),
                     ar=DNSRROPT(rclass=1232, z=0x8000), arcount=1))
    txt = DNS(id=0, qr=1, rd=1, ra=1, qd=DNSQR(qname="example.org.", qtype="TXT"),
              an=DNSRR(rrname="example.org.", type="TXT", rdata=[b"v=spf1 -all", b"x" * 200]))
    soa = DNS(id=0, qr=1, rd=1, ra=1, rcode=3, qd=DNSQR(qname="example.com.", qtype="A"),
              ns=DNSRRSOA(rrname="com.", ttl=900, mname="a.gtld-servers.net.",
                          rname="nstld.verisign-grs.com.", serial=1, refresh=1800, retry=900,
                          expire=604800, minimum=86400))
    tc = bytes(DNS(id=0, qr=1, tc=1, cd=1, qd=DNSQR(qname="big.example.", qtype=255),
                   ar=DNSRROPT(rclass=4096), arcount=1))
    many = None
    for i in range(60):
        rr = DNSRR(rrname="big.example.", type="AAAA", rdata="2001:db8::%x" % (i + 1))
        many = rr if many is None else many / rr
    big = bytes(DNS(id=0, qr=1, cd=1, ra=1, qd=DNSQR(qname="big.example.", qtype=255), an=many,
                    ar=DNSRROPT(rclass=4096), arcount=1))
    badvers = bytes(DNS(id=0, qr=1, rd=1, ra=1, qd=DNSQR(qname="example.com.", qtype="A"),
                        ar=DNSRROPT(rclass=1232, extrcode=1), arcount=1))
    wrong_q = bytes(DNS(id=0, qr=1, rd=1, ra=1, qd=DNSQR(qname="example.net.", qtype="A")))
    tc_a = bytes(DNS(id=0, qr=1, tc=1, rd=1, qd=DNSQR(qname="example.com.", qtype="A")))
    write("resolver_upstream", "a", up(0, a))
    write("resolver_upstream", "aaaa-edns-ad", up(1, aaaa))
    write("resolver_upstream", "txt-tcp-client", up(2, bytes(txt)))
    write("resolver_upstream", "nxdomain-soa", up(0, bytes(soa)))
    write("resolver_upstream", "tc-then-tcp", up(3, tc, framed(big)))
    write("resolver_upstream", "tc-then-tcp-short", up(0, tc_a, framed(a)[:30]))
    write("resolver_upstream", "tc-then-tcp-lying-length", up(0, tc_a, b"\xff\xff" + a[2:]))
    write("resolver_upstream", "tc-then-tcp-2-replies", up(0, tc_a, framed(a) + framed(a)))
    write("resolver_upstream", "extended-rcode-no-edns", up(0, badvers))
    write("resolver_upstream", "wrong-question", up(0, wrong_q))
    write("resolver_upstream", "not-a-reply", up(0, a[:2] + b"\x01\x00" + a[4:]))
    write("resolver_upstream", "runt", up(0, a[:6]))


# ---- registry rows -------------------------------------------------------
T_ORGS, T_NETS, T_APPS, T_HOSTS, T_INST, T_MACH, T_GW, T_SLOTS, T_PEERS, T_CHANGES, T_REGIONS, \
    T_FC_LEASES, T_FLYCAST = range(13)
WORDS = ["acme", "globex", "default", "web", "db", "ams", "fra", "1", "2", "3",
         "00000000000001", "machine", "gateway", "insert", "update", "delete",
         "machines", "peers", "apps", "hosts", "networks", "orgs", "80,443", "flycast", ""]


def NULL():
    return b"\x00"


def small(v):
    return b"\x01" + struct.pack("b", v)


def i64(v):
    return b"\x02" + struct.pack(">q", v)


def text(s):
    b = s.encode() if isinstance(s, str) else s
    return b"\x03" + bytes([len(b)]) + b


def blob(b):
    return b"\x04" + bytes([len(b)]) + b


def real(d):
    return b"\x05" + struct.pack(">d", d)


def word(w):
    return b"\x06" + bytes([WORDS.index(w)])


def row(table, *vals):
    return bytes([table]) + b"".join(vals)


KEY = base64.b64encode(bytes(range(32))).decode()
KEY2 = base64.b64encode(bytes(range(1, 33))).decode()
NOW = i64(1700000000)


def registry_seeds():
    base = [
        row(T_ORGS, small(1), word("acme"), NOW),
        row(T_NETS, small(1), small(1), word("default"), NOW),
        row(T_APPS, text("0123456789abcdef"), word("web"), small(1), small(1), NOW),
        row(T_HOSTS, i64(0x0a7b0174), word("ams"), text("198.51.100.1:51820"), text(KEY),
            text("198.51.100.1:51821"), text(KEY2), small(3), NOW),
        row(T_INST, i64(0x0a7b0174), small(1), word("machine"), NULL()),
        row(T_MACH, word("00000000000001"), text("0123456789abcdef"), i64(0x0a7b0174), small(1),
            word("ams"), text("eth0"), NOW),
        row(T_INST, i64(0x0a7b0174), small(2), word("gateway"), NULL()),
        row(T_GW, i64(0x0a7b0174), small(2), small(1), small(1), NOW),
        row(T_SLOTS, i64(0x0a7b0174), small(2), small(0), NULL()),
        row(T_PEERS, small(1), small(1), text("laptop"), small(1), word("ams"), i64(0x0a7b0174),
            small(2), small(0), text(KEY2), NOW),
        row(T_REGIONS, word("ams"), real(52.37), real(4.9), NOW),
        row(T_REGIONS, word("fra"), real(50.11), real(8.68), NOW),
        row(T_CHANGES, small(1), word("machines"), word("00000000000001"), word("insert"), NOW),
        row(T_CHANGES, small(2), word("peers"), word("1"), word("update"), NOW),
        row(T_CHANGES, small(3), word("hosts"), text(str(0x0a7b0174)), word("delete"), NOW),
    ]
    write("registry_rows", "as-sixpnctl-writes", b"".join(base))
    write("registry_rows", "two-regions-nearest", b"".join(base + [
        row(T_HOSTS, small(2), word("fra"), NULL(), NULL(), NULL(), NULL(), small(2), NOW),
        row(T_INST, small(2), small(1), word("machine"), NULL()),
        row(T_MACH, text("00000000000002"), text("0123456789abcdef"), small(2), small(1),
            word("fra"), NULL(), NOW)]))
    write("registry_rows", "types-swapped", b"".join([
        row(T_ORGS, text("1"), blob(b"ac\x00me"), real(1e300)),
        row(T_NETS, i64(-1), text("1"), blob(b"\xff\xfe"), text("now")),
        row(T_APPS, small(5), text("w" * 200), text("1"), i64(1 << 40), NULL()),
        row(T_MACH, blob(b"\x00" * 20), small(5), i64(-5), i64(1 << 33), text("r" * 255),
            text("i" * 255), real(float("nan"))),
    ]))
    write("registry_rows", "flycast", b"".join(base + [
        row(T_NETS, small(2), small(1), text("netb"), NOW),
        row(T_FC_LEASES, small(2), small(1), NULL()),
        row(T_FLYCAST, small(2), small(1), text("0123456789abcdef"), word("80,443"), NOW),
        row(T_FC_LEASES, small(1), i64(0xffffffff), NULL()),
        row(T_FLYCAST, small(1), i64(0xffffffff), text("0123456789abcdef"), text("80,x"), NOW),
        row(T_CHANGES, small(4), word("flycast"), text("2/1"), word("insert"), NOW)]))
    write("registry_rows", "coordinates-out-of-range", b"".join(base + [
        row(T_REGIONS, word("ams"), real(float("inf")), real(-1e308), NOW),
        row(T_REGIONS, word("fra"), real(91.0), real(float("-inf")), NOW)]))
    write("registry_rows", "long-and-odd-strings", b"".join([
        row(T_ORGS, small(1), text("a" * 255), NOW),
        row(T_NETS, small(7), small(1), text(b"\xc3\x28\x00x"), NOW),
        row(T_APPS, text("a" * 40), text("web\nx"), small(1), small(7), NOW),
        row(T_HOSTS, small(9), text("r" * 255), text("e" * 255), text("k" * 255), text("p" * 255),
            text("q" * 255), small(1), NOW),
        row(T_INST, small(9), small(1), word("machine"), NULL()),
        row(T_MACH, text("m" * 255), text("a" * 40), small(9), small(1), text("r;e,g i=o\"n"),
            text("x" * 255), NOW),
        row(T_CHANGES, small(1), text("machines" + "x" * 100), text("k" * 255), text("nope"), NOW),
    ]))


# ---- registry rules ------------------------------------------------------
def rules_seeds():
    for i, s in enumerate(["acme", "Prod-2", "web-1", "-bad-", "eth0.100", "wg@peers", "..",
                           "198.51.100.1:51820", "[2001:db8::1]:51820", "sjc1.example.net:65535",
                           "host:0", "a7b:174", "0x0a7b0174", "0:0", "ffff:ffff", KEY,
                           KEY[:-2] + "B=", "A" * 63, "a" * 64, "443,80,8080", "80,,0,70000"]):
        write("registry_rules", "s%02d" % i, s.encode())


# ---- WireGuard -----------------------------------------------------------
def wg_seeds():
    hexkey = lambda b: bytes(b).hex()
    dev = ("private_key=%s\nlisten_port=51820\nfwmark=0\n" % hexkey(range(32)))
    peer1 = ("public_key=%s\npreshared_key=%s\nprotocol_version=1\n"
             "endpoint=198.51.100.2:51820\nlast_handshake_time_sec=1700000000\n"
             "last_handshake_time_nsec=12\ntx_bytes=1234\nrx_bytes=5678\n"
             "persistent_keepalive_interval=25\nallowed_ip=fdaa:0:1::/48\n"
             "allowed_ip=10.0.0.0/8\n" % (hexkey(range(1, 33)), "0" * 64))
    peer2 = ("public_key=%s\nendpoint=[2001:db8::2]:51820\n"
             "allowed_ip=fdaa:0:1:a7b:174:1::/112\nallowed_ip=fdaa:0:1:a7b:174:2:100:0/120\n"
             % hexkey(range(2, 34)))
    write("wg_uapi", "device-2-peers", (dev + peer1 + peer2 + "errno=0\n\n").encode())
    write("wg_uapi", "empty-device", b"listen_port=0\nerrno=0\n\n")
    write("wg_uapi", "errno", b"errno=19\n\n")
    write("wg_uapi", "no-errno", (dev + "\n").encode())
    write("wg_uapi", "cut", (dev + peer1)[:150].encode())

    def attr(t, payload, nested=False):
        n = 4 + len(payload)
        return struct.pack("<HH", n, t | (0x8000 if nested else 0)) + payload + \
            b"\0" * ((4 - n % 4) % 4)

    def msg(attrs, flags=2, type_=0x1f):
        body = struct.pack("<BBH", 0, 1, 0) + attrs  # genlmsghdr: WG_CMD_GET_DEVICE, v1
        return struct.pack("<IHHII", 16 + len(body), type_, flags, 0, 0) + body

    def sin(ip, port):
        return struct.pack("<H", socket.AF_INET) + struct.pack(">H", port) + \
            socket.inet_aton(ip) + b"\0" * 8

    def sin6(ip, port):
        return struct.pack("<H", socket.AF_INET6) + struct.pack(">HI", port, 0) + \
            socket.inet_pton(socket.AF_INET6, ip) + struct.pack("<I", 0)

    def allowed(fam, ip, cidr):
        raw = socket.inet_pton(fam, ip)
        return attr(0, attr(1, struct.pack("<H", fam)) + attr(2, raw) + attr(3, bytes([cidr])),
                    nested=True)

    p1 = attr(0, attr(1, bytes(range(1, 33))) + attr(2, bytes(32)) +
              attr(4, sin("198.51.100.2", 51820)) + attr(5, struct.pack("<H", 25)) +
              attr(6, struct.pack("<qq", 1700000000, 12)) + attr(7, struct.pack("<Q", 5678)) +
              attr(8, struct.pack("<Q", 1234)) + attr(10, struct.pack("<I", 1)) +
              attr(9, allowed(socket.AF_INET6, "fdaa:0:1::", 48) +
                   allowed(socket.AF_INET, "10.0.0.0", 8), nested=True), nested=True)
    p2 = attr(0, attr(1, bytes(range(2, 34))) + attr(4, sin6("2001:db8::2", 51820)) +
              attr(9, allowed(socket.AF_INET6, "fdaa:0:1:a7b:174:1::", 112), nested=True),
              nested=True)
    p2_more = attr(0, attr(1, bytes(range(2, 34))) +
                   attr(9, allowed(socket.AF_INET6, "fdaa:0:1:a7b:174:2:100:0", 120), nested=True),
                   nested=True)
    head = attr(1, struct.pack("<I", 5)) + attr(2, b"sixpn-mesh\0") + attr(3, bytes(range(32))) + \
        attr(4, bytes(range(3, 35))) + attr(6, struct.pack("<H", 51820)) + \
        attr(7, struct.pack("<I", 0))
    done = struct.pack("<IHHIIi", 20, 3, 2, 0, 0, 0)
    write("wg_genl", "device-2-peers", msg(head + attr(8, p1 + p2, nested=True)) + done)
    # a peer continued in the next message, as the kernel splits big ones
    write("wg_genl", "peer-split", msg(head + attr(8, p1 + p2, nested=True)) +
          msg(attr(2, b"sixpn-mesh\0") + attr(8, p2_more, nested=True)) + done)
    write("wg_genl", "no-key-no-peers", msg(attr(1, struct.pack("<I", 5)) +
                                            attr(6, struct.pack("<H", 0))) + done)
    write("wg_genl", "error-ack", struct.pack("<IHHIIi", 36, 2, 0, 0, 0, -19) +
          struct.pack("<IHHII", 16, 0x1f, 5, 0, 0))


# ---- rtnetlink, captured --------------------------------------------------
SEQ, PORTID = 0x5eed0000, 0x6e6e
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP, NLM_F_CREATE, NLM_F_EXCL = 1, 4, 0x300, 0x400, 0x200
RTM_NEWLINK, RTM_GETLINK, RTM_NEWADDR, RTM_GETADDR, RTM_DELROUTE, RTM_GETROUTE = \
    16, 18, 20, 22, 25, 26


def rta(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def capture(sk, type_, flags, body, seq):
    """Sends one request as netlink.c does and returns the answer's
    datagrams, seq and port ID rewritten to the target's."""
    n = 16 + len(body)
    sk.send(struct.pack("=IHHII", n, type_, NLM_F_REQUEST | NLM_F_ACK | flags, seq, 0) + body)
    out = []
    while True:
        d = bytearray(sk.recv(65536))
        off, end = 0, False
        while off + 16 <= len(d):
            ln, t = struct.unpack_from("=IH", d, off)
            struct.pack_into("=II", d, off + 8, SEQ + 1 + len(out_seq), PORTID)
            if t in (2, 3):  # NLMSG_ERROR, NLMSG_DONE
                end = True
            off += (ln + 3) & ~3
        out.append(bytes(d))
        if end:
            return out


out_seq = []


def talk(sk, type_, flags, body):
    r = capture(sk, type_, flags, body, 1000 + len(out_seq))
    out_seq.append(1)
    return r


def pack(op, datagrams):
    return bytes([op]) + b"".join(struct.pack(">H", len(d)) + d for d in datagrams)


def netlink_capture():
    global out_seq
    sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sk.bind((0, 0))
    SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_CAP_ACK = 270, 11, 10
    sk.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sk.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    ifi = lambda idx, flags=0, change=0: struct.pack("=BxHiII", 0, 0, idx, flags, change)
    seeds = {}

    def one(name, op, reqs):
        global out_seq
        out_seq = []
        dgs = []
        for r in reqs:
            dgs += talk(sk, *r)
        seeds[name] = pack(op, dgs)

    one("link-get", 0, [(RTM_GETLINK, 0, ifi(3))])
    one("link-get-nodev", 0, [(RTM_GETLINK, 0, ifi(99))])
    one("link-index", 1, [(RTM_GETLINK, 0, ifi(0) + rta(3, b"sixpn0\0"))])
    one("link-up", 2, [(RTM_NEWLINK, 0, ifi(3, 1, 1))])
    kind = rta(0x12, rta(1, b"dummy\0"))  # IFLA_LINKINFO { IFLA_INFO_KIND }
    one("dns-dev-no-dummy-driver", 3, [(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
                               ifi(0) + rta(3, b"sixpn0\0") + kind),
                              (RTM_GETLINK, 0, ifi(0) + rta(3, b"sixpn0\0")),
                              (RTM_NEWLINK, 0, ifi(3, 1, 1))])
    ifa = struct.pack("=BBBBI", socket.AF_INET6, 64, 0, 0, 3)
    one("addr-replace", 4, [(RTM_NEWADDR, NLM_F_CREATE | 0x100, ifa +
                             rta(2, socket.inet_pton(socket.AF_INET6, "fdaa:0:1::3")))])
    one("addr-list", 5, [(RTM_GETADDR, NLM_F_DUMP, struct.pack("=BBBBI", socket.AF_INET6, 0, 0, 0, 0))])
    rtm = lambda dlen: struct.pack("=BBBBBBBBI", socket.AF_INET6, dlen, 0, 0, 254, 0x6e, 0, 1, 0)
    one("route-list", 6, [(RTM_GETROUTE, NLM_F_DUMP, rtm(0))])
    one("route-del-missing", 7, [(RTM_DELROUTE, 0, rtm(48) +
                                  rta(1, socket.inet_pton(socket.AF_INET6, "fdaa:0:7::")) +
                                  rta(4, struct.pack("=I", 3)) + rta(15, struct.pack("=I", 254)))])
    one("route-del-bad-oif", 7, [(RTM_DELROUTE, 0, rtm(48) +
                                  rta(1, socket.inet_pton(socket.AF_INET6, "fdaa:0:7::")) +
                                  rta(4, struct.pack("=I", 77)))])
    for name, data in seeds.items():
        write("netlink", name, data)


def netlink_seeds():
    """Runs the capture in a network namespace of its own, with lo (1),
    vx0 (2) and sixpn0 (3: a veth pair, as the kernel may have no dummy
    driver), fdaa::3 on sixpn0 and two sixpn routes."""
    setup = ("ip link add sixpn0 type veth peer name vx0 && "
             "ip link set lo up && ip link set vx0 up && ip link set sixpn0 up && "
             "ip -6 addr add fdaa::3/128 dev sixpn0 nodad && "
             "ip -6 route add fdaa:0:1::/48 dev sixpn0 proto 0x6e && "
             "ip -6 route add fdaa:0:2::/48 via fe80::1 dev sixpn0 proto 0x6e metric 7 && "
             "exec %s %s --netlink-capture" % (sys.executable, os.path.abspath(__file__)))
    subprocess.run(["unshare", "-n", "sh", "-c", setup], check=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--netlink-capture"]:
        netlink_capture()
        sys.exit(0)
    dns_seeds()
    registry_seeds()
    rules_seeds()
    wg_seeds()
    netlink_seeds()
