#!/usr/bin/env bash
# timeout: 420
# Registry writes on etcd are exactly-once from the caller's view, with the
# answers of writes lost for real: a 3-member etcd cluster (Debian's
# etcd-server, each member in a namespace of its own on one bridge), W
# concurrent sixpnctl writers in three host namespaces, each on a
# different member first, and the etcd leader killed with SIGKILL K times
# while they create (each time restarted once a new leader took over),
# every other time after its answers to the hosts were dropped for up to a
# second (blackhole routes): what it applied then was never answered.
# A transaction in flight to a dying leader, or waiting on a follower for
# a leader that died, may or may not have applied; sixpnctl must settle
# it before it retries or answers. Each create is tagged with its own
# metadata (op=wIkJ), so a create applied twice shows as its tag twice:
#  - every create reported done is in etcd once, with its ID and /112;
#  - no tag twice, no machine ID or /112 twice;
#  - etcd holds exactly the creates reported done (a failed one left
#    nothing), and every failure exited non-zero with a 'sixpnctl:' line;
#  - the lost answers did happen: sixpnctl settled at least one (its
#    `msg="etcd lost the answer to a write"` lines, counted per outcome);
#  - a lone writer (no conflict, so its transaction applies) whose answer
#    the dying leader never sent, 3 times: settled as applied, reported
#    done, in etcd once;
#  - the same with the answer lost as from a member that dies between
#    applying and answering (a relay, lose_answer.py, closes the
#    connection without it), whether curl's own resend is then refused or
#    answered: settled as applied, done, in etcd once.
# Scale: SIXPN_ETCD_WRITERS writers (default 6), each SIXPN_ETCD_MACHINES
# creates (default 40) and on until the last of SIXPN_ETCD_KILLS leader
# kills (default 8).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. selftests/lib/tap.sh

BUILD=${BUILD:-build}
case "$BUILD" in /*) B=$BUILD ;; *) B=$ROOT/$BUILD ;; esac
CTL=$B/sixpnctl
W=${SIXPN_ETCD_WRITERS:-6}
M=${SIXPN_ETCD_MACHINES:-40}
K=${SIXPN_ETCD_KILLS:-8}
export ETCDCTL_API=3

[ -x "$CTL" ] || { not_ok "$CTL is built (make)"; finish; exit 1; }
command -v etcd >/dev/null && command -v etcdctl >/dev/null ||
	{ not_ok "etcd and etcdctl are installed (etcd-server, etcd-client)"; finish; exit 1; }

S=$$
TMP=$(mktemp -d /tmp/eo-once.XXXXXX)
TAG=eo NET=10.81.0 ECTL_TIMEOUT=2s
. selftests/etcd/three_etcd.sh
WP=()
cleanup() {
	local p
	for p in "${WP[@]}"; do kill "$p" 2>/dev/null; done
	three_etcd_cleanup
	[ -n "${SIXPN_KEEP_LOGS:-}" ] && mkdir -p "$SIXPN_KEEP_LOGS" && cp -r "$TMP"/. "$SIXPN_KEEP_LOGS/" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

three_etcd_net
# healthy_within SECS: all three members healthy within SECS seconds
healthy_within() {
	local n=$(($1 * 5))
	for _ in $(seq 1 "$n"); do
		[ "$(ectl endpoint health 2>&1 | grep -c 'is healthy')" = 3 ] && return 0
		sleep 0.2
	done
	return 1
}
# leader: the member (1-3) that is the leader now, or nothing
leader() {
	ectl endpoint status -w json 2>/dev/null | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    s = e["Status"]
    if s["leader"] == s["header"]["member_id"]:
        print(e["Endpoint"].split(":")[1].rsplit(".", 1)[1])'
}
# drop_answers N add|del: member N's packets to the hosts (.11-.13)
# blackholed, or no longer: requests still arrive and are applied, their
# answers never leave (raft between the members, .1-.3, goes on)
drop_answers() {
	local h
	for h in 11 12 13; do ip -n "eo-m$1-$S" route "$2" blackhole "10.81.0.$h/32"; done
}
# conns N: member N's connections from the hosts, "PEER SENT RECEIVED"
conns() {
	ss -N "eo-m$1-$S" -Htni state established '( sport = :2379 )' |
		awk -v hosts="^${NET//./\\.}\\.1[123]:" 'BEGIN { s = r = 0 }
		{ for (i = 1; i <= NF; i++) {
			if ($i ~ hosts) p = $i
			if ($i ~ /^bytes_sent:/) s = substr($i, 12) + 0
			if ($i ~ /^bytes_received:/) r = substr($i, 16) + 0
		}
		if (/bytes_/ && p != "") { print p, s, r; p = ""; s = r = 0 } }'
}
# mid_write N: a host's connection to member N that got an answer (the
# read of the registry) and carried no more than reads so far (its
# transaction, over 1 KB, is next): its peer
mid_write() { conns "$1" | awk '$2 > 0 && $3 < 1000 { print $1; exit }'; }
# txn_sent N PEER: that connection carried more (or is gone)
txn_sent() { ! conns "$1" | awk -v p="$2" '$1 == p && $3 < 1000 { f = 1 } END { exit !f }'; }
# kill_unanswered N PEER [PID]: member N's answers to the hosts lost (PID,
# the host's sixpnctl, frozen mid-write, let go on) until PEER's
# transaction reached N and N had the time to apply it through the
# quorum; then N dies (SIGKILL), and its sockets, which still hold their
# answers, are destroyed: the host's next segment draws a reset, as from a
# member that died between applying and answering.
kill_unanswered() {
	drop_answers "$1" add
	[ -n "${3:-}" ] && kill -CONT "$3"
	for _ in $(seq 1 40); do txn_sent "$1" "$2" && break; sleep 0.05; done
	sleep 0.3
	kill -9 "${MPID[$1]}"
	sleep 0.1
	ss -N "eo-m$1-$S" -K -t state all '( sport = :2379 )' >/dev/null 2>&1
	drop_answers "$1" del
}
# freeze_mid_write N PID: PID (a sixpnctl) stepped by SIGSTOP/SIGCONT until
# it is stopped with its read of the registry answered by member N and
# its transaction not yet sent: its connection's peer ("" if it was not
# caught so, then PID runs on)
freeze_mid_write() {
	local c
	for _ in $(seq 1 1000); do
		kill -STOP "$2" 2>/dev/null || return 0
		c=$(conns "$1" | awk '$2 > 0 { print $1, $3; exit }')
		if [ -n "$c" ]; then
			[ "${c#* }" -lt 1000 ] && { echo "${c%% *}"; return 0; }
			break
		fi
		kill -CONT "$2"
		sleep 0.002
	done
	kill -CONT "$2"
}
for i in 1 2 3; do start_member "$i"; done
if healthy_within 30; then ok "3 etcd members form one cluster, all healthy"; else
	not_ok "3 etcd members form one cluster, all healthy"
	tail -5 "$TMP"/m*.log | sed 's/^/#   /'; finish; exit 1
fi


hctl 1 orgs create acme >/dev/null && hctl 1 apps create web --org acme >/dev/null
for i in 1 2 3; do hctl "$i" hosts add "a7c:$i" --region ord >/dev/null; done
check_eq "setup: 3 hosts" "$(hctl 2 hosts list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_hosts"])')" 3

# ---- writers; each create's stderr is kept (the settle lines)
writer() {  # writer I: creates on host (I % 3) + 1 through member (I % 3) + 1,
	# M of them and on until the killer is done (at most 4 M)
	local i=$1 n=$(( $1 % 3 + 1 )) k=0 out rc
	while [ "$k" -lt "$M" ] || { [ ! -e "$TMP/killer.done" ] && [ "$k" -lt $((4 * M)) ]; }; do
		k=$((k + 1)) rc=0
		out=$(hctl "$n" machines create --app web --host "a7c:$n" --metadata "op=w${i}k$k" \
			--json 2>"$TMP/err.$i.$k") || rc=$?
		if [ "$rc" = 0 ]; then
			echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["prefix"], sys.argv[1])' "w${i}k$k" >>"$TMP/done.$i"
		else
			echo "$rc $(head -c 300 "$TMP/err.$i.$k" | tr '\n' '|')" >>"$TMP/fail.$i"
		fi
	done
	echo "$k" >"$TMP/end.$i"
}
ndone() { cat "$TMP"/done.* 2>/dev/null | wc -l; }
T0=$(date +%s.%N)
for i in $(seq 1 "$W"); do writer "$i" & WP+=($!); done

# ---- the killer: K times, once a few more creates are done, the leader
# dies (SIGKILL); it is started again once the other two elected a new
# one. Every other time its answers to the hosts are lost first
# (kill_unanswered)
kills=0
for round in $(seq 1 "$K"); do
	want=$(( $(ndone) + W / 2 + 1 ))
	for _ in $(seq 1 600); do [ "$(ndone)" -ge "$want" ] && break; sleep 0.1; done
	sleep "0.$(( RANDOM % 10 ))"
	l=$(leader)
	[ -n "$l" ] || { echo "# round $round: no leader found"; continue; }
	how=""
	if [ $((round % 2)) = 0 ]; then
		peer=""
		for _ in $(seq 1 1000); do   # no sleep: a write is mid-way for ~50 ms
			peer=$(mid_write "$l")
			[ -n "$peer" ] && break
		done
		kill_unanswered "$l" "$peer"
		how=", its answers to the hosts lost since ${peer:-nobody} was mid-write"
	else
		kill -9 "${MPID[$l]}"
	fi
	kills=$((kills + 1))
	echo "# round $round: killed the leader eo-m$l after $(ndone) creates$how"
	sleep 1.5
	start_member "$l"
	healthy_within 30 || echo "# round $round: eo-m$l not healthy again within 30 s"
done
touch "$TMP/killer.done"
check_ge "the leader was killed $K times mid-writes (SIGKILL)" "$kills" "$K"
for p in "${WP[@]}"; do wait "$p"; done
WP=()
T1=$(date +%s.%N)
cat "$TMP"/done.* 2>/dev/null >"$TMP/done"
cat "$TMP"/fail.* 2>/dev/null >"$TMP/fail"
D=$(wc -l <"$TMP/done"); F=$(wc -l <"$TMP/fail")
TOTAL=$(cat "$TMP"/end.* | awk '{ n += $1 } END { print n + 0 }')
echo "# $W writers, $TOTAL creates, $kills leader kills: $D done, $F failed, $(python3 -c "print(round($T1 - $T0, 1))") s"
check_eq "every create reported done or failed" "$((D + F))" "$TOTAL"
if [ "$F" -gt 0 ]; then
	sed 's/^/#   failed: /' "$TMP/fail" | head -5
	check_eq "every failed create exited non-zero with a 'sixpnctl: ...' line" \
		"$(awk '$1 == 0 || $2 != "sixpnctl:"' "$TMP/fail" | wc -l)" 0
fi
applied=$(cat "$TMP"/err.* 2>/dev/null | grep 'msg="etcd lost the answer to a write"' | grep -c 'outcome=applied')
notapp=$(cat "$TMP"/err.* 2>/dev/null | grep 'msg="etcd lost the answer to a write"' | grep -c 'outcome=not-applied')
echo "# lost answers settled: $applied applied, $notapp not applied"
check_ge "answers were lost for real and settled (applied or not)" "$((applied + notapp))" 1

healthy_within 30 || echo "# the cluster is not healthy at the end"
hctl 1 machines list --json >"$TMP/all.json"
python3 - "$TMP/all.json" "$TMP/done" >"$TMP/verdict" <<'EOF'
import collections, json, sys
ms = json.load(open(sys.argv[1]))["machines"]
done = [l.split() for l in open(sys.argv[2]) if l.strip()]
tags = collections.Counter(m.get("metadata", {}).get("op") for m in ms)
have = {m["id"]: m["prefix"] for m in ms}
twice = sorted(t for t, n in tags.items() if n > 1)
print(len(ms))
print(len(have) == len(ms) and len({m["prefix"] for m in ms}) == len(ms))
print(" ".join(twice) or "none")
print(sum(1 for i, p, t in done if have.get(i) != p or tags[t] != 1))
print(sum(1 for t in tags if t is None))
EOF
mapfile -t V <"$TMP/verdict"
echo "# etcd holds ${V[0]} machines"
check_eq "no machine ID or /112 twice" "${V[1]}" True
check_eq "no create applied twice (tags seen twice)" "${V[2]}" none
check_eq "every create reported done is in etcd once, with its ID and /112" "${V[3]}" 0
check_eq "every machine carries its create's tag" "${V[4]}" 0
check_eq "etcd holds exactly the creates reported done" "${V[0]}" "$D"

# ---- one writer alone on the leader (nothing to conflict with, so its
# transaction applies), the answer lost: settled as applied, done, once.
# On a registry of its own (prefix /lone/), small enough to be read in one
# page: a read answered is the whole read, the transaction comes next.
lctl() { local n=$1; shift; hctl "$n" --etcd-prefix /lone/ "$@"; }
lctl 1 orgs create acme >/dev/null && lctl 1 apps create web --org acme >/dev/null
for i in 1 2 3; do lctl "$i" hosts add "a7c:$i" --region ord >/dev/null; done
lone_ok=0 lone_applied=0 lone=0 lone_tags=() tried_tags=() tried_rc=()
for j in $(seq 1 12); do
	[ "$lone" = 3 ] && break
	l=$(leader)
	[ -n "$l" ] || { echo "# lone $j: no leader found"; continue; }
	lctl "$l" machines create --app web --host "a7c:$l" --metadata "op=lone$j" --json \
		>"$TMP/lone.$j.out" 2>"$TMP/lone.$j.err" &
	LP=$!
	WP=("$LP")
	pid=""
	for _ in $(seq 1 500); do
		pid=$(pgrep -f -x ".*/sixpnctl .*op=lone$j .*")
		[ -n "$pid" ] && break
		sleep 0.002
	done
	peer=$(freeze_mid_write "$l" "$pid")
	if [ -n "$peer" ]; then kill_unanswered "$l" "$peer" "$pid"; else kill -9 "${MPID[$l]}"; fi
	rc=0; wait "$LP" || rc=$?
	WP=()
	echo "# lone $j: eo-m$l killed unanswered with ${peer:-nobody} mid-write: exit $rc, $(grep -o 'outcome=[a-z-]* settled_by=[a-z]*' "$TMP/lone.$j.err" | tr '\n' ' ')"
	start_member "$l"
	healthy_within 30 || echo "# lone $j: eo-m$l not healthy again within 30 s"
	# every try, caught or not, must have applied exactly once
	tried_tags+=("lone$j") tried_rc+=("$rc")
	[ -n "$peer" ] || continue   # not caught mid-write: another try
	# caught, but the transaction went out only after the kill (to
	# another member, answered): no answer was lost, another try
	if ! grep -q 'msg="etcd lost the answer to a write"' "$TMP/lone.$j.err"; then
		echo "# lone $j: no answer lost (the transaction left after the kill): another try"
		continue
	fi
	lone=$((lone + 1)) lone_tags+=("lone$j")
	[ "$rc" = 0 ] && lone_ok=$((lone_ok + 1))
	grep -q 'msg="etcd lost the answer to a write" outcome=applied' "$TMP/lone.$j.err" &&
		lone_applied=$((lone_applied + 1))
done
check_eq "a lone writer whose answer was lost after it applied: reported done (3 times)" "$lone_ok" 3
check_eq "... settled as applied each time" "$lone_applied" 3
lctl 1 machines list --json >"$TMP/all2.json"
check_eq "... and in etcd once each" "$(python3 -c '
import collections, json, sys
tags = collections.Counter(m.get("metadata", {}).get("op") for m in json.load(open(sys.argv[1]))["machines"])
print(" ".join(str(tags[t]) for t in sys.argv[2:]))' "$TMP/all2.json" "${lone_tags[@]}")" "1 1 1"
# tag:rc for each: done means in etcd once, failed means not there
tried=()
for i in "${!tried_tags[@]}"; do tried+=("${tried_tags[$i]}:${tried_rc[$i]}"); done
check_eq "every lone try (${#tried[@]}), its answer lost or not: in etcd once if done, absent if it failed" "$(python3 -c '
import collections, json, sys
tags = collections.Counter(m.get("metadata", {}).get("op") for m in json.load(open(sys.argv[1]))["machines"])
bad = [a for a in sys.argv[2:] if tags[a.split(":")[0]] != (1 if a.split(":")[1] == "0" else 0)]
print(" ".join(bad) or "none")' "$TMP/all2.json" "${tried[@]}")" none

# ---- the same, exactly as a member that dies between applying and
# answering: a relay (lose_answer.py) in front of member 1 hands etcd's
# answer to the transaction to nobody and closes the connection cleanly.
# curl then sends the request again by itself on a new connection: "die",
# refused (the member is gone; curl says only "couldn't connect"), or
# "resend", answered by etcd for the copy (its compare failed: the first
# copy applied). Either way it applied once and must be reported done.
for mode in die resend; do
	rm -f "$TMP/relay.ready"
	ip netns exec "eo-h1-$S" python3 selftests/etcd/lose_answer.py 23790 10.81.0.1:2379 \
		"$mode" "$TMP/relay.ready" >"$TMP/relay.$mode" 2>&1 &
	RP=$!
	WP=("$RP")
	for _ in $(seq 1 100); do [ -e "$TMP/relay.ready" ] && break; sleep 0.05; done
	rc=0
	ip netns exec "eo-h1-$S" "$CTL" --etcd "http://127.0.0.1:23790,$(eps 2)" --etcd-prefix /lone/ \
		machines create --app web --host a7c:1 --metadata "op=$mode" --json \
		>"$TMP/relay.$mode.out" 2>"$TMP/relay.$mode.err" || rc=$?
	kill "$RP" 2>/dev/null; wait "$RP" 2>/dev/null
	WP=()
	check_eq "$mode: the relay lost etcd's answer to the transaction" "$(cat "$TMP/relay.$mode")" lost
	check_eq "$mode: the create is reported done" "$rc" 0
	check "$mode: ... settled as applied" grep -q 'msg="etcd lost the answer to a write" outcome=applied' "$TMP/relay.$mode.err"
	check_eq "$mode: ... in etcd once" "$(lctl 2 machines list --json | python3 -c '
import json, sys
print(sum(1 for m in json.load(sys.stdin)["machines"] if m.get("metadata", {}).get("op") == sys.argv[1]))' "$mode")" 1
done
finish
