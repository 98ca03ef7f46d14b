#!/usr/bin/env bash
# Benchmark 6, the registry on etcd (docs/registry.md "ON ETCD"): a real
# 3-member etcd cluster (Debian's etcd-server), each member in a namespace
# of its own on one bridge, two host namespaces beside them, each running
# `sixpnd --etcd` (its --registry file the local mirror) on a member of
# its own, and an instance namespace on host 2.
#
#   freshness: 1,000 `sixpnctl --etcd machines create` on host 1, one after
#     the other, round-robin over 10 apps of the instance's network; for
#     each, the time from sixpnctl's exit (the commit in etcd) to
#     <machine_id>.vm.<app>.internal answering AAAA on host 2, asked from
#     the instance at fdaa::3 (host 2's XDP fast path / resolver) every
#     0.2 ms (scripts/bench/etcd_fresh.py, dns_probe.py's query loop).
#     Baseline: the time sixpnctl took
#     (exec to exit). p50 and p99 per batch of 250, median of the batches.
#   writes: 8 concurrent writers x 500 creates each (BENCH_ETCD_CREATES):
#     creates/s through etcd (writers spread over both hosts and the three
#     members, each starting from its host's mirror, --etcd-mirror) against
#     the same writers on one SQLite file (the baseline).
#   cold mirror: a registry of 100,000 machines (10,000 apps, 1,000
#     networks, scripts/bench/gen_registry.py): `sixpnd --once --etcd` from
#     an empty mirror (the whole prefix read, the mirror written, every
#     name published) against `sixpnd --once` on the local file (the
#     baseline), each from cold (fresh pins, new process).
#
# Every wait is bounded (the cluster 30 s, each create 200 s, the import
# 30 min, each cold sixpnd 15 min), so the section ends, with an error if
# need be. Appends records to $BENCH_RECORDS.
set -uo pipefail
. "$SIXPN_ROOT/scripts/bench/lib.sh"

P=${BENCH_PREFIX:-sxb}e
NET=10.76.0
# BENCH_ETCD_WRITERS x BENCH_ETCD_CREATES: the writes (8 x 500 by default)
batches=4 per_batch=250 W=${BENCH_ETCD_WRITERS:-8} M=${BENCH_ETCD_CREATES:-500} BIG=100000 cold_runs=3
CREATE_SECS=200   # sixpnctl gives up after 120 s of conflicts, 30 s more to settle
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	batches=2 per_batch=10 W=2 M=10 BIG=2000 cold_runs=1
fi
command -v etcd >/dev/null && command -v etcdctl >/dev/null ||
	fail "etcd and etcdctl are not installed (etcd-server, etcd-client)"

TMP=$(mktemp -d /tmp/sixpn-bench-etcd.XXXXXX)
export ETCDCTL_API=3
PIN1=/sys/fs/bpf/sixpn-bench-$P-h1
PIN2=/sys/fs/bpf/sixpn-bench-$P-h2
PINC=/sys/fs/bpf/sixpn-bench-$P-cold
ETCD_PIDS=()
cleanup() {
	local p
	for p in "${_PIDS[@]}"; do kill "$p" 2>/dev/null; done   # the two sixpnd
	for p in "${_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	sixpnd_gone "$P-h1" "$PIN1"
	sixpnd_gone "$P-h2" "$PIN2"
	sixpnd_gone "$P-c" "$PINC"
	for p in "${ETCD_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${ETCD_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the underlay: a bridge in the hub, members .1-.3, hosts .11-.12 ------
ns_add "$P-hub"
# a fixed MAC, so that no port joining later changes the hub's (scripts/testbed)
ip -n "$P-hub" link add br0 address 02:5e:00:00:00:01 type bridge
ip -n "$P-hub" addr add "$NET.254/24" dev br0   # etcdctl asks from the hub
ip -n "$P-hub" link set br0 up
ip -n "$P-hub" link set lo up
plug() {  # plug NS N: NS gets $NET.N on eth0
	ip -n "$P-hub" link add "p$2" type veth peer name eth0 netns "$1"
	ip -n "$P-hub" link set "p$2" master br0 up
	ip -n "$1" addr add "$NET.$2/24" dev eth0
	ip -n "$1" link set eth0 up
}
for i in 1 2 3; do ns_add "$P-m$i"; plug "$P-m$i" "$i"; done
for i in 1 2; do host_ns "$P-h$i"; plug "$P-h$i" "1$i"; done
CLUSTER="m1=http://$NET.1:2380,m2=http://$NET.2:2380,m3=http://$NET.3:2380"
for i in 1 2 3; do
	nsenter --net="/run/netns/$P-m$i" etcd --name "m$i" --data-dir "$TMP/m$i" \
		--listen-client-urls "http://$NET.$i:2379" --advertise-client-urls "http://$NET.$i:2379" \
		--listen-peer-urls "http://$NET.$i:2380" --initial-advertise-peer-urls "http://$NET.$i:2380" \
		--initial-cluster "$CLUSTER" --initial-cluster-token "$P-$$" \
		--initial-cluster-state new --quota-backend-bytes 4294967296 >"$TMP/m$i.log" 2>&1 &
	ETCD_PIDS+=($!)
done
ALL="http://$NET.1:2379,http://$NET.2:2379,http://$NET.3:2379"
# every wait is bounded: 30 s for the cluster, each etcdctl 1 s to dial
# and 2 s to answer (with no address on the hub's bridge, as this section
# once had, each try waited out etcdctl's defaults: minutes of silence)
healthy=0 until=$(( $(date +%s) + 30 ))
while [ "$(date +%s)" -lt "$until" ]; do
	[ "$(in_ns "$P-hub" etcdctl --endpoints "$ALL" --dial-timeout=1s --command-timeout=2s \
		endpoint health 2>&1 | grep -c 'is healthy')" = 3 ] && { healthy=1; break; }
	sleep 0.2
done
[ "$healthy" = 1 ] || { tail -3 "$TMP"/m*.log >&2; fail "the 3 etcd members did not form a healthy cluster"; }
log "3 etcd members healthy"

# eps N: member N first, the others after (failover)
eps() { echo "http://$NET.$1:2379,http://$NET.$(( $1 % 3 + 1 )):2379,http://$NET.$(( ($1 + 1) % 3 + 1 )):2379"; }
# ctl H M ARGS: sixpnctl --etcd in host namespace H, on member M first
ctl() { local h=$1 m=$2; shift 2; in_ns "$P-h$h" "$BUILD/sixpnctl" --etcd "$(eps "$m")" "$@"; }

# ---- the fleet: host 1 writes, host 2 has the instance that asks ------------
apps=$(seq -f "fr%g" 0 9 | paste -sd,)
{
	ctl 1 1 orgs create fresh &&
	ctl 1 1 hosts add a7b:1 --region ams &&
	ctl 1 1 hosts add a7b:2 --region ord &&
	for a in frclient ${apps//,/ }; do ctl 1 1 apps create "$a" --org fresh || exit 1; done
} >/dev/null || fail "cannot set up the fleet through sixpnctl --etcd"
IFC=${P}i2
J=$(ctl 1 1 --json machines create --app frclient --host a7b:2 --iface "$IFC") ||
	fail "cannot create the instance's machine"
ADDR=$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])' <<<"$J")
ns_add "$P-i2"
veth_instance "$P-h2" "$P-i2" "$IFC" "$ADDR/112" \
	"$(/usr/bin/python3 -c 'import ipaddress,sys; print(ipaddress.ip_interface(sys.argv[1] + "/112").network)' "$ADDR")"
for i in 1 2; do
	bg_in_ns "$P-h$i" "$BUILD/sixpnd" --host "a7b:$i" --etcd "$(eps $(( i + 1 )))" \
		--registry "$TMP/mirror$i.db" --pin-dir "/sys/fs/bpf/sixpn-bench-$P-h$i" \
		>"$TMP/sixpnd$i.log" 2>&1
done
wait_aaaa "$P-i2" frclient.internal 100 ||
	{ tail -5 "$TMP"/sixpnd*.log >&2; fail "the instance on host 2 gets no answer from fdaa::3"; }

# ---- freshness: commit on host 1 -> AAAA on host 2 --------------------------
for b in $(seq "$batches"); do
	in_ns "$P-i2" /usr/bin/python3 "$SIXPN_ROOT/scripts/bench/etcd_fresh.py" \
		--sixpnctl "$BUILD/sixpnctl" --etcd "$(eps 1)" --netns "$P-h1" --host a7b:1 \
		--apps "$apps" --count "$per_batch" >"$TMP/batch.$b" ||
		fail "freshness batch $b failed"
	log "freshness: batch $b of $batches done"
done
log "freshness: $((batches * per_batch)) creates measured"

# ---- writes: W x M concurrent creates, etcd and the SQLite file -------------
FILE=$TMP/file.db
{
	"$BUILD/sixpnctl" --registry "$FILE" orgs create fresh &&
	"$BUILD/sixpnctl" --registry "$FILE" hosts add a7b:1 --region ams &&
	"$BUILD/sixpnctl" --registry "$FILE" hosts add a7b:2 --region ord &&
	"$BUILD/sixpnctl" --registry "$FILE" apps create fr0 --org fresh
} >/dev/null || fail "cannot set up the SQLite file"
# writers STORE: W writers of M creates each, spread over the two host
# namespaces (and for etcd over the three members); prints creates/s
writers() {
	local store=$1 i t0 t1
	rm -f "$TMP"/w.*
	t0=$(date +%s.%N)
	for i in $(seq "$W"); do
		(
			h=$(( i % 2 + 1 )) m=$(( i % 3 + 1 ))
			if [ "$store" = etcd ]; then
				c=("$BUILD/sixpnctl" --etcd "$(eps "$m")" --etcd-mirror "$TMP/mirror$h.db")
			else
				c=("$BUILD/sixpnctl" --registry "$FILE")
			fi
			for _ in $(seq "$M"); do
				timeout "$CREATE_SECS" nsenter --net="/run/netns/$P-h$h" "${c[@]}" \
					machines create --app fr0 --host "a7b:$h" >/dev/null 2>>"$TMP/w.err" &&
					echo >>"$TMP/w.$i"
			done
		) &
	done
	wait
	t1=$(date +%s.%N)
	n=$(cat "$TMP"/w.* 2>/dev/null | wc -l)
	[ "$n" = $((W * M)) ] || { head -3 "$TMP/w.err" >&2; return 1; }
	/usr/bin/python3 -c "import sys; print(round($n / ($t1 - $t0), 2))"
}
rate_file=$(writers file) || fail "not every create on the SQLite file succeeded"
log "writes: $W x $M on the SQLite file: $rate_file creates/s"
rate_etcd=$(writers etcd) || fail "not every create through etcd succeeded"
log "writes: $W x $M through etcd: $rate_etcd creates/s"
got=$(ctl 2 2 machines list --json | /usr/bin/python3 -c '
import json, sys
ms = [m for m in json.load(sys.stdin)["machines"] if m["app"] == "fr0"]
print(len(ms) if len({m["id"] for m in ms}) == len({m["prefix"] for m in ms}) == len(ms) else -1)')
[ "$got" -ge $((W * M)) ] || fail "etcd holds $got distinct machines of fr0, not at least $((W * M))"

# ---- cold mirror: BIG machines from etcd against the local file -------------
gen=$(/usr/bin/python3 "$SIXPN_ROOT/scripts/bench/gen_registry.py" "$TMP/big.db" \
	--sixpnctl "$BUILD/sixpnctl" --machines "$BIG" --apps $((BIG / 10)) --networks $((BIG / 100))) ||
	fail "cannot write the registry of $BIG machines"
log "cold: $gen"
t0=$(date +%s)
timeout 1800 nsenter --net="/run/netns/$P-h1" "$BUILD/sixpnctl" --etcd "$(eps 1)" \
	--etcd-prefix /big/ registry import "$TMP/big.db" >/dev/null ||
	fail "cannot import $BIG machines into etcd"
log "cold: imported into etcd in $(( $(date +%s) - t0 )) s"
host_ns "$P-c"
plug "$P-c" 20
# cold WHICH: appends the seconds of one sixpnd --once from cold (new pins,
# and for etcd an empty mirror) to $TMP/cold.WHICH
cold() {
	local which=$1 t0 t1 src
	sixpnd_gone "$P-c" "$PINC"
	rm -f "$TMP/cold-mirror.db"*
	if [ "$which" = etcd ]; then
		src=(--etcd "$(eps 1)" --etcd-prefix /big/ --registry "$TMP/cold-mirror.db")
	else
		src=(--registry "$TMP/big.db")
	fi
	t0=$(date +%s.%N)
	timeout 900 nsenter --net="/run/netns/$P-c" "$BUILD/sixpnd" "${src[@]}" --host a7b:d6b --pin-dir "$PINC" \
		--dns-dev "${P}c" --names-max $((BIG * 3 + 1000)) --once >"$TMP/cold.log" 2>&1 ||
		{ tail -5 "$TMP/cold.log" >&2; return 1; }
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' >>"$TMP/cold.$which"
	log "cold: sixpnd --once from $which: $(tail -1 "$TMP/cold.$which") s, $(grep -o 'names=[0-9]*' "$TMP/cold.log" | tail -1)"
}
for _ in $(seq "$cold_runs"); do
	cold file || fail "sixpnd --once on the file of $BIG machines failed"
	cold etcd || fail "sixpnd --once --etcd on $BIG machines failed"
done
n=$(sqlite3 -batch "$TMP/cold-mirror.db" "SELECT count(*) FROM machines")
[ "$n" = "$BIG" ] || fail "the cold mirror holds $n machines, not $BIG"

# ---- the records ---------------------------------------------------------
fresh_records "$TMP" "$batches" "$per_batch" \
	"sixpnctl --etcd machines create on host 1, exec to exit (the commit)" \
	"commit on host 1 -> <machine>.vm.<app>.internal answers AAAA at fdaa::3 on host 2"
/usr/bin/python3 - "$TMP" "$W" "$M" "$rate_file" "$rate_etcd" "$BIG" \
	>>"$BENCH_RECORDS" <<'PY' || fail "the records could not be written"
import json, sys
tmp, W, M = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rate_file, rate_etcd, big = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])

def rec(**kw):
    print(json.dumps(dict(bench="etcd", **kw)))

base = "%d x %d concurrent sixpnctl machines create, one SQLite file" % (W, M)
rec(case=base, unit="creates/s", better="higher", is_baseline=True, samples=[rate_file])
rec(case="%d x %d concurrent sixpnctl --etcd machines create, 3 etcd members" % (W, M),
    unit="creates/s", better="higher", baseline=base, samples=[rate_etcd])
cold = {w: [float(x) for x in open("%s/cold.%s" % (tmp, w))] for w in ("file", "etcd")}
base = "sixpnd --once from cold, local file of {:,} machines".format(big)
rec(case=base, unit="s", better="lower", is_baseline=True, samples=cold["file"])
rec(case="sixpnd --once --etcd from cold (empty mirror), {:,} machines in etcd".format(big),
    unit="s", better="lower", baseline=base, samples=cold["etcd"])
PY
