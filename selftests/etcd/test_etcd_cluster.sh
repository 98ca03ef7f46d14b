#!/usr/bin/env bash
# The fleet registry on a real 3-member etcd cluster (Debian's etcd-server),
# each member in a network namespace of its own on one bridge, three "host"
# namespaces beside them:
#  - concurrent sixpnctl writers, each on a different member, create
#    machines: every ID and /112 distinct, none lost; each writer starts
#    from its host's mirror (--etcd-mirror), as sixpnctl on a fleet host
#    does, and every host's mirror ends up holding all of them;
#  - the leader is killed with SIGKILL in the middle: every create that
#    sixpnctl reported done is there afterwards, the others exited non-zero
#    with one line saying why;
#  - a mirror (selftests/etcd/etcd_mirror: sixpnd's mirror code) holds all
#    of them; refuses sixpnctl writes (exit 6);
#  - values written by hand with etcdctl that do not parse or break a rule
#    are logged with their key and skipped, the rest keeps serving;
#  - a mirror cut off from etcd keeps its rows, says so, and applies what
#    changed within 5 s of the cut healing;
#  - a mirror down while etcd compacts past it converges on restart,
#    removing what was destroyed meanwhile.
# Scale: SIXPN_ETCD_WRITERS x SIXPN_ETCD_MACHINES (default 8 x 500, the
# issue's).
# timeout: 1500
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. selftests/lib/tap.sh

BUILD=${BUILD:-build}
case "$BUILD" in /*) B=$BUILD ;; *) B=$ROOT/$BUILD ;; esac
CTL=$B/sixpnctl
MIRROR=$B/selftests/etcd_mirror
W=${SIXPN_ETCD_WRITERS:-8}
M=${SIXPN_ETCD_MACHINES:-500}
export ETCDCTL_API=3

for bin in "$CTL" "$MIRROR"; do
	[ -x "$bin" ] || { not_ok "$bin is built (make $bin)"; finish; exit 1; }
done
command -v etcd >/dev/null && command -v etcdctl >/dev/null ||
	{ not_ok "etcd and etcdctl are installed (etcd-server, etcd-client)"; finish; exit 1; }

S=$$
TMP=$(mktemp -d /tmp/et-cluster.XXXXXX)
TAG=et NET=10.78.0
. selftests/etcd/three_etcd.sh
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	three_etcd_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

three_etcd_net
for i in 1 2 3; do start_member "$i"; done
healthy=0
for _ in $(seq 1 100); do
	[ "$(ectl endpoint health 2>&1 | grep -c 'is healthy')" = 3 ] && { healthy=1; break; }
	sleep 0.2
done
check_eq "3 etcd members form one cluster, all healthy" "$healthy" 1
[ "$healthy" = 1 ] || { tail -5 "$TMP"/m*.log | sed 's/^/#   /'; finish; exit 1; }

hctl 1 orgs create acme >/dev/null
hctl 1 apps create web --org acme >/dev/null
for i in 1 2 3; do hctl "$i" hosts add "a7b:$i" --region ord >/dev/null; done
check_eq "setup through three members: 3 hosts" "$(hctl 2 hosts list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_hosts"])')" 3

# ---- the mirror, in host 1
start_mirror() {
	ip netns exec "et-h1-$S" "$MIRROR" --etcd "$(eps 1)" --registry "$TMP/mirror.db" \
		--status "$TMP/mirror.st" >>"$TMP/mirror.log" 2>&1 &
	MPID[mirror]=$!
}
start_mirror
# the mirrors of hosts 2 and 3, for their writers
mpath() { if [ "$1" = 1 ]; then echo "$TMP/mirror.db"; else echo "$TMP/mirror$1.db"; fi; }
for n in 2 3; do
	ip netns exec "et-h$n-$S" "$MIRROR" --etcd "$(eps "$n")" --registry "$(mpath "$n")" \
		>>"$TMP/mirror$n.log" 2>&1 &
	PIDS+=($!)
done
mcount() { sqlite3 -batch "${1:-$TMP/mirror.db}" "SELECT count(*) FROM machines" 2>/dev/null || echo -1; }
st_connected() { cut -d' ' -f1 "$TMP/mirror.st" 2>/dev/null; }

# ---- concurrent writers, each on its own member; the leader dies midway
writer() {  # writer I: M creates on host (I % 3) + 1 through member (I % 3) + 1
	local i=$1 n=$(( $1 % 3 + 1 )) k out rc id pfx key val
	for k in $(seq 1 "$M"); do
		rc=0
		out=$(hctl "$n" --etcd-mirror "$(mpath "$n")" machines create --app web \
			--host "a7b:$n" 2>"$TMP/w$i.err.1") || rc=$?
		if [ "$rc" = 0 ]; then
			# the text form ("machine ID", "prefix P"): no interpreter per create
			id="" pfx=""
			while read -r key val; do
				case $key in machine) id=$val ;; prefix) pfx=$val ;; esac
			done <<<"$out"
			echo "$id $pfx" >>"$TMP/done.$i"
		else
			echo "$rc $(head -c 300 "$TMP/w$i.err.1" | tr '\n' '|')" >>"$TMP/fail.$i"
		fi
	done
}
T0=$(date +%s.%N)
WP=()
for i in $(seq 1 "$W"); do writer "$i" & WP+=($!); done
TOTAL=$((W * M))
# kill the leader once a third of the creates are done
killed=""
for _ in $(seq 1 3000); do
	d=$(cat "$TMP"/done.* 2>/dev/null | wc -l)
	[ "$d" -ge $((TOTAL / 3)) ] && break
	sleep 0.1
done
for i in 1 2 3; do
	if ip netns exec "$HUB" etcdctl --endpoints "http://10.78.0.$i:2379" endpoint status -w json 2>/dev/null |
		python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["Status"]; sys.exit(0 if s["leader"]==s["header"]["member_id"] else 1)'; then
		killed=$i
	fi
done
if [ -n "$killed" ]; then
	kill -9 "${MPID[$killed]}"
	echo "# killed the leader et-m$killed after $(cat "$TMP"/done.* | wc -l) creates"
fi
check_ne "found the etcd leader and killed it (SIGKILL) mid-writes" "$killed" ""
for p in "${WP[@]}"; do wait "$p"; done
T1=$(date +%s.%N)
cat "$TMP"/done.* 2>/dev/null >"$TMP/done"
cat "$TMP"/fail.* 2>/dev/null >"$TMP/fail"
D=$(wc -l <"$TMP/done"); F=$(wc -l <"$TMP/fail")
echo "# $W writers x $M creates: $D done, $F failed, $(python3 -c "print(round($T1 - $T0, 1))") s"
check_eq "every create reported done or failed" "$((D + F))" "$TOTAL"
check_ge "most creates succeeded despite the leader's death" "$D" $((TOTAL * 9 / 10))
if [ "$F" -gt 0 ]; then
	bad=$(awk '$1 == 0 || $2 != "sixpnctl:"' "$TMP/fail" | wc -l)
	check_eq "every failed create exited non-zero with a 'sixpnctl: ...' message" "$bad" 0
	sed 's/^/#   failed: /' "$TMP/fail" | head -5
fi

# what the cluster holds, through a surviving member
live=$(( killed % 3 + 1 ))
ip netns exec "et-h$live-$S" "$CTL" --etcd "http://10.78.0.$live:2379" machines list --json >"$TMP/all.json"
python3 - "$TMP/all.json" "$TMP/done" >"$TMP/verdict" <<'EOF'
import json, sys
ms = json.load(open(sys.argv[1]))["machines"]
done = [l.split() for l in open(sys.argv[2]) if l.strip()]
ids = [m["id"] for m in ms]
pfx = [m["prefix"] for m in ms]
inst = [(m["host"], m["instance_id"]) for m in ms]
have = {m["id"]: m["prefix"] for m in ms}
print(len(ms))
print(len(set(ids)) == len(ids))
print(len(set(pfx)) == len(pfx))
print(len(set(inst)) == len(inst))
print(sum(1 for i, p in done if have.get(i) != p))
EOF
mapfile -t V <"$TMP/verdict"
echo "# etcd holds ${V[0]} machines"
check_eq "no machine ID twice" "${V[1]}" True
check_eq "no /112 twice" "${V[2]}" True
check_eq "no instance ID twice on a host" "${V[3]}" True
check_eq "every create reported done is in etcd, with its /112 (none lost)" "${V[4]}" 0
check_ge "etcd holds at least the creates reported done" "${V[0]}" "$D"
check_le "... and no more than were attempted" "${V[0]}" "$TOTAL"

# the mirror converges on exactly that
for _ in $(seq 1 150); do [ "$(mcount)" = "${V[0]}" ] && break; sleep 0.1; done
check_eq "the mirror holds every machine etcd holds" "$(mcount)" "${V[0]}"
python3 -c 'import json,sys; print("\n".join(sorted(m["id"] for m in json.load(open(sys.argv[1]))["machines"])))' "$TMP/all.json" >"$TMP/ids.etcd"
sqlite3 -batch "$TMP/mirror.db" "SELECT id FROM machines ORDER BY id" >"$TMP/ids.mirror"
check "... the same IDs" cmp -s "$TMP/ids.etcd" "$TMP/ids.mirror"
for n in 2 3; do
	for _ in $(seq 1 150); do [ "$(mcount "$(mpath "$n")")" = "${V[0]}" ] && break; sleep 0.1; done
	sqlite3 -batch "$(mpath "$n")" "SELECT id FROM machines ORDER BY id" >"$TMP/ids.mirror$n"
	check "host $n's mirror holds the same machines" cmp -s "$TMP/ids.etcd" "$TMP/ids.mirror$n"
done
check_eq "the mirror is connected" "$(st_connected)" 1
# the killed member comes back and catches up
start_member "$killed"

# ---- a mirror refuses writes; reads work
rc=0; err=$("$CTL" --registry "$TMP/mirror.db" orgs create other 2>&1) || rc=$?
check_eq "sixpnctl --registry MIRROR refuses a write: exit 6" "$rc" 6
case "$err" in *"mirror of etcd"*"--etcd"*) ok "... saying to write with --etcd";; *) not_ok "... saying to write with --etcd" "$err";; esac
check_eq "sixpnctl --registry MIRROR lists" "$("$CTL" --registry "$TMP/mirror.db" machines list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_machines"])')" "${V[0]}"

# ---- values written by hand that do not parse or break a rule
ectl put /sixpn/machines/zz00000000bad0 'not json' >/dev/null
ectl put /sixpn/machines/zz00000000bad1 '{"id":"zz00000000bad1","app_id":"nosuchapp","host_id":175833089,"instance_id":4000000,"region":"ord","iface":null,"created_at":1}' >/dev/null
ectl put /sixpn/hosts/7 '{"id":7,"region":"ord","nonsense":1}' >/dev/null
sleep 1
for k in machines/zz00000000bad0 machines/zz00000000bad1 hosts/7; do
	check "the mirror logs the bad value of /sixpn/$k with its key" grep -q "key=/sixpn/$k " "$TMP/mirror.log"
done
check_eq "... and skips them" "$(sqlite3 -batch "$TMP/mirror.db" "SELECT count(*) FROM machines WHERE id LIKE 'zz%'")" 0
rc=0; out=$(hctl 2 machines create --app web --host a7b:2 --json 2>"$TMP/bad.err") || rc=$?
check_eq "sixpnctl still writes next to bad values" "$rc" 0
check "... warning about them by key" grep -q 'key=/sixpn/machines/zz00000000bad0' "$TMP/bad.err"
NEW=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
for _ in $(seq 1 50); do [ "$(sqlite3 -batch "$TMP/mirror.db" "SELECT count(*) FROM machines WHERE id = '$NEW'")" = 1 ] && break; sleep 0.1; done
check_eq "the rest keeps serving: the new machine reaches the mirror" "$(sqlite3 -batch "$TMP/mirror.db" "SELECT count(*) FROM machines WHERE id = '$NEW'")" 1
ectl del /sixpn/machines/zz00000000bad0 >/dev/null; ectl del /sixpn/machines/zz00000000bad1 >/dev/null; ectl del /sixpn/hosts/7 >/dev/null

# ---- cut the mirror's host off from etcd
before=$(mcount)
ip -n "et-h1-$S" link set eth0 down
for _ in $(seq 1 80); do [ "$(st_connected)" = 0 ] && break; sleep 0.1; done
check_eq "cut off: the mirror says it is not connected" "$(st_connected)" 0
check "... and logs it" grep -q 'serving from the mirror' "$TMP/mirror.log"
GONE=$(head -1 "$TMP/ids.etcd")
hctl 2 machines destroy "$GONE" >/dev/null
for _ in 1 2 3; do hctl 3 machines create --app web --host a7b:3 >/dev/null; done
check_eq "cut off: the mirror keeps every row" "$(mcount)" "$before"
want=$((before + 2))
ip -n "et-h1-$S" link set eth0 up
H0=$(date +%s.%N)
for _ in $(seq 1 100); do
	[ "$(mcount)" = "$want" ] && [ "$(sqlite3 -batch "$TMP/mirror.db" "SELECT count(*) FROM machines WHERE id = '$GONE'")" = 0 ] && break
	sleep 0.1
done
H1=$(date +%s.%N)
heal=$(python3 -c "print(round($H1 - $H0, 2))")
echo "# healed: applied in $heal s"
check_eq "healed: what changed meanwhile is applied" "$(mcount)" "$want"
check "... within 5 s ($heal s)" python3 -c "import sys; sys.exit(0 if $heal <= 5 else 1)"

# ---- down while etcd compacts past it: converges on restart
kill "${MPID[mirror]}"; wait "${MPID[mirror]}" 2>/dev/null
mapfile -t DEL < <(sqlite3 -batch "$TMP/mirror.db" "SELECT id FROM machines ORDER BY id LIMIT 3")
for id in "${DEL[@]}"; do hctl 2 machines destroy "$id" >/dev/null; done
for _ in 1 2; do hctl 3 machines create --app web --host a7b:3 >/dev/null; done
rev=$(ectl endpoint status -w json | python3 -c 'import json,sys; print(max(e["Status"]["header"]["revision"] for e in json.load(sys.stdin)))')
check "etcd compacts to its current revision $rev" ectl compact "$rev"
start_mirror
for _ in $(seq 1 100); do [ "$(mcount)" = "$((want - 1))" ] && break; sleep 0.1; done
check_eq "restarted past a compaction: the mirror converges" "$(mcount)" "$((want - 1))"
check_eq "... and the machines destroyed meanwhile are gone" "$(sqlite3 -batch "$TMP/mirror.db" "SELECT count(*) FROM machines WHERE id IN ('${DEL[0]}','${DEL[1]}','${DEL[2]}')")" 0

finish
