#!/usr/bin/env bash
# Benchmark 5, freshness: a running testbed (scripts/testbed: two hosts
# over the wireguard-go mesh, sixpnd on each, one instance on host 1), then
# 1,000 `sixpnctl machines create` on host 2, round-robin over 10 apps of
# the instance's network, one after the other. For each, the time from
# sixpnctl's exit (the commit) to <machine_id>.vm.<app>.internal answering
# AAAA at fdaa::3, asked from the instance every 0.2 ms (the resolution)
# (scripts/bench/freshness.py); the baseline is the time sixpnctl itself
# took (exec to exit). p50 and p99 per batch of 250 creates, median of the
# batches. Appends records to $BENCH_RECORDS.
set -uo pipefail
. "$SIXPN_ROOT/scripts/bench/lib.sh"

P=${BENCH_PREFIX:-sxb}f
TB="$SIXPN_ROOT/scripts/testbed"
TMP=$(mktemp -d)
STATE=$TMP/testbed
batches=4 per_batch=250
if [ "${BENCH_QUICK:-0}" = 1 ]; then batches=2 per_batch=10; fi

cleanup() {
	"$TB" down --state "$STATE" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

apps=$(seq -f "fr%g" 0 9 | paste -sd,)
{
	echo "prefix $P"
	echo "host h1 a7b:d6b ams"
	echo "host h2 a7b:174 ord"
	echo "org fresh"
	echo "app frclient fresh"
	tr , '\n' <<<"$apps" | sed 's/^/app /; s/$/ fresh/'
	echo "machine client frclient h1"
} >"$TMP/fresh.tb"
"$TB" up "$TMP/fresh.tb" --state "$STATE" >"$TMP/up.log" 2>&1 ||
	{ cat "$TMP/up.log" >&2; fail "testbed up failed"; }

# The instance asks fdaa::3 once sixpnd has attached it.
wait_aaaa "$P-client" frclient.internal 100 || fail "the instance gets no answer from fdaa::3"

for b in $(seq "$batches"); do
	in_ns "$P-client" /usr/bin/python3 "$SIXPN_ROOT/scripts/bench/freshness.py" \
		--sixpnctl "$BUILD/sixpnctl" --registry "$STATE/registry.db" --host a7b:174 \
		--apps "$apps" --count "$per_batch" >"$TMP/batch.$b" ||
		fail "batch $b failed"
done

fresh_records "$TMP" "$batches" "$per_batch" \
	"sixpnctl machines create, exec to exit (the commit)" \
	"commit -> <machine>.vm.<app>.internal answers AAAA at fdaa::3"
