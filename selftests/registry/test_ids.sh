#!/usr/bin/env bash
# Network IDs: bound to (org, name) at first use, forever; global, never
# reused, never 0; an app's network is fixed at creation.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

netid() { # ORG NAME -> the network's ID per `networks list --json`
	ctl networks list --org "$1" --json |
		jget "[n['id'] for n in d['networks'] if n['name'] == '$2'][0]"
}

ctl orgs create acme >/dev/null
ctl orgs create other >/dev/null

run networks list --org acme --json
expect_eq "default network is not bound before first use" "$(jget 'd["total_networks"]' "$out")" "0"

run apps create web --org acme --json
expect_eq "apps create without --network uses 'default'" "$(jget 'd["network"]' "$out")" "default"
DEF=$(jget 'd["network_id"]' "$out")
expect_ne "default network ID is not 0" "$DEF" "0"
expect_eq "apps create reports the network prefix" "$(jget 'd["prefix"]' "$out")" \
	"$(printf 'fdaa:%x:%x::/48' $((DEF >> 16)) $((DEF & 0xffff)))"

run apps create api --org acme --json
expect_eq "a second app on 'default' shares its ID" "$(jget 'd["network_id"]' "$out")" "$DEF"

run apps create cust1-a --org acme --network cust-1 --json
C1=$(jget 'd["network_id"]' "$out")
expect_ne "a new network name binds a new ID" "$C1" "$DEF"
run apps create cust1-b --org acme --network cust-1 --json
expect_eq "an existing network name gives its ID" "$(jget 'd["network_id"]' "$out")" "$C1"

run apps create oweb --org other --json
O=$(jget 'd["network_id"]' "$out")
expect_ne "another org's 'default' is a different network" "$O" "$DEF"
run apps create ocust --org other --network cust-1 --json
OC1=$(jget 'd["network_id"]' "$out")
expect_ne "another org's 'cust-1' is a different network" "$OC1" "$C1"

# destroy every app on cust-1 (with a machine, to be thorough)
ctl hosts add 1:1 --region ord >/dev/null
ctl machines create --app cust1-a --host 1:1 >/dev/null
expect_ok "destroy app cust1-a" apps destroy cust1-a
expect_ok "destroy app cust1-b" apps destroy cust1-b
run networks list --org acme --json
expect_eq "cust-1 is still listed with no apps" \
	"$(jget "[(n['id'], n['app_count']) for n in d['networks'] if n['name'] == 'cust-1']" "$out")" "[[$C1, 0]]"
expect_eq "networks list: prefix of cust-1" \
	"$(jget "[n['prefix'] for n in d['networks'] if n['name'] == 'cust-1'][0]" "$out")" \
	"$(printf 'fdaa:%x:%x::/48' $((C1 >> 16)) $((C1 & 0xffff)))"
expect_eq "networks list --org acme counts 2 networks" "$(jget 'd["total_networks"]' "$out")" "2"

run apps create cust1-c --org acme --network cust-1 --json
expect_eq "cust-1 keeps its ID after all its apps were destroyed" "$(jget 'd["network_id"]' "$out")" "$C1"
expect_fail "networks create on a bound name is exit 4 and names the ID" 4 "network 'cust-1' already exists in org 'acme' \\(ID $C1\\)" networks create --org acme cust-1

run networks create --org acme cust-2 --json
C2=$(jget 'd["id"]' "$out")
MAX=$(sql "SELECT max(id) FROM networks WHERE name <> 'cust-2'")
if [ "$C2" -gt "$MAX" ]; then ok "a new network gets an ID above every earlier one"; else not_ok "a new network gets an ID above every earlier one" "$C2 <= $MAX"; fi

# IDs survive even a forced deletion attempt; AUTOINCREMENT never goes back
if sql "DELETE FROM networks WHERE name = 'cust-2'" 2>/dev/null; then
	not_ok "the schema refuses to delete a network"
else
	ok "the schema refuses to delete a network"
fi
expect_eq "cust-2 is still bound to its ID" "$(netid acme cust-2)" "$C2"
if sql "UPDATE networks SET name = 'renamed' WHERE id = $C2" 2>/dev/null; then
	not_ok "the schema refuses to rename a network"
else
	ok "the schema refuses to rename a network"
fi
# Even if someone drops the delete trigger and deletes rows, an ID is not reused.
sql "DROP TRIGGER networks_bound_forever; PRAGMA foreign_keys=OFF; DELETE FROM networks WHERE id = $C2;"
run networks create --org acme cust-3 --json
expect_eq "a deleted top ID is not handed out again" "$(jget 'd["id"]' "$out")" "$((C2 + 1))"
if sql "SELECT count(*) FROM networks WHERE id = 0" | grep -qx 0; then ok "no network has ID 0"; else not_ok "no network has ID 0"; fi

# an app's network is fixed
if sql "UPDATE apps SET network_id = $C2 WHERE name = 'web'" 2>/dev/null; then
	not_ok "the schema refuses to move an app to another network"
else
	ok "the schema refuses to move an app to another network"
fi
run apps list --org acme --json
expect_eq "web is still on default" "$(jget "[a['network'] for a in d['apps'] if a['name'] == 'web'][0]" "$out")" "default"
if sql "INSERT INTO apps (id, name, org_id, network_id, created_at) VALUES ('x', 'cross', (SELECT id FROM orgs WHERE name='acme'), $O, 0)" 2>/dev/null; then
	not_ok "the schema refuses an app on another org's network"
else
	ok "the schema refuses an app on another org's network"
fi

finish
