"""The DNS probe of the freshness benches (freshness.py, etcd_fresh.py,
big_app.py): when a new name first answers AAAA. One query every INTERVAL
(the resolution of every figure), a new query ID each time and any reply to
an older one ignored, until a reply comes back NOERROR with an answer."""
import select
import struct
import time

INTERVAL = 0.0002


def query(qid, name):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack("!HH", 28, 1)


def answered(reply, qid):
    if len(reply) < 12:
        return False
    rid, flags, _, ancount = struct.unpack("!HHHH", reply[:8])
    return rid == qid and flags & 0x8000 and flags & 0xF == 0 and ancount > 0


def wait_answer(sock, name, qid, start, timeout):
    """Asks NAME on the connected SOCK from query ID QID on: (the monotonic
    time it first answers, or None past START + TIMEOUT seconds; the last
    query ID used)."""
    while True:
        now = time.monotonic()
        if now - start > timeout:
            return None, qid
        qid = (qid + 1) & 0xFFFF
        sock.send(query(qid, name))
        deadline = now + INTERVAL
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                break
            try:
                reply = sock.recv(4096)
            except OSError:
                break  # ICMP unreachable, nothing listening: ask again
            if answered(reply, qid):
                return time.monotonic(), qid
