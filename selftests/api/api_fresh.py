#!/usr/bin/python3
"""Create through the HTTP API to AAAA answered (test_api_wake.sh): N
`POST /v1/apps/APP/machines` with curl, run in namespace NS (nsenter; where
`sixpnctl serve` listens), each timed from curl's exit (the answer, so the
commit), then the time until <machine_id>.vm.<app>.internal answers AAAA at
the DNS address, asked from the namespace this runs in (an instance of the
host). The query loop is scripts/bench/dns_probe.py's (one AAAA every
0.2 ms), 5 s at most per name as in freshness.py. The token is read from
$SIXPN_TOKEN, not argv.

    api_fresh.py --api URL --netns NS --app APP --host HOST_ID --count N
                 [--server fdaa::3]

Prints {"commit_ms": [...], "fresh_ms": [...], "failed": N}; a create that
is not a 201 ends it with exit 1."""
import argparse
import json
import os
import socket
import subprocess
import sys
import time

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "bench")
sys.path.insert(0, BENCH)
from dns_probe import TIMEOUT, wait_answer  # noqa: E402


def create(a, token):
    """POSTs one machine; returns its ID, or exits naming what went wrong."""
    cmd = ["nsenter", "--net=/run/netns/" + a.netns, "curl", "-s", "--max-time", "10",
           "-w", "\n%{http_code}", "-X", "POST", "-H", "Authorization: Bearer " + token,
           "-H", "Content-Type: application/json", "-d", json.dumps({"host": a.host}),
           "%s/v1/apps/%s/machines" % (a.api, a.app)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    body, _, status = r.stdout.rpartition("\n")
    if r.returncode or status != "201":
        sys.exit("api_fresh: POST machines: curl exit %d, status %s: %s" %
                 (r.returncode, status, body.strip()))
    return json.loads(body)["id"]


def main():
    ap = argparse.ArgumentParser()
    for o in ("--api", "--netns", "--app", "--host"):
        ap.add_argument(o, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--server", default="fdaa::3")
    a = ap.parse_args()
    token = os.environ.get("SIXPN_TOKEN")
    if not token:
        sys.exit("api_fresh: SIXPN_TOKEN is not set")
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.connect((a.server, 53))
    commit, fresh, failed, qid = [], [], 0, os.getpid() & 0xFFFF
    for _ in range(a.count):
        t0 = time.monotonic()
        mid = create(a, token)
        t1 = time.monotonic()
        name = "%s.vm.%s.internal" % (mid, a.app)
        t, qid = wait_answer(sock, name, qid, t1, TIMEOUT)
        commit.append(round((t1 - t0) * 1e3, 3))
        if t is None:
            failed += 1
            print("api_fresh: %s did not answer within %.0f s" % (name, TIMEOUT), file=sys.stderr)
        else:
            fresh.append(round((t - t1) * 1e3, 3))
    print(json.dumps({"commit_ms": commit, "fresh_ms": fresh, "failed": failed}))


if __name__ == "__main__":
    main()
