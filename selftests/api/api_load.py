#!/usr/bin/env python3
"""A load figure for sixpnctl serve (not a test: run by hand). Starts its
own server on a scratch registry (a file, or etcd with --etcd URL), then
measures, with C client threads over keep-alive connections: GET
/v1/apps?org_slug=acme (reads) and POST /v1/apps (writes, each a registry
transaction), printing requests/s and the median and p99 latency.

    selftests/api/api_load.py [--threads C] [--reads N] [--writes N] [--etcd URL]
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=4)
ap.add_argument("--reads", type=int, default=4000)
ap.add_argument("--writes", type=int, default=400)
ap.add_argument("--etcd")
a = ap.parse_args()
root = os.path.dirname(os.path.abspath(__file__)) + "/../.."
ctl = [root + "/build/sixpnctl"]
tmp = tempfile.mkdtemp(prefix="fa-load.")
ctl += ["--etcd", a.etcd, "--etcd-prefix", f"/fa-load-{os.getpid()}/"] if a.etcd else \
    ["--registry", tmp + "/registry.db"]
subprocess.run(ctl + ["orgs", "create", "acme"], check=True, capture_output=True)
tok = subprocess.run(ctl + ["tokens", "create", "--org", "acme"], check=True,
                     capture_output=True, text=True).stdout.strip()
srv = subprocess.Popen(ctl + ["serve", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
port = int(srv.stdout.readline().rsplit(":", 1)[1])


def run(n, make):
    lat, lock, errs = [], threading.Lock(), [0]

    def worker(k):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for i in range(k, n, a.threads):
            m, p, b = make(i)
            t = time.perf_counter()
            c.request(m, p, body=b, headers={"Authorization": f"Bearer {tok}"})
            r = c.getresponse()
            r.read()
            mine.append(time.perf_counter() - t)
            if r.status >= 300:
                errs[0] += 1
        with lock:
            lat.extend(mine)

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(a.threads)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    dt = time.perf_counter() - t0
    lat.sort()
    return n / dt, statistics.median(lat) * 1e3, lat[int(len(lat) * 0.99) - 1] * 1e3, errs[0]


try:
    w = run(a.writes, lambda i: ("POST", "/v1/apps",
                                 json.dumps({"app_name": f"load-{i}", "org_slug": "acme"})))
    r = run(a.reads, lambda i: ("GET", "/v1/apps?org_slug=acme", None))
    store = "etcd" if a.etcd else "SQLite file"
    print(f"{store}, {a.threads} client threads, 4 server threads")
    print(f"POST /v1/apps (write): {w[0]:8.0f} req/s  p50 {w[1]:6.2f} ms  p99 {w[2]:6.2f} ms  errors {w[3]}")
    print(f"GET /v1/apps, {a.writes} apps (read): {r[0]:8.0f} req/s  p50 {r[1]:6.2f} ms  p99 {r[2]:6.2f} ms  errors {r[3]}")
finally:
    srv.terminate()
    srv.wait()
    subprocess.run(["rm", "-rf", tmp])
