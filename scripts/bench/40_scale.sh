#!/usr/bin/env bash
# Benchmark 4, scale: a registry of $BENCH_SCALE machines (default
# 1,000,000) across a tenth as many apps and a hundredth as many networks
# (1M / 100k / 10k), written with SQL (scripts/bench/gen_registry.py), and
# the same fleet shape at 1,000 machines (100 apps, 10 networks) as the
# baseline. For each, measured from cold (fresh pins, new process):
#
#   - the time of `sixpnd --once` on a host that owns none of the machines:
#     load the datapath, read the registry, publish every name of the fleet
#     into the names map (~2.6 names per machine), exit;
#   - the kernel memory of sixpnd's maps (bpftool's bytes_memlock, summed
#     over the pin directory; the fixed-size ones, the events ring and the
#     per-CPU stats, are most of it in a small fleet), and the names map's
#     per machine;
#   - the XDP fast path's answer time on the filled names map
#     (scripts/bench/xdp_answer.c, BPF_PROG_TEST_RUN): AAAA of
#     <machine>.vm.<app>.internal and NXDOMAIN under vm.<app>.internal.
#     BPF_PROG_TEST_RUN asks the same name every repetition, so the entry is
#     in cache: this is the hash lookup at size, not a cache-miss study.
#
# Runs of the two sizes alternate. Appends records to $BENCH_RECORDS.
set -uo pipefail
. "$SIXPN_ROOT/scripts/bench/lib.sh"

P=${BENCH_PREFIX:-sxb}
MY_HOST=a7b:d6b
BIG=${BENCH_SCALE:-1000000}
SMALL=1000
runs=3 repeat=1000000
if [ "${BENCH_QUICK:-0}" = 1 ]; then BIG=${BENCH_SCALE:-10000} runs=1 repeat=10000; fi

TMP=$(mktemp -d)
ns() { echo "$P-s$1"; }
pin() { echo "/sys/fs/bpf/sixpn-bench-$P-s$1"; }

unpin() {
	local which=$1
	if [ -e "/run/netns/$(ns "$which")" ]; then
		in_ns "$(ns "$which")" "$BUILD/sixpnd" --detach --pin-dir "$(pin "$which")" \
			--dns-dev "${P}s$which" >/dev/null 2>&1
	fi
	rm -rf "$(pin "$which")"
}
cleanup() {
	unpin small
	unpin big
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

# machines apps networks -> registry $TMP/<which>.db
make_registry() {
	local which=$1 m=$2 out
	out=$(/usr/bin/python3 "$SIXPN_ROOT/scripts/bench/gen_registry.py" "$TMP/$which.db" \
		--sixpnctl "$BUILD/sixpnctl" --machines "$m" --apps $((m / 10)) --networks $((m / 100))) ||
		return 1
	log "$which registry: $out"
}

# cold_sync WHICH MACHINES: appends the seconds of one `sixpnd --once` from
# cold to $TMP/WHICH.sync; leaves the maps pinned.
cold_sync() {
	local which=$1 m=$2 t0 t1
	unpin "$which"
	t0=$(date +%s.%N)
	in_ns "$(ns "$which")" "$BUILD/sixpnd" --registry "$TMP/$which.db" --host "$MY_HOST" \
		--pin-dir "$(pin "$which")" --dns-dev "${P}s$which" --names-max $((m * 3 + 1000)) \
		--once >"$TMP/$which.log" 2>&1 || { cat "$TMP/$which.log" >&2; return 1; }
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' >>"$TMP/$which.sync"
	grep -o 'names=[0-9]*' "$TMP/$which.log" | tail -1 | cut -d= -f2 >"$TMP/$which.names"
	log "$which: cold sync $(tail -1 "$TMP/$which.sync") s, $(cat "$TMP/$which.names") names"
}

# memlock WHICH [MAP]: bytes of kernel memory of MAP, or of every map
# pinned by sixpnd.
memlock() {
	local f total=0 b
	for f in "$(pin "$1")"/${2:-*}; do
		b=$(bpftool -j map show pinned "$f" 2>/dev/null |
			/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("bytes_memlock", 0))' 2>/dev/null) ||
			continue
		total=$((total + b))
	done
	echo "$total"
}

ns_add "$(ns small)"
ns_add "$(ns big)"
make_registry small $SMALL || fail "cannot write the small registry"
make_registry big "$BIG" || fail "cannot write the registry of $BIG machines"

for r in $(seq "$runs"); do
	cold_sync small $SMALL || fail "sixpnd --once failed on $SMALL machines"
	cold_sync big "$BIG" || fail "sixpnd --once failed on $BIG machines"
done
mem_small=$(memlock small) mem_big=$(memlock big)
names_small=$(memlock small dns_names) names_big=$(memlock big dns_names)
[ "$names_small" -gt 0 ] && [ "$mem_big" -gt "$mem_small" ] || fail "bpftool reports no memlock"
log "maps: $mem_small bytes at $SMALL machines, $mem_big at $BIG (names map: $names_small, $names_big)"

# Machine 1 is of app a0 on network 1 in both registries.
answer=$("$BUILD/bench/xdp_answer" --runs 7 --repeat "$repeat" --net 1 \
	--name 00000000000001.vm.a0.internal "$(pin small)" "$(pin big)") ||
	fail "xdp_answer failed (AAAA)"
nx=$("$BUILD/bench/xdp_answer" --runs 7 --repeat "$repeat" --net 1 --nxdomain \
	--name nope.vm.a0.internal "$(pin small)" "$(pin big)") ||
	fail "xdp_answer failed (NXDOMAIN)"

join() { paste -sd, "$1"; }
nsmall=$(cat "$TMP/small.names") nbig=$(cat "$TMP/big.names")
commas() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
fleet() { echo "$(commas "$1") machines, $(commas $(($1 / 10))) apps, $(commas $(($1 / 100))) networks"; }
S=$(fleet $SMALL) B=$(fleet "$BIG")
cat >>"$BENCH_RECORDS" <<JSON
{"bench":"scale","case":"sixpnd --once from cold, $S ($nsmall names)","unit":"s","better":"lower","is_baseline":true,"samples":[$(join "$TMP/small.sync")]}
{"bench":"scale","case":"sixpnd --once from cold, $B ($nbig names)","unit":"s","better":"lower","baseline":"sixpnd --once from cold, $S ($nsmall names)","samples":[$(join "$TMP/big.sync")]}
{"bench":"scale","case":"kernel memory of all maps, $S","unit":"MB","better":"lower","is_baseline":true,"bytes":$mem_small,"samples":[$(awk -v b="$mem_small" 'BEGIN { printf "%.3f", b / 1e6 }')]}
{"bench":"scale","case":"kernel memory of all maps, $B","unit":"MB","better":"lower","baseline":"kernel memory of all maps, $S","bytes":$mem_big,"samples":[$(awk -v b="$mem_big" 'BEGIN { printf "%.3f", b / 1e6 }')]}
{"bench":"scale","case":"names map memory per machine, $S","unit":"B","better":"lower","is_baseline":true,"bytes":$names_small,"samples":[$((names_small / SMALL))]}
{"bench":"scale","case":"names map memory per machine, $B","unit":"B","better":"lower","baseline":"names map memory per machine, $S","bytes":$names_big,"samples":[$((names_big / BIG))]}
{"bench":"scale","case":"XDP answer, AAAA <machine>.vm.<app>, names map of $S","unit":"ns/pkt","better":"lower","is_baseline":true,"repeat":$repeat,"samples":[$(sed -n 1p <<<"$answer")]}
{"bench":"scale","case":"XDP answer, AAAA <machine>.vm.<app>, names map of $B","unit":"ns/pkt","better":"lower","baseline":"XDP answer, AAAA <machine>.vm.<app>, names map of $S","repeat":$repeat,"samples":[$(sed -n 2p <<<"$answer")]}
{"bench":"scale","case":"XDP answer, NXDOMAIN under vm.<app>, names map of $S","unit":"ns/pkt","better":"lower","is_baseline":true,"repeat":$repeat,"samples":[$(sed -n 1p <<<"$nx")]}
{"bench":"scale","case":"XDP answer, NXDOMAIN under vm.<app>, names map of $B","unit":"ns/pkt","better":"lower","baseline":"XDP answer, NXDOMAIN under vm.<app>, names map of $S","repeat":$repeat,"samples":[$(sed -n 2p <<<"$nx")]}
JSON
