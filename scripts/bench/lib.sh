# shellcheck shell=bash
# What the benchmark sections share (sourced by scripts/bench/NN_<name>.sh):
# the namespace helpers, how a section logs and gives up, the wait for a
# name at fdaa::3 and the freshness records. BENCH is the section's name as
# bench.sh derives it from the file name.
. "$SIXPN_ROOT/selftests/lib/netns.sh"

BENCH=$(basename "$0" .sh)
BENCH=${BENCH#*_}

log() { echo "$BENCH: $*" >&2; }
# fail MESSAGE: logs it, records it as the section's error and exits 1.
fail() {
	log "$*"
	printf '{"bench":"%s","error":"%s"}\n' "$BENCH" "$*" >>"$BENCH_RECORDS"
	exit 1
}

# wait_aaaa NS NAME TRIES: until NAME answers AAAA at fdaa::3, asked from
# namespace NS every 0.1 s, TRIES times at most (each ask waits up to 1 s);
# returns 1 if it never did.
wait_aaaa() {
	local _
	for _ in $(seq "$3"); do
		in_ns "$1" kdig @fdaa::3 "$2" AAAA +short +time=1 +retry=0 2>/dev/null |
			grep -q fdaa && return 0
		sleep 0.1
	done
	in_ns "$1" kdig @fdaa::3 "$2" AAAA +short +time=1 +retry=0 2>/dev/null | grep -q fdaa
}

# fresh_records DIR BATCHES PER BASE FRESH: the records of a freshness run,
# DIR/batch.1 .. DIR/batch.BATCHES each the JSON of PER creates that
# freshness.py or etcd_fresh.py printed (dns_probe.fresh_after_creates()):
# per percentile (", p50" and ", p99" end both cases) BASE, the create's own
# time, as the baseline of FRESH, commit to answer; each figure one sample a
# batch. Fails the section when a name never answered.
fresh_records() {
	/usr/bin/python3 - "$BENCH" "$@" >>"$BENCH_RECORDS" <<'PY' || fail "machines did not answer"
import json, sys
bench, tmp, batches, per, base_case, fresh_case = sys.argv[1:7]
batches, per = int(batches), int(per)
rs = [json.load(open("%s/batch.%d" % (tmp, b))) for b in range(1, batches + 1)]
failed = sum(r["failed"] for r in rs)
if failed:
    sys.exit("%s: %d of %d names never answered" % (bench, failed, batches * per))

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]

for p, label in ((0.5, "p50"), (0.99, "p99")):
    base = "%s, %s" % (base_case, label)
    for case, key, role in ((base, "commit_ms", {"is_baseline": True}),
                            ("%s, %s" % (fresh_case, label), "fresh_ms", {"baseline": base})):
        print(json.dumps(dict({"bench": bench, "case": case, "unit": "ms", "better": "lower",
                               "creates": batches * per,
                               "samples": [pct(r[key], p) for r in rs]}, **role)))
PY
}
