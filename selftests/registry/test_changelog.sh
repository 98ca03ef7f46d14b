#!/usr/bin/env bash
# The change log (monotonic seq, table, key, op, written in the writing
# transaction), the read API sixpnd uses (through registry_reader), and the
# schema version: a newer schema or a foreign file is refused with exit 5.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case "$BUILD" in /*) READER="$BUILD/selftests/registry_reader" ;; *) READER="$ROOT/$BUILD/selftests/registry_reader" ;; esac
if [ ! -x "$READER" ]; then
	not_ok "registry_reader is built (make $BUILD/selftests/registry_reader)"
	finish
fi
rd() { "$READER" "$REG" "$@"; }
rd_rc() { rc=0; out=$("$READER" "$REG" "$@" 2>"$TMP/.rd.err") || rc=$?; err=$(cat "$TMP/.rd.err"); }

# ---- a read-only reader never creates a registry
rd_rc seq
expect_eq "reader on a missing registry: exit 5" "$rc" "5"
expect_match "reader on a missing registry: says so" "$err" "does not exist"
if [ -e "$REG" ]; then not_ok "reader did not create the file"; else ok "reader did not create the file"; fi

# ---- the schema
ctl orgs list >/dev/null
expect_eq "schema version is PRAGMA user_version 6" "$(sql 'PRAGMA user_version')" "6"
expect_eq "application_id marks a sixpn registry" "$(printf '%x' "$(sql 'PRAGMA application_id')")" "36706e00"
expect_eq "journal mode is WAL" "$(sql 'PRAGMA journal_mode')" "wal"
expect_eq "fresh registry: change seq 0" "$(rd seq)" "0"

# ---- every change is logged, in order
K=$(wgkey)
ctl orgs create acme >/dev/null
ctl apps create web --org acme >/dev/null
ctl hosts add a7b:174 --region ord >/dev/null
ctl hosts add d6b:1 --region ams --peers-endpoint 192.0.2.1:51821 --peers-public-key "$K" >/dev/null
MID=$(ctl machines create --app web --host a7b:174 --json | jget 'd["id"]')
APPID=$(ctl apps list --org acme --json | jget 'd["apps"][0]["id"]')
NETID=$(ctl networks list --org acme --json | jget 'd["networks"][0]["id"]')
ctl wireguard create acme ams laptop "$TMP/laptop.conf" >/dev/null 2>&1
S1=$(rd seq)
expect_eq "change log after the creates" "$(rd changes 0)" "1 orgs 1 insert
2 networks $NETID insert
3 apps $APPID insert
4 hosts $((0x0a7b0174)) insert
5 hosts $((0x0d6b0001)) insert
6 machines $MID insert
7 peers 1 insert"
expect_eq "sqlite3 sees the same rows in the changes table" "$(sql "SELECT seq || ' ' || tbl || ' ' || op FROM changes WHERE seq = 6")" "6 machines insert"
expect_eq "the allocation cursor is not news: no host update logged" "$(sql "SELECT count(*) FROM changes WHERE tbl = 'hosts' AND op = 'update'")" "0"

# a failed write logs nothing (the log is in the same transaction)
ctl apps create web --org acme >/dev/null 2>&1 || true
ctl machines create --app web --host 9:9 >/dev/null 2>&1 || true
ctl wireguard create acme syd nogw >/dev/null 2>&1 || true
expect_eq "failed writes add no change" "$(rd seq)" "$S1"

# the reader sees the rows the log names
expect_match "get machines KEY finds the machine" "$(rd get machines "$MID")" "^machine $MID web acme $NETID a7b:174 1 ord - fdaa:0:[0-9a-f]+:a7b:174:0:1:0/112 fdaa:0:[0-9a-f]+:a7b:174:0:1:2$"
expect_match "get peers 1 finds the peer with its /120" "$(rd get peers 1)" "^peer 1 laptop acme $NETID d6b:1 [0-9]+ 0 [A-Za-z0-9+/]{43}= fdaa:[0-9a-f:]+:0/120 fdaa:[0-9a-f:]+:2$"
expect_eq "get hosts KEY finds the gateway" "$(rd get hosts $((0x0d6b0001)))" "host d6b:1 ams - - 192.0.2.1:51821 $K"
expect_match "get apps KEY" "$(rd get apps "$APPID")" "^app $APPID web acme $NETID default 1$"
expect_match "get networks KEY" "$(rd get networks "$NETID")" "^network $NETID acme default$"
PUB=$(ctl wireguard list acme --json | jget 'd["peers"][0]["public_key"]')
expect_eq "the reader's peer key is the one sixpnctl recorded" "$(rd get peers 1 | cut -d' ' -f9)" "$PUB"
expect_eq "dump lists the machine as machines list does" \
	"$(rd dump | grep '^machine' | awk '{print $NF}')" "$(ctl machines list --json | jget 'd["machines"][0]["address"]')"

# deltas since a seq
ctl machines destroy "$MID" >/dev/null
ctl wireguard remove acme laptop >/dev/null
ctl apps destroy web >/dev/null
expect_eq "changes since the last seen seq: only the new ones" "$(rd changes "$S1")" "$((S1 + 1)) machines $MID delete
$((S1 + 2)) peers 1 delete
$((S1 + 3)) apps $APPID delete"
rd_rc get machines "$MID"
expect_eq "a deleted machine's key: exit 3 (not found)" "$rc" "3"
expect_eq "seqs are strictly increasing" "$(sql "SELECT count(*) FROM changes a JOIN changes b ON b.seq = a.seq + 1 WHERE b.at < a.at")|$(rd changes 0 | awk 'NR > 1 && $1 <= prev {bad++} {prev = $1} END {print bad + 0}')" "0|0"
# AUTOINCREMENT: a seq is never reused, even if the log is pruned
sql "DELETE FROM changes"
ctl orgs create other >/dev/null
expect_eq "after pruning, the next seq continues" "$(rd seq)" "$((S1 + 4))"

# while another process holds the write lock: readers see the last commit
# at once, writers wait for the lock (busy timeout) instead of failing
S2=$(rd seq)
mkfifo "$TMP/fifo"
sqlite3 "$REG" <"$TMP/fifo" >/dev/null 2>&1 &
SPID=$!
add_cleanup "kill $SPID"
exec 9>"$TMP/fifo"
echo "BEGIN IMMEDIATE; INSERT INTO orgs (name, created_at) VALUES ('locker', 0);" >&9
locked=no
for i in $(seq 50); do  # until the lock is held
	[[ $(sqlite3 "$REG" "BEGIN IMMEDIATE; ROLLBACK;" 2>&1) == *locked* ]] && { locked=yes; break; }
	sleep 0.1
done
expect_eq "another process holds the write lock" "$locked" "yes"
rc=0; out=$(timeout 3 "$READER" "$REG" seq) || rc=$?
expect_eq "a reader is not blocked by a writer and sees the last commit" "$rc $out" "0 $S2"
ctl orgs create waiter >/dev/null 2>"$TMP/waiter.err" &
WPID=$!
sleep 0.7
if kill -0 "$WPID" 2>/dev/null; then ok "a second writer waits for the lock"; else not_ok "a second writer waits for the lock" "$(cat "$TMP/waiter.err")"; fi
echo "COMMIT;" >&9
exec 9>&-
wait "$SPID" || true
rc=0; wait "$WPID" || rc=$?
expect_eq "... and succeeds once the lock is free" "$rc" "0"
expect_eq "both writes are in the log, the locker's first" "$(rd changes "$S2" | cut -d' ' -f2,3,4)" "orgs $(sql "SELECT id FROM orgs WHERE name='locker'") insert
orgs $(sql "SELECT id FROM orgs WHERE name='waiter'") insert"

# ---- schema version: a newer registry is refused, clearly
sql "PRAGMA user_version = 7"
expect_fail "sixpnctl refuses a newer schema with exit 5" 5 "schema version 7, newer than this build understands \\(6\\)" orgs list
rd_rc seq
expect_eq "the reader refuses a newer schema with exit 5" "$rc" "5"
expect_match "the reader's message names both versions" "$err" "schema version 7, newer than this build understands \\(6\\)"
expect_eq "the refused registry was not touched" "$(sql 'PRAGMA user_version')" "7"
sql "PRAGMA user_version = 6"
expect_ok "back at version 6 it works again" orgs list

# a SQLite file that is not a registry
sqlite3 "$TMP/other.db" "CREATE TABLE t (x); PRAGMA application_id = 1234;"
expect_fail "a foreign SQLite file is refused with exit 5" 5 "is not a sixpn registry" --registry "$TMP/other.db" orgs list
sqlite3 "$TMP/plain.db" "CREATE TABLE t (x);"
expect_fail "tables but no schema version: exit 5" 5 "is not a sixpn registry" --registry "$TMP/plain.db" orgs list
expect_eq "the foreign file is left alone" "$(sqlite3 "$TMP/plain.db" 'SELECT count(*) FROM sqlite_master')" "1"

finish
