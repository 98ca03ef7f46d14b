#!/usr/bin/python3
"""Freshness: from `sixpnctl machines create` returning (the commit) to the
new machine's name answering AAAA at the DNS address. Run it in an
instance's network namespace.

    freshness.py --sixpnctl PATH --registry DB --host HOST_ID
                 --apps APP[,APP...] --count N [--server fdaa::3]

Machine k goes to the k-th app, round-robin. After each create, one AAAA
query for <machine_id>.vm.<app>.internal every 0.2 ms (dns_probe.py: a
new query ID each time, any reply to an older one ignored) until one comes
back NOERROR with an answer, within 5 s. Prints one JSON line:
{"commit_ms": [...], "fresh_ms": [...], "failed": N}: the time sixpnctl
took (exec to exit) and the commit-to-answer time of every machine.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns_probe import fresh_after_creates  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sixpnctl", required=True)
    ap.add_argument("--registry", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--apps", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--server", default="fdaa::3")
    a = ap.parse_args()

    def create(_k, app):
        return subprocess.run([a.sixpnctl, "--registry", a.registry, "--json", "machines",
                               "create", "--app", app, "--host", a.host],
                              check=True, capture_output=True, text=True).stdout
    result = fresh_after_creates(create, a.apps.split(","), a.count, a.server, "freshness")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
