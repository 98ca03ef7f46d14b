#!/usr/bin/python3
# Writes the seeds of the etcd libFuzzer targets (selftests/fuzz/lib/
# etcd_reply.c, etcd_rows.c) into selftests/fuzz/corpus/<target>/ from the
# replies of a real etcd: one member on loopback ports, data in a temporary
# directory, killed at the end. The rows are the ones sixpnctl --etcd
# writes (build/sixpnctl must be built). Run from the top of the tree:
#   selftests/fuzz/lib/make_etcd_seeds.py
# The regress-* seeds are not written here.
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from make_seeds import ROOT, write  # noqa: E402  (one corpus writer for both)

TOP = os.path.dirname(os.path.abspath(__file__)) + "/../../.."


def port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def b64(s):
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


class Etcd:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sixpn-etcd-seeds.")
        cp, pp = port(), port()
        self.url = "http://127.0.0.1:%d" % cp
        self.proc = subprocess.Popen(
            ["etcd", "--name", "seeds", "--data-dir", self.dir + "/data",
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", "http://127.0.0.1:%d" % pp,
             "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % pp,
             "--initial-cluster", "seeds=http://127.0.0.1:%d" % pp],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                self.post("/v3/kv/range", {"key": b64("x")})
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("etcd did not start")

    def raw(self, path, body, token=None, stream_secs=None):
        """(HTTP status, body bytes) of a real request."""
        req = urllib.request.Request(self.url + path, json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
        if token:
            req.add_header("Authorization", token)
        try:
            with urllib.request.urlopen(req, timeout=stream_secs or 5) as r:
                if stream_secs:
                    out = b""
                    try:
                        while True:
                            c = r.read1(65536)
                            if not c:
                                break
                            out += c
                    except (socket.timeout, TimeoutError):
                        pass
                    return r.status, out
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def post(self, path, body, token=None):
        return json.loads(self.raw(path, body, token)[1])

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- etcd_reply ----------------------------------------------------------
CALLS = {"range_prefix": 0, "range_key": 1, "range_rev": 2, "txn": 3, "watch": 4,
         "grant": 5, "keepalive": 6, "revoke": 7}


def answer(status, body, outcome=0, piece=0):
    return struct.pack(">BHBH", outcome, status, piece, len(body)) + body


def reply_seed(name, call, answers, setup=0):
    write("etcd_reply", name, bytes([CALLS[call], setup]) + b"".join(answers))


def reply_seeds(e):
    P = "/sixpn/"
    for k, v in [("rev", '{"n":1}'), ("orgs/1", '{"id":1,"name":"acme"}'),
                 ("orgs/2", '{"id":2,"name":"globex"}')]:
        e.post("/v3/kv/put", {"key": b64(P + k), "value": b64(v)})
    rng = e.raw("/v3/kv/range", {"key": b64(P), "range_end": b64("/sixpn0")})
    reply_seed("range-prefix", "range_prefix", [answer(*rng)])
    p1 = e.raw("/v3/kv/range", {"key": b64(P), "range_end": b64("/sixpn0"), "limit": "2"})
    p2 = e.raw("/v3/kv/range", {"key": b64(P + "orgs/1\0"), "range_end": b64("/sixpn0"),
                                "limit": "2"})
    reply_seed("range-pages", "range_prefix", [answer(*p1), answer(*p2)])
    reply_seed("range-pieces", "range_prefix", [answer(*rng, piece=7)])
    reply_seed("range-key", "range_key",
               [answer(*e.raw("/v3/kv/range", {"key": b64(P + "rev")}))])
    reply_seed("range-none", "range_key",
               [answer(*e.raw("/v3/kv/range", {"key": b64(P + "nothing")}))])
    # a revision compacted away: the error body
    for _ in range(3):
        e.post("/v3/kv/put", {"key": b64(P + "rev"), "value": b64('{"n":2}')})
    hdr = e.post("/v3/kv/range", {"key": b64(P)})["header"]["revision"]
    e.post("/v3/kv/compaction", {"revision": hdr})
    comp = e.raw("/v3/kv/range", {"key": b64(P), "range_end": b64("/sixpn0"), "revision": "2"})
    reply_seed("range-compacted", "range_rev", [answer(*comp)])
    reply_seed("range-retry-then-ok", "range_prefix",
               [answer(0, b"", outcome=5), answer(*rng)], setup=2)
    reply_seed("range-unreachable", "range_prefix", [answer(0, b"", outcome=4)], setup=4)
    # transactions: one that holds, one whose compare fails (with its read)
    rev_mod = e.post("/v3/kv/range", {"key": b64(P + "rev")})["kvs"][0]["mod_revision"]
    ok = e.raw("/v3/kv/txn", {
        "compare": [{"key": b64(P + "rev"), "target": "MOD", "result": "EQUAL",
                     "mod_revision": rev_mod}],
        "success": [{"request_put": {"key": b64(P + "rev"), "value": b64('{"n":3}')}},
                    {"request_delete_range": {"key": b64(P + "orgs/2")}}],
        "failure": [{"request_range": {"key": b64(P + "rev")}}]})
    reply_seed("txn-succeeded", "txn", [answer(*ok)])
    bad = e.raw("/v3/kv/txn", {
        "compare": [{"key": b64(P + "rev"), "target": "MOD", "result": "EQUAL",
                     "mod_revision": "1"}],
        "success": [{"request_put": {"key": b64(P + "rev"), "value": b64("{}")}}],
        "failure": [{"request_range": {"key": b64(P + "rev")}}]})
    reply_seed("txn-failed", "txn", [answer(*bad)])
    many = e.raw("/v3/kv/txn", {"success": [{"request_put": {"key": b64(P + "k%d" % i),
                                                              "value": b64("v")}}
                                             for i in range(200)]})
    reply_seed("txn-too-many-ops", "txn", [answer(*many)])
    reply_seed("txn-timeout", "txn", [answer(0, b"", outcome=5)], setup=2)
    # a watch stream: created, then the events of the past revisions
    start = e.post("/v3/kv/range", {"key": b64(P)})["header"]["revision"]
    e.post("/v3/kv/put", {"key": b64(P + "orgs/3"), "value": b64('{"id":3,"name":"x"}')})
    e.post("/v3/kv/deleterange", {"key": b64(P + "orgs/3")})
    w = e.raw("/v3/watch", {"create_request": {"key": b64(P), "range_end": b64("/sixpn0"),
                                               "start_revision": str(int(start)),
                                               "progress_notify": True}}, stream_secs=1.5)
    reply_seed("watch-events", "watch", [answer(*w)])
    reply_seed("watch-pieces", "watch", [answer(*w, piece=13)])
    wc = e.raw("/v3/watch", {"create_request": {"key": b64(P), "range_end": b64("/sixpn0"),
                                                "start_revision": "2"}}, stream_secs=1.5)
    reply_seed("watch-compacted", "watch", [answer(*wc)])
    # leases
    g = e.raw("/v3/lease/grant", {"TTL": "10"})
    lid = json.loads(g[1])["ID"]
    reply_seed("lease-grant", "grant", [answer(*g)])
    reply_seed("lease-keepalive", "keepalive",
               [answer(*e.raw("/v3/lease/keepalive", {"ID": lid}))])
    reply_seed("lease-revoke", "revoke", [answer(*e.raw("/v3/lease/revoke", {"ID": lid}))])
    reply_seed("lease-keepalive-expired", "keepalive",
               [answer(*e.raw("/v3/lease/keepalive", {"ID": lid}))])
    reply_seed("lease-revoke-unknown", "revoke",
               [answer(*e.raw("/v3/lease/revoke", {"ID": lid}))])
    # authentication: refused while auth is off, then a token, then refusals
    off = e.raw("/v3/auth/authenticate", {"name": "sixpnd", "password": "secret"})
    reply_seed("auth-disabled", "range_key", [answer(*off)], setup=1)
    e.post("/v3/auth/user/add", {"name": "root", "password": "rootpw"})
    e.post("/v3/auth/user/grant", {"user": "root", "role": "root"})
    e.post("/v3/auth/user/add", {"name": "sixpnd", "password": "secret"})
    e.post("/v3/auth/enable", {})
    tok = e.raw("/v3/auth/authenticate", {"name": "sixpnd", "password": "secret"})
    token = json.loads(tok[1])["token"]
    denied = e.raw("/v3/kv/range", {"key": b64(P + "rev")}, token=token)
    reply_seed("auth-denied", "range_key", [answer(*tok), answer(*denied)], setup=1)
    wrong = e.raw("/v3/auth/authenticate", {"name": "sixpnd", "password": "wrong"})
    reply_seed("auth-wrong-password", "range_key", [answer(*wrong)], setup=1)
    noauth = e.raw("/v3/kv/range", {"key": b64(P + "rev")})
    reply_seed("auth-missing", "range_key", [answer(*noauth)])
    bogus = e.raw("/v3/kv/range", {"key": b64(P + "rev")}, token="bogus.token")
    reply_seed("auth-token-expired", "range_key",
               [answer(*tok), answer(*bogus), answer(*tok), answer(*rng)], setup=1)
    wd = e.raw("/v3/watch", {"create_request": {"key": b64(P)}}, token=token, stream_secs=1)
    reply_seed("watch-denied", "watch", [answer(*tok), answer(*wd)], setup=1)


# ---- etcd_rows -----------------------------------------------------------
def rec(kind, key, value):
    k, v = key.encode(), value.encode()
    return bytes([kind]) + struct.pack(">H", len(k)) + k + struct.pack(">H", len(v)) + v


def rows_seeds(e):
    ctl = os.path.join(TOP, "build/sixpnctl")
    pfx = "/seeds/"
    env = dict(os.environ, SIXPN_ETCD=e.url)
    key = base64.b64encode(bytes(range(32))).decode()

    def run(*args):
        subprocess.run([ctl, "--etcd", e.url, "--etcd-prefix", pfx] + list(args),
                       check=True, stdout=subprocess.DEVNULL, env=env)

    run("regions", "set", "ams", "--lat", "52.37", "--lon", "4.90")
    run("hosts", "add", "a7b:174", "--region", "ams", "--endpoint",
        "198.51.100.1:51820", "--public-key", key)
    run("orgs", "create", "acme")
    run("apps", "create", "web", "--org", "acme")
    run("machines", "create", "--app", "web", "--host", "a7b:174")
    run("machines", "create", "--app", "web", "--host", "a7b:174")
    kvs = e.post("/v3/kv/range", {"key": b64(pfx), "range_end": b64("/seeds0")}, token=None)
    rows = [(base64.b64decode(kv["key"]).decode()[len(pfx):],
             base64.b64decode(kv.get("value", "")).decode()) for kv in kvs.get("kvs", [])]
    write("etcd_rows", "as-sixpnctl-writes", b"".join(rec(0, k, v) for k, v in rows))
    # the same rows arriving by the watch, in the order etcd wrote them
    by_rev = sorted(kvs["kvs"], key=lambda kv: int(kv["mod_revision"]))
    evs = [rec(1, base64.b64decode(kv["key"]).decode()[len(pfx):],
               base64.b64decode(kv.get("value", "")).decode()) for kv in by_rev]
    write("etcd_rows", "watched", b"".join(e2 + rec(3, "", "") for e2 in evs))
    machines = [r for r in rows if r[0].startswith("machines/")]
    lst = b"".join(rec(0, k, v) for k, v in rows)
    write("etcd_rows", "machine-deleted",
          lst + rec(2, machines[0][0], "") + rec(3, "", ""))
    # a host's lease key beside the rows (sixpnd's presence, not a row)
    write("etcd_rows", "host-alive",
          lst + rec(0, "hosts_alive/175833460", '{"host_id":175833460,"pid":1,"since":1}') +
          rec(1, "hosts_alive/1", "x") + rec(3, "", "") + rec(2, "hosts_alive/175833460", ""))
    # by hand with etcdctl: wrong types, unknown columns, a key that is not
    # the row's, a child before its parent, not JSON
    m0k, m0v = machines[0]
    hand = [rec(0, k, v) for k, v in rows if not k.startswith("orgs/")]
    write("etcd_rows", "by-hand-odd",
          b"".join(hand) +
          rec(0, "orgs/9", '{"id":"9","name":"acme"}') +
          rec(0, "orgs/8", '{"id":8,"name":"x","colour":"red"}') +
          rec(0, "orgs/7", '{"id":6,"name":"y"}') +
          rec(0, "nosuchtable/1", "{}") +
          rec(0, "regions/lhr", "not json") +
          rec(1, m0k, m0v.replace('"a7b', '"b7a')) + rec(3, "", "") +
          rec(1, "orgs/1", '{"id":1,"name":"acme","created_at":null}'))
    batch_seed(rows)


def batch_seed(rows):
    """More rows of one table than rows.c puts in one INSERT (32), a bad
    one inside each batch: a name twice (UNIQUE), a value not JSON."""
    org = json.loads(dict(rows)["orgs/1"])
    recs = []
    for i in range(2, 72):
        o = dict(org, id=i, name="org%d" % i)
        if i == 20:
            o["name"] = "acme"
        recs.append(rec(0, "orgs/%d" % i, json.dumps(o)))
    recs[50] = rec(0, "orgs/52", '{"id":52,')
    write("etcd_rows", "batch-bad-inside", b"".join(rec(0, k, v) for k, v in rows) + b"".join(recs))


def main():
    e = Etcd()
    try:
        rows_seeds(e)
        reply_seeds(e)
    finally:
        e.stop()


if __name__ == "__main__":
    main()
