#!/usr/bin/env bash
# timeout: 240
# Loading a registry of 10,000 rows from etcd, with bad rows put by hand in
# among them: rows_apply inserts new rows in batches (loader/registry/rows.c),
# and a batch SQLite refuses is written again row by row, so each bad row is
# still reported with its key and skipped, and every good row is there.
# Bad rows of each kind a batch meets: a value that is not JSON, a key its
# primary key does not make, a UNIQUE refusal (checked row by row inside a
# batch) and a foreign key refusal (checked at the end of the statement:
# the whole batch is undone and replayed). Both loads: sixpnctl --etcd's
# copy and the host mirror (build/selftests/etcd_mirror, sixpnd's code);
# the oracle is the registry file the rows were imported from.
set -euo pipefail
export SIXPN_TEST_STORE=etcd
. "$(dirname "$0")/../registry/lib.sh"
MIRROR_BIN="$ROOT/$BUILD/selftests/etcd_mirror"
[ -x "$MIRROR_BIN" ] || { echo "not ok - $MIRROR_BIN not built"; exit 1; }
SRC="$TMP/src.db"
N=5000
E() { etcdctl --endpoints "$ETCD_URL" "$@"; }

"$PY" "$ROOT/scripts/bench/gen_registry.py" "$SRC" --sixpnctl "$BIN" --machines $N \
	--apps 20 --networks 5 --hosts 3 >/dev/null
ctl registry import "$SRC" >/dev/null
rows=$(E get "$ETCD_PFX" --prefix --keys-only | grep -c "^${ETCD_PFX}[a-z_]*/") || true
check_ge "the registry in etcd has 10,000 rows or more" "$rows" 10000

# machine IDs are 14 hex digits: each bad ID sorts just after a good one,
# so the bad rows land inside batches, in the middle of the machines
GOOD=$(E get "${ETCD_PFX}machines/000000000007d0" --print-value-only)
[ -n "$GOOD" ] || { not_ok "machine 000000000007d0 is in etcd"; finish; }
# VALUE ID [KEY=VALUE...]: GOOD with another id, no rowid, columns changed
row() {
	"$PY" - "$GOOD" "$@" <<'EOF'
import json, sys
d = json.loads(sys.argv[1]); d.pop("rowid"); d["id"] = sys.argv[2]
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1); d[k] = json.loads(v)
print(json.dumps(d))
EOF
}
E put "${ETCD_PFX}machines/00000000000200x" '{"id": "00000000000200x",' >/dev/null
E put "${ETCD_PFX}machines/00000000000400x" "$(row 00000000000400y)" >/dev/null
E put "${ETCD_PFX}machines/000000000007d0x" "$(row 000000000007d0x)" >/dev/null
# instances/655365/ sorts between hosts 65536 and 65537: inside a batch too
E put "${ETCD_PFX}instances/65536/999999" \
	'{"host_id": 65536, "instance_id": 999999, "kind": "nonsense", "released_at": null}' >/dev/null
E put "${ETCD_PFX}instances/655365/7" \
	'{"host_id": 655365, "instance_id": 7, "kind": "machine", "released_at": null}' >/dev/null
declare -A WHY=(
	["machines/00000000000200x"]="value is not JSON"
	["machines/00000000000400x"]="its primary key makes the key 'machines/00000000000400y'"
	["machines/000000000007d0x"]="refused by the registry's rules: UNIQUE constraint failed: machines.host_id, machines.instance_id"
	["instances/65536/999999"]="refused by the registry's rules: CHECK constraint failed"
	["instances/655365/7"]="refused by the registry's rules: FOREIGN KEY constraint failed"
)

# LOG WHAT: each bad row reported once with its key and why, nothing else
reported() {
	local k n
	for k in "${!WHY[@]}"; do
		n=$(grep -F "key=${ETCD_PFX}$k " "$1" | grep -cF "reason=\"${WHY[$k]}") || true
		expect_eq "$2: $k reported once: ${WHY[$k]}" "$n" 1
	done
	n=$(grep -c "skipped" "$1") || true
	expect_eq "$2: no other row reported" "$n" "${#WHY[@]}"
}

ids() { "$PY" -c 'import json,sys; print("\n".join(m["id"] for m in json.load(sys.stdin)["machines"]))'; }
"$BIN" --registry "$SRC" --json machines list | ids >"$TMP/want"
check_eq "the file has the $N machines" "$(wc -l <"$TMP/want")" "$N"

# sixpnctl --etcd: its in-memory copy
ctl --json machines list 2>"$TMP/ctl.log" | ids >"$TMP/got"
check "sixpnctl --etcd: the $N good machines, in order, no bad one" cmp -s "$TMP/want" "$TMP/got"
reported "$TMP/ctl.log" "sixpnctl --etcd"
export_n=$(ctl registry export "$TMP/exp.db" >/dev/null 2>&1 &&
	sqlite3 -batch -noheader "$TMP/exp.db" "SELECT (SELECT count(*) FROM machines) || ' ' || (SELECT count(*) FROM instances)")
check_eq "sixpnctl --etcd: the copy holds the file's machines and instances" "$export_n" \
	"$(sqlite3 -batch -noheader "$SRC" "SELECT (SELECT count(*) FROM machines) || ' ' || (SELECT count(*) FROM instances)")"

# a write through the copy: done, and the bad rows are left in etcd
NEW=$(ctl --json machines create --app a1 --host 1:0 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
check "a create on top of the bad rows is done ($NEW)" test -n "$NEW"
for k in "${!WHY[@]}"; do
	check "... and leaves $k in etcd" test -n "$(E get "${ETCD_PFX}$k" --print-value-only)"
done

# the mirror sixpnd keeps
"$MIRROR_BIN" --etcd "$ETCD_URL" --etcd-prefix "$ETCD_PFX" --registry "$TMP/mirror.db" --once \
	2>"$TMP/mirror.log"
"$BIN" --registry "$TMP/mirror.db" --json machines list | ids | grep -vx "$NEW" >"$TMP/got.m" || true
check "the mirror: the $N good machines, in order, no bad one" cmp -s "$TMP/want" "$TMP/got.m"
check_eq "the mirror has the new machine" \
	"$(sqlite3 -batch -noheader "$TMP/mirror.db" "SELECT count(*) FROM machines WHERE id = '$NEW'")" 1
reported "$TMP/mirror.log" "the mirror"
finish
