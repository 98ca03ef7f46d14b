#!/usr/bin/env python3
"""An independent client of sixpnctl serve (the README's "HTTP API",
Flycast addresses included),
written from the README against the wire, not from the C sources: http.client
and urllib only. Prints one "PASS name" or "FAIL name: detail" line per fact;
test_api.sh turns them into TAP.

    api_client.py BASE_URL TOKEN_ACME TOKEN_GLOBEX HOST_ID
"""
import http.client
import json
import secrets
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

BASE, TOK_A, TOK_G, HOST = sys.argv[1:5]
U = urllib.parse.urlsplit(BASE)
failed = 0


def report(ok, name, detail=""):
    global failed
    if ok:
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")
    sys.stdout.flush()


def call(method, path, token=None, body=None, raw=None, headers=None):
    """(status, parsed JSON or None, raw bytes, headers) over http.client."""
    c = http.client.HTTPConnection(U.hostname, U.port, timeout=30)
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if data is not None:
        h["Content-Type"] = "application/json"
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    b = r.read()
    c.close()
    try:
        j = json.loads(b.decode("utf-8")) if b else None
    except (ValueError, UnicodeDecodeError):
        j = None
    return r.status, j, b, {k.lower(): v for k, v in r.getheaders()}


def expect(name, got, status, err=None):
    """got is call()'s answer; err: a substring the error message must hold."""
    st, j, b, _ = got
    if st != status:
        report(False, name, f"status {st}, want {status}: {b[:300]!r}")
        return
    if status >= 400:
        if not isinstance(j, dict) or set(j) != {"error"} or not isinstance(j["error"], str):
            report(False, name, f"error body is not {{\"error\": str}}: {b[:300]!r}")
            return
        if err is not None and err not in j["error"]:
            report(False, name, f"error {j['error']!r} lacks {err!r}")
            return
    report(True, name)


app = "pyweb-" + secrets.token_hex(3)
gapp = "pyglobex-" + secrets.token_hex(3)

# ---- no token, a wrong token: 401 and nothing else, on every route -------------
routes = [
    ("GET", "/v1/apps?org_slug=acme", None),
    ("POST", "/v1/apps", {"app_name": app, "org_slug": "acme"}),
    ("DELETE", f"/v1/apps/{app}", None),
    ("GET", f"/v1/apps/{app}/machines", None),
    ("POST", f"/v1/apps/{app}/machines", {"host": HOST}),
    ("POST", f"/v1/apps/{app}/machines/0123456789abcd/start", None),
    ("POST", f"/v1/apps/{app}/machines/0123456789abcd/stop", None),
    ("DELETE", f"/v1/apps/{app}/machines/0123456789abcd", None),
    ("GET", f"/v1/apps/{app}/ips", None),
    ("POST", f"/v1/apps/{app}/ips", {"network": "py-cust"}),
    ("DELETE", f"/v1/apps/{app}/ips/fdaa:0:1::1:0", None),
    ("GET", "/v1/nothing-here", None),
]
wrong = "sixpn_" + secrets.token_urlsafe(32)[:43]
for m, p, b in routes:
    for label, tok, hdr in (("no token", None, None), ("a wrong token", wrong, None),
                            ("Basic auth", None, {"Authorization": "Basic YWNtZTphY21l"}),
                            ("a revoked-looking garbage token", "x" * 49, None)):
        st, j, raw, h = call(m, p, tok, b, headers=hdr)
        ok = (st == 401 and isinstance(j, dict) and set(j) == {"error"}
              and "bearer" in h.get("www-authenticate", "").lower()
              and b"acme" not in raw and app.encode() not in raw)
        report(ok, f"{label}: {m} {p.split('?')[0]} is 401 with only an error",
               f"{st} {raw[:200]!r} {h.get('www-authenticate')}")

# ---- every route, as acme ------------------------------------------------------
expect("POST /v1/apps creates the app: 201",
       r := call("POST", "/v1/apps", TOK_A, {"app_name": app, "org_slug": "acme",
                                              "network": "py-net"}), 201)
j = r[1] or {}
report(j.get("name") == app and j.get("network") == "py-net" and len(j.get("id", "")) == 16
       and j.get("org") == "acme",
       "the created app says its name, org, network and a 16-character ID", repr(j))
app_id = j.get("id")

st, j, raw, _ = call("GET", "/v1/apps?org_slug=acme", TOK_A)
ok = (st == 200 and isinstance(j, dict) and list(j) == ["total_apps", "apps"]
      and j["total_apps"] == len(j["apps"])
      and all(list(a) == ["id", "name", "machine_count", "network"] for a in j["apps"]))
report(ok, "GET /v1/apps?org_slug=acme has Fly's shape: total_apps, apps[] of id, name, "
       "machine_count, network", raw[:300])
mine = [a for a in (j or {}).get("apps", []) if a["name"] == app]
report(mine == [{"id": app_id, "name": app, "machine_count": 0, "network": "py-net"}],
       "the new app is listed with 0 machines on py-net", repr(mine))

# urllib too (another stack, the way a script would call it)
req = urllib.request.Request(f"{BASE}/v1/apps", headers={"Authorization": f"Bearer {TOK_A}"})
with urllib.request.urlopen(req, timeout=30) as resp:
    d = json.load(resp)
report(resp.status == 200 and any(a["name"] == app for a in d["apps"]),
       "urllib: GET /v1/apps without org_slug lists the token's org", repr(d)[:200])
try:
    urllib.request.urlopen(urllib.request.Request(f"{BASE}/v1/apps?org_slug=acme"), timeout=30)
    report(False, "urllib: no token raises HTTPError 401", "it succeeded")
except urllib.error.HTTPError as e:
    report(e.code == 401 and set(json.loads(e.read())) == {"error"},
           "urllib: no token raises HTTPError 401 with a JSON error", str(e.code))

expect("POST /v1/apps/APP/machines creates a machine: 201",
       r := call("POST", f"/v1/apps/{app}/machines", TOK_A, {"host": HOST}), 201)
m = r[1] or {}
mid = m.get("id", "")
report(len(mid) == 14 and m.get("app") == app and m.get("private_ip", "").startswith("fdaa:")
       and m.get("private_ip") == m.get("address") and m.get("host") == HOST,
       "the machine has a 14-character ID, its app, host and a fdaa: private_ip", repr(m))
expect("POST with a region: 201",
       r2 := call("POST", f"/v1/apps/{app}/machines", TOK_A, {"host": HOST, "region": "py1"}), 201)
mid2 = (r2[1] or {}).get("id", "")
report((r2[1] or {}).get("region") == "py1", "the region given is the machine's", repr(r2[1]))

st, j, raw, _ = call("GET", f"/v1/apps/{app}/machines", TOK_A)
report(st == 200 and isinstance(j, list) and sorted(x["id"] for x in j) == sorted([mid, mid2]),
       "GET /v1/apps/APP/machines lists both machines as an array", raw[:300])
st, j, _, _ = call("GET", "/v1/apps?org_slug=acme", TOK_A)
report([a["machine_count"] for a in j["apps"] if a["name"] == app] == [2],
       "machine_count follows: 2", repr(j)[:300])

# ---- start and stop ---------------------------------------------------------------
st, j, raw, _ = call("POST", f"/v1/apps/{app}/machines/{mid}/stop", TOK_A)
report(st == 200 and j == {"id": mid, "state": "stopped", "changed": True, "previous_state": "started"},
       "POST .../stop: 200, stopped, previous_state started", f"{st} {raw[:200]!r}")
st, j, _, _ = call("GET", f"/v1/apps/{app}/machines", TOK_A)
report([x["state"] for x in j if x["id"] == mid] == ["stopped"], "the list says stopped", repr(j)[:200])
st, j, raw, _ = call("POST", f"/v1/apps/{app}/machines/{mid}/start", TOK_A)
report(st == 200 and j == {"id": mid, "state": "started", "changed": True, "previous_state": "stopped"},
       "POST .../start: 200, started, previous_state stopped", f"{st} {raw[:200]!r}")
st, j, raw, _ = call("POST", f"/v1/apps/{app}/machines/{mid}/start", TOK_A)
report(st == 200 and j.get("changed") is False, "starting a started machine: 200, unchanged",
       f"{st} {raw[:200]!r}")
expect("starting a machine nobody has: 404", call("POST",
       f"/v1/apps/{app}/machines/0123456789abcd/start", TOK_A), 404, "does not exist")
expect("a body state that is no state: 400", call("POST", f"/v1/apps/{app}/machines", TOK_A,
       {"host": HOST, "state": "paused"}), 400, "machine state 'paused' is invalid")
expect("metadata with a number: 400", call("POST", f"/v1/apps/{app}/machines", TOK_A,
       {"host": HOST, "metadata": {"a": 1}}), 400, "must be a string")
expect("17 metadata keys: 400", call("POST", f"/v1/apps/{app}/machines", TOK_A,
       {"host": HOST, "metadata": {f"k{i}": "v" for i in range(17)}}), 400, "at most 16")

# ---- errors, with the statuses the CLI's exit codes map to ---------------------
expect("an existing app name: 409", call("POST", "/v1/apps", TOK_A,
       {"app_name": app, "org_slug": "acme"}), 409, "already exists")
expect("an invalid app name: 400", call("POST", "/v1/apps", TOK_A,
       {"app_name": "Not_A_Label", "org_slug": "acme"}), 400, "is invalid")
expect("a 64-character app name: 400", call("POST", "/v1/apps", TOK_A,
       {"app_name": "a" * 64, "org_slug": "acme"}), 400, "is invalid")
expect("an invalid network name: 400", call("POST", "/v1/apps", TOK_A,
       {"app_name": app + "-x", "org_slug": "acme", "network": "9bad"}), 400, "is invalid")
expect("app_name missing: 400", call("POST", "/v1/apps", TOK_A, {"org_slug": "acme"}),
       400, "'app_name' is required")
expect("org_slug missing: 400", call("POST", "/v1/apps", TOK_A, {"app_name": app + "-y"}),
       400, "'org_slug' is required")
expect("app_name a number: 400", call("POST", "/v1/apps", TOK_A,
       {"app_name": 7, "org_slug": "acme"}), 400, "must be a string")
expect("a body that is not JSON: 400", call("POST", "/v1/apps", TOK_A, raw=b"app_name=x"),
       400, "not JSON")
expect("a JSON array body: 400", call("POST", "/v1/apps", TOK_A, raw=b"[1,2]"), 400,
       "must be a JSON object")
expect("an empty body: 400", call("POST", "/v1/apps", TOK_A, raw=b""), 400, "empty")
expect("a body with trailing garbage: 400", call("POST", "/v1/apps", TOK_A,
       raw=b'{"app_name":"q","org_slug":"acme"} x'), 400, "not JSON")
expect("a body over 64 KiB: 413", call("POST", "/v1/apps", TOK_A, raw=b" " * 70000), 413)
expect("a machine on a host that does not exist: 404", call("POST",
       f"/v1/apps/{app}/machines", TOK_A, {"host": "fa:999"}), 404, "does not exist")
expect("a machine with an invalid host ID: 400", call("POST", f"/v1/apps/{app}/machines",
       TOK_A, {"host": "not-a-host"}), 400, "invalid")
expect("a machine without host: 400", call("POST", f"/v1/apps/{app}/machines", TOK_A, {}),
       400, "'host' is required")
expect("a machine with an invalid region: 400", call("POST", f"/v1/apps/{app}/machines",
       TOK_A, {"host": HOST, "region": "NOT OK"}), 400, "invalid")
expect("machines of an app that does not exist: 404", call("GET",
       "/v1/apps/no-such-app-fa/machines", TOK_A), 404, "does not exist")
expect("destroying an app that does not exist: 404", call("DELETE",
       "/v1/apps/no-such-app-fa", TOK_A), 404, "does not exist")
expect("destroying a machine that does not exist: 404", call("DELETE",
       f"/v1/apps/{app}/machines/0123456789abcd", TOK_A), 404, "does not exist")
expect("an unknown path: 404", call("GET", "/v1/nothing-here", TOK_A), 404, "no such path")
expect("a trailing slash is another path: 404", call("GET", "/v1/apps/", TOK_A), 404)
st, j, raw, h = call("PUT", "/v1/apps", TOK_A, {})
report(st == 405 and h.get("allow") == "GET, POST",
       "PUT /v1/apps: 405 with Allow: GET, POST", f"{st} {h.get('allow')}")
st, j, raw, h = call("GET", f"/v1/apps/{app}/machines/{mid}/start", TOK_A)
report(st == 405 and h.get("allow") == "POST", "GET .../start: 405 with Allow: POST",
       f"{st} {h.get('allow')}")

# ---- globex's token on everything of acme's: refused, nothing changes ---------
expect("globex: GET /v1/apps?org_slug=acme is 403", call("GET", "/v1/apps?org_slug=acme",
       TOK_G), 403, "cannot act on org 'acme'")
expect("globex: POST /v1/apps into acme is 403", call("POST", "/v1/apps", TOK_G,
       {"app_name": gapp, "org_slug": "acme"}), 403, "cannot act on org 'acme'")
st, j, raw, _ = call("GET", "/v1/apps", TOK_G)
report(st == 200 and app.encode() not in raw and b"acme" not in raw,
       "globex's own list does not show acme's app", raw[:300])
cross = [
    ("GET", f"/v1/apps/{app}/machines", None),
    ("POST", f"/v1/apps/{app}/machines", {"host": HOST}),
    ("POST", f"/v1/apps/{app}/machines/{mid}/start", None),
    ("POST", f"/v1/apps/{app}/machines/{mid}/stop", None),
    ("DELETE", f"/v1/apps/{app}/machines/{mid}", None),
    ("DELETE", f"/v1/apps/{app}", None),
]
for m, p, b in cross:
    st, j, raw, _ = call(m, p, TOK_G, b)
    # the same answer as for an app nobody has: nothing tells it exists
    st2, j2, _, _ = call(m, p.replace(app, "nobody-has-this"), TOK_G, b)
    same = (j or {}).get("error", "").replace(app, "X") == \
        (j2 or {}).get("error", "").replace("nobody-has-this", "X")
    report(st == 404 and st2 == 404 and same and mid.encode() not in raw,
           f"globex: {m} {p.replace(app, 'APP').replace(mid, 'ID')} is 404, the answer "
           f"for an app nobody has", f"{st} {raw[:200]!r} vs {st2} {j2}")
# a machine of acme's under an app of globex's own
expect("globex: POST /v1/apps (its own) is 201", call("POST", "/v1/apps", TOK_G,
       {"app_name": gapp, "org_slug": "globex"}), 201)
for m, p in (("DELETE", f"/v1/apps/{gapp}/machines/{mid}"),
             ("POST", f"/v1/apps/{gapp}/machines/{mid}/stop")):
    st, j, raw, _ = call(m, p, TOK_G)
    report(st == 404, f"globex: acme's machine under globex's app ({m} .../{p.rsplit('/', 1)[-1]}) "
           "is 404", f"{st} {raw[:200]!r}")
st, j, _, _ = call("GET", f"/v1/apps/{app}/machines", TOK_A)
report(st == 200 and sorted(x["id"] for x in j) == sorted([mid, mid2])
       and all(x["state"] == "started" for x in j),
       "after globex's attempts acme's app still has both machines, both started", repr(j)[:200])
# acme on globex's app, the other way round
for m, p, b in (("GET", f"/v1/apps/{gapp}/machines", None),
                ("DELETE", f"/v1/apps/{gapp}", None),
                ("POST", f"/v1/apps/{gapp}/machines", {"host": HOST})):
    st, _, raw, _ = call(m, p, TOK_A, b)
    report(st == 404, f"acme: {m} {p.replace(gapp, 'GLOBEX_APP')} is 404", f"{st} {raw[:200]!r}")

# ---- Flycast addresses ---------------------------------------------------------------
expect("POST /v1/apps/APP/ips for a consumer network: 201",
       r := call("POST", f"/v1/apps/{app}/ips", TOK_A, {"network": "py-cust", "ports": [8443]}), 201)
fc = r[1] or {}
a = fc.get("address", "")
report(a.startswith("fdaa:") and a.endswith(":0") and fc.get("network") == "py-cust"
       and fc.get("app") == app and fc.get("ports") == [8443],
       "the address is a fdaa: service address for py-cust on port 8443", repr(fc))
st, j, raw, _ = call("GET", f"/v1/apps/{app}/ips", TOK_A)
report(st == 200 and j.get("total_ips") == 1 and j["ips"][0]["address"] == a
       and sorted(b["machine"] for b in j["ips"][0]["backends"]) == sorted([mid, mid2]),
       "GET /v1/apps/APP/ips lists it with both started machines as backends", raw[:300])
expect("a second one for py-cust: 409", call("POST", f"/v1/apps/{app}/ips", TOK_A,
       {"network": "py-cust"}), 409, "already has Flycast address")
expect("ports as a string: 400", call("POST", f"/v1/apps/{app}/ips", TOK_A,
       {"ports": "80"}), 400, "'ports' must be an array")
for m, p, b in (("GET", f"/v1/apps/{app}/ips", None),
                ("POST", f"/v1/apps/{app}/ips", {"network": "py-g"}),
                ("DELETE", f"/v1/apps/{app}/ips/{a}", None)):
    st, j, raw, _ = call(m, p, TOK_G, b)
    report(st == 404 and (j or {}).get("error") == f"app '{app}' does not exist"
           and a.encode() not in raw,
           f"globex: {m} {p.replace(app, 'APP').replace(a, 'ADDR')} is 404, app does not exist",
           f"{st} {raw[:200]!r}")
st, j, _, _ = call("GET", f"/v1/apps/{app}/ips", TOK_A)
report(st == 200 and [i["address"] for i in j["ips"]] == [a], "acme's address outlives globex's attempts",
       repr(j)[:200])
st, j, raw, _ = call("DELETE", f"/v1/apps/{app}/ips/{urllib.parse.quote(a, safe='')}", TOK_A)
report(st == 200 and j.get("address") == a and j.get("released") is True,
       "DELETE /v1/apps/APP/ips/ADDR (percent-encoded): 200, released", f"{st} {raw[:200]!r}")
expect("releasing it again: 404", call("DELETE", f"/v1/apps/{app}/ips/{a}", TOK_A), 404,
       "is no Flycast address")

# ---- concurrent POSTs racing for one name: exactly one 201 -----------------------
race = "pyrace-" + secrets.token_hex(3)
N = 16
barrier = threading.Barrier(N)
results = []
lock = threading.Lock()


def racer():
    barrier.wait()
    st, j, raw, _ = call("POST", "/v1/apps", TOK_A, {"app_name": race, "org_slug": "acme"})
    with lock:
        results.append((st, j))


ts = [threading.Thread(target=racer) for _ in range(N)]
for t in ts:
    t.start()
for t in ts:
    t.join()
codes = sorted(s for s, _ in results)
report(codes.count(201) == 1 and codes.count(409) == N - 1,
       f"{N} concurrent POSTs for one name: exactly one 201, {N - 1} 409", repr(codes))
st, j, _, _ = call("GET", "/v1/apps?org_slug=acme", TOK_A)
report([a["name"] for a in j["apps"]].count(race) == 1, "the registry holds the app once",
       repr(j)[:300])

# concurrent machine creations on one host: distinct IDs and addresses
mres = []


def mracer():
    st, j, _, _ = call("POST", f"/v1/apps/{race}/machines", TOK_A, {"host": HOST})
    with lock:
        mres.append((st, j))


ts = [threading.Thread(target=mracer) for _ in range(8)]
for t in ts:
    t.start()
for t in ts:
    t.join()
ips = {j["private_ip"] for s, j in mres if s == 201}
report([s for s, _ in mres].count(201) == 8 and len(ips) == 8,
       "8 concurrent machine creations: 8 201s, 8 distinct addresses", repr(mres)[:300])

# ---- destroy: machine, then app ---------------------------------------------------
expect("DELETE /v1/apps/APP/machines/ID: 200", r := call("DELETE",
       f"/v1/apps/{app}/machines/{mid}", TOK_A), 200)
report((r[1] or {}).get("destroyed") is True and (r[1] or {}).get("id") == mid,
       "the answer says the machine is destroyed", repr(r[1]))
expect("the destroyed machine is gone: 404", call("DELETE",
       f"/v1/apps/{app}/machines/{mid}", TOK_A), 404)
expect("DELETE /v1/apps/APP: 200", r := call("DELETE", f"/v1/apps/{app}", TOK_A), 200)
report((r[1] or {}).get("machines_destroyed") == 1, "it destroyed the app's last machine",
       repr(r[1]))
expect("the destroyed app is gone: 404", call("GET", f"/v1/apps/{app}/machines", TOK_A), 404)
for a, t in ((race, TOK_A), (gapp, TOK_G)):
    call("DELETE", f"/v1/apps/{a}", t)

sys.exit(1 if failed else 0)
