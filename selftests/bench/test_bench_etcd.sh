#!/usr/bin/env bash
# timeout: 600
# The etcd section of `make bench` (scripts/bench/60_etcd.sh) in --quick
# mode: a real 3-member etcd, two sixpnd --etcd, a few creates. Checks that
# it runs, cleans up, and gives sane figures (positive, p99 >= p50, a ratio
# for every figure against a baseline of the same run), never how fast.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
command -v etcd >/dev/null || { not_ok "etcd is installed (etcd-server)"; finish; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

BENCH_PREFIX=ewq "$SIXPN_ROOT/scripts/bench.sh" --quick --only etcd --out "$TMP/results.json" \
	>"$TMP/table" 2>"$TMP/log"
rc=$?
check_eq "bench.sh --quick --only etcd exits 0" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/log"
check "results.json is JSON and says ok" /usr/bin/python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["ok"] is True' "$TMP/results.json"
sane() {  # sane DESCRIPTION PYTHON: PYTHON asserts on rs (the etcd records) and by (case -> record)
	check "$1" /usr/bin/python3 -c "
import json, sys
rs = [x for x in json.load(open(sys.argv[1]))['results'] if x['bench'] == 'etcd']
by = {x['case']: x for x in rs}
def one(*words):
    m = [x for c, x in by.items() if all(w in c for w in words)]
    assert len(m) == 1, (words, list(by))
    return m[0]
$2" "$TMP/results.json"
}
sane "the section reports its 8 figures, none an error" '
assert len(rs) == 8 and not any("error" in x for x in rs), rs'
sane "every figure is positive and has a ratio to a baseline of the section" '
for x in rs:
    assert x["min"] > 0, x
    assert x.get("is_baseline") or (x["baseline"] in by and x["ratio"] > 0), x'
sane "freshness: p99 >= p50, for the commit and for the answer on the other host" '
for w in ("exec to exit", "answers AAAA"):
    assert one(w, "p99")["median"] >= one(w, "p50")["median"]'
sane "freshness: the answer on host 2 is checked on every create (creates counted)" '
assert one("answers AAAA", "p50")["creates"] == 20'
sane "writes: creates/s through etcd and on the SQLite file" '
assert one("--etcd machines create", "etcd members")["unit"] == "creates/s"
assert one("one SQLite file")["is_baseline"]'
sane "cold: sixpnd --once from etcd and from the file, in seconds" '
assert one("--once --etcd")["unit"] == one("local file")["unit"] == "s"'
check "the table was printed" grep -q "x baseline" "$TMP/table"
check_eq "no namespace of the section is left" "$(ip netns list | grep -c '^ewqe-')" 0
check_eq "no pin of the section is left" "$(ls -d /sys/fs/bpf/sixpn-bench-ewqe-* 2>/dev/null | wc -l)" 0
finish
