#!/usr/bin/env bash
# The machine lifecycle through etcd to a host's mirror: what sixpnctl
# --etcd writes (create with a state, group and metadata; stop, start,
# update, move) reaches the file the mirror keeps (build/selftests/
# etcd_mirror: sixpnd's mirror code) with its columns, as change-log
# updates sync turns into deltas; a row a version 3 writer put (no state,
# group or metadata) is mirrored with the defaults, not skipped. A
# single-member etcd on 127.0.0.1 (selftests/registry/store_etcd.sh).
set -euo pipefail
export SIXPN_TEST_STORE=etcd
. "$(dirname "$0")/../registry/lib.sh"
MIRROR_BIN="$ROOT/$BUILD/selftests/etcd_mirror"
[ -x "$MIRROR_BIN" ] || { echo "not ok - $MIRROR_BIN not built"; exit 1; }
MIR="$TMP/mirror.db"

ctl orgs create acme >/dev/null
ctl apps create web --org acme >/dev/null
ctl hosts add a7b:174 --region ord >/dev/null
ctl hosts add a7b:175 --region ams >/dev/null
"$MIRROR_BIN" --etcd "$ETCD_URL" --etcd-prefix "$ETCD_PFX" --registry "$MIR" --status "$TMP/status" \
	2>"$TMP/mirror.log" &
MPID=$!
add_cleanup "kill $MPID"
msql() { sqlite3 -batch -noheader "$MIR" "$1" 2>/dev/null; }
# until SQL on the mirror prints WANT (5 s)
wait_mirror() {
	local i
	for i in $(seq 100); do
		[ "$(msql "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

M=$(ctl --json machines create --app web --host a7b:174 --iface v0 --process-group worker \
	--metadata role=primary --metadata az=b1 | jget 'd["id"]')
check "create: the mirror has the machine's state, group and metadata" \
	wait_mirror "SELECT state, process_group, metadata FROM machines WHERE id = '$M'" "started|worker|az=b1,role=primary"
S0=$(msql "SELECT max(seq) FROM changes")
ctl machines stop "$M" >/dev/null
check "stop: the mirror's row is stopped" wait_mirror "SELECT state FROM machines WHERE id = '$M'" stopped
expect_eq "stop: one machines update in the mirror's change log (sync's delta)" \
	"$(msql "SELECT tbl, key, op FROM changes WHERE seq > $S0")" "machines|$M|update"
ctl machines update "$M" --metadata role=replica --metadata az= >/dev/null
check "update: the mirror's metadata" wait_mirror "SELECT metadata FROM machines WHERE id = '$M'" "role=replica"
ctl machines start "$M" >/dev/null
check "start: the mirror's row is started" wait_mirror "SELECT state FROM machines WHERE id = '$M'" started
OLD_INST=$(msql "SELECT instance_id FROM machines WHERE id = '$M'")
ctl machines move "$M" --host a7b:175 >/dev/null
check "move: the mirror has it on the new host, the same ID" \
	wait_mirror "SELECT host_id FROM machines WHERE id = '$M'" "$((0x0a7b0175))"
expect_eq "move: the mirror's old lease is released (quarantine)" \
	"$(msql "SELECT released_at IS NOT NULL FROM instances WHERE host_id = $((0x0a7b0174)) AND instance_id = $OLD_INST")" 1
run --registry "$MIR" --json machines list
expect_eq "sixpnctl reads the mirror: state, group, metadata" \
	"$(jget "[[m['state'], m['process_group'], m['metadata'], m['host']] for m in d['machines'] if m['id'] == '$M'][0]" "$out")" \
	'["started", "worker", {"role": "replica"}, "a7b:175"]'
expect_fail "the mirror refuses machines stop (exit 6)" 6 "is a mirror of etcd" --registry "$MIR" machines stop "$M"

# a row as a version 3 writer put it
V=$(ctl --json machines create --app web --host a7b:174 --state stopped | jget 'd["id"]')
wait_mirror "SELECT state FROM machines WHERE id = '$V'" stopped || true
val=$(etcdctl --endpoints "$ETCD_URL" get "${ETCD_PFX}machines/$V" --print-value-only |
	"$PY" -c 'import json,sys; d=json.load(sys.stdin); [d.pop(k) for k in ("state","process_group","metadata")]; print(json.dumps(d))')
etcdctl --endpoints "$ETCD_URL" put "${ETCD_PFX}machines/$V" "$val" >/dev/null
check "a version 3 row: mirrored as started, group app, no metadata" \
	wait_mirror "SELECT state, process_group, metadata FROM machines WHERE id = '$V'" "started|app|"
expect_eq "... and not counted as a bad row" "$(awk '{print $4}' "$TMP/status")" 0
check_fails "... nor logged as skipped" grep -q "skipped" "$TMP/mirror.log"
finish
