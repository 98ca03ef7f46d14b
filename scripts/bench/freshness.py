#!/usr/bin/python3
"""Freshness: from `sixpnctl machines create` returning (the commit) to the
new machine's name answering AAAA at the DNS address. Run it in an
instance's network namespace.

    freshness.py --sixpnctl PATH --registry DB --host HOST_ID
                 --apps APP[,APP...] --count N [--server fdaa::3]

Machine k goes to the k-th app, round-robin. After each create, one AAAA
query for <machine_id>.vm.<app>.internal every 0.2 ms (a new query
ID each time, any reply to an older one ignored) until one comes back
NOERROR with an answer, within 5 s. Prints one JSON line:
{"commit_ms": [...], "fresh_ms": [...], "failed": N}: the time sixpnctl
took (exec to exit) and the commit-to-answer time of every machine.
"""
import argparse
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

INTERVAL = 0.0002  # the resolution of every figure
TIMEOUT = 5.0


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


def wait_fresh(sock, name, qid0, start):
    """Seconds from START until NAME answers, or None."""
    qid = qid0
    while True:
        now = time.monotonic()
        if now - start > TIMEOUT:
            return None, qid
        qid = (qid + 1) & 0xFFFF
        sock.send(query(qid, name))
        deadline = now + INTERVAL
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if not select.select([sock], [], [], left)[0]:
                break
            try:
                reply = sock.recv(4096)
            except OSError:
                break  # ICMP unreachable, nothing listening: retry
            if answered(reply, qid):
                return time.monotonic() - start, qid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sixpnctl", required=True)
    ap.add_argument("--registry", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--apps", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--server", default="fdaa::3")
    a = ap.parse_args()
    apps = a.apps.split(",")
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.connect((a.server, 53))
    commit, fresh, failed, qid = [], [], 0, os.getpid() & 0xFFFF
    for k in range(a.count):
        app = apps[k % len(apps)]
        t0 = time.monotonic()
        out = subprocess.run([a.sixpnctl, "--registry", a.registry, "--json", "machines",
                              "create", "--app", app, "--host", a.host],
                             check=True, capture_output=True, text=True).stdout
        t1 = time.monotonic()
        name = "%s.vm.%s.internal" % (json.loads(out)["id"], app)
        dt, qid = wait_fresh(sock, name, qid, t1)
        commit.append(round((t1 - t0) * 1e3, 3))
        if dt is None:
            failed += 1
            print("freshness: %s did not answer within %.0f s" % (name, TIMEOUT), file=sys.stderr)
        else:
            fresh.append(round(dt * 1e3, 3))
    print(json.dumps({"commit_ms": commit, "fresh_ms": fresh, "failed": failed}))


if __name__ == "__main__":
    main()
