#!/usr/bin/env bash
# Address allocation: /112 per machine (address ::2), instance IDs unique
# per host, gateway instances never collide with machines, /120 slots for
# peers, the quarantine of destroyed machines' and removed peers' prefixes,
# and the wrap of the per-host instance counter.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

K=$(wgkey)
ctl orgs create acme >/dev/null
ctl apps create web --org acme >/dev/null
ctl apps create db --org acme --network back >/dev/null
ctl hosts add a7b:174 --region ord >/dev/null
ctl hosts add a7b:175 --region ord >/dev/null
ctl hosts add d6b:1 --region ams --peers-endpoint 192.0.2.1:51821 --peers-public-key "$K" >/dev/null
NET=$(ctl apps list --org acme --json | jget "[a for a in d['apps'] if a['name'] == 'web'][0]['network']")
NETID=$(ctl networks list --org acme --json | jget "[n['id'] for n in d['networks'] if n['name'] == '$NET'][0]")
NW=$(printf '%x:%x' $((NETID >> 16)) $((NETID & 0xffff)))

# ---- machines: /112 and ::2
run machines create --app web --host a7b:174 --json
M1=$out
expect_eq "machine ID is 14 lowercase hex characters" "$(jget 'd["id"]' "$M1" | grep -cE '^[0-9a-f]{14}$')" "1"
I1=$(jget 'd["instance_id"]' "$M1")
expect_ne "instance ID is never 0" "$I1" "0"
P1=$(printf 'fdaa:%s:a7b:174:%x:%x:0/112' "$NW" $((I1 >> 16)) $((I1 & 0xffff)))
expect_eq "prefix is fdaa:NET:HOST:INST:0/112" "$(jget 'd["prefix"]' "$M1")" "$P1"
expect_eq "address is the prefix with last word 2" "$(jget 'd["address"]' "$M1")" "${P1%:0/112}:2"
expect_eq "region defaults to the host's" "$(jget 'd["region"]' "$M1")" "ord"
run machines create --app web --host a7b:174 --region yyz --iface veth1
expect_match "text output: machine ID, prefix and address" "$out" \
	$'machine  [0-9a-f]{14}\n.*\nprefix   fdaa:[0-9a-f:]+:0/112\naddress  fdaa:[0-9a-f:]+:2$'
run machines list --host a7b:174 --json
expect_eq "--region overrides the host's region" "$(jget '[m["region"] for m in d["machines"]]' "$out")" '["ord", "yyz"]'

for i in $(seq 1 20); do ctl machines create --app db --host a7b:174 >/dev/null; done
for i in $(seq 1 5); do ctl machines create --app web --host a7b:175 >/dev/null; done
run machines list --json
expect_eq "machines list: 27 machines" "$(jget 'd["total_machines"]' "$out")" "27"
expect_eq "instance IDs are unique per host" \
	"$(jget 'len(set((m["host"], m["instance_id"]) for m in d["machines"]))' "$out")" "27"
expect_eq "addresses are unique" "$(jget 'len(set(m["address"] for m in d["machines"]))' "$out")" "27"
expect_eq "instance IDs are unique across networks on a host (one space per host)" \
	"$(jget 'len(set(m["instance_id"] for m in d["machines"] if m["host"] == "a7b:174"))' "$out")" "22"
expect_eq "machines list --app db --host a7b:174" \
	"$(ctl machines list --app db --host a7b:174 --json | jget 'd["total_machines"]')" "20"
expect_eq "machines list --host a7b:175" "$(ctl machines list --host a7b:175 --json | jget 'd["total_machines"]')" "5"

# ---- peers: gateway instances on the gateway host never collide with machines
ctl machines create --app web --host d6b:1 >/dev/null
run wireguard create acme ams p0 "$TMP/p0.conf" --json
GW0=$(jget 'd["prefix"]' "$out")
ctl machines create --app web --host d6b:1 >/dev/null
run wireguard create acme ams p1 "$TMP/p1.conf" --json
GW1=$(jget 'd["prefix"]' "$out")
expect_eq "peer address is slot 0: <gw instance>:2" "$(jget 'd["address"]' "$(ctl wireguard list acme --json | jget 'd["peers"][0]')")" "$(echo "${GW0%:0/120}:2")"
GWI=$(ctl wireguard list acme --json | jget 'd["peers"][0]["gateway_instance_id"]')
expect_eq "first peer: slot 0 of the gateway instance, /120" "$GW0" "$(printf 'fdaa:%s:d6b:1:%x:%x:0/120' "$NW" $((GWI >> 16)) $((GWI & 0xffff)))"
expect_eq "second peer: slot 1 (free word 0x100) of the same instance" "$GW1" "$(printf 'fdaa:%s:d6b:1:%x:%x:100/120' "$NW" $((GWI >> 16)) $((GWI & 0xffff)))"
run machines list --host d6b:1 --json
expect_eq "the gateway instance is not any machine's instance" \
	"$(jget "$GWI in [m['instance_id'] for m in d['machines']]" "$out")" "false"
run wireguard create acme ams pb "$TMP/pb.conf" --network back --json
GWB=$(ctl wireguard list acme --json | jget "[p['gateway_instance_id'] for p in d['peers'] if p['name'] == 'pb'][0]")
expect_ne "another network gets its own gateway instance" "$GWB" "$GWI"
expect_eq "instances table: gateway and machine instances are distinct rows" \
	"$(sql "SELECT count(*) = count(DISTINCT instance_id) FROM instances WHERE host_id = $((0x0d6b0001))")" "1"

# fill the gateway instance: 256 peers per /112, then a new gateway instance
for i in $(seq 2 255); do ctl wireguard create acme ams "f$i" "$TMP/f$i.conf" >/dev/null 2>&1; done
run wireguard list acme --json
expect_eq "256 peers fill the first gateway instance" \
	"$(jget "len([p for p in d['peers'] if p['gateway_instance_id'] == $GWI])" "$out")" "256"
expect_eq "their /120s are distinct" "$(jget 'len(set(p["prefix"] for p in d["peers"]))' "$out")" "257"
run wireguard create acme ams overflow "$TMP/overflow.conf" --json
GWO=$(ctl wireguard list acme --json | jget "[p['gateway_instance_id'] for p in d['peers'] if p['name'] == 'overflow'][0]")
expect_ne "peer 257 goes to a new gateway instance" "$GWO" "$GWI"
expect_eq "peer 257 is slot 0 of it" "$(jget 'd["prefix"]' "$out")" "$(printf 'fdaa:%s:d6b:1:%x:%x:0/120' "$NW" $((GWO >> 16)) $((GWO & 0xffff)))"

# ---- quarantine of machine prefixes
run machines create --app web --host a7b:175 --json
QID=$(jget 'd["id"]' "$out"); QI=$(jget 'd["instance_id"]' "$out"); QP=$(jget 'd["prefix"]' "$out")
run machines destroy "$QID" --json
expect_eq "destroy reports the prefix" "$(jget 'd["prefix"]' "$out")" "$QP"
expect_match "destroy reports the quarantine end" "$(jget 'd["quarantined_until"]' "$out")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
expect_eq "destroyed machine is gone" "$(ctl machines list --host a7b:175 --json | jget "[m for m in d['machines'] if m['id'] == '$QID']")" "[]"
# force the counter back onto the quarantined ID
sql "UPDATE hosts SET next_instance = $QI WHERE id = $((0x0a7b0175))"
run machines create --app web --host a7b:175 --json
expect_ne "a quarantined instance ID is skipped" "$(jget 'd["instance_id"]' "$out")" "$QI"
expect_eq "... for the next free one" "$(jget 'd["instance_id"]' "$out")" "$((QI + 1))"
sql "UPDATE hosts SET next_instance = $QI WHERE id = $((0x0a7b0175))"
run machines create --app web --host a7b:175 --json
expect_eq "still skipped a moment later" "$(jget 'd["instance_id"]' "$out")" "$((QI + 2))"
# 24 h later (moving the release time back) it may come back
sql "UPDATE instances SET released_at = released_at - 86400 WHERE host_id = $((0x0a7b0175)) AND instance_id = $QI"
sql "UPDATE hosts SET next_instance = $QI WHERE id = $((0x0a7b0175))"
run machines create --app web --host a7b:175 --json
expect_eq "after 24 h the instance ID is free again" "$(jget 'd["instance_id"]' "$out")" "$QI"
# the quarantine is configurable (SIXPN_QUARANTINE_SECS)
run machines create --app web --host a7b:175 --json
Q2=$(jget 'd["id"]' "$out"); Q2I=$(jget 'd["instance_id"]' "$out")
ctl machines destroy "$Q2" >/dev/null
sql "UPDATE hosts SET next_instance = $Q2I WHERE id = $((0x0a7b0175))"
SIXPN_QUARANTINE_SECS=3600 run machines create --app web --host a7b:175 --json
expect_ne "SIXPN_QUARANTINE_SECS=3600: still quarantined" "$(jget 'd["instance_id"]' "$out")" "$Q2I"
sql "UPDATE hosts SET next_instance = $Q2I WHERE id = $((0x0a7b0175))"
SIXPN_QUARANTINE_SECS=0 run machines create --app web --host a7b:175 --json
expect_eq "SIXPN_QUARANTINE_SECS=0: reused at once" "$(jget 'd["instance_id"]' "$out")" "$Q2I"
SIXPN_QUARANTINE_SECS=soon run machines list
expect_eq "SIXPN_QUARANTINE_SECS must be a number" "$rc" "2"

# apps destroy quarantines its machines' prefixes too
ctl apps create tmp --org acme >/dev/null
run machines create --app tmp --host a7b:175 --json
TI=$(jget 'd["instance_id"]' "$out")
run apps destroy tmp --json
expect_eq "apps destroy reports the machines it destroyed" "$(jget 'd["machines_destroyed"]' "$out")" "1"
sql "UPDATE hosts SET next_instance = $TI WHERE id = $((0x0a7b0175))"
run machines create --app web --host a7b:175 --json
expect_ne "a destroyed app's machine prefix is quarantined" "$(jget 'd["instance_id"]' "$out")" "$TI"

# ---- the counter wraps from ffff:ffff to 1, skipping IDs in use
sql "UPDATE hosts SET next_instance = 4294967295 WHERE id = $((0x0a7b0174))"
run machines create --app web --host a7b:174 --json
expect_eq "instance ffff:ffff is handed out" "$(jget 'd["address"]' "$out")" "fdaa:$NW:a7b:174:ffff:ffff:2"
run machines create --app web --host a7b:174 --json
W=$(jget 'd["instance_id"]' "$out")
USED=$(ctl machines list --host a7b:174 --json | jget "len([m for m in d['machines'] if m['instance_id'] == $W])")
expect_eq "after the wrap, the ID is not one in use" "$USED" "1"
expect_eq "after the wrap, the first free ID after the 22 in use" "$W" "23"

# ---- quarantine of peer /120s
run wireguard list acme --json
S0=$(jget "[p['prefix'] for p in d['peers'] if p['name'] == 'p0'][0]" "$out")
ctl wireguard remove acme p0 >/dev/null
sql "UPDATE gateways SET next_slot = 0 WHERE instance_id = $GWI AND host_id = $((0x0d6b0001))"
run wireguard create acme ams q1 "$TMP/q1.conf" --json
expect_ne "a removed peer's /120 is quarantined" "$(jget 'd["prefix"]' "$out")" "$S0"
ctl wireguard remove acme q1 >/dev/null
sql "UPDATE gateways SET next_slot = 0 WHERE instance_id = $GWI AND host_id = $((0x0d6b0001))"
SIXPN_QUARANTINE_SECS=0 run wireguard create acme ams q2 "$TMP/q2.conf" --json
expect_eq "with no quarantine the /120 comes back" "$(jget 'd["prefix"]' "$out")" "$S0"

# ---- nothing in use collides, per the database itself
expect_eq "no two live machines share a /112" "$(sql "SELECT count(*) FROM (SELECT host_id, instance_id FROM machines GROUP BY 1, 2 HAVING count(*) > 1)")" "0"
expect_eq "no machine sits on a gateway instance" "$(sql "SELECT count(*) FROM machines m JOIN gateways g USING (host_id, instance_id)")" "0"
expect_eq "no two peers share a /120" "$(sql "SELECT count(*) FROM (SELECT host_id, gw_instance_id, slot FROM peers GROUP BY 1, 2, 3 HAVING count(*) > 1)")" "0"

finish
