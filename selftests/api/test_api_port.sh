#!/usr/bin/env bash
# timeout: 180
# Instances reach the Machines API without configuration (issue 13), end to
# end on a testbed (selftests/api/api_port.tb, prefix ap): `sixpnctl serve
# --listen [fdaa::3]:4280` in the host's namespace, on the service address
# sixpnd put on its DNS device; from an instance, dig finds _api.internal
# (fdaa::3), and curl to [fdaa::3]:4280 with the org's token gets 200 and the
# org's apps. The TC programs let through only that port (PASS_API counted
# both ways): a second API listening on [fdaa::3]:4281 answers the host
# but not the instance, whose SYNs are counted as DROP_DNS_PORT.
set -uo pipefail
P=ap
. "$(dirname "$0")/../lib/testbed.sh"
PY=/usr/bin/python3
SERVE_PIDS=()
testbed_cleanup_more() {
	local pid
	for pid in "${SERVE_PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
}
count() { $PY "$SIXPN_ROOT/selftests/lib/stats.py" "$PIN" "$1" "$2"; }
# serve PORT: sixpnctl serve in the host's namespace on [fdaa::3]:PORT,
# until it says it listens (up to 5 s)
serve() {
	# nsenter itself, not x: $! of a backgrounded function is a subshell,
	# whose kill would leave the server running
	nsenter --net="/run/netns/$P-h1" "$BUILD/sixpnctl" --registry "$STATE/registry.db" \
		serve --listen "[fdaa::3]:$1" >"$TMP/serve$1.out" 2>"$TMP/serve$1.err" &
	SERVE_PIDS+=($!)
	for _ in $(seq 100); do
		grep -q '^listening on' "$TMP/serve$1.out" 2>/dev/null && return 0
		sleep 0.05
	done
	cat "$TMP/serve$1.err" >&2
	return 1
}
# get NODE URL [TOKEN]: curl's status code, the body in $TMP/body
get() {
	rm -f "$TMP/body"
	x "$1" curl -6 -s -o "$TMP/body" -w '%{http_code}' --connect-timeout 3 --max-time 5 \
		${3:+-H "Authorization: Bearer $3"} "$2"
}

if ! "$TB" up "$SIXPN_ROOT/selftests/api/api_port.tb" --state "$STATE" >"$TMP/up.log" 2>&1; then
	cat "$TMP/up.log"; not_ok "testbed up"; finish; exit 1
fi
ok "testbed up: one host, web-1 (acme) and shop-1 (globex)"
TOKEN=$(ctl tokens create --org acme 2>/dev/null)
check "tokens create --org acme printed a token" test -n "$TOKEN"

# _api.internal: the fast path or the resolver, once sixpnd has synced
# (and put fdaa::3 on its DNS device, where serve binds)
for _ in $(seq 100); do
	api=$(x web-1 dig +short +time=1 +tries=1 @fdaa::3 _api.internal AAAA)
	[[ "$api" =~ ^[0-9a-f:]+$ ]] && break
	sleep 0.1
done
check_eq "web-1: dig _api.internal AAAA is fdaa::3" "$api" "fdaa::3"
check_eq "web-1: over TCP too" "$(x web-1 dig +short +tcp +time=2 +tries=1 @fdaa::3 _api.internal AAAA)" "fdaa::3"

check "serve --listen [fdaa::3]:4280 in the host's namespace" serve 4280
check_eq "serve says where it listens" "$(cat "$TMP/serve4280.out")" "listening on [fdaa::3]:4280"
check "a second API on [fdaa::3]:4281 (a port the TC programs do not open)" serve 4281
check_eq "from the host: [fdaa::3]:4281 answers (200)" \
	"$(get h1 "http://[fdaa::3]:4281/v1/apps?org_slug=acme" "$TOKEN")" 200

out0=$(count FROM_INSTANCE PASS_API) in0=$(count TO_INSTANCE PASS_API)
st=$(get web-1 "http://[$api]:4280/v1/apps?org_slug=acme" "$TOKEN")
check_eq "web-1: curl -6 http://[$api]:4280/v1/apps?org_slug=acme with acme's token: 200" "$st" 200
check_eq "... the body lists acme's app web" \
	"$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["total_apps"], [a["name"] for a in d["apps"]])' "$TMP/body" 2>&1)" \
	"1 ['web']"
check_ge "the instance's packets to the API were counted PASS_API (from_inst)" \
	$(( $(count FROM_INSTANCE PASS_API) - out0 )) 3
check_ge "the API's replies to the instance were counted PASS_API (to_inst)" \
	$(( $(count TO_INSTANCE PASS_API) - in0 )) 2
check_eq "web-1: no token: 401" "$(get web-1 "http://[$api]:4280/v1/apps?org_slug=acme")" 401
check_eq "shop-1 (globex) reaches the API too; acme's apps with no acme token: 401" \
	"$(get shop-1 "http://[fdaa::3]:4280/v1/apps?org_slug=acme" wrong-token)" 401

# port 4281 of the same address: served, but not for instances
drop0=$(count FROM_INSTANCE DROP_DNS_PORT)
st=$(get web-1 "http://[fdaa::3]:4281/v1/apps?org_slug=acme" "$TOKEN")
check_eq "web-1: TCP connect to [fdaa::3]:4281 fails (curl 000: no answer)" "$st" 000
check_ge "... its SYNs were dropped as DROP_DNS_PORT" \
	$(( $(count FROM_INSTANCE DROP_DNS_PORT) - drop0 )) 1
drop1=$(count FROM_INSTANCE DROP_DNS_PORT)
x web-1 $PY -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b"x", ("fdaa::3", 4280))'
check_ge "web-1: UDP to [fdaa::3]:4280 is dropped as DROP_DNS_PORT" \
	$(( $(count FROM_INSTANCE DROP_DNS_PORT) - drop1 )) 1
finish
