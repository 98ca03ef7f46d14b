#!/usr/bin/python3
"""Creates into one app, back to back, and when each answers. Run it in an
instance's network namespace.

    big_app.py --sixpnctl PATH --registry DB --host HOST_ID --app APP
               --count N [--writer sixpnctl|sql] [--server fdaa::3]

A writer process creates N machines in APP on HOST_ID one after the other,
never waiting for DNS: with `sixpnctl machines create` (--writer sixpnctl,
the default), or with SQL, one transaction per create, the rows sixpnctl
writes (an instance lease, the machine, the host's cursor) through the same
change-log triggers (--writer sql: ten times as many creates a second,
which a names sync must keep up with too). Meanwhile this process asks AAAA
of each new <machine_id>.vm.<app>.internal in the order they were
committed, one query every 0.2 ms (dns_probe.py: the resolution; a new
query ID each time, a reply to an older one ignored) until it is answered
NOERROR with an address. The names sync applies the change log in order, so a name asked
only once the one before it answered is asked from before it can answer.
Prints one line of JSON:

  {"commit_ms": [...],   the writer's time per create
   "fresh_ms": [...],    commit -> first answer, per name
   "commit_span_s": S,   first create started -> last commit
   "answer_span_s": S,   first create started -> last name answered
   "failed": N}          names not answered within the deadline
"""
import argparse
import json
import os
import random
import sqlite3
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns_probe import wait_answer  # noqa: E402

TIMEOUT = 120.0  # per name, from its commit: a backlog shows, a hang ends


def create_sql(db, app_id, host):
    """One create as sixpnctl writes it: the host's next instance ID, its
    lease, the machine; one transaction."""
    mid = "%014x" % random.getrandbits(56)
    db.execute("BEGIN IMMEDIATE")
    try:
        inst, region = db.execute("SELECT next_instance, region FROM hosts WHERE id = ?",
                                  (host,)).fetchone()
        db.execute("INSERT INTO instances (host_id, instance_id, kind) VALUES (?, ?, 'machine')",
                   (host, inst))
        db.execute("INSERT INTO machines (id, app_id, host_id, instance_id, region, created_at)"
                   " VALUES (?, ?, ?, ?, ?, ?)", (mid, app_id, host, inst, region, int(time.time())))
        db.execute("UPDATE hosts SET next_instance = ? WHERE id = ?", (inst + 1, host))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return mid


def write(a):
    """The writer process: a line "ID T0 T1" per create (monotonic seconds
    when it started and when it was committed), then "end"."""
    db = host = app_id = None
    if a.writer == "sql":
        db = sqlite3.connect(a.registry, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 5000")
        hi, lo = a.host.split(":")
        host = int(hi, 16) << 16 | int(lo, 16)
        app_id = db.execute("SELECT id FROM apps WHERE name = ?", (a.app,)).fetchone()[0]
    for _ in range(a.count):
        t0 = time.monotonic()
        if db:
            mid = create_sql(db, app_id, host)
        else:
            res = subprocess.run([a.sixpnctl, "--registry", a.registry, "--json", "machines",
                                  "create", "--app", a.app, "--host", a.host],
                                 check=True, capture_output=True, text=True).stdout
            mid = json.loads(res)["id"]
        t1 = time.monotonic()
        print(mid, t0, t1, flush=True)
    print("end", flush=True)


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--sixpnctl", "--registry", "--host", "--app"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--server", default="fdaa::3")
    ap.add_argument("--writer", choices=("sixpnctl", "sql"), default="sixpnctl")
    ap.add_argument("--write", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.write:
        write(a)
        return
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.connect((a.server, 53))
    t_start = None
    # A process of its own: its clock readings never wait for this one's.
    w = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--write"] + sys.argv[1:],
                         stdout=subprocess.PIPE, text=True)
    commit, fresh, failed, qid = [], [], 0, os.getpid() & 0xFFFF
    last_commit = last_answer = 0
    for line in w.stdout:
        if line.strip() == "end":
            break
        mid, t0, t1 = line.split()
        t0, t1 = float(t0), float(t1)
        if t_start is None:
            t_start = t0
        name = "%s.vm.%s.internal" % (mid, a.app)
        commit.append(round((t1 - t0) * 1e3, 3))
        last_commit = max(last_commit, t1)
        t, qid = wait_answer(sock, name, qid, t1, TIMEOUT)
        if t is None:
            failed += 1
            print("big_app: %s did not answer within %.0f s" % (name, TIMEOUT), file=sys.stderr)
            continue
        fresh.append(round((t - t1) * 1e3, 3))
        last_answer = t
    if w.wait() or t_start is None:
        sys.exit("big_app: the writer failed (exit %d)" % w.returncode)
    print(json.dumps({"commit_ms": commit, "fresh_ms": fresh,
                      "commit_span_s": round(last_commit - t_start, 4),
                      "answer_span_s": round(max(last_answer, last_commit) - t_start, 4),
                      "failed": failed}))


if __name__ == "__main__":
    main()
