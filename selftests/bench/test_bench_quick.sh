#!/usr/bin/env bash
# Keeps `make bench` from rotting: runs the harness in --quick mode and checks
# only that it runs and writes well-formed results. The figures of a quick
# run mean nothing and are not checked.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

BENCH_PREFIX=sxq "$SIXPN_ROOT/scripts/bench.sh" --quick --out "$TMP/results.json" \
	>"$TMP/table" 2>"$TMP/log"
rc=$?
check_eq "bench.sh --quick exits 0" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/log"
check "results.json is JSON" /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/results.json"
check "results.json says ok, with host metadata" /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] is True and r["meta"]["quick"] == "1" and int(r["meta"]["cpus"]) >= 1
assert r["meta"]["kernel"]' "$TMP/results.json"
check "every record has median, min, max, unit and runs" /usr/bin/python3 -c '
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
assert rs
for x in rs:
    assert isinstance(x["median"], (int, float)) and x["min"] <= x["median"] <= x["max"], x
    assert x["unit"] and x["runs"] == len(x["samples"]) >= 1, x' "$TMP/results.json"
check "every figure that is not a baseline has a ratio to one of its section" /usr/bin/python3 -c '
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
base = {(x["bench"], x["case"]) for x in rs if x.get("is_baseline")}
for x in rs:
    if not x.get("is_baseline"):
        assert (x["bench"], x["baseline"]) in base and x["ratio"] > 0, x' "$TMP/results.json"
for b in program_cost dns_e2e mesh_throughput scale freshness; do
	check "section $b reported" /usr/bin/python3 -c '
import json, sys
assert any(x["bench"] == sys.argv[2] for x in json.load(open(sys.argv[1]))["results"])' "$TMP/results.json" "$b"
done
check "the table was printed" grep -q "x baseline" "$TMP/table"
check_eq "no namespace of the bench is left" "$(ip netns list | grep -c '^sxqf\{0,1\}-')" 0
check_eq "no pin of the bench is left" "$(ls -d /sys/fs/bpf/sixpn-bench-sxq-* /sys/fs/bpf/sixpn-sxqf-* 2>/dev/null | wc -l)" 0
finish
