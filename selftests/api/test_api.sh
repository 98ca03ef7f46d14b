#!/usr/bin/env bash
# timeout: 300
# sixpnctl serve, the Machines API over HTTP (README "HTTP API"), on real
# HTTP on 127.0.0.1: every route and error with curl, the same again from
# an independent Python client (api_client.py: http.client, urllib), cross-
# org access refused on every route, Flycast addresses (GET/POST
# .../ips, DELETE .../ips/ADDR) and another org's consumer networks, no
# token or a wrong one 401 with no data, tokens never stored in clear
# (the SQLite file's bytes, or etcd's values), concurrent POSTs for one
# name (an app, an (app, network) address) giving exactly one 201, and
# the API and the CLI answering alike (messages, statuses = exit codes,
# the apps and ips lists byte for byte). SIXPN_TEST_STORE=etcd runs it all on etcd
# (test_api_etcd.sh).
set -uo pipefail
. "$(dirname "$0")/../registry/lib.sh"

HOST=fa:1
if [ -n "${ETCD_URL:-}" ]; then
	SERVE=("$BIN" --etcd "$ETCD_URL" --etcd-prefix "$ETCD_PFX")
else
	SERVE=("$BIN" --registry "$REG")
fi

# re_quote STRING: STRING as a bash regex matching itself
re_quote() { "$PY" -c 'import re, sys; print(re.escape(sys.argv[1]))' "$1"; }

# ---- the commands: help, and clear refusals ------------------------------------
run serve --help
expect_eq "serve --help exits 0" "$rc" 0
expect_match "serve --help gives the synopsis" "$out" "sixpnctl serve --listen ADDR:PORT"
run tokens --help
expect_match "tokens --help lists create, list and revoke" "$out" "tokens create --org ORG.*tokens list.*tokens revoke ID"
run tokens create --help
expect_match "tokens create --help says it is shown once and only a hash is kept" "$out" "once.*SHA-256"
expect_fail "serve without --listen: exit 2" 2 "--listen ADDR:PORT is required" serve
for bad in nope 127.0.0.1 127.0.0.1: 127.0.0.1:65536 127.0.0.1:-1 ::1:80 '[::1]' '[zz::1]:80' \
	   300.1.1.1:80 'localhost:80' '[::1:80' ':80' '127.0.0.1:8o'; do
	expect_fail "serve --listen '$bad': exit 2 naming the value" 2 "--listen '$(re_quote "$bad")' is invalid: " \
		serve --listen "$bad"
done
expect_fail "serve --threads 0: exit 2" 2 "--threads '0' is invalid" serve --listen 127.0.0.1:0 --threads 0
expect_fail "serve --threads x: exit 2" 2 "--threads 'x' is invalid" serve --listen 127.0.0.1:0 --threads x

# ---- the registry the API serves --------------------------------------------------
ctl orgs create acme >/dev/null && ctl orgs create globex >/dev/null &&
	ctl hosts add "$HOST" --region ord >/dev/null
expect_fail "tokens create without --org: exit 2" 2 "--org ORG is required" tokens create
expect_fail "tokens create for an org that does not exist: exit 3" 3 "org 'nope' does not exist" tokens create --org nope
expect_fail "tokens create for an invalid org: exit 2" 2 "is invalid" tokens create --org NOPE
run tokens create --org acme
TA=$out
expect_eq "tokens create exits 0" "$rc" 0
expect_match "the token is alone on its one line of stdout" "$out" '^sixpn_[A-Za-z0-9_-]{43}$'
expect_match "stderr says it is shown once" "$err" "created token [0-9]+ for org 'acme': it is shown this once"
TG=$(ctl tokens create --org globex 2>/dev/null)
TX=$(ctl --json tokens create --org acme | jget 'd["token"]')
expect_match "tokens create --json carries the token" "$TX" '^sixpn_[A-Za-z0-9_-]{43}$'
TX_ID=$(ctl --json tokens list --org acme | jget 'd["tokens"][-1]["id"]')
expect_ne "every token is different" "$TA" "$TG"

run tokens list
expect_eq "tokens list exits 0" "$rc" 0
expect_match "tokens list shows ID, org and creation time" "$out" "^ID +ORG +CREATED"
if [[ "$out" == *sixpn_* ]]; then not_ok "tokens list shows no secret"; else ok "tokens list shows no secret"; fi
expect_eq "tokens list --org globex: one" "$(ctl --json tokens list --org globex | jget 'd["total_tokens"]')" 1
expect_eq "tokens list --json: three, fields id, org, created_at" \
	"$(ctl --json tokens list | jget '[d["total_tokens"], sorted(d["tokens"][0])]')" '[3, ["created_at", "id", "org"]]'
expect_fail "tokens list --org of nobody: exit 3" 3 "org 'nope' does not exist" tokens list --org nope
expect_fail "tokens revoke of a bad ID: exit 2" 2 "token ID 'x' is invalid" tokens revoke x
expect_fail "tokens revoke of no such token: exit 3" 3 "token 99 does not exist" tokens revoke 99

# ---- never in clear: only the SHA-256 is stored --------------------------------
want=$(printf '%s' "$TA" | sha256sum | cut -d' ' -f1)
expect_eq "the registry holds the token's SHA-256 (computed by sha256sum)" \
	"$(sql "SELECT count(*) FROM tokens WHERE hash = '$want'")" 1
if [ -n "${ETCD_URL:-}" ]; then
	dump=$(etcdctl --endpoints "$ETCD_URL" get --prefix "$ETCD_PFX")
	where="etcd's keys and values"
else
	dump=$(cat "$REG" "$REG"-wal 2>/dev/null | tr -c '[:print:]' '\n')
	where="the SQLite file and its WAL, byte for byte"
fi
leaked=0
for t in "$TA" "$TG" "$TX"; do
	secret=${t#sixpn_}
	[[ "$dump" == *"$secret"* || "$dump" == *"${secret:0:16}"* ]] && leaked=1
done
expect_eq "no token (nor 16 characters of one) is in $where" "$leaked" 0
if [[ "$dump" == *"$want"* ]]; then ok "... and the hash is ($where)"; else not_ok "... and the hash is ($where)"; fi

if [ -n "${ETCD_URL:-}" ]; then
	# a host's mirror (sixpnd's code, through etcd_mirror) gets the hashes too
	case "$BUILD" in /*) MB="$BUILD/selftests/etcd_mirror" ;; *) MB="$ROOT/$BUILD/selftests/etcd_mirror" ;; esac
	if "$MB" --etcd "$ETCD_URL" --etcd-prefix "$ETCD_PFX" --registry "$TMP/mirror.db" --once >/dev/null 2>&1; then
		expect_eq "a host's mirror of etcd holds the tokens' hashes" \
			"$(sqlite3 "$TMP/mirror.db" "SELECT count(*) FROM tokens WHERE hash = '$want'")|$(sqlite3 "$TMP/mirror.db" "SELECT count(*) FROM tokens")" "1|3"
		mdump=$(cat "$TMP/mirror.db" "$TMP/mirror.db"-wal 2>/dev/null | tr -c '[:print:]' '\n')
		[[ "$mdump" == *"${TA#sixpn_}"* ]] && not_ok "... and no token" || ok "... and no token"
	else
		not_ok "etcd_mirror --once ($MB: make $BUILD/selftests/etcd_mirror)"
	fi
fi

# ---- serve ---------------------------------------------------------------------
# exec: $! is sixpnctl itself, for the kill
( exec "${SERVE[@]}" serve --listen 127.0.0.1:0 --threads 4 >"$TMP/serve.out" 2>"$TMP/serve.err" ) &
SPID=$!
add_cleanup "kill -9 $SPID"
for _ in $(seq 1 100); do grep -q '^listening on ' "$TMP/serve.out" 2>/dev/null && break; sleep 0.05; done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/serve.out")
expect_match "serve prints the address it listens on (port 0: a free one)" "$PORT" '^[0-9]+$'
U="http://127.0.0.1:$PORT"
busy=$(ctl serve --listen "127.0.0.1:$PORT" 2>&1); brc=$?
expect_eq "a port in use: exit 1" "$brc" 1
expect_match "... saying so with the address" "$busy" "cannot listen on 127.0.0.1:$PORT: "

# api METHOD PATH TOKEN [BODY]: sets $st and $body
api() {
	local m=$1 p=$2 t=$3 d=${4-}
	local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$m")
	[ -n "$t" ] && args+=(-H "Authorization: Bearer $t")
	[ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$d")
	st=$(curl "${args[@]}" "$U$p")
	body=$(cat "$TMP/body")
}
# api_is NAME STATUS METHOD PATH TOKEN [BODY]
api_is() {
	local name=$1 want=$2; shift 2
	api "$@"
	if [ "$st" = "$want" ]; then ok "$name"; else not_ok "$name" "status $st, want $want" "body: $body"; fi
}
# the error message of $body
emsg() { jget 'd["error"]' "$body"; }

# no token, a wrong token: 401, an error and nothing else
for route in "GET /v1/apps?org_slug=acme" "POST /v1/apps" "DELETE /v1/apps/web" \
	     "GET /v1/apps/web/machines" "POST /v1/apps/web/machines" \
	     "POST /v1/apps/web/machines/0123456789abcd/start" \
	     "POST /v1/apps/web/machines/0123456789abcd/stop" \
	     "DELETE /v1/apps/web/machines/0123456789abcd" \
	     "GET /v1/apps/web/ips" "POST /v1/apps/web/ips" \
	     "DELETE /v1/apps/web/ips/fdaa:0:1::1:0"; do
	set -- $route
	api "$1" "$2" ""
	k=$(jget 'sorted(d)' "$body" 2>/dev/null)
	check_eq "curl: no token: $route is 401 with only an error" "$st $k" '401 ["error"]'
	api "$1" "$2" "sixpn_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-43)"
	k=$(jget 'sorted(d)' "$body" 2>/dev/null)
	check_eq "curl: a wrong token: $route is 401 with only an error" "$st $k" '401 ["error"]'
done
hdr=$(curl -s -D - -o /dev/null "$U/v1/apps")
expect_match "401 carries WWW-Authenticate: Bearer" "$hdr" $'WWW-Authenticate: Bearer'

# every route, with curl
api_is "curl: POST /v1/apps: 201" 201 POST /v1/apps "$TA" '{"app_name": "web", "org_slug": "acme"}'
expect_eq "... on acme's default network" "$(jget '[d["name"], d["org"], d["network"]]' "$body")" '["web", "acme", "default"]'
api_is "curl: POST /v1/apps with a network: 201" 201 POST /v1/apps "$TA" '{"app_name": "db", "org_slug": "acme", "network": "fa-net"}'
ctl apps create cli-app --org acme >/dev/null
api_is "curl: GET /v1/apps?org_slug=acme: 200" 200 GET "/v1/apps?org_slug=acme" "$TA"
expect_eq "it is sixpnctl apps list --org acme --json, byte for byte (the CLI's write seen at once)" \
	"$body" "$(ctl --json apps list --org acme)"
expect_eq "... total_apps 3, the apps' fields those of Fly's API" \
	"$(jget '[d["total_apps"], sorted(d["apps"][0])]' "$body")" '[3, ["id", "machine_count", "name", "network"]]'
api_is "curl: POST /v1/apps/web/machines: 201" 201 POST /v1/apps/web/machines "$TA" "{\"host\": \"$HOST\"}"
M1=$(jget 'd["id"]' "$body")
expect_eq "... in the host's region" "$(jget 'd["region"]' "$body")" ord
api_is "curl: POST /v1/apps/web/machines with a region and an iface: 201" 201 POST /v1/apps/web/machines "$TA" \
	"{\"host\": \"$HOST\", \"region\": \"fra\", \"iface\": \"fa-veth1\"}"
M2=$(jget 'd["id"]' "$body")
expect_eq "... with both" "$(jget '[d["region"], d["iface"]]' "$body")" '["fra", "fa-veth1"]'
api_is "curl: GET /v1/apps/web/machines: 200" 200 GET /v1/apps/web/machines "$TA"
expect_eq "... the machines sixpnctl machines list --app web lists" "$(jget 'sorted(m["id"] for m in d)' "$body")" \
	"$(ctl --json machines list --app web | jget 'sorted(m["id"] for m in d["machines"])')"
api_is "curl: POST .../machines/ID/stop: 200" 200 POST "/v1/apps/web/machines/$M1/stop" "$TA"
expect_eq "... stopped, changed, previously started" "$(jget '[d["id"], d["state"], d["changed"], d["previous_state"]]' "$body")" \
	"[\"$M1\", \"stopped\", true, \"started\"]"
expect_eq "... and sixpnctl machines list says stopped" \
	"$(ctl --json machines list --app web | jget "[m['state'] for m in d['machines'] if m['id'] == '$M1']")" '["stopped"]'
api_is "curl: stop again: 200" 200 POST "/v1/apps/web/machines/$M1/stop" "$TA"
expect_eq "... changing nothing" "$(jget '[d["state"], d["changed"]]' "$body")" '["stopped", false]'
api_is "curl: POST .../machines/ID/start: 200" 200 POST "/v1/apps/web/machines/$M1/start" "$TA"
expect_eq "... started, previously stopped" "$(jget '[d["state"], d["changed"], d["previous_state"]]' "$body")" \
	'["started", true, "stopped"]'
api_is "curl: a machine created stopped, in a process group, with metadata: 201" 201 POST /v1/apps/web/machines "$TA" \
	"{\"host\": \"$HOST\", \"state\": \"stopped\", \"process_group\": \"worker\", \"metadata\": {\"role\": \"db\", \"tier\": \"b\"}}"
M3=$(jget 'd["id"]' "$body")
expect_eq "... with all three" "$(jget '[d["state"], d["process_group"], d["metadata"]]' "$body")" \
	'["stopped", "worker", {"role": "db", "tier": "b"}]'
expect_eq "... as sixpnctl sees it" \
	"$(ctl --json machines list --app web | jget "[[m['state'], m['process_group'], m['metadata']] for m in d['machines'] if m['id'] == '$M3']")" \
	'[["stopped", "worker", {"role": "db", "tier": "b"}]]'
api_is "curl: DELETE /v1/apps/web/machines/ID: 200" 200 DELETE "/v1/apps/web/machines/$M3" "$TA"
api_is "curl: DELETE /v1/apps/web/machines/ID: 200" 200 DELETE "/v1/apps/web/machines/$M1" "$TA"
expect_eq "... and sixpnctl no longer lists it" "$(ctl --json machines list --app web | jget '[m["id"] for m in d["machines"]]')" "[\"$M2\"]"

# errors: the CLI's messages, statuses that match its exit codes
same_as_cli() {   # NAME STATUS EXIT CLI-ARGS... (after api was called)
	local name=$1 want=$2 code=$3; shift 3
	run "$@"
	if [ "$st" = "$want" ] && [ "$rc" = "$code" ] && [ "sixpnctl: $(emsg)" = "$err" ]; then ok "$name"
	else not_ok "$name" "API: $st $(emsg)" "CLI: exit $rc $err"; fi
}
api POST /v1/apps "$TA" '{"app_name": "web", "org_slug": "acme"}'
same_as_cli "an existing app: 409 and the CLI's message (exit 4)" 409 4 apps create web --org acme
api POST /v1/apps "$TA" '{"app_name": "We_b", "org_slug": "acme"}'
same_as_cli "an invalid app name: 400 and the CLI's message (exit 2)" 400 2 apps create We_b --org acme
api POST /v1/apps "$TA" '{"app_name": "x1", "org_slug": "acme", "network": "-no"}'
same_as_cli "an invalid network: 400 and the CLI's message (exit 2)" 400 2 apps create x1 --org acme --network -no
api DELETE /v1/apps/nope "$TA"
same_as_cli "destroying an app nobody has: 404 and the CLI's message (exit 3)" 404 3 apps destroy nope
api POST /v1/apps/web/machines "$TA" '{"host": "fa:99"}'
same_as_cli "a host that does not exist: 404 and the CLI's message (exit 3)" 404 3 machines create --app web --host fa:99
api POST /v1/apps/web/machines "$TA" '{"host": "fa:1:2"}'
same_as_cli "an invalid host ID: 400 and the CLI's message (exit 2)" 400 2 machines create --app web --host fa:1:2
api POST /v1/apps/web/machines "$TA" "{\"host\": \"$HOST\", \"iface\": \"fa-veth1\"}"
same_as_cli "an interface in use: 409 and the CLI's message (exit 4)" 409 4 machines create --app web --host "$HOST" --iface fa-veth1
api DELETE "/v1/apps/web/machines/$M1" "$TA"
same_as_cli "a machine destroyed already: 404 and the CLI's message (exit 3)" 404 3 machines destroy "$M1"
api POST "/v1/apps/web/machines/$M1/start" "$TA"
same_as_cli "starting a machine that does not exist: 404 and the CLI's message (exit 3)" 404 3 machines start "$M1"
api POST /v1/apps/web/machines "$TA" "{\"host\": \"$HOST\", \"state\": \"paused\"}"
same_as_cli "an invalid state: 400 and the CLI's message (exit 2)" 400 2 machines create --app web --host "$HOST" --state paused
api POST /v1/apps/web/machines "$TA" "{\"host\": \"$HOST\", \"metadata\": {\"Role\": \"db\"}}"
same_as_cli "invalid metadata: 400 and the CLI's message (exit 2)" 400 2 machines create --app web --host "$HOST" --metadata Role=db
api POST /v1/apps/web/machines "$TA" "{\"host\": \"$HOST\", \"process_group\": \"-w\"}"
same_as_cli "an invalid process group: 400 and the CLI's message (exit 2)" 400 2 machines create --app web --host "$HOST" --process-group -w
api_is "curl: metadata not an object: 400" 400 POST /v1/apps/web/machines "$TA" "{\"host\": \"$HOST\", \"metadata\": [\"a=b\"]}"
expect_eq "... saying so" "$(emsg)" "'metadata' must be an object of strings"
api_is "curl: a body that is not JSON: 400" 400 POST /v1/apps "$TA" '{"app_name"'
expect_match "... saying so" "$(emsg)" "request body is not JSON"
api_is "curl: a body without app_name: 400" 400 POST /v1/apps "$TA" '{"org_slug": "acme"}'
expect_eq "... naming the member" "$(emsg)" "'app_name' is required"
api_is "curl: an unknown path: 404" 404 GET /v1/machines "$TA"
api_is "curl: PATCH on an app: 405" 405 PATCH /v1/apps/web "$TA"
api_is "curl: GET /v1/apps?org_slug=NOT_VALID: 400" 400 GET "/v1/apps?org_slug=NOT_VALID" "$TA"

# globex's token on every route of acme's: refused, and acme's data unchanged
before=$(ctl --json apps list --org acme)
api_is "curl: globex: GET /v1/apps?org_slug=acme: 403" 403 GET "/v1/apps?org_slug=acme" "$TG"
[[ "$body" == *web* ]] && not_ok "... showing nothing of acme's" || ok "... showing nothing of acme's"
api_is "curl: globex: POST /v1/apps in org acme: 403" 403 POST /v1/apps "$TG" '{"app_name": "evil", "org_slug": "acme"}'
api_is "curl: globex: DELETE /v1/apps/web: 404" 404 DELETE /v1/apps/web "$TG"
expect_eq "... the message for an app nobody has" "$(emsg)" "app 'web' does not exist"
api_is "curl: globex: GET /v1/apps/web/machines: 404" 404 GET /v1/apps/web/machines "$TG"
api_is "curl: globex: POST /v1/apps/web/machines: 404" 404 POST /v1/apps/web/machines "$TG" "{\"host\": \"$HOST\"}"
api_is "curl: globex: POST .../machines/ID/start: 404" 404 POST "/v1/apps/web/machines/$M2/start" "$TG"
api_is "curl: globex: POST .../machines/ID/stop: 404" 404 POST "/v1/apps/web/machines/$M2/stop" "$TG"
api_is "curl: globex: DELETE .../machines/ID: 404" 404 DELETE "/v1/apps/web/machines/$M2" "$TG"
api_is "curl: globex: GET /v1/apps (its own org): 200, empty" 200 GET /v1/apps "$TG"
expect_eq "... total_apps 0" "$body" '{"total_apps":0,"apps":[]}'
expect_eq "acme's apps are as they were" "$(ctl --json apps list --org acme)" "$before"
expect_eq "acme's machine is still there" "$(ctl --json machines list --app web | jget '[m["id"] for m in d["machines"]]')" "[\"$M2\"]"

# ---- Flycast addresses: GET/POST /v1/apps/APP/ips, DELETE .../ips/ADDR ---------
ctl apps create gx --org globex --network gnet >/dev/null
api_is "curl: GET /v1/apps/web/ips with none: 200" 200 GET /v1/apps/web/ips "$TA"
expect_eq "... total_ips 0" "$body" '{"total_ips":0,"ips":[]}'
api_is "curl: POST /v1/apps/web/ips without a body: 201" 201 POST /v1/apps/web/ips "$TA"
expect_eq "... in the app's own network, every port" \
	"$(jget '[d["app"], d["network"], d["app_network"], d["ports"]]' "$body")" '["web", "default", "default", null]'
FC_OWN=$(jget 'd["address"]' "$body")
api_is "curl: POST /v1/apps/web/ips with a network and ports: 201" 201 POST /v1/apps/web/ips "$TA" \
	'{"network": "fa-cust", "ports": [443, 80]}'
FC1=$(jget 'd["address"]' "$body")
expect_eq "... for that network, the ports ascending" \
	"$(jget '[d["network"], d["ports"], d["org"]]' "$body")" '["fa-cust", [80, 443], "acme"]'
expect_eq "... the network bound in acme, as ips allocate --network binds it" "$(jget 'd["network_id"]' "$body")" \
	"$(ctl --json networks list --org acme | jget "[n['id'] for n in d['networks'] if n['name'] == 'fa-cust'][0]")"
alloc=$body
api_is "curl: POST with an explicit null network and ports: 201" 201 POST /v1/apps/db/ips "$TA" \
	'{"network": null, "ports": null}'
expect_eq "... the app's own network, every port" "$(jget '[d["network"], d["ports"]]' "$body")" '["fa-net", null]'
FC_DB=$(jget 'd["address"]' "$body")
api_is "curl: GET /v1/apps/web/ips: 200" 200 GET /v1/apps/web/ips "$TA"
expect_eq "it is sixpnctl ips list --app web --json, byte for byte" "$body" "$(ctl --json ips list --app web)"
expect_eq "... two addresses, each with its backends (web's started machine)" \
	"$(jget '[d["total_ips"], [[b["machine"] for b in i["backends"]] for i in d["ips"]]]' "$body")" \
	"[2, [[\"$M2\"], [\"$M2\"]]]"
expect_eq "the POST's answer is the listed address without its backends (one writer)" \
	"$(jget "{k: v for i in d['ips'] if i['address'] == '$FC1' for k, v in i.items() if k != 'backends'}" "$body")" \
	"$(jget 'd' "$alloc")"
FC_KEYS='["address", "app", "app_id", "app_network", "app_network_id", "created_at", "network", "network_id", "org", "ports", "service_id"]'
expect_eq "... with ips allocate --json's fields" "$(jget 'sorted(d)' "$alloc")" "$FC_KEYS"

# errors: the CLI's messages and exit codes
api POST /v1/apps/web/ips "$TA" '{"network": "fa-cust"}'
same_as_cli "a second address for one (app, network): 409 and the CLI's message (exit 4)" 409 4 \
	ips allocate --app web --network fa-cust
api POST /v1/apps/web/ips "$TA" '{"network": "9net"}'
same_as_cli "an invalid network: 400 and the CLI's message (exit 2)" 400 2 ips allocate --app web --network 9net
api POST /v1/apps/web/ips "$TA" '{"network": "fa-p", "ports": [80, 80]}'
same_as_cli "a port twice: 400 and the CLI's message (exit 2)" 400 2 ips allocate --app web --network fa-p --ports 80,80
api POST /v1/apps/web/ips "$TA" '{"network": "fa-p", "ports": [0]}'
same_as_cli "port 0: 400 and the CLI's message (exit 2)" 400 2 ips allocate --app web --network fa-p --ports 0
api POST /v1/apps/web/ips "$TA" '{"network": "fa-p", "ports": [65536]}'
same_as_cli "port 65536: 400 and the CLI's message (exit 2)" 400 2 ips allocate --app web --network fa-p --ports 65536
api POST /v1/apps/web/ips "$TA" '{"network": "fa-p", "ports": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}'
same_as_cli "more than 8 ports: 400 and the CLI's message (exit 2)" 400 2 ips allocate --app web --network fa-p \
	--ports 1,2,3,4,5,6,7,8,9
api POST /v1/apps/web/ips "$TA" '{"network": "fa-p", "ports": []}'
same_as_cli "an empty port list: 400 and the CLI's message for --ports '' (exit 2)" 400 2 \
	ips allocate --app web --network fa-p --ports ''
api POST /v1/apps/nope/ips "$TA" '{}'
same_as_cli "allocating for an app nobody has: 404 and the CLI's message (exit 3)" 404 3 ips allocate --app nope
api GET /v1/apps/nope/ips "$TA"
same_as_cli "listing an app nobody has: 404 and the CLI's message (exit 3)" 404 3 ips list --app nope
api DELETE "/v1/apps/web/ips/fdaa:0:1::7777:0" "$TA"
same_as_cli "releasing an address nobody allocated: 404 and the CLI's message (exit 3)" 404 3 \
	ips release fdaa:0:1::7777:0
api DELETE "/v1/apps/web/ips/fdaa:0:1:fa:1:0:1:2" "$TA"
same_as_cli "releasing a machine's address: 400 and the CLI's message (exit 2)" 400 2 ips release fdaa:0:1:fa:1:0:1:2
api DELETE "/v1/apps/web/ips/not-an-address" "$TA"
same_as_cli "releasing what is no IPv6 address: 400 and the CLI's message (exit 2)" 400 2 ips release not-an-address
api_is "curl: ports not an array: 400" 400 POST /v1/apps/web/ips "$TA" '{"ports": "80,443"}'
expect_eq "... saying so" "$(emsg)" "'ports' must be an array of port numbers"
api_is "curl: a port that is no integer: 400" 400 POST /v1/apps/web/ips "$TA" '{"ports": [80, "443"]}'
expect_eq "... naming the element" "$(emsg)" "'ports' must be an array of port numbers: element 1 is not an integer"
api_is "curl: a network that is no string: 400" 400 POST /v1/apps/web/ips "$TA" '{"network": 7}'
expect_eq "... saying so" "$(emsg)" "'network' must be a string"
api_is "curl: a body that is not JSON: 400" 400 POST /v1/apps/web/ips "$TA" '{"network"'
expect_match "... saying so" "$(emsg)" "request body is not JSON"
api_is "curl: PUT on .../ips: 405" 405 PUT /v1/apps/web/ips "$TA"
api_is "curl: GET on .../ips/ADDR: 405" 405 GET "/v1/apps/web/ips/$FC1" "$TA"
api_is "curl: .../ips/ADDR/more: 404" 404 DELETE "/v1/apps/web/ips/$FC1/x" "$TA"
api_is "curl: an address of another app of the org, under web: 404" 404 DELETE "/v1/apps/web/ips/$FC_DB" "$TA"
expect_eq "... saying whose it is not" "$(emsg)" "address '$FC_DB' is no Flycast address of app 'web'"
expect_eq "... and db keeps it" "$(ctl --json ips list --app db | jget '[i["address"] for i in d["ips"]]')" "[\"$FC_DB\"]"
expect_eq "every refusal left web's addresses as they were" \
	"$(ctl --json ips list --app web | jget '" ".join(sorted(i["address"] for i in d["ips"]))')" \
	"$(printf '%s\n' "$FC_OWN" "$FC1" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"

# globex on acme's app, acme on globex's: the answer for an app nobody has
fc_before=$(ctl --json ips list --app web)
for route in "GET /v1/apps/APP/ips" "POST /v1/apps/APP/ips" "DELETE /v1/apps/APP/ips/$FC1"; do
	set -- $route
	api "$1" "${2/APP/nobody-has}" "$TG" '{}'; want="$st ${body//nobody-has/APP}"
	api "$1" "${2/APP/web}" "$TG" '{}'; got="$st ${body//web/APP}"
	check_eq "curl: globex: $1 ${2/APP/web}: 404, the answer for an app nobody has" "$got" "$want"
	check_eq "... which is 404" "${want%% *}" 404
	api "$1" "${2/APP/gx}" "$TA" '{}'; got="$st ${body//gx/APP}"
	check_eq "curl: acme: $1 ${2/APP/gx} (globex's app): 404, the same answer" "$got" "$want"
done
expect_eq "acme's addresses are as they were after globex's attempts" "$(ctl --json ips list --app web)" "$fc_before"
api_is "curl: globex allocates for its own app: 201" 201 POST /v1/apps/gx/ips "$TG" '{"ports": [53]}'
FC_GX=$(jget 'd["address"]' "$body")
api DELETE "/v1/apps/gx/ips/fdaa:0:1::7777:0" "$TG"; want="$st ${body//fdaa:0:1::7777:0/ADDR}"
api DELETE "/v1/apps/gx/ips/$FC1" "$TG"; got="$st ${body//$FC1/ADDR}"
check_eq "curl: globex releasing acme's address under its own app: 404, the answer for an address nobody allocated" \
	"$got" "$want"
api DELETE "/v1/apps/web/ips/$FC_GX" "$TA"; got="$st ${body//$FC_GX/ADDR}"
api DELETE "/v1/apps/web/ips/fdaa:0:1::7777:0" "$TA"; want="$st ${body//fdaa:0:1::7777:0/ADDR}"
check_eq "curl: acme releasing globex's address under its app: 404, the same" "$got" "$want"
expect_eq "... acme's and globex's addresses all still allocated" \
	"$(ctl --json ips list --app web | jget 'len(d["ips"])') $(ctl --json ips list --app gx | jget '[i["address"] for i in d["ips"]]')" \
	"2 [\"$FC_GX\"]"
api_is "curl: globex lists its own app: 200" 200 GET /v1/apps/gx/ips "$TG"
[[ "$body" == *acme* || "$body" == *"$FC1"* ]] && not_ok "... showing nothing of acme's" || ok "... showing nothing of acme's"

# A consumer network of another org cannot be named: a network name is
# looked up (or bound) in the token's org only. acme naming globex's
# "gnet" gets a network of its own called gnet, exactly as for a name
# nobody has, and globex's gnet gets no address (no path into it).
GNET=$(ctl --json networks list --org globex | jget "[n['id'] for n in d['networks'] if n['name'] == 'gnet'][0]")
api_is "curl: acme allocating into 'gnet' (a network of globex's): 201" 201 POST /v1/apps/web/ips "$TA" '{"network": "gnet"}'
cross=$body
api_is "curl: acme allocating into 'fa-fresh' (a name nobody has): 201" 201 POST /v1/apps/web/ips "$TA" '{"network": "fa-fresh"}'
fresh=$body
expect_eq "... the two answers alike but for the name and its numbers" \
	"$(jget '[sorted(d), d["org"], d["app"], d["ports"]]' "$cross")" "$(jget '[sorted(d), d["org"], d["app"], d["ports"]]' "$fresh")"
AGNET=$(ctl --json networks list --org acme | jget "[n['id'] for n in d['networks'] if n['name'] == 'gnet'][0]")
expect_eq "... acme's address is in acme's own new gnet, not globex's" \
	"$(jget 'd["network_id"]' "$cross") $([ "$AGNET" != "$GNET" ] && echo distinct)" "$AGNET distinct"
expect_eq "... the address is inside acme's gnet /48" \
	"$("$PY" -c "import ipaddress,sys; a=int(ipaddress.IPv6Address(sys.argv[1])); print((a >> 80) & 0xffffffff)" "$(jget 'd["address"]' "$cross")")" "$AGNET"
expect_eq "globex's gnet has no Flycast address of any app of acme's (the registry's view, unscoped)" \
	"$(for a in $(ctl --json apps list --org acme | jget '" ".join(x["name"] for x in d["apps"])'); do
		ctl --json ips list --app "$a" | jget "[i['address'] for i in d['ips'] if i['network_id'] == $GNET]"; done | sort -u)" "[]"
api_is "curl: globex allocating into 'fa-cust' (acme's consumer network): 201 in globex's own" 201 POST /v1/apps/gx/ips "$TG" \
	'{"network": "fa-cust"}'
expect_eq "... a network of globex's, not acme's fa-cust" "$(jget '[d["org"], d["network"]]' "$body")" '["globex", "fa-cust"]'
expect_ne "... with another network ID" "$(jget 'd["network_id"]' "$body")" "$(jget 'd["network_id"]' "$alloc")"

# concurrent POSTs for one (app, network): exactly one 201
rm -f "$TMP/go"
racers=()
for i in $(seq 1 16); do
	( while [ ! -e "$TMP/go" ]; do sleep 0.005; done
	  curl -s -o "$TMP/race.$i" -w '%{http_code}\n' -X POST -H "Authorization: Bearer $TA" \
		-H 'Content-Type: application/json' --data-binary '{"network": "fa-race", "ports": [8080]}' \
		"$U/v1/apps/web/ips" >"$TMP/race.$i.code" ) &
	racers+=($!)
done
touch "$TMP/go"; wait "${racers[@]}"   # not serve's
codes=$(cat "$TMP"/race.*.code | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
expect_eq "16 concurrent POSTs for (web, fa-race): exactly one 201, fifteen 409" "$codes" "201x1 409x15 "
winner=$(for i in $(seq 1 16); do [ "$(cat "$TMP/race.$i.code")" = 201 ] && jget 'd["address"]' "$(cat "$TMP/race.$i")"; done)
expect_eq "... the registry holds that one address for fa-race" \
	"$(ctl --json ips list --app web | jget "[i['address'] for i in d['ips'] if i['network'] == 'fa-race']")" "[\"$winner\"]"
expect_eq "... every 409 names it" \
	"$(for i in $(seq 1 16); do [ "$(cat "$TMP/race.$i.code")" = 409 ] && jget 'd["error"]' "$(cat "$TMP/race.$i")"; done | sort -u)" \
	"app 'web' already has Flycast address $winner for network 'fa-race' (one per app and network)"

api_is "curl: DELETE /v1/apps/web/ips/ADDR: 200" 200 DELETE "/v1/apps/web/ips/$FC1" "$TA"
expect_eq "... the address, released" "$(jget '[d["address"], d["network"], d["released"]]' "$body")" "[\"$FC1\", \"fa-cust\", true]"
released=$body
expect_eq "... ips release --json's shape: the allocation and released" "$(jget 'sorted(d)' "$released")" \
	"$(jget 'sorted(d + ["released"])' "$FC_KEYS")"
expect_eq "... and sixpnctl no longer lists it" \
	"$(ctl --json ips list --app web | jget "[i['address'] for i in d['ips'] if i['address'] == '$FC1']")" "[]"
api DELETE "/v1/apps/web/ips/$FC1" "$TA"
same_as_cli "releasing it again: 404 and the CLI's message (exit 3)" 404 3 ips release "$FC1"
api_is "curl: an address in the path percent-encoded: 200" 200 DELETE "/v1/apps/web/ips/${winner//:/%3A}" "$TA"
expect_eq "... that address released" "$(jget 'd["address"]' "$body")" "$winner"
FC_CLI=$(ctl --json ips allocate --app web --network fa-cli | jget 'd["address"]')
api_is "curl: an address the CLI allocated, released over HTTP: 200" 200 DELETE "/v1/apps/web/ips/$FC_CLI" "$TA"

# a token made or revoked while serve runs takes effect on the next request
api_is "the --json token works" 200 GET /v1/apps "$TX"
expect_ok "tokens revoke ID" tokens revoke "$TX_ID"
expect_match "... says which" "$out" "revoked token $TX_ID of org 'acme'"
api_is "a revoked token: 401 on the next request" 401 GET /v1/apps "$TX"
TN=$(ctl tokens create --org globex 2>/dev/null)
api_is "a token made while serve runs works at once" 200 GET /v1/apps "$TN"

# the independent client
py_out=$("$PY" "$(dirname "$0")/api_client.py" "$U" "$TA" "$TG" "$HOST" 2>&1); py_rc=$?
while IFS= read -r line; do
	case "$line" in
	PASS\ *) ok "python: ${line#PASS }" ;;
	FAIL\ *) not_ok "python: ${line#FAIL }" ;;
	*) echo "# $line" ;;
	esac
done <<<"$py_out"
expect_eq "the Python client exits 0" "$py_rc" 0

api_is "curl: DELETE /v1/apps/web: 200" 200 DELETE /v1/apps/web "$TA"
expect_eq "... with its last machine" "$(jget 'd["machines_destroyed"]' "$body")" 1
run apps list --org acme
[[ "$out" == *" web "* ]] && not_ok "sixpnctl no longer lists it" || ok "sixpnctl no longer lists it"

# the file deleted under serve, then restored (as an operator restores a
# backup): 503 saying so while it is gone, never an empty registry made in
# its place; the restored file served from the next request
if [ -z "${ETCD_URL:-}" ]; then
	sqlite3 "$REG" ".backup '$TMP/backup.db'"
	rm -f "$REG" "$REG-wal" "$REG-shm"
	api_is "the registry deleted: 503" 503 GET /v1/apps "$TA"
	# every worker, those that never opened a handle too (8 at once)
	codes=$(for _ in 1 2 3 4 5 6 7 8; do curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TA" "$U/v1/apps" & done; wait)
	expect_eq "... from every worker thread" "$(sort -u <<<"$codes")" 503
	expect_match "... naming the file" "$(emsg)" "registry $REG: No such file or directory"
	[ -e "$REG" ] && not_ok "... and no empty registry made in its place" || ok "... and no empty registry made in its place"
	cp "$TMP/backup.db" "$REG"
	api_is "restored: the next request is served" 200 GET "/v1/apps?org_slug=acme" "$TA"
	expect_eq "... from the restored file" "$body" "$(ctl --json apps list --org acme)"
fi

# IPv6, and a registry that cannot be served: refused at the start
( exec "${SERVE[@]}" serve --listen '[::1]:0' --threads 1 >"$TMP/serve6.out" 2>/dev/null ) &
S6=$!
add_cleanup "kill -9 $S6"
for _ in $(seq 1 100); do grep -q '^listening on ' "$TMP/serve6.out" 2>/dev/null && break; sleep 0.05; done
P6=$(sed -n 's/^listening on \[::1\]:\([0-9]*\)$/\1/p' "$TMP/serve6.out")
expect_eq "serve --listen '[::1]:0' answers over IPv6 (one thread)" \
	"$(curl -s -H "Authorization: Bearer $TA" "http://[::1]:$P6/v1/apps" | jget 'd["total_apps"]')" \
	"$(ctl --json apps list --org acme | jget 'd["total_apps"]')"
kill -TERM "$S6"; wait "$S6"
echo "not a registry" >"$TMP/junk.db"
out=$("$BIN" --registry "$TMP/junk.db" serve --listen 127.0.0.1:0 2>&1); jrc=$?
cli=$("$BIN" --registry "$TMP/junk.db" orgs list 2>&1); crc=$?
expect_eq "serve on a file that is not a registry: the CLI's exit code and message, before listening" \
	"$jrc $out" "$crc $cli"
[[ "$out" == *"listening on"* ]] && not_ok "... without listening" || ok "... without listening"

log=$(cat "$TMP/serve.err")
expect_match "serve logs each request: method, path, status, the token's org" "$log" \
	'level=info msg="request" method=POST path="/v1/apps" status=201 org=acme ms=[0-9.]+'
expect_match "... and a refused one without an org" "$log" 'msg="request" method=GET path="/v1/apps" status=401 org=- '
kill -TERM "$SPID"; wait "$SPID"; src=$?
expect_eq "serve exits 0 on SIGTERM" "$src" 0
expect_match "... saying it stopped" "$(cat "$TMP/serve.err")" "serve: stopped"
finish
