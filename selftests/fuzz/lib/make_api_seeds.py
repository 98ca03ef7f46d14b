#!/usr/bin/python3
# Writes the seeds of the api_request libFuzzer target (api_request.c) into
# selftests/fuzz/corpus/api_request/ (committed): every route with acme's
# token, globex's and none, the bodies of the README's "HTTP API" and the
# malformed ones its errors name. Run from the top of the tree when the
# input format changes:  selftests/fuzz/lib/make_api_seeds.py
#
# Input format: method byte (0 GET, 1 POST, 2 DELETE, 3 PUT), token byte
# (0 none, 1 acme, 2 globex, 3 the header field; | 0x80: org_slug given),
# path NUL org_slug NUL authorization NUL body.
import os

ROOT = os.path.dirname(os.path.abspath(__file__)) + "/../corpus/api_request"
GET, POST, DELETE, PUT = range(4)
seeds = []


def seed(method, who, path, body=b"", slug=None, auth=b""):
    flag = 0x80 if slug is not None else 0
    seeds.append(bytes([method, who | flag]) + path + b"\0" + (slug or b"") + b"\0" +
                 auth + b"\0" + body)


for who in (1, 2, 0):
    seed(GET, who, b"/v1/apps", slug=b"acme")
    seed(GET, who, b"/v1/apps")
    seed(POST, who, b"/v1/apps", b'{"app_name":"new","org_slug":"acme","network":"n1"}')
    seed(POST, who, b"/v1/apps", b'{"app_name":"gnew","org_slug":"globex"}')
    seed(DELETE, who, b"/v1/apps/web")
    seed(GET, who, b"/v1/apps/web/machines")
    seed(POST, who, b"/v1/apps/web/machines", b'{"host":"fa:1","region":"fra","iface":"eth9"}')
    seed(POST, who, b"/v1/apps/web/machines/0123456789abcd/start")
    seed(POST, who, b"/v1/apps/web/machines/0123456789abcd/stop")
    seed(DELETE, who, b"/v1/apps/web/machines/0123456789abcd")
seed(POST, 1, b"/v1/apps", b'{"app_name":')
seed(POST, 1, b"/v1/apps", b'[1,2]')
seed(POST, 1, b"/v1/apps", b'{"app_name":7,"org_slug":"acme"}')
seed(POST, 1, b"/v1/apps", b'{"app_name":"a\\u0000b","org_slug":"acme"}')
seed(POST, 1, b"/v1/apps", b'{"app_name":"x","org_slug":"acme"} trailing')
seed(POST, 1, b"/v1/apps", b'{"app_name":"' + b"a" * 300 + b'","org_slug":"acme"}')
seed(POST, 1, b"/v1/apps/web/machines", b'{"host":"not:a:host"}')
seed(POST, 1, b"/v1/apps/web/machines", b'{"host":"fa:1","state":"stopped","process_group":"w",'
     b'"metadata":{"role":"db","tier":"b"}}')
seed(POST, 1, b"/v1/apps/web/machines", b'{"host":"fa:1","state":"paused","metadata":{"a":1}}')
seed(POST, 1, b"/v1/apps/web/machines", b'{"host":"fa:1","metadata":["a=b"]}')
seed(PUT, 1, b"/v1/apps")
seed(GET, 1, b"/v1/apps/", slug=b"NOT VALID")
seed(4, 3, b"PATCH", auth=b"Bearer sixpn_" + b"A" * 43)
seed(GET, 3, b"[::1]:4280", auth=b"bearer   tok  ")
seed(GET, 3, b"127.0.0.1:0", auth=b"Basic YWNtZQ==")
# Flycast: the fixture's address of web for network cust is fdaa:0:2::1:0;
# globex's gx is on a network cust of globex's own
for who in (1, 2, 0):
    seed(GET, who, b"/v1/apps/web/ips")
    seed(POST, who, b"/v1/apps/web/ips", b'{"network":"n2","ports":[443,80]}')
    seed(POST, who, b"/v1/apps/web/ips")
    seed(DELETE, who, b"/v1/apps/web/ips/fdaa:0:2::1:0")
seed(POST, 1, b"/v1/apps/web/ips", b'{"network":null,"ports":null}')
seed(POST, 1, b"/v1/apps/web/ips", b'{"ports":"80,443"}')
seed(POST, 1, b"/v1/apps/web/ips", b'{"ports":[80,"x",1.5]}')
seed(POST, 1, b"/v1/apps/web/ips", b'{"ports":[0,-1,65536,99999999999999999999]}')
seed(POST, 1, b"/v1/apps/web/ips", b'{"ports":[1,2,3,4,5,6,7,8,9,10,11,12]}')
seed(POST, 1, b"/v1/apps/web/ips", b'{"network":"cust","ports":[]}')
seed(POST, 1, b"/v1/apps/web/ips", b'  \n')
seed(DELETE, 1, b"/v1/apps/web/ips/zz")
seed(DELETE, 1, b"/v1/apps/web/ips/fdaa:0:1:fa:1:0:1:2")
seed(DELETE, 1, b"/v1/apps/web/ips/fdaa:0:2::1:0/x")
seed(GET, 1, b"/v1/apps/web/ips/fdaa:0:2::1:0")
seed(DELETE, 2, b"/v1/apps/gx/ips/fdaa:0:2::1:0")
seed(GET, 2, b"/v1/apps/gx/ips")
seed(POST, 2, b"/v1/apps/gx/ips", b'{"network":"cust","ports":[53]}')
os.makedirs(ROOT, exist_ok=True)
for i, s in enumerate(seeds):
    with open(os.path.join(ROOT, f"s{i:02d}"), "wb") as f:
        f.write(s)
print(f"{len(seeds)} seeds in {ROOT}")
