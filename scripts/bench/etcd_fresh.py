#!/usr/bin/python3
"""Commit on one host to AAAA on another (scripts/bench/60_etcd.sh): N
`sixpnctl --etcd machines create`, run in host namespace NS (nsenter),
each timed from exec to exit (the commit in etcd), then the time until
<machine_id>.vm.<app>.internal answers AAAA at the DNS address, asked from
the namespace this runs in (an instance of another host). The loop is
dns_probe.py's fresh_after_creates(), freshness.py's too: one AAAA every
0.2 ms, 5 s at most per name.

    etcd_fresh.py --sixpnctl PATH --etcd URLS --netns NS --host HOST_ID
                  --apps APP[,APP...] --count N [--server fdaa::3]

Prints {"commit_ms": [...], "fresh_ms": [...], "failed": N}; a create
that fails or takes over 60 s ends it with exit 1."""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns_probe import fresh_after_creates  # noqa: E402

CREATE_TIMEOUT = 60.0


def main():
    ap = argparse.ArgumentParser()
    for o in ("--sixpnctl", "--etcd", "--netns", "--host", "--apps"):
        ap.add_argument(o, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--server", default="fdaa::3")
    a = ap.parse_args()
    ctl = ["nsenter", "--net=/run/netns/" + a.netns, a.sixpnctl, "--etcd", a.etcd, "--json"]

    def create(k, app):
        try:
            return subprocess.run(ctl + ["machines", "create", "--app", app, "--host", a.host],
                                  check=True, capture_output=True, text=True,
                                  timeout=CREATE_TIMEOUT).stdout
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            sys.exit("etcd_fresh: create %d of %d failed: %s %s" %
                     (k + 1, a.count, e, (getattr(e, "stderr", "") or "").strip()))
    result = fresh_after_creates(create, a.apps.split(","), a.count, a.server, "etcd_fresh")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
