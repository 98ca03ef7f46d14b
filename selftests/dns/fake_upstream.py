#!/usr/bin/python3
# A lying upstream for selftests/dns/test_resolver.sh, on UDP [ADDR]:PORT.
# For every query it sends, from the very socket the resolver talks to:
#   1. a reply with the wrong ID                    (answer 198.51.100.66)
#   2. a reply with the right ID, another question (answer 198.51.100.67)
#   3. a reply with the right ID that is not a response (QR=0)
# and then, 100 ms later, the true reply (answer 192.0.2.99). A resolver
# that matches replies by ID and question only ever hands out 192.0.2.99.
# Also answers nothing at all on --blackhole PORT (a dead upstream).
# Usage: fake_upstream.py ADDR PORT BLACKHOLE_PORT
import socket
import sys
import time

from scapy.layers.dns import DNS, DNSQR, DNSRR

addr, port, blackhole = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sink = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
sink.bind((addr, blackhole))  # receives, never answers
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((addr, port))
print("ready", flush=True)


def reply(q, ip, **kw):
    d = DNS(id=kw.get("id", q.id), qr=kw.get("qr", 1), aa=1, rd=q.rd, ra=1,
            qd=kw.get("qd", q.qd),
            an=DNSRR(rrname=q.qd.qname, type="A", ttl=60, rdata=ip))
    return bytes(d)


while True:
    data, peer = s.recvfrom(4096)
    try:
        q = DNS(data)
    except Exception:
        continue
    if q.qr or not q.qd:
        continue
    s.sendto(reply(q, "198.51.100.66", id=(q.id + 1) & 0xFFFF), peer)
    s.sendto(reply(q, "198.51.100.67", qd=DNSQR(qname="other.test", qtype="A")), peer)
    s.sendto(reply(q, "198.51.100.68", qr=0), peer)
    time.sleep(0.1)
    s.sendto(reply(q, "192.0.2.99"), peer)
