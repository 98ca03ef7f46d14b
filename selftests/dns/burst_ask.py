#!/usr/bin/python3
# Bursts of UDP questions from several askers to both DNS addresses at once,
# for selftests/dns/test_resolver_cache.sh: the replies of one receive batch
# leave together (loader/resolver/loop.c, one sendmmsg), and each must still
# go to its own asker, from the address it asked, with its own answer.
# Python standard library only.
#
#   burst_ask.py PORT REF_PORT ROUNDS SRC,DST [SRC,DST ...] < QUERIES
#
# QUERIES: one a line, "NAME TYPE EDNS" (TYPE a number; EDNS "-" for none,
# else a UDP size). One socket per SRC,DST pair. First every question of
# every pair is asked at REF_PORT one at a time: the reference replies.
# Then ROUNDS times, every question of every pair is sent to PORT without
# waiting (interleaved over the sockets), and only then are the replies
# read. A reply is right when it comes to the socket that asked, from DST
# and PORT, with the ID of a question of that socket not answered yet, and
# is the reference reply byte for byte but for the ID. Prints
#
#   sent 240 right 240 wrong 0 missing 0
#
# and each wrong reply; exits 1 unless every question got its right reply.
import select
import socket
import struct
import sys
import time


def message(qid, name, qtype, edns):
    m = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 1 if edns != "-" else 0)
    for label in name.strip(".").split("."):
        if label:
            m += bytes([len(label)]) + label.encode()
    m += b"\0" + struct.pack(">HH", qtype, 1)
    if edns != "-":
        m += b"\0" + struct.pack(">HHIH", 41, int(edns), 0, 0)
    return m


def reference(src, dst, port, m):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(2)
    s.sendto(m, (dst, port))
    r = s.recv(65535)
    s.close()
    return r


def main():
    port, ref_port, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    pairs = [tuple(p.split(",")) for p in sys.argv[4:]]
    questions = [line.split() for line in sys.stdin if line.strip()]
    ref = {}
    for p, (src, dst) in enumerate(pairs):
        for q, (name, qtype, edns) in enumerate(questions):
            ref[p, q] = reference(src, dst, ref_port, message(1, name, int(qtype), edns))
    socks = []
    for src, dst in pairs:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.setblocking(False)
        socks.append(s)
    sent = right = wrong = missing = 0
    qid = 1
    for _ in range(rounds):
        waiting = {}  # (pair, id) -> question
        for q, (name, qtype, edns) in enumerate(questions):
            for p, (src, dst) in enumerate(pairs):
                qid = qid % 65535 + 1
                socks[p].sendto(message(qid, name, int(qtype), edns), (dst, port))
                waiting[p, qid] = q
                sent += 1
        deadline = time.monotonic() + 3
        while waiting and time.monotonic() < deadline:
            ready, _, _ = select.select(socks, [], [], 0.1)
            for s in ready:
                p = socks.index(s)
                while True:
                    try:
                        r, frm = s.recvfrom(65535)
                    except BlockingIOError:
                        break
                    rid = struct.unpack(">H", r[:2])[0] if len(r) >= 2 else -1
                    q = waiting.pop((p, rid), None)
                    if (q is not None and frm[0] == pairs[p][1] and frm[1] == port and
                            r[2:] == ref[p, q][2:]):
                        right += 1
                        continue
                    wrong += 1
                    print("wrong: to %s from %s port %d id %d (%s): %s" % (
                        pairs[p][0], frm[0], frm[1], rid,
                        "not asked here" if q is None else " ".join(questions[q]), r.hex()))
        missing += len(waiting)
    print("sent %d right %d wrong %d missing %d" % (sent, right, wrong, missing))
    sys.exit(0 if right == sent and not wrong else 1)


main()
