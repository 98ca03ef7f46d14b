#!/usr/bin/env bash
# The CLI surface: --help on every command, usage errors, --json output that
# parses (and the Machines API shape of apps list), the registry path
# (--registry, $SIXPN_REGISTRY, parent directories) and `addr`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# ---- --help everywhere: exit 0, usage on stdout, nothing on stderr
CMDS=("" "orgs" "orgs create" "orgs list" "networks" "networks create" "networks list"
	"apps" "apps create" "apps list" "apps destroy" "hosts" "hosts add" "hosts list"
	"machines" "machines create" "machines list" "machines destroy"
	"wireguard" "wireguard create" "wireguard list" "wireguard remove" "addr")
for c in "${CMDS[@]}"; do
	# shellcheck disable=SC2086
	run $c --help
	if [ "$rc" -eq 0 ] && [ -z "$err" ] && [[ "$out" =~ Usage:.*sixpnctl\ $c ]]; then
		ok "--help: sixpnctl ${c:-(no command)}"
	else
		not_ok "--help: sixpnctl ${c:-(no command)}" "rc=$rc stderr=$err" "stdout: ${out:0:200}"
	fi
done
run apps create --help
expect_match "apps create --help shows its options" "$out" "--org ORG \\[--network NAME\\]"
expect_match "help lists the exit codes" "$out" "3 not found, 4 already exists"
if [ ! -e "$REG" ]; then ok "--help does not touch the registry"; else not_ok "--help does not touch the registry"; fi

# ---- usage errors: exit 2, one line on stderr
expect_fail "no command" 2 "." ""
run
expect_eq "no arguments at all: exit 2" "$rc" "2"
expect_fail "unknown command" 2 "unknown command 'frobnicate'" frobnicate
expect_fail "unknown subcommand" 2 "unknown command 'apps frob'" apps frob
expect_fail "missing argument" 2 "orgs create: missing argument \\(usage: sixpnctl orgs create ORG\\)" orgs create
expect_fail "extra argument" 2 "unexpected argument 'b'" orgs create a b
expect_fail "option without its value" 2 "option '--org' needs a value" apps create x --org
expect_fail "option twice" 2 "option '--org' given twice" apps create x --org a --org b
expect_fail "--registry without a path" 2 "'--registry' needs a PATH" orgs list --registry
expect_fail "apps list needs --org" 2 "--org ORG is required" apps list
expect_fail "apps list of an unknown org: exit 3" 3 "org 'ghost' does not exist" apps list --org ghost

# ---- --json on every creation and listing parses
K=$(wgkey)
J() { # NAME ARGS...: the command succeeds and prints one JSON document
	local name=$1; shift
	run "$@" --json
	if [ "$rc" -eq 0 ] && printf '%s' "$out" | "$PY" -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; then
		ok "--json parses: $name"
	else
		not_ok "--json parses: $name" "rc=$rc err=$err" "out: $out"
	fi
}
J "orgs create" orgs create acme
J "orgs list" orgs list
J "networks create" networks create --org acme prod
J "networks list" networks list --org acme
J "apps create" apps create web --org acme
J "apps create --network" apps create db --org acme --network prod
J "hosts add" hosts add a7b:174 --region ord --endpoint 10.0.0.1:51820 --public-key "$K"
J "hosts add (gateway)" hosts add a7b:d6b --region ord --peers-endpoint 192.0.2.1:51821 --peers-public-key "$K"
J "hosts list" hosts list
J "machines create" machines create --app web --host a7b:174
MID=$(jget 'd["id"]' "$out"); MADDR=$(jget 'd["address"]' "$out"); MPFX=$(jget 'd["prefix"]' "$out")
J "machines create --iface" machines create --app db --host a7b:174 --iface veth-db
J "machines list" machines list
J "machines list --app --host" machines list --app web --host a7b:174
J "wireguard create" wireguard create acme ord laptop "$TMP/laptop.conf"
PADDR=$(jget 'd["address"]' "$out")
J "wireguard list" wireguard list acme
J "addr" addr "$MADDR"
J "apps destroy" apps create gone --org acme
J "apps destroy" apps destroy gone
ctl machines create --app db --host a7b:174 >/dev/null
J "machines destroy" machines destroy "$(ctl machines list --app db --json | jget 'd["machines"][-1]["id"]')"
J "wireguard remove" wireguard create acme ord tmp "$TMP/tmp.conf"
J "wireguard remove" wireguard remove acme tmp

# ---- apps list --json: the Machines API shape, exactly
run apps list --org acme --json
expect_eq "apps list --json: top-level keys" "$(jget 'sorted(d)' "$out")" '["apps", "total_apps"]'
expect_eq "apps list --json: total_apps" "$(jget 'd["total_apps"]' "$out")" "2"
expect_eq "apps list --json: app keys" "$(jget 'sorted(set(k for a in d["apps"] for k in a))' "$out")" '["id", "machine_count", "name", "network"]'
expect_eq "apps list --json: values" "$(jget '[(a["name"], a["machine_count"], a["network"]) for a in d["apps"]]' "$out")" '[["db", 1, "prod"], ["web", 1, "default"]]'
expect_eq "apps list --json: types" "$(jget '[type(a["id"]).__name__ + type(a["machine_count"]).__name__ for a in d["apps"]]' "$out")" '["strint", "strint"]'
run apps list --org acme
expect_match "apps list: a table with a header" "$out" "^NAME +ID +NETWORK +MACHINES"$'\n'"db +[0-9a-f]{16} +prod +1"

# ---- the registry path
ALT="$TMP/deep/er/dir/reg.db"
run --registry "$ALT" orgs create alt
expect_eq "--registry creates the parent directories" "$rc|$([ -f "$ALT" ] && echo yes)" "0|yes"
ENVREG="$TMP/env/reg.db"
SIXPN_REGISTRY="$ENVREG" "$BIN" orgs create fromenv >/dev/null
expect_eq "\$SIXPN_REGISTRY is the default" "$(SIXPN_REGISTRY="$ENVREG" "$BIN" orgs list --json | jget '[o["name"] for o in d["orgs"]]')" '["fromenv"]'
expect_eq "--registry wins over \$SIXPN_REGISTRY" "$(SIXPN_REGISTRY="$ENVREG" "$BIN" --registry "$ALT" orgs list --json | jget '[o["name"] for o in d["orgs"]]')" '["alt"]'
expect_eq "--registry=PATH works too" "$("$BIN" --registry="$ALT" orgs list --json | jget 'd["total_orgs"]')" "1"
expect_fail "an unwritable registry path is a runtime error (exit 1)" 1 "cannot" --registry /proc/sixpn/reg.db orgs create x

# ---- addr
run addr fdaa:0:18:a7b:d6b:0:a:2 --json
expect_eq "addr: network ID" "$(jget 'd["network_id"]' "$out")" "24"
expect_eq "addr: host ID" "$(jget 'd["host_id"]' "$out")" "a7b:d6b"
expect_eq "addr: instance ID" "$(jget 'd["instance_id"]' "$out")" "10"
expect_eq "addr: free word" "$(jget 'd["free_word"]' "$out")" "2"
expect_eq "addr: network prefix" "$(jget 'd["network_prefix"]' "$out")" "fdaa:0:18::/48"
expect_eq "addr: mesh form swaps network and host" "$(jget 'd["mesh_form"]' "$out")" "fdaa:a7b:d6b:0:18:0:a:2"
expect_eq "addr: unknown to this registry" "$(jget 'd["belongs_to"]["kind"]' "$out")" "none"
run addr "$MADDR" --json
expect_eq "addr: a machine's address" "$(jget '[d["belongs_to"]["kind"], d["belongs_to"]["machine"]["id"], d["belongs_to"]["machine"]["app"], d["belongs_to"]["org"]]' "$out")" "[\"machine\", \"$MID\", \"web\", \"acme\"]"
run addr "${MPFX%/112}" --json
expect_eq "addr: elsewhere in the machine's /112" "$(jget 'd["belongs_to"]["kind"]' "$out")" "machine_prefix"
run addr "$PADDR" --json
expect_eq "addr: a peer's address" "$(jget '[d["belongs_to"]["kind"], d["belongs_to"]["peer"]["name"]]' "$out")" '["peer", "laptop"]'
run addr "${PADDR%:2}:7" --json
expect_eq "addr: elsewhere in the peer's /120" "$(jget 'd["belongs_to"]["kind"]' "$out")" "peer_prefix"
run addr "${PADDR%:2}:302" --json
expect_eq "addr: a free /120 of the gateway instance" "$(jget 'd["belongs_to"]["kind"]' "$out")" "gateway_instance"
NETP=$(ctl networks list --org acme --json | jget "[n['prefix'] for n in d['networks'] if n['name'] == 'default'][0]")
run addr "${NETP%/48}3" --json
expect_eq "addr: the network's DNS address" "$(jget '[d["belongs_to"]["kind"], d["belongs_to"]["network"]]' "$out")" '["network_dns", "default"]'
run addr fdaa::3 --json
expect_eq "addr: fdaa::3 is the global DNS" "$(jget 'd["belongs_to"]["kind"]' "$out")" "global_dns"
MESH=$(ctl addr "$MADDR" --json | jget 'd["mesh_form"]')
run addr "$MESH" --json
expect_eq "addr: a mesh-form address is recognised" "$(jget 'd["as_mesh_form_belongs_to"]["machine"]["id"]' "$out")" "$MID"
run addr "$MADDR"
expect_match "addr: text output" "$out" "^address +$MADDR"$'\n'"network ID +[0-9]+ \\(0:[0-9a-f]+\\), prefix fdaa:0:[0-9a-f]+::/48"$'\n'"host ID +a7b:174"$'\n'".*belongs to +machine $MID of app 'web', org 'acme'"
expect_fail "addr: not IPv6 is exit 2" 2 "address 'banana' is invalid: not an IPv6 address" addr banana
expect_fail "addr: not 6PN is exit 2" 2 "address '2001:db8::1' is invalid: not a 6PN address" addr 2001:db8::1
run --registry "$TMP/none.db" addr fdaa:0:18:a7b:d6b:0:a:2
expect_match "addr works without a registry" "$rc|$out" "^0\\|.*belongs to +unknown \\(no registry"
if [ -e "$TMP/none.db" ]; then not_ok "addr does not create a registry"; else ok "addr does not create a registry"; fi

finish
