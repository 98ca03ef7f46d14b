#!/usr/bin/env bash
# timeout: 300
# The big_app section of `make bench` (scripts/bench/80_big_app.sh) in
# --quick mode: it runs, every create answers at fdaa::3, it writes both
# apps' figures with their ratios, and it leaves nothing behind. The
# figures of a quick run mean nothing and are not checked.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

BENCH_PREFIX=sxr "$SIXPN_ROOT/scripts/bench.sh" --quick --only big_app --out "$TMP/results.json" \
	>"$TMP/table" 2>"$TMP/log"
rc=$?
check_eq "bench.sh --quick --only big_app exits 0" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/log"
check "results say ok" /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] is True, r' "$TMP/results.json"
check "the section names no error" /usr/bin/python3 -c '
import json, sys
assert not [x for x in json.load(open(sys.argv[1]))["results"] if "error" in x]' "$TMP/results.json"
check "for both writers: p50 and p99 of the big app against the empty app's, answers against commits" /usr/bin/python3 -c '
import json, sys
rs = [x for x in json.load(open(sys.argv[1]))["results"] if x["bench"] == "big_app"]
for w in ("(sixpnctl machines create)", "(SQL, a transaction each)"):
    cases = {x["case"]: x for x in rs if w in x["case"]}
    for p in ("p50", "p99"):
        big = [x for c, x in cases.items() if "app of 400 machines" in c and c.endswith(p)]
        assert len(big) == 1 and "empty app" in big[0]["baseline"] and big[0]["ratio"] > 0, big
        assert big[0]["runs"] == 2, big
    for app in ("an empty app", "an app of 400 machines"):
        ans = [x for c, x in cases.items() if app in c and "answering per second" in c]
        assert len(ans) == 1 and "committed per second" in ans[0]["baseline"], ans
        assert ans[0]["ratio"] > 0, ans' "$TMP/results.json"
check "every batch was logged with no name left unanswered" \
	test "$(grep -c 'big_app: .*, batch .*, 0 failed$' "$TMP/log")" -eq 8
check_eq "no namespace of the section is left" "$(ip netns list | grep -c '^sxra-')" 0
check_eq "no pin of the section is left" "$(ls -d /sys/fs/bpf/sixpn-sxra-* 2>/dev/null | wc -l)" 0
finish
