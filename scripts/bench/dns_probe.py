"""The DNS probe of the freshness benches (freshness.py, etcd_fresh.py,
big_app.py): when a new name first answers AAAA. One query every INTERVAL
(the resolution of every figure), a new query ID each time and any reply to
an older one ignored, until a reply comes back NOERROR with an answer.
fresh_after_creates() is the create-then-probe loop freshness.py and
etcd_fresh.py share."""
import json
import os
import select
import socket
import struct
import sys
import time

INTERVAL = 0.0002
TIMEOUT = 5.0  # per name, from its commit (freshness.py, etcd_fresh.py)


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


def fresh_after_creates(create, apps, count, server, who):
    """Creates COUNT machines one after the other, the k-th in app
    apps[k % len(apps)]: CREATE(k, app) runs the create and returns its JSON
    output (the machine). After each, asks <id>.vm.<app>.internal at SERVER
    port 53 until it answers, TIMEOUT seconds at most; WHO names the bench
    in a line on stderr for a name that never did. Returns {"commit_ms":
    the create's own time (exec to exit) each, "fresh_ms": commit to
    answer each, "failed": the names that never answered}."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.connect((server, 53))
    commit, fresh, failed, qid = [], [], 0, os.getpid() & 0xFFFF
    for k in range(count):
        app = apps[k % len(apps)]
        t0 = time.monotonic()
        out = create(k, app)
        t1 = time.monotonic()
        name = "%s.vm.%s.internal" % (json.loads(out)["id"], app)
        t, qid = wait_answer(sock, name, qid, t1, TIMEOUT)
        commit.append(round((t1 - t0) * 1e3, 3))
        if t is None:
            failed += 1
            print("%s: %s did not answer within %.0f s" % (who, name, TIMEOUT), file=sys.stderr)
        else:
            fresh.append(round((t - t1) * 1e3, 3))
    sock.close()
    return {"commit_ms": commit, "fresh_ms": fresh, "failed": failed}
