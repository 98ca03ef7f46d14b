#!/usr/bin/python3
"""A fleet-sized registry for the benchmarks, written straight with SQL.

    gen_registry.py REGISTRY --sixpnctl PATH --machines M --apps A
                    --networks N [--hosts H] [--regions R] [--host-base ID]

`sixpnctl` first creates the empty registry, so the schema is always the
one the code has today; then every row goes in with one transaction
(creating a million machines through sixpnctl would take hours). The rows
keep the registry's rules (docs/registry.md):

  - org k (o<k>) owns network k, named "default", IDs 1..N: a network ID is
    bound to its (org, name);
  - app j (a<j>, ID %016x) lives on network j % N + 1, in that network's
    org; app names are unique;
  - machine i (ID %014x) belongs to app i % A, sits on host
    host-base + i % H, with an instance ID unique on its host (its lease in
    `instances`); its region is its host's; the hosts' allocation cursors
    are moved past the leases, so sixpnctl can add more afterwards;
  - every insert goes through the change-log triggers, like sixpnctl's.

Prints one line of JSON: what it wrote and how long it took.
"""
import argparse
import json
import sqlite3
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("registry")
    ap.add_argument("--sixpnctl", required=True)
    ap.add_argument("--machines", type=int, required=True)
    ap.add_argument("--apps", type=int, required=True)
    ap.add_argument("--networks", type=int, required=True)
    ap.add_argument("--hosts", type=int, default=1009)  # prime: an app's machines spread over hosts and regions
    ap.add_argument("--regions", type=int, default=10)
    ap.add_argument("--host-base", type=lambda s: int(s, 0), default=0x10000)
    a = ap.parse_args()
    if not (0 < a.networks <= a.apps and a.apps <= max(a.machines, a.apps) and a.hosts > 0):
        sys.exit("gen_registry: want 0 < networks <= apps, hosts > 0")

    subprocess.run([a.sixpnctl, "--registry", a.registry, "orgs", "list"],
                   check=True, stdout=subprocess.DEVNULL)
    t0 = time.monotonic()
    db = sqlite3.connect(a.registry, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 5000")
    # A fixture: no fsync, and the whole transaction in memory until COMMIT.
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -2000000")
    now = int(time.time())
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)",
                   ((k, "o%d" % k, now) for k in range(1, a.networks + 1)))
    db.executemany("INSERT INTO networks (id, org_id, name, created_at) VALUES (?, ?, 'default', ?)",
                   ((k, k, now) for k in range(1, a.networks + 1)))
    db.executemany("INSERT INTO apps (id, name, org_id, network_id, created_at) VALUES (?, ?, ?, ?, ?)",
                   (("%016x" % (j + 1), "a%d" % j, j % a.networks + 1, j % a.networks + 1, now)
                    for j in range(a.apps)))
    hosts = [a.host_base + h for h in range(a.hosts)]
    region = {hid: "r%d" % (h % a.regions) for h, hid in enumerate(hosts)}
    per_host = [a.machines // a.hosts + (1 if h < a.machines % a.hosts else 0)
                for h in range(a.hosts)]
    db.executemany("INSERT INTO hosts (id, region, next_instance, created_at) VALUES (?, ?, ?, ?)",
                   ((hid, region[hid], per_host[h] + 1, now) for h, hid in enumerate(hosts)))

    def instances():
        for i in range(a.machines):
            yield (hosts[i % a.hosts], i // a.hosts + 1)

    db.executemany("INSERT INTO instances (host_id, instance_id, kind) VALUES (?, ?, 'machine')",
                   instances())
    db.executemany("INSERT INTO machines (id, app_id, host_id, instance_id, region, created_at)"
                   " VALUES (?, ?, ?, ?, ?, ?)",
                   (("%014x" % (i + 1), "%016x" % (i % a.apps + 1), hosts[i % a.hosts],
                     i // a.hosts + 1, region[hosts[i % a.hosts]], now)
                    for i in range(a.machines)))
    db.execute("COMMIT")
    db.close()
    print(json.dumps({"machines": a.machines, "apps": a.apps, "networks": a.networks,
                      "hosts": a.hosts, "seconds": round(time.monotonic() - t0, 2)}))


if __name__ == "__main__":
    main()
