#!/usr/bin/env bash
# Concurrent writers: WORKERS sixpnctl processes in parallel, each creating
# PER_WORKER machines on the same host, one process per machine. Every
# create must succeed, and the registry must end with WORKERS*PER_WORKER
# machines with distinct instance IDs and addresses, every address printed
# by a worker present exactly once (nothing lost, nothing duplicated).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=${WORKERS:-8}
PER_WORKER=${PER_WORKER:-500}
TOTAL=$((WORKERS * PER_WORKER))

ctl orgs create acme >/dev/null
ctl apps create web --org acme >/dev/null
ctl apps create db --org acme --network back >/dev/null
ctl hosts add a7b:174 --region ord >/dev/null
SEQ0=$(sql "SELECT coalesce(max(seq), 0) FROM changes")

worker() { # N: creates PER_WORKER machines, one address per line in w.N
	local n=$1 app=web i
	[ $((n % 2)) -eq 1 ] && app=db
	for ((i = 0; i < PER_WORKER; i++)); do
		if ! "$BIN" --registry "$REG" machines create --app "$app" --host a7b:174 \
			--json >>"$TMP/w.$n.json" 2>>"$TMP/w.$n.err"; then
			echo "FAILED" >>"$TMP/w.$n.err"
		fi
	done
}

start=$(date +%s.%N)
pids=()
for ((n = 0; n < WORKERS; n++)); do
	worker "$n" &
	pids+=($!)
done
add_cleanup "kill ${pids[*]}"
for p in "${pids[@]}"; do wait "$p"; done
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc 2>/dev/null || "$PY" -c "print(round($end - $start, 2))")
echo "# $WORKERS writers x $PER_WORKER machines: ${secs}s ($("$PY" -c "print(round($TOTAL / ($end - $start)))") creates/s)"

errs=$(cat "$TMP"/w.*.err)
expect_eq "no sixpnctl process failed (busy or otherwise)" "$errs" ""
printed=$(cat "$TMP"/w.*.json | "$PY" -c '
import json, sys
addrs = [json.loads(l)["address"] for l in sys.stdin if l.strip()]
print(len(addrs), len(set(addrs)))')
expect_eq "workers printed $TOTAL addresses, all distinct" "$printed" "$TOTAL $TOTAL"

run machines list --host a7b:174 --json
echo "$out" >"$TMP/list.json"
expect_eq "the registry holds $TOTAL machines" "$(jget 'd["total_machines"]' "$out")" "$TOTAL"
expect_eq "$TOTAL distinct instance IDs" "$(jget 'len(set(m["instance_id"] for m in d["machines"]))' "$out")" "$TOTAL"
expect_eq "$TOTAL distinct /112 prefixes" "$(jget 'len(set(m["prefix"] for m in d["machines"]))' "$out")" "$TOTAL"
expect_eq "$TOTAL distinct machine IDs" "$(jget 'len(set(m["id"] for m in d["machines"]))' "$out")" "$TOTAL"
expect_eq "instance IDs are exactly 1..$TOTAL (no gaps, no loss)" \
	"$(jget "sorted(m['instance_id'] for m in d['machines']) == list(range(1, $TOTAL + 1))" "$out")" "true"
lost=$(cat "$TMP"/w.*.json | "$PY" -c '
import json, sys
printed = {json.loads(l)["address"] for l in sys.stdin if l.strip()}
listed = {m["address"] for m in json.load(open(sys.argv[1]))["machines"]}
print(len(printed ^ listed))' "$TMP/list.json")
expect_eq "every printed address is in the registry and vice versa" "$lost" "0"
expect_eq "the change log has one insert per machine, in order" \
	"$(sql "SELECT count(*), count(DISTINCT key) FROM changes WHERE seq > $SEQ0 AND tbl = 'machines' AND op = 'insert'")" "$TOTAL|$TOTAL"
expect_eq "the change log has no gaps" \
	"$(sql "SELECT max(seq) - min(seq) + 1 = count(*) FROM changes WHERE seq > $SEQ0")" "1"
expect_eq "integrity_check" "$(sql "PRAGMA integrity_check")" "ok"

finish
