#!/usr/bin/env bash
# Flycast service addresses in the registry (sixpnctl ips ...): one per
# (app, consumer network) inside the consumer network's /48, in the
# service range (host word 0, an instance part, free word 0) that no
# machine or peer can have; ports; backends; release and quarantine; the
# wrap of the service IDs; app destroy; the change log; concurrent
# writers; sixpnctl addr. Runs on etcd too (SIXPN_TEST_STORE=etcd).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ctl orgs create acme >/dev/null
ctl orgs create globex >/dev/null
ctl apps create web --org acme --network neta >/dev/null
ctl apps create cli --org acme --network netb >/dev/null
ctl apps create db --org acme --network neta >/dev/null
ctl apps create gx --org globex --network netb >/dev/null
ctl hosts add a7b:174 --region ord >/dev/null
ctl hosts add a7b:175 --region ams >/dev/null
netid() { ctl networks list --org "$1" --json | jget "[n['id'] for n in d['networks'] if n['name'] == '$2'][0]"; }
NA=$(netid acme neta)
NB=$(netid acme netb)
words() { printf '%x:%x' $(($1 >> 16)) $(($1 & 0xffff)); }

# ---- allocate
run ips allocate --app web --network netb --ports 443,80 --json
expect_eq "allocate: exit 0" "$rc" "0"
A1=$(jget 'd["address"]' "$out")
S1=$(jget 'd["service_id"]' "$out")
expect_ne "service ID is never 0" "$S1" "0"
expect_eq "the address is fdaa:<consumer net>:0:0:<svc>:0" "$A1" \
	"$("$PY" -c "import ipaddress,sys; print(ipaddress.IPv6Address((0xfdaa<<112)|($NB<<80)|($S1<<16)))")"
expect_eq "ports are stored ascending" "$(jget 'd["ports"]' "$out")" "[80, 443]"
expect_eq "network is the consumer's" "$(jget 'd["network"]' "$out")" "netb"
expect_eq "app_network is the app's" "$(jget 'd["app_network"]' "$out")" "neta"
run ips allocate --app web --json
expect_eq "without --network: the app's own network" "$(jget 'd["network_id"]' "$out")" "$NA"
expect_eq "without --ports: every port (null)" "$(jget 'd["ports"]' "$out")" "null"
expect_fail "one address per (app, network)" 4 "already has Flycast address $A1" \
	ips allocate --app web --network netb
expect_fail "unknown app: exit 3" 3 "app 'nosuch' does not exist" ips allocate --app nosuch
expect_fail "--app is required" 2 "--app APP is required" ips allocate
for p in 0 65536 80,80 abc 80, ,80 1,2,3,4,5,6,7,8,9 "80 443"; do
	expect_fail "--ports '$p' is refused" 2 "ports '$p' is invalid" ips allocate --app db --network netb --ports "$p"
done
expect_fail "a bad network name is refused" 2 "network name '9x' is invalid" ips allocate --app db --network 9x
run ips allocate --app db --network netc --json
expect_eq "an unbound network name is bound in the app's org" \
	"$(jget 'd["network_id"]' "$out")" "$(netid acme netc)"
ctl ips release "$(jget 'd["address"]' "$out")" >/dev/null

# ---- no machine or peer can ever hold it: machines fill hosts, not host 0
for i in 1 2 3; do ctl machines create --app web --host a7b:174 >/dev/null; done
ctl machines create --app web --host a7b:175 >/dev/null
run machines list --json
expect_eq "no machine address is in a service range (host word 0)" \
	"$(jget 'len([m for m in d["machines"] if m["host"] == "0:0"])' "$out")" "0"

# ---- list with backends
run ips list --app web --json
expect_eq "ips list: two addresses" "$(jget 'd["total_ips"]' "$out")" "2"
expect_eq "backends: every machine of the app, on both hosts" \
	"$(jget 'sorted(b["address"] for b in [i for i in d["ips"] if i["network"] == "netb"][0]["backends"])' "$out")" \
	"$(ctl machines list --app web --json | jget 'sorted(m["address"] for m in d["machines"])')"
run ips list --app web
expect_match "text list: address, app, network, ports, backends" "$out" "$A1 +web +netb +80,443 +fdaa:"
expect_fail "ips list of an unknown app: exit 3" 3 "app 'nosuch' does not exist" ips list --app nosuch
run ips list --app cli --json
expect_eq "an app without addresses lists none" "$(jget 'd["total_ips"]' "$out")" "0"

# ---- addr decodes them
run addr "$A1" --json
expect_eq "addr: a Flycast address" "$(jget 'd["belongs_to"]["kind"]' "$out")" "flycast"
expect_eq "addr: its app" "$(jget 'd["belongs_to"]["flycast"]["app"]' "$out")" "web"
expect_eq "addr: host word 0" "$(jget 'd["host_id"]' "$out")" "0:0"
run addr "fdaa:$(words "$NB"):0:0:ffff:fff0:0" --json
expect_eq "addr: an unallocated service-range address" "$(jget 'd["belongs_to"]["kind"]' "$out")" "flycast_range"
run addr "fdaa:$(words "$NA"):a7b:174:0:0:100" --json
expect_eq "addr: instance 0 of a host is a Flycast SNAT source" "$(jget 'd["belongs_to"]["kind"]' "$out")" "flycast_snat"

# ---- release, quarantine
run ips release "$A1" --json
expect_eq "release: exit 0" "$rc" "0"
expect_eq "release names the address" "$(jget 'd["address"]' "$out")" "$A1"
expect_fail "release twice: exit 3" 3 "is no Flycast address" ips release "$A1"
expect_fail "release of a non-service address: exit 2" 2 "not in a Flycast service range" \
	ips release "fdaa:$(words "$NB"):a7b:174:0:1:2"
run addr "$A1" --json
expect_eq "a released address belongs to nothing" "$(jget 'd["belongs_to"]["kind"]' "$out")" "flycast_range"
run ips allocate --app web --network netb --json
S2=$(jget 'd["service_id"]' "$out")
expect_ne "a released address is not handed out again (quarantine)" "$S2" "$S1"
expect_eq "the released lease is kept, quarantined" \
	"$(sql "SELECT released_at IS NOT NULL FROM flycast_leases WHERE network_id = $NB AND svc_id = $S1")" "1"

# the IDs wrap at 2^32-1 and skip what is in use or quarantined
sql "INSERT INTO flycast_leases (network_id, svc_id) VALUES ($NB, 4294967295)"
run ips allocate --app cli --json
expect_eq "allocation for another network does not see netb's leases" "$(jget 'd["network_id"]' "$out")" "$NB"
SW=$(jget 'd["service_id"]' "$out")
expect_ne "after 2^32-1 the IDs wrap, skipping the quarantined one" "$SW" "$S1"
expect_ne "... and the one in use" "$SW" "$S2"
ctl ips release "$(jget 'd["address"]' "$out")" >/dev/null
SIXPN_QUARANTINE_SECS=0 run ips allocate --app cli --json
expect_eq "SIXPN_QUARANTINE_SECS=0: the oldest released ID comes back" "$(jget 'd["service_id"]' "$out")" "$S1"

# ---- concurrent writers never hand out one address twice
for i in $(seq 1 6); do ctl apps create "c$i" --org acme --network neta >/dev/null; done
for i in $(seq 1 6); do ctl ips allocate --app "c$i" --network netb >/dev/null & done
wait
n=$(for i in $(seq 1 6); do ctl ips list --app "c$i" --json | jget 'd["ips"][0]["address"]'; done | sort -u | wc -l)
expect_eq "six concurrent allocations: six distinct addresses" "$n" "6"

# ---- the change log, app destroy
# (the change log is the file's own: on etcd the export writes it afresh)
if [ "${SIXPN_TEST_STORE:-sqlite}" != etcd ]; then
	expect_match "the change log names flycast rows by NET/SVC" \
		"$(sql "SELECT group_concat(op) FROM changes WHERE tbl = 'flycast' AND key = '$NB/$S1'")" "insert,delete"
fi
run apps destroy web --json
expect_eq "app destroy: exit 0" "$rc" "0"
expect_eq "app destroy releases its addresses" \
	"$(sql "SELECT count(*) FROM flycast f JOIN apps a ON a.id = f.app_id WHERE a.name = 'web'")" "0"
expect_eq "... into quarantine" \
	"$(sql "SELECT released_at IS NOT NULL FROM flycast_leases WHERE network_id = $NB AND svc_id = $S2")" "1"

# ---- the rule in SQL: a consumer network of another org is refused
expect_match "a row for another org's network is refused by the schema" \
	"$(sql "INSERT INTO flycast_leases VALUES ($NB, 77, NULL); INSERT INTO flycast VALUES ($NB, 77, (SELECT id FROM apps WHERE name = 'gx'), NULL, 0)" 2>&1 || true)" \
	"must belong to the app's org"

finish
