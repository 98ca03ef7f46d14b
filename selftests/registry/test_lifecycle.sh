#!/usr/bin/env bash
# Machine lifecycle and the rest of Fly's names, as registry rules: states
# (create --state, start, stop, list), process groups and metadata (create
# --process-group/--metadata, update --metadata), move to another host (a
# new /112, the same ID, the old /112 quarantined), machines env; the
# change log of each; and the migration of a version 3 file. Runs on a real
# SQLite file, and with SIXPN_TEST_STORE=etcd on etcd (the file-only checks
# say so and are skipped there).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ON_ETCD=0
[ "${SIXPN_TEST_STORE:-sqlite}" = etcd ] && ON_ETCD=1

ctl orgs create acme >/dev/null
ctl apps create web --org acme >/dev/null
ctl hosts add a7b:174 --region ord >/dev/null
ctl hosts add a7b:175 --region ams >/dev/null

# ---- states -----------------------------------------------------------------
run --json machines create --app web --host a7b:174 --iface veth0
M1=$(jget 'd["id"]' "$out")
expect_eq "create: state defaults to started" "$(jget 'd["state"]' "$out")" started
expect_eq "create: process group defaults to app" "$(jget 'd["process_group"]' "$out")" app
expect_eq "create: no metadata is {}" "$(jget 'd["metadata"]' "$out")" '{}'
run --json machines create --app web --host a7b:174 --state stopped
M2=$(jget 'd["id"]' "$out")
expect_eq "create --state stopped" "$(jget 'd["state"]' "$out")" stopped
run --json machines create --app web --host a7b:174 --state created
M3=$(jget 'd["id"]' "$out")
expect_eq "create --state created" "$(jget 'd["state"]' "$out")" created
expect_fail "create --state bogus is refused, naming it" 2 "machine state 'bogus' is invalid" \
	machines create --app web --host a7b:174 --state bogus
expect_fail "create --state Started (case matters)" 2 "'Started' is invalid" \
	machines create --app web --host a7b:174 --state Started

run --json machines list --app web
expect_eq "list --json: a state per machine" "$(jget '[m["state"] for m in d["machines"]]' "$out")" \
	'["started", "stopped", "created"]'
run machines list --app web
expect_match "list text: a STATE column" "$out" "IFACE +STATE"
expect_match "list text: the stopped machine says so" "$out" "$M2 .* stopped"

expect_ok "start the created machine" machines start "$M3"
expect_eq "start: says started" "$out" "machine $M3 started"
run --json machines start "$M3"
expect_eq "start again: nothing changed" "$(jget '[d["state"], d["changed"]]' "$out")" '["started", false]'
run --json machines stop "$M1"
expect_eq "stop --json: state and changed" "$(jget '[d["id"], d["state"], d["changed"]]' "$out")" \
	"[\"$M1\", \"stopped\", true]"
expect_eq "stop: the machine is stopped in list" \
	"$(ctl --json machines list | jget "[m['state'] for m in d['machines'] if m['id'] == '$M1'][0]")" stopped
expect_eq "stop keeps the address" \
	"$(ctl --json machines list | jget "[m['address'] for m in d['machines'] if m['id'] == '$M1'][0]")" \
	"$(ctl --json machines list | jget "[m['prefix'] for m in d['machines'] if m['id'] == '$M1'][0]" | sed 's|:0/112$|:2|')"
expect_fail "start of a missing machine: exit 3" 3 "machine 'ffffffffffffff' does not exist" \
	machines start ffffffffffffff
expect_fail "stop of a missing machine: exit 3" 3 "does not exist" machines stop ffffffffffffff
expect_fail "start without an ID: usage" 2 "missing argument" machines start
expect_fail "stop with two IDs: usage" 2 "unexpected argument" machines stop "$M1" "$M2"
expect_ok "start --help" machines start --help
expect_match "start --help names the command" "$out" "sixpnctl machines start ID"

# ---- process groups and metadata -----------------------------------------------
run --json machines create --app web --host a7b:175 --process-group worker \
	--metadata role=primary --metadata az=b-1
M4=$(jget 'd["id"]' "$out")
expect_eq "create --process-group" "$(jget 'd["process_group"]' "$out")" worker
expect_eq "create --metadata, repeatable" "$(jget 'd["metadata"]' "$out")" '{"az": "b-1", "role": "primary"}'
expect_fail "a process group must be a DNS label" 2 "process group 'Work_er' is invalid" \
	machines create --app web --host a7b:175 --process-group Work_er
expect_fail "metadata without '=' is refused, naming it" 2 "metadata 'role' is invalid: must be KEY=VALUE" \
	machines create --app web --host a7b:175 --metadata role
expect_fail "a metadata key must be a DNS label" 2 "metadata key 'Role' is invalid" \
	machines create --app web --host a7b:175 --metadata Role=x
expect_fail "a metadata value must be a DNS label" 2 "metadata value 'a.b' is invalid" \
	machines create --app web --host a7b:175 --metadata role=a.b
expect_fail "a metadata value may not end with a dash" 2 "metadata value 'x-' is invalid: must not start or end with a dash" \
	machines create --app web --host a7b:175 --metadata role=x-
expect_fail "an empty metadata value on create" 2 "metadata 'role=' is invalid" \
	machines create --app web --host a7b:175 --metadata role=
expect_fail "a key given twice on create" 2 "metadata key 'role' is given twice" \
	machines create --app web --host a7b:175 --metadata role=a --metadata role=b
long=$(printf 'k%.0s' $(seq 64))
expect_fail "a 64-character metadata key" 2 "metadata key '$long' is invalid: must be at most 63" \
	machines create --app web --host a7b:175 --metadata "$long=v"
many=()
for i in $(seq 17); do many+=(--metadata "k$i=v"); done
expect_fail "more than 16 --metadata" 2 "more than 16 times" \
	machines create --app web --host a7b:175 "${many[@]}"
expect_eq "refused creates made no machine" "$(ctl --json machines list | jget 'd["total_machines"]')" 4

run --json machines update "$M4" --metadata role=replica --metadata zone=z1 --metadata az=
expect_eq "update --metadata: set, replace, KEY= removes" "$(jget 'd["metadata"]' "$out")" \
	'{"role": "replica", "zone": "z1"}'
expect_fail "update: an invalid value, naming it" 2 "metadata value 'UP' is invalid" \
	machines update "$M4" --metadata role=UP
expect_fail "update without --metadata" 2 "--metadata KEY=VALUE is required" machines update "$M4"
expect_fail "update of a missing machine" 3 "does not exist" machines update ffffffffffffff --metadata a=b
expect_eq "a refused update changed nothing" \
	"$(ctl --json machines list | jget "[m['metadata'] for m in d['machines'] if m['id'] == '$M4'][0]")" \
	'{"role": "replica", "zone": "z1"}'

# ---- env -------------------------------------------------------------------------
A4=$(ctl --json machines list | jget "[m['address'] for m in d['machines'] if m['id'] == '$M4'][0]")
run machines env "$M4"
expect_eq "env: one KEY=VALUE a line" "$out" "SIXPN_PRIVATE_IP=$A4
SIXPN_MACHINE_ID=$M4
SIXPN_APP_NAME=web
SIXPN_REGION=ams
SIXPN_PROCESS_GROUP=worker"
run machines env "$M4" --hosts
expect_eq "env --hosts: the hosts line" "$out" "$A4 sixpn-local-6pn"
run --json machines env "$M4"
expect_eq "env --json: env and hosts" "$(jget '[d["env"]["SIXPN_PRIVATE_IP"], d["env"]["SIXPN_PROCESS_GROUP"], d["hosts"]]' "$out")" \
	"[\"$A4\", \"worker\", \"$A4 sixpn-local-6pn\"]"
expect_fail "env of a missing machine" 3 "does not exist" machines env ffffffffffffff

# ---- move --------------------------------------------------------------------------
OLD=$(ctl --json machines list | jget "[m for m in d['machines'] if m['id'] == '$M1'][0]")
run --json machines move "$M1" --host a7b:175
NEW=$(jget 'd["machine"]' "$out")
expect_eq "move: the same machine ID" "$(jget 'd["id"]' "$NEW")" "$M1"
expect_eq "move: on the new host" "$(jget 'd["host"]' "$NEW")" a7b:175
expect_eq "move: the new host's region" "$(jget 'd["region"]' "$NEW")" ams
expect_match "move: a /112 on the new host" "$(jget 'd["prefix"]' "$NEW")" '^fdaa:[0-9a-f]+:[0-9a-f]+:a7b:175:[0-9a-f]+:[0-9a-f]+:0/112$'
expect_eq "move: the old prefix is reported" "$(jget 'd["old_prefix"]' "$out")" "$(jget 'd["prefix"]' "$OLD")"
expect_eq "move keeps the state, the group, the interface name" \
	"$(jget '[d["state"], d["process_group"], d["iface"]]' "$NEW")" '["stopped", "app", "veth0"]'
expect_eq "the old /112 is in quarantine" \
	"$(sql "SELECT released_at IS NOT NULL FROM instances WHERE host_id = $((0x0a7b0174)) AND instance_id = $(jget 'd["instance_id"]' "$OLD")")" 1
run --json machines create --app web --host a7b:174
expect_ne "a new machine on the old host does not get the old /112" "$(jget 'd["prefix"]' "$out")" "$(jget 'd["prefix"]' "$OLD")"
expect_fail "move to the host it is on" 2 "is already on host a7b:175" machines move "$M1" --host a7b:175
expect_fail "move to a missing host" 3 "host 'a7b:999' does not exist" machines move "$M1" --host a7b:999
expect_fail "move without --host" 2 "--host HOST_ID is required" machines move "$M1"
expect_fail "move of a missing machine" 3 "does not exist" machines move ffffffffffffff --host a7b:174
ctl machines create --app web --host a7b:174 --iface vx >/dev/null
ctl machines create --app web --host a7b:175 --iface vy >/dev/null
VX=$(ctl --json machines list | jget "[m['id'] for m in d['machines'] if m['iface'] == 'vx'][0]")
expect_fail "move onto a host whose interface name is taken" 4 "interface 'vy' is already used" \
	machines move "$VX" --host a7b:175 --iface vy
run --json machines move "$VX" --host a7b:175 --iface "" --region yyz
expect_eq "move --iface '' --region: no interface, that region" "$(jget '[d["machine"]["iface"], d["machine"]["region"]]' "$out")" '[null, "yyz"]'

# ---- the change log (the file's) -----------------------------------------------------
if [ "$ON_ETCD" = 0 ]; then
	S0=$(sql "SELECT max(seq) FROM changes")
	ctl machines stop "$M4" >/dev/null
	expect_eq "stop: one machines update in the change log" \
		"$(sql "SELECT tbl, key, op FROM changes WHERE seq > $S0")" "machines|$M4|update"
	S0=$(sql "SELECT max(seq) FROM changes")
	ctl machines stop "$M4" >/dev/null
	ctl machines update "$M4" --metadata role=replica >/dev/null
	expect_eq "stopping a stopped machine, an update that changes nothing: no entry" \
		"$(sql "SELECT count(*) FROM changes WHERE seq > $S0")" 0
	ctl machines start "$M4" >/dev/null
	ctl machines move "$M4" --host a7b:174 >/dev/null
	expect_eq "start and move: one update each" \
		"$(sql "SELECT group_concat(op) FROM changes WHERE seq > $S0 AND key = '$M4'")" "update,update"
	expect_eq "the state column refuses what no state is" \
		"$(sql "UPDATE machines SET state = 'paused' WHERE id = '$M4'" 2>&1 | grep -c 'CHECK constraint failed')" 1

	# ---- migration of a version 3 registry -------------------------------------------
	V3="$TMP/v3.db"
	cp "$REG" "$V3"
	sqlite3 "$V3" "ALTER TABLE machines DROP COLUMN metadata; ALTER TABLE machines DROP COLUMN process_group;
		ALTER TABLE machines DROP COLUMN state; DROP TABLE tokens; DROP TABLE flycast; DROP TABLE flycast_leases; PRAGMA user_version = 3"
	N3=$(sqlite3 "$V3" "SELECT count(*) FROM machines")
	run_v3() { "$BIN" --registry "$V3" "$@"; }
	run_v3 orgs list >/dev/null
	expect_eq "sixpnctl migrates version 3 to 6 (4: states, 5: API tokens, 6: Flycast)" "$(sqlite3 "$V3" 'PRAGMA user_version')" 6
	expect_eq "... every machine kept, started, in group app, no metadata" \
		"$(sqlite3 "$V3" "SELECT count(*), count(*) FILTER (WHERE state = 'started' AND process_group = 'app' AND metadata = '') FROM machines")" \
		"$N3|$N3"
	expect_eq "... and the migration logged no change" \
		"$(sqlite3 "$V3" "SELECT max(seq) FROM changes")" "$(sql "SELECT max(seq) FROM changes")"
	run_v3 machines stop "$M2" >/dev/null
	expect_eq "... and it takes the new commands" "$(sqlite3 "$V3" "SELECT state FROM machines WHERE id = '$M2'")" stopped
else
	echo "# on etcd: the change log and migration checks are the file's (skipped)"
	# a machine written by a version 3 writer (no state, group or metadata
	# in its value) reads as what the migration makes of a file's rows
	K=$(etcdctl --endpoints "$ETCD_URL" get --prefix "${ETCD_PFX}machines/$M2" --print-value-only)
	V=$(printf '%s' "$K" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); [d.pop(k) for k in ("state","process_group","metadata")]; print(json.dumps(d))')
	etcdctl --endpoints "$ETCD_URL" put "${ETCD_PFX}machines/$M2" "$V" >/dev/null
	run --json machines list
	expect_eq "an etcd row without the new columns reads as started, group app, no metadata" \
		"$(jget "[[m['state'], m['process_group'], m['metadata']] for m in d['machines'] if m['id'] == '$M2'][0]" "$out")" \
		'["started", "app", {}]'
	expect_ok "... and a write on top of it works" machines stop "$M2"
	expect_eq "... which puts the state into its value" \
		"$(etcdctl --endpoints "$ETCD_URL" get "${ETCD_PFX}machines/$M2" --print-value-only | jget 'd["state"]')" stopped
	expect_eq "the schema key says 6 (4: states, 5: API tokens, 6: Flycast)" "$(etcdctl --endpoints "$ETCD_URL" get "${ETCD_PFX}schema" --print-value-only)" 6
fi
finish
