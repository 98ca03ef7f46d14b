#!/usr/bin/python3
"""Creates into one app, back to back, and when each answers. Run it in an
instance's network namespace.

    big_app.py --sixpnctl PATH --registry DB --host HOST_ID --app APP
               --count N [--server fdaa::3]

A writer thread runs `sixpnctl machines create --app APP --host HOST_ID`
N times one after the other, never waiting for DNS; the main thread asks
AAAA of each new <machine_id>.vm.<app>.internal in the order they were
committed, one query every 0.2 ms (the resolution; a new query ID each
time, a reply to an older one ignored) until it is answered NOERROR with an
address. The names sync applies the change log in order, so a name asked
only once the one before it answered is asked from before it can answer.
Prints one line of JSON:

  {"commit_ms": [...],   sixpnctl's time per create (exec to exit)
   "fresh_ms": [...],    commit (sixpnctl's exit) -> first answer, per name
   "commit_span_s": S,   first exec -> last commit
   "answer_span_s": S,   first exec -> last name answered
   "failed": N}          names not answered within the deadline
"""
import argparse
import json
import os
import queue
import select
import socket
import struct
import subprocess
import sys
import threading
import time

INTERVAL = 0.0002
TIMEOUT = 120.0  # per name, from its commit: a backlog shows, a hang ends


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


def wait_fresh(sock, name, qid, start):
    """The monotonic time NAME first answers, or None past START + TIMEOUT."""
    while True:
        now = time.monotonic()
        if now - start > TIMEOUT:
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
                break
            if answered(reply, qid):
                return time.monotonic(), qid


def writer(a, out, errors):
    try:
        for _ in range(a.count):
            t0 = time.monotonic()
            res = subprocess.run([a.sixpnctl, "--registry", a.registry, "--json", "machines",
                                  "create", "--app", a.app, "--host", a.host],
                                 check=True, capture_output=True, text=True).stdout
            t1 = time.monotonic()
            out.put((json.loads(res)["id"], t0, t1))
    except (subprocess.CalledProcessError, ValueError, KeyError) as e:
        errors.append(str(e))
    out.put(None)


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--sixpnctl", "--registry", "--host", "--app"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--server", default="fdaa::3")
    a = ap.parse_args()
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.connect((a.server, 53))
    q, errors = queue.Queue(), []
    t_start = time.monotonic()
    w = threading.Thread(target=writer, args=(a, q, errors), daemon=True)
    w.start()
    commit, fresh, failed, qid = [], [], 0, os.getpid() & 0xFFFF
    last_commit = last_answer = t_start
    while True:
        item = q.get()
        if item is None:
            break
        mid, t0, t1 = item
        name = "%s.vm.%s.internal" % (mid, a.app)
        commit.append(round((t1 - t0) * 1e3, 3))
        last_commit = t1
        t, qid = wait_fresh(sock, name, qid, t1)
        if t is None:
            failed += 1
            print("big_app: %s did not answer within %.0f s" % (name, TIMEOUT), file=sys.stderr)
            continue
        fresh.append(round((t - t1) * 1e3, 3))
        last_answer = t
    w.join()
    if errors:
        sys.exit("big_app: sixpnctl machines create failed: %s" % errors[0])
    print(json.dumps({"commit_ms": commit, "fresh_ms": fresh,
                      "commit_span_s": round(last_commit - t_start, 4),
                      "answer_span_s": round(max(last_answer, last_commit) - t_start, 4),
                      "failed": failed}))


if __name__ == "__main__":
    main()
