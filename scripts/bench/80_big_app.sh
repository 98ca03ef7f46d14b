#!/usr/bin/env bash
# Benchmark 7, big app: does a names delta cost the change or the app? One
# host (scripts/testbed, the SQLite registry, a real sixpnd, one instance
# asking fdaa::3), and a second host in the registry with no sixpnd, where
# the new machines go (nothing to plumb: only their names). The app bgbig
# holds $BIG machines before sixpnd starts (written with SQL, through the
# change-log triggers, then read by sixpnd's full pass); then, in turns,
# a batch of creates into a fresh empty app (bgempty{c,q}<b>, the baseline)
# and a batch into bgbig, $per_batch each (4 x 250: 1,000 creates into
# each), for each of two writers: `sixpnctl machines create`, and SQL with
# one transaction per create (the same rows and triggers, ten times as many
# commits a second). In a batch the writer creates back to back, never
# waiting for DNS (scripts/bench/big_app.py), while the instance asks each
# new <machine>.vm.<app>.internal in commit order until it answers:
#
#   - commit -> answer p50 and p99 per batch, median of the batches: the
#     big app's against the empty app's (target p99 <= 2x);
#   - creates answered per second (first create -> last name answering)
#     against creates committed per second (first create -> last commit),
#     in the same batch: the names keep up when the ratio is ~1.
#
# Appends records to $BENCH_RECORDS.
set -uo pipefail
. "$SIXPN_ROOT/scripts/bench/lib.sh"

P=${BENCH_PREFIX:-sxb}a
TB="$SIXPN_ROOT/scripts/testbed"
TMP=$(mktemp -d)
STATE=$TMP/testbed
BIG=4000 batches=4 per_batch=250
if [ "${BENCH_QUICK:-0}" = 1 ]; then BIG=400 batches=2 per_batch=10; fi
OTHER=a7b:174

cleanup() {
	"$TB" down --state "$STATE" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

{
	echo "prefix $P"
	echo "host h1 a7b:d6b ams"
	echo "org bgorg"
	echo "app bgclient bgorg"
	echo "app bgbig bgorg"
	for b in $(seq "$batches"); do echo "app bgemptyc$b bgorg"; echo "app bgemptyq$b bgorg"; done
	echo "machine client bgclient h1"
} >"$TMP/big.tb"
"$TB" up "$TMP/big.tb" --state "$STATE" >"$TMP/up.log" 2>&1 ||
	{ cat "$TMP/up.log" >&2; fail "testbed up failed"; }
"$TB" --state "$STATE" ctl hosts add "$OTHER" --region ord >/dev/null ||
	fail "cannot add host $OTHER"

# bgbig's machines, with sixpnd stopped: its full pass reads them at start
# (deltas of $BIG creates are what is measured below, not the setup).
"$TB" --state "$STATE" sixpnd stop h1
/usr/bin/python3 - "$STATE/registry.db" "$BIG" <<'PY' || fail "cannot write bgbig's machines"
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
n = int(sys.argv[2])
db.execute("PRAGMA busy_timeout = 5000")
db.execute("BEGIN IMMEDIATE")
host, nxt = db.execute("SELECT id, next_instance FROM hosts WHERE region = 'ord'").fetchone()
app = db.execute("SELECT id FROM apps WHERE name = 'bgbig'").fetchone()[0]
now = int(time.time())
db.executemany("INSERT INTO instances (host_id, instance_id, kind) VALUES (?, ?, 'machine')",
               ((host, nxt + i) for i in range(n)))
db.executemany("INSERT INTO machines (id, app_id, host_id, instance_id, region, created_at)"
               " VALUES (?, ?, ?, ?, 'ord', ?)",
               (("b%013x" % i, app, host, nxt + i, now) for i in range(n)))
db.execute("UPDATE hosts SET next_instance = ? WHERE id = ?", (nxt + n, host))
db.execute("COMMIT")
PY
"$TB" --state "$STATE" sixpnd start h1

# The instance asks fdaa::3 once sixpnd is through its full pass.
last=$(printf 'b%013x.vm.bgbig.internal' $((BIG - 1)))
wait_aaaa "$P-client" "$last" 300 || fail "the instance gets no answer for $last from fdaa::3"

for w in sixpnctl sql; do
	letter=c
	[ "$w" = sql ] && letter=q
	for b in $(seq "$batches"); do
		for app in "bgempty$letter$b" bgbig; do
			out=$TMP/$w.empty.$b
			[ "$app" = bgbig ] && out=$TMP/$w.big.$b
			in_ns "$P-client" /usr/bin/python3 "$SIXPN_ROOT/scripts/bench/big_app.py" \
				--sixpnctl "$BUILD/sixpnctl" --registry "$STATE/registry.db" --host "$OTHER" \
				--app "$app" --count "$per_batch" --writer "$w" >"$out" ||
				fail "batch $b into $app ($w) failed"
			log "$w, batch $b into $app: $(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
f = sorted(r["fresh_ms"]) or [0]
print("commit span %.2f s, answer span %.2f s, answer p50 %.1f ms, max %.1f ms, %d failed" % (
    r["commit_span_s"], r["answer_span_s"], f[len(f) // 2], f[-1], r["failed"]))' "$out")"
		done
	done
done

/usr/bin/python3 - "$TMP" "$batches" "$per_batch" "$BIG" >>"$BENCH_RECORDS" <<'PY' ||
import json, sys
tmp, batches, per, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
writers = {"sixpnctl": "sixpnctl machines create", "sql": "SQL, a transaction each"}
rs = {(w, kind): [json.load(open("%s/%s.%s.%d" % (tmp, w, kind, b))) for b in range(1, batches + 1)]
      for w in writers for kind in ("empty", "big")}
failed = sum(r["failed"] for v in rs.values() for r in v)
if failed:
    sys.exit("big_app: %d names never answered" % failed)

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]

n = batches * per
label = {"empty": "an empty app", "big": "an app of %d machines" % big}

def case(w, kind, what):
    return "%d creates (%s) into %s: %s" % (n, writers[w], label[kind], what)

def rec(c, unit, better, samples, baseline=None):
    r = {"bench": "big_app", "case": c, "unit": unit, "better": better, "creates": n,
         "samples": samples}
    if baseline:
        r["baseline"] = baseline
    else:
        r["is_baseline"] = True
    print(json.dumps(r))

for w in writers:
    for p, pl in ((0.5, "p50"), (0.99, "p99")):
        what = "commit -> <machine>.vm.<app> answers AAAA, %s" % pl
        rec(case(w, "empty", what), "ms", "lower", [pct(r["fresh_ms"], p) for r in rs[w, "empty"]])
        rec(case(w, "big", what), "ms", "lower", [pct(r["fresh_ms"], p) for r in rs[w, "big"]],
            case(w, "empty", what))
    for kind in ("empty", "big"):
        base = case(w, kind, "creates committed per second")
        rec(base, "1/s", "higher", [round(per / r["commit_span_s"], 2) for r in rs[w, kind]])
        rec(case(w, kind, "creates answering per second"), "1/s", "higher",
            [round(per / r["answer_span_s"], 2) for r in rs[w, kind]], base)
PY
	fail "the records could not be written"
