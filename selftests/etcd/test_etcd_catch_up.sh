#!/usr/bin/env bash
# A write on etcd costs what it changes, not the registry's size
# (docs/registry.md "ON ETCD"), and stays exact:
#  - its transaction carries the rows it touched and nothing else, and
#    logs their keys in <prefix>rev;
#  - a writer that starts from a host's mirror (--etcd-mirror) and catches
#    up from the mirror's revision sees exactly what a full read sees, with
#    the mirror behind by puts and deletes, behind by more writes than the
#    log keeps, or not a mirror of this registry at all;
#  - writers that lose races catch up and judge on the state that won:
#    one of 8 racing creates of one name wins, an AUTOINCREMENT ID freed by
#    another writer is never handed out again.
# One real etcd member (selftests/registry/store_etcd.sh), a real mirror
# (selftests/etcd/etcd_mirror: sixpnd's mirror code).
set -euo pipefail
SIXPN_TEST_STORE=etcd
. "$(dirname "$0")/../registry/lib.sh"

case "$BUILD" in /*) MB="$BUILD/selftests/etcd_mirror" ;; *) MB="$ROOT/$BUILD/selftests/etcd_mirror" ;; esac
[ -x "$MB" ] || { not_ok "etcd_mirror is built (make $BUILD/selftests/etcd_mirror)"; finish; exit 1; }
ectl() { etcdctl --endpoints "$ETCD_URL" "$@"; }
MIR=$TMP/mirror.db
MPID=""
mirror_start() {
	"$MB" --etcd "$ETCD_URL" --etcd-prefix "$ETCD_PFX" --registry "$MIR" >>"$TMP/mirror.log" 2>&1 &
	MPID=$!
	disown "$MPID"   # no job notice when the cleanup kills it
	add_cleanup "kill -9 $MPID"
}
mirror_rev() { sqlite3 -batch "$MIR" "SELECT value FROM meta WHERE key = 'etcd_revision'" 2>/dev/null || echo 0; }
etcd_rev() { ectl get "${ETCD_PFX}rev" -w json | jget 'd["header"]["revision"]'; }
# the mirror has applied everything etcd has
mirror_synced() {
	local want
	want=$(etcd_rev)
	for _ in $(seq 1 100); do [ "$(mirror_rev)" -ge "$want" ] && return 0; sleep 0.05; done
	return 1
}
# the keys the last write put (mod_revision of <prefix>rev), sorted
last_keys() {
	ectl get --prefix "$ETCD_PFX" -w json | "$PY" -c '
import base64, json, sys
kvs = json.load(sys.stdin)["kvs"]
p = sys.argv[1]
dec = lambda k: base64.b64decode(k).decode()
rev = [kv["mod_revision"] for kv in kvs if dec(kv["key"]) == p + "rev"][0]
print(" ".join(sorted(dec(kv["key"])[len(p):] for kv in kvs if kv["mod_revision"] == rev)))' "$ETCD_PFX"
}
revval() { ectl get "${ETCD_PFX}rev" --print-value-only; }
same_as_full() {  # NAME ARGS: ARGS --json from the mirror's start == from a full read
	local name=$1 a b; shift
	a=$(ctl --etcd-mirror "$MIR" --json "$@" 2>"$TMP/m.err") || { not_ok "$name" "$(cat "$TMP/m.err")"; return; }
	b=$(ctl --json "$@")
	if [ "$a" = "$b" ]; then ok "$name"; else not_ok "$name" "$(diff <(echo "$b") <(echo "$a") | head -5)"; fi
}

ctl orgs create acme >/dev/null
ctl apps create web --org acme >/dev/null
ctl hosts add a7b:1 --region ord >/dev/null
ctl hosts add a7b:2 --region ams >/dev/null
for _ in 1 2 3; do ctl machines create --app web --host a7b:1 >/dev/null; done

# ---- a write sends what it touched
M=$(ctl --json machines create --app web --host a7b:1 | jget 'd["id"]')
I=$(ctl --json machines list | jget "[m['instance_id'] for m in d['machines'] if m['id'] == '$M'][0]")
expect_eq "machines create puts its machine, its instance lease, its host's cursor and rev, nothing else" \
	"$(last_keys)" "hosts/$((0xa7b * 65536 + 1)) instances/$((0xa7b * 65536 + 1))/$I machines/$M rev"
ctl orgs create other >/dev/null
expect_eq "orgs create puts the org and its AUTOINCREMENT mark" "$(last_keys)" "orgs/2 rev sqlite_sequence/orgs"
ctl machines destroy "$M" >/dev/null
expect_eq "machines destroy deletes the machine's key" "$(ectl get "${ETCD_PFX}machines/$M" --print-value-only)" ""
expect_eq "... releases its lease (quarantine) and puts rev" "$(last_keys)" "instances/$((0xa7b * 65536 + 1))/$I rev"
expect_eq "... and <prefix>rev logs the keys it touched under the write's nonce" \
	"$(revval | jget 'sorted(d["keys"][d["recent"][0]])')" \
	"[\"instances/$((0xa7b * 65536 + 1))/$I\", \"machines/$M\"]"
expect_ne "... in a log that covers the recent writes (k >= 1)" "$(revval | jget 'd["k"] >= 1')" "False"

# ---- starting from a mirror
mirror_start
check "the mirror follows etcd" mirror_synced
same_as_full "a start from a current mirror lists what a full read lists" machines list
kill -STOP "$MPID"
A=$(ctl --json machines create --app web --host a7b:2 | jget 'd["id"]')
D=$(ctl --json machines list | jget "d['machines'][0]['id']")
ctl machines destroy "$D" >/dev/null
ctl apps create api --org other >/dev/null
same_as_full "a start from a mirror behind by a create, a destroy and an app lists the same machines" machines list
same_as_full "... the same apps" apps list --org other
same_as_full "... the same hosts" hosts list
expect_eq "... without the destroyed machine" \
	"$(ctl --etcd-mirror "$MIR" --json machines list | jget "[m['id'] for m in d['machines'] if m['id'] == '$D']")" "[]"
expect_eq "... with the new one" \
	"$(ctl --etcd-mirror "$MIR" --json machines list | jget "[m['id'] for m in d['machines'] if m['id'] == '$A']")" "[\"$A\"]"
# a write from the stale mirror is judged on the caught-up state
run --etcd-mirror "$MIR" apps create api --org other
expect_eq "a write from a stale mirror sees the app created since: exit 4" "$rc" 4
ctl tokens create --org acme >/dev/null 2>&1
T=$(ctl --json tokens list | jget 'd["tokens"][-1]["id"]')
ctl tokens revoke "$T" >/dev/null
T2=$(ctl --etcd-mirror "$MIR" --json tokens create --org acme 2>/dev/null | jget 'd["id"]')
expect_eq "a token created from a mirror that missed the last one's create and revoke gets a new ID" \
	"$T2" "$((T + 1))"
for _ in $(seq 1 70); do ctl machines create --app web --host a7b:2 >/dev/null; done
same_as_full "a start from a mirror behind by more writes than <prefix>rev logs reads everything" machines list
kill -CONT "$MPID"
check "the mirror follows etcd again" mirror_synced
same_as_full "... and a start from it lists what a full read lists" machines list

# a mirror of another prefix, a file that is no mirror, no file: a full read
sqlite3 "$MIR" ".backup '$TMP/other.db'"
sqlite3 "$TMP/other.db" "UPDATE meta SET value = 'http://x prefix /elsewhere/' WHERE key = 'mirror_of'"
a=$(ctl --etcd-mirror "$TMP/other.db" --json machines list); b=$(ctl --json machines list)
expect_eq "a mirror of another prefix is not used" "$a" "$b"
sqlite3 "$MIR" ".backup '$TMP/forged.db'"
sqlite3 "$TMP/forged.db" "UPDATE meta SET value = replace(value, '\"recent\":[\"', '\"recent\":[\"00') WHERE key = 'etcd_rev_key'; DELETE FROM machines WHERE rowid IN (SELECT rowid FROM machines LIMIT 5)"
a=$(ctl --etcd-mirror "$TMP/forged.db" --json machines list)
expect_eq "a mirror whose <prefix>rev is not etcd's at its revision is not used" "$a" "$b"
sqlite3 "$TMP/forged.db" "UPDATE meta SET value = '0' WHERE key = 'clean'"
a=$(ctl --etcd-mirror "$TMP/forged.db" --json machines list)
expect_eq "a mirror that refused a value (not clean) is not used" "$a" "$b"
run --etcd-mirror "$TMP/nosuch.db" --json machines list
expect_eq "no mirror file: a full read, exit 0" "$rc" 0
expect_eq "... the same machines" "$out" "$b"
expect_match "... with a warning naming the file" "$err" "nosuch.db"

# ---- racing writers catch up and judge on the state that won
WP=()
for i in $(seq 1 8); do
	( rc=0; ctl --etcd-mirror "$MIR" apps create race --org acme >/dev/null 2>&1 || rc=$?; echo "$rc" >"$TMP/race.$i" ) &
	WP+=($!)
done
wait "${WP[@]}"
expect_eq "8 racing creates of one app name: one wins" "$(grep -lx 0 "$TMP"/race.* | wc -l)" 1
expect_eq "... the 7 others exit 4 (exists)" "$(grep -lx 4 "$TMP"/race.* | wc -l)" 7
WP=()
for i in $(seq 1 8); do
	( ctl --etcd-mirror "$MIR" --json machines create --app web --host a7b:2 2>/dev/null | jget 'd["prefix"]' >"$TMP/mc.$i" ) &
	WP+=($!)
done
wait "${WP[@]}"
expect_eq "8 racing creates on one host: 8 distinct /112s" "$(sort -u "$TMP"/mc.* | grep -c /112)" 8
same_as_full "... and the mirror's start still lists what a full read lists" machines list

finish
