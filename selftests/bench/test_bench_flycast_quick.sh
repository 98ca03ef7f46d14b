#!/usr/bin/env bash
# timeout: 120
# The Flycast bench section (scripts/bench/70_flycast.sh) in --quick mode:
# it runs, both paths carry traffic (the Flycast runs translated: the
# section checks PASS_FC_FORWARD moved), every record is well formed with
# its ratio to the direct baseline, and nothing is left behind. The
# figures of a quick run mean nothing and are not checked.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

BENCH_PREFIX=sxr "$SIXPN_ROOT/scripts/bench.sh" --quick --only flycast --out "$TMP/results.json" \
	>"$TMP/table" 2>"$TMP/log"
rc=$?
check_eq "bench.sh --quick --only flycast exits 0" "$rc" 0
check_fails "... and the section did not fail" grep -q "flycast FAILED" "$TMP/log"
grep -q "flycast FAILED" "$TMP/log" && sed 's/^/# /' "$TMP/log"
check "four figures: throughput and connections/s, direct and through Flycast, each with its ratio" \
	/usr/bin/python3 -c '
import json, sys
rs = [x for x in json.load(open(sys.argv[1]))["results"] if x["bench"] == "flycast"]
assert len(rs) == 4, rs
base = {x["case"] for x in rs if x.get("is_baseline")}
assert len(base) == 2, base
for x in rs:
    assert x["median"] > 0 and x["unit"] in ("Gbit/s", "conn/s"), x
    if not x.get("is_baseline"):
        assert x["baseline"] in base and x["ratio"] > 0 and "Flycast" in x["case"], x' "$TMP/results.json"
check_eq "no namespace of the section is left" "$(ip netns list | grep -c '^sxry-')" 0
check_eq "no pin of the section is left" "$(ls -d /sys/fs/bpf/sixpn-sxry-* 2>/dev/null | wc -l)" 0
finish
