#!/usr/bin/python3
# The answer cache against the uncached path, for
# selftests/dns/test_resolver_cache.sh. Python standard library only.
#
#   cache_ask.py SRC DST CACHED_PORT UNCACHED_PORT < QUERIES
#
# QUERIES: one a line, "PROTO NAME TYPE EDNS" (PROTO udp or tcp; TYPE a
# number; EDNS "-" for none, else "SIZE" or "SIZE/do"). Every query is sent
# twice, with other IDs and other random 0x20 case, to the cached resolver
# and then to the uncached one (so that both rotate an AAAA set alike).
# Prints one line a query:
#
#   same first=equal udp vms.web.internal 16 - rcode=0 tc=0 an=1 len=71
#
# "same" when each form got byte for byte the same reply from both (else
# "DIFF", with the replies in hex), "first=equal" when the cached
# resolver's first reply is its second but for the ID and the QNAME's case
# (what a hit gives; an AAAA set rotated between answers differs).
import random
import socket
import struct
import sys

rng = random.Random(0x20)


def qname(text):
    out = b""
    for label in text.strip(".").split("."):
        if label:
            label = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in label)
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def message(name, qtype, edns):
    qid = rng.randrange(1, 65536)
    m = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 1 if edns != "-" else 0)
    m += qname(name) + struct.pack(">HH", qtype, 1)
    if edns != "-":
        size, _, do = edns.partition("/")
        m += b"\0" + struct.pack(">HHIH", 41, int(size), 0x8000 if do else 0, 0)
    return m


def ask(src, dst, port, proto, m):
    if proto == "udp":
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.settimeout(2)
        s.sendto(m, (dst, port))
        r = s.recv(65535)
    else:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind((src, 0))
        s.settimeout(2)
        s.connect((dst, port))
        s.sendall(struct.pack(">H", len(m)) + m)
        r = b""
        while len(r) < 2 or len(r) < 2 + struct.unpack(">H", r[:2])[0]:
            chunk = s.recv(65535)
            if not chunk:
                break
            r += chunk
        r = r[2:]
    s.close()
    return r


def main():
    src, dst, cached, uncached = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    bad = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        proto, name, qtype, edns = line.split()
        first = message(name, int(qtype), edns)
        second = message(name, int(qtype), edns)
        r1 = ask(src, dst, cached, proto, first)
        r2 = ask(src, dst, cached, proto, second)
        r3 = ask(src, dst, uncached, proto, first)
        r4 = ask(src, dst, uncached, proto, second)
        ql = len(first) - 12 - 4 - (11 if edns != "-" else 0)
        # the first reply with the second query's ID and QNAME bytes
        patched = second[:2] + r1[2:12] + second[12:12 + ql] + r1[12 + ql:]
        ok = r1 == r3 and r2 == r4 and r2[:2] == second[:2]
        flags = struct.unpack(">H", r2[2:4])[0] if len(r2) >= 4 else 0
        an = struct.unpack(">H", r2[6:8])[0] if len(r2) >= 8 else 0
        print("%s first=%s %s %s %s %s rcode=%d tc=%d an=%d len=%d" % (
            "same" if ok else "DIFF", "equal" if patched == r2 else "differs", proto, name,
            qtype, edns, flags & 0xf, (flags >> 9) & 1, an, len(r2)))
        if not ok:
            bad += 1
            for tag, r in (("cached 1", r1), ("fresh 1", r3), ("cached 2", r2), ("fresh 2", r4)):
                print("  %-8s %s" % (tag, r.hex()))
    sys.exit(1 if bad else 0)


main()
