#!/usr/bin/env bash
# timeout: 240
# Machine lifecycle and the rest of Fly's names, end to end on a testbed
# (selftests/dns/lifecycle.tb, prefix fl): from an instance, dig over UDP
# (the XDP fast path answers what the names map holds: its DNS_ANSWERED
# counter is checked to move) and over TCP (the resolver), for
#   - stopped machines: out of every AAAA set, in <id>.vm. and the all.
#     lists, still reachable by address and still isolated;
#   - start: back in the AAAA answers within 100 ms of sixpnctl's exit
#     (p90 of 20 rounds; the figures are printed);
#   - <group>.process.<app>, <value>.<key>.kv._metadata.<app> and their
#     empty non-terminals; a metadata name too long for the names map;
#   - the TXT formats, parsed as Fly's clients parse them (fly_txt.py);
#   - interactive-* peers hidden; _api.internal; machines move;
#   - the identity files the testbed writes into each instance.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P=fl
# after dns/lib.sh: its ctl and x (a registry file, one namespace) give way
. "$(dirname "$0")/../lib/testbed.sh"
addr() { awk -v n="$1" '$1==n {print $6}' "$STATE/machines"; }
mid() { awk -v n="$1" '$1==n {print $7}' "$STATE/machines"; }
x() { local node=$1; shift; nsenter --net="/run/netns/$P-$node" "$@"; }
dq() { local n=$1; shift; x "$n" dig +time=2 +tries=1 @"${SERVER:-fdaa::3}" "$@"; }
answered() { $PY "$SIXPN_ROOT/selftests/lib/stats.py" "/sys/fs/bpf/sixpn-$P-$1" XDP_DNS DNS_ANSWERED; }
# aaaa NODE NAME [+tcp]: the sorted addresses of an AAAA answer, or the
# status when there are none (NXDOMAIN, or NOERROR for NODATA)
aaaa() {
	local out
	out=$(dq "$1" "$2" AAAA ${3:-+notcp})
	if grep -q 'ANSWER: 0,' <<<"$out"; then
		sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out"
	else
		dq "$1" "$2" AAAA ${3:-+notcp} +short | sort | tr '\n' ' ' | sed 's/ $//'
	fi
}
set_of() { printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
txt() { x web-1 $PY "$SIXPN_ROOT/selftests/dns/fly_txt.py" "${SERVER:-fdaa::3}" "$@"; }
jq_() { $PY -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

if ! "$TB" up "$SIXPN_ROOT/selftests/dns/lifecycle.tb" --state "$STATE" >"$TMP/up.log" 2>&1; then
	cat "$TMP/up.log"; not_ok "testbed up"; finish; exit 1
fi
ok "testbed up: 2 hosts, web in two groups with metadata, 2 peers (one interactive-)"
W1=$(addr web-1) W2=$(addr web-2) W3=$(addr web-3) A1=$(addr api-1) S1=$(addr shop-1)
W1_ID=$(mid web-1) W2_ID=$(mid web-2) W3_ID=$(mid web-3)
NET=$($PY -c 'import ipaddress,sys; a=ipaddress.IPv6Address(sys.argv[1]).packed; print(ipaddress.IPv6Address(a[:6]+bytes(9)+b"\x03"))' "$W1")
ALL3=$(set_of "$W1" "$W2" "$W3")

for _ in $(seq 100); do
	[ "$(aaaa web-1 web.internal)" = "$ALL3" ] && [ "$(aaaa web-2 web.internal)" = "$ALL3" ] &&
		[ "$(SERVER=$NET aaaa laptop web.internal)" = "$ALL3" ] && break
	sleep 0.1
done
check_eq "web.internal from web-1: the three started machines" "$(aaaa web-1 web.internal)" "$ALL3"

# ---- the identity files of every instance ----------------------------------------
check_eq "web-2's /etc/environment (ip netns exec) is machines env" \
	"$(ip netns exec "$P-web-2" cat /etc/environment)" "SIXPN_PRIVATE_IP=$W2
SIXPN_MACHINE_ID=$W2_ID
SIXPN_APP_NAME=web
SIXPN_REGION=ord
SIXPN_PROCESS_GROUP=worker"
check_eq "web-2: . /etc/environment gives SIXPN_PRIVATE_IP" \
	"$(ip netns exec "$P-web-2" sh -c '. /etc/environment; echo "$SIXPN_PRIVATE_IP $SIXPN_PROCESS_GROUP"')" "$W2 worker"
check_eq "web-1: getent hosts sixpn-local-6pn is its address" \
	"$(ip netns exec "$P-web-1" getent hosts sixpn-local-6pn | awk '{print $1}')" "$W1"
check_eq "shop-1: its own address, its own app" \
	"$(ip netns exec "$P-shop-1" sh -c '. /etc/environment; echo "$SIXPN_PRIVATE_IP $SIXPN_APP_NAME"')" "$S1 shop"

# ---- process groups and metadata, UDP (fast path) and TCP (resolver) ---------------
ctl machines update "$W3_ID" --metadata availability-zone=eu-west-1a-rack-seventeen >/dev/null
LONG=eu-west-1a-rack-seventeen.availability-zone.kv._metadata.web.internal
for t in +notcp +tcp; do
	w=${t#+}
	check_eq "$w: app.process.web.internal (the default group)" "$(aaaa web-1 app.process.web.internal $t)" "$W1"
	check_eq "$w: worker.process.web.internal" "$(aaaa web-1 worker.process.web.internal $t)" "$(set_of "$W2" "$W3")"
	check_eq "$w: process.web.internal exists, no data" "$(aaaa web-1 process.web.internal $t)" NOERROR
	check_eq "$w: nope.process.web.internal NXDOMAIN" "$(aaaa web-1 nope.process.web.internal $t)" NXDOMAIN
	check_eq "$w: primary.role.kv._metadata.web.internal" "$(aaaa web-1 primary.role.kv._metadata.web.internal $t)" "$W1"
	check_eq "$w: replica.role.kv._metadata.web.internal" "$(aaaa web-1 replica.role.kv._metadata.web.internal $t)" "$W2"
	check_eq "$w: front.tier.kv._metadata.web.internal" "$(aaaa web-1 front.tier.kv._metadata.web.internal $t)" "$W1"
	check_eq "$w: a ${#LONG}-character metadata name (the resolver's even over UDP)" "$(aaaa web-1 "$LONG" $t)" "$W3"
	check_eq "$w: role.kv._metadata.web.internal exists, no data" "$(aaaa web-1 role.kv._metadata.web.internal $t)" NOERROR
	check_eq "$w: kv._metadata.web.internal exists, no data" "$(aaaa web-1 kv._metadata.web.internal $t)" NOERROR
	check_eq "$w: _metadata.web.internal exists, no data" "$(aaaa web-1 _metadata.web.internal $t)" NOERROR
	check_eq "$w: an unknown value NXDOMAIN" "$(aaaa web-1 backup.role.kv._metadata.web.internal $t)" NXDOMAIN
	check_eq "$w: an unknown key NXDOMAIN" "$(aaaa web-1 x.color.kv._metadata.web.internal $t)" NXDOMAIN
	check_eq "$w: api (no metadata) has no _metadata" "$(aaaa web-1 kv._metadata.api.internal $t)" NXDOMAIN
	check_eq "$w: another org's app stays NXDOMAIN" "$(aaaa web-1 app.process.shop.internal $t)" NXDOMAIN
	check_eq "$w: _api.internal is the asker's service address" "$(aaaa web-1 _api.internal $t)" "fdaa::3"
	check_eq "$w: _api.internal from the laptop: its network's ::3" "$(SERVER=$NET aaaa laptop _api.internal $t)" "$NET"
done
before=$(answered ams1)
for _ in 1 2 3; do aaaa web-1 worker.process.web.internal >/dev/null; aaaa web-1 primary.role.kv._metadata.web.internal >/dev/null; done
check_ge "the fast path answered the group and metadata names itself (XDP DNS_ANSWERED +6)" "$(( $(answered ams1) - before ))" 6

# ---- peers: interactive-* are hidden ----------------------------------------------
LAPTOP=$(awk '$1=="laptop" {print $5}' "$STATE/peers" | cut -d/ -f1)
for t in +notcp +tcp; do
	w=${t#+}
	check_eq "$w: _peer.internal lists laptop, not the interactive- peer" \
		"$(dq web-1 _peer.internal TXT $t +short)" '"laptop"'
	check_eq "$w: laptop._peer.internal answers" "$(aaaa web-1 laptop._peer.internal $t)" "$LAPTOP"
	check_eq "$w: interactive-1796170000._peer.internal NXDOMAIN" \
		"$(aaaa web-1 interactive-1796170000._peer.internal $t)" NXDOMAIN
done
check_eq "the interactive- peer is in the registry all the same" \
	"$(ctl --json wireguard list acme | jq_ 'sorted(p["name"] for p in d["peers"])')" "['interactive-1796170000', 'laptop']"

# ---- stop web-2 -------------------------------------------------------------------------
# vms.web.internal TXT in the resolver's answer cache (asked twice, UDP and
# TCP, the same bytes: no random DNS cookie): sixpnd tells the cache of the
# stop before the fast path shows it, so the first TXT question once
# web.internal leaves web-2 already does too.
vms() { dq web-1 vms.web.internal TXT +nocookie "$@" +short | grep -c "$W2_ID"; }
for t in +notcp +notcp +tcp +tcp; do vms $t >/dev/null; done
check_eq "before the stop: vms.web.internal lists web-2" "$(vms +notcp)" 1
ctl machines stop "$W2_ID" >/dev/null
for _ in $(seq 100); do
	[ "$(aaaa web-1 web.internal)" = "$(set_of "$W1" "$W3")" ] && break
	sleep 0.01
done
check_eq "stopped: the first vms.web.internal TXT after the fast path (UDP) leaves web-2 out" \
	"$(vms +notcp)" 0
check_eq "stopped: and over TCP" "$(vms +tcp)" 0
before=$(answered ams1)
for t in +notcp +tcp; do
	w=${t#+}
	check_eq "$w stopped: web.internal leaves web-2" "$(aaaa web-1 web.internal $t)" "$(set_of "$W1" "$W3")"
	check_eq "$w stopped: global.web.internal too" "$(aaaa web-1 global.web.internal $t)" "$(set_of "$W1" "$W3")"
	check_eq "$w stopped: ord.web.internal (web-2 was its only machine) NODATA" "$(aaaa web-1 ord.web.internal $t)" NOERROR
	check_eq "$w stopped: worker.process.web.internal has web-3 alone" "$(aaaa web-1 worker.process.web.internal $t)" "$W3"
	check_eq "$w stopped: replica.role.kv._metadata NODATA" "$(aaaa web-1 replica.role.kv._metadata.web.internal $t)" NOERROR
	check_eq "$w stopped: <web-2>.vm.web.internal still answers" "$(aaaa web-1 "$W2_ID.vm.web.internal" $t)" "$W2"
	check_eq "$w stopped: top3.nearest.of.web.internal has the started two" "$(aaaa web-1 top3.nearest.of.web.internal $t)" "$(set_of "$W1" "$W3")"
done
check_ge "stopped: the fast path answered web.internal and the vm name (DNS_ANSWERED)" "$(( $(answered ams1) - before ))" 3
check_eq "stopped: web-2 keeps its address (reachable from web-1)" \
	"$(x web-1 ping -6 -c 1 -W 2 "$W2" >/dev/null 2>&1 && echo yes)" yes
check_eq "stopped: web-2 keeps its isolation (shop-1 of globex cannot reach it)" \
	"$(x shop-1 ping -6 -c 1 -W 1 "$W2" >/dev/null 2>&1 && echo yes || echo no)" no

# ---- the TXT lists, parsed the way Fly's clients parse them -----------------------------
# a few registry-only machines, so that _instances takes more than one 255-byte string
for i in 1 2 3; do ctl machines create --app api --host a7b:174 >/dev/null; done
ctl machines create --app api --host a7b:174 --state stopped >/dev/null
ctl --json machines list >"$TMP/m.json"
want() { # want KIND ALL: what the registry says the list holds
	$PY - "$TMP/m.json" "$1" "$2" <<'EOF'
import json, sys
ms, kind, all_ = json.load(open(sys.argv[1]))["machines"], sys.argv[2], sys.argv[3] == "1"
acme = [m for m in ms if m["org"] == "acme" and (all_ or m["state"] == "started")]
web = [m for m in acme if m["app"] == "web"]
if kind == "vms":
    e = [{"id": m["id"], "region": m["region"]} for m in web]
elif kind == "regions":
    e = sorted({m["region"] for m in web})
else:
    e = [{"instance": m["id"], "app": m["app"], "ip": m["address"], "region": m["region"]} for m in acme]
print(json.dumps(sorted(e, key=lambda x: json.dumps(x, sort_keys=True)), sort_keys=True))
EOF
}
sleep 0.2
for spec in "vms vms.web.internal 0" "vms all.vms.web.internal 1" "regions regions.web.internal 0" \
	"regions all.regions.web.internal 1" "instances _instances.internal 0" "instances all._instances.internal 1"; do
	read -r kind name all <<<"$spec"
	out=$(txt "$kind" "$name")
	check_eq "$name: the format holds (Fly's parsing)" "$(jq_ 'd["errors"]' <<<"$out")" "[]"
	check_eq "$name: exactly the $([ "$all" = 1 ] && echo "machines, stopped too" || echo "started machines")" \
		"$(jq_ 'json.dumps(d["entries"], sort_keys=True)' <<<"$out")" \
		"$(want "$kind" "$all")"
done
out=$(txt instances all._instances.internal)
check_eq "all._instances.internal: one record of 255-byte strings and a last one" \
	"$(jq_ 'len(d["strings"]) == 1 and len(d["strings"][0]) >= 2 and all(n == 255 for n in d["strings"][0][:-1])' <<<"$out")" True
check_eq "vms.web.internal leaves web-2 out, all.vms has it" \
	"$(txt vms vms.web.internal | jq_ "'$W2_ID' in [e['id'] for e in d['entries']]") $(txt vms all.vms.web.internal | jq_ "'$W2_ID' in [e['id'] for e in d['entries']]")" "False True"
check_eq "regions.web.internal without ord, all.regions with it" \
	"$(txt regions regions.web.internal | jq_ 'd["entries"]') $(txt regions all.regions.web.internal | jq_ 'd["entries"]')" "['ams'] ['ams', 'ord']"
check_eq "over UDP from the laptop too (<prefix>::3)" "$(SERVER=$NET x laptop $PY "$SIXPN_ROOT/selftests/dns/fly_txt.py" "$NET" vms all.vms.web.internal | jq_ 'len(d["entries"])')" 3

# ---- start: back within 100 ms ------------------------------------------------------------
ctl machines start "$W2_ID" >/dev/null
for _ in $(seq 100); do [ "$(aaaa web-1 web.internal)" = "$ALL3" ] && break; sleep 0.01; done
for t in +notcp +tcp; do
	check_eq "${t#+} started again: web.internal has web-2" "$(aaaa web-1 web.internal $t)" "$ALL3"
	check_eq "${t#+} started again: ord.web.internal" "$(aaaa web-1 ord.web.internal $t)" "$W2"
done
# Rounds of stop and start. Each: sixpnctl runs, then web.internal is asked
# over UDP from web-1 every 0.5 ms until the answer has (start) or lacks
# (stop) web-2's address. The commit's time is the mtime of the registry's
# WAL, which the commit writes last (sixpnd keeps the file open, so closing
# sixpnctl checkpoints nothing); the file system's clock is coarse (a tick
# behind at most), so commit -> answer errs on the long side. The time
# from sixpnctl's exit is printed too. On whatever else this machine runs.
x web-1 $PY - "$BUILD/sixpnctl" "$STATE/registry.db" "$W2_ID" "$W2" 20 >"$TMP/lag" <<'EOF'
import os, socket, subprocess, sys, time
from scapy.layers.dns import DNS, DNSQR
ctl, reg, mid, addr, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(0.05)
def has_it():
    s.sendto(bytes(DNS(id=7, rd=1, qd=DNSQR(qname="web.internal", qtype="AAAA"))), ("fdaa::3", 53))
    while True:
        r = DNS(s.recv(4096))
        if r.id == 7:
            return addr in [r.an[i].rdata for i in range(r.ancount)]
lag = {"start": [], "stop": [], "start-from-exit": [], "stop-from-exit": []}
never = stale = 0
for i in range(rounds):
    for verb, want in (("stop", False), ("start", True)):
        before = os.stat(reg + "-wal").st_mtime_ns
        subprocess.check_call([ctl, "--registry", reg, "machines", verb, mid], stdout=subprocess.DEVNULL)
        t0 = time.time_ns()
        commit = os.stat(reg + "-wal").st_mtime_ns
        stale += commit == before
        got = None
        while time.time_ns() - t0 < 2e9:
            try:
                if has_it() == want:
                    got = time.time_ns()
                    break
            except socket.timeout:
                pass
            time.sleep(0.0005)
        if got is None:
            never += 1
        else:
            lag[verb].append((got - commit) / 1e6)
            lag[verb + "-from-exit"].append((got - t0) / 1e6)
        time.sleep(0.02)
print("stale", stale)
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else 9999
print("never", never)
for verb in ("start", "stop", "start-from-exit", "stop-from-exit"):
    v = lag[verb]
    print(verb, "p50 %.1f p90 %.1f max %.1f n %d" % (pct(v, 50), pct(v, 90), max(v) if v else 9999, len(v)))
EOF
sed "s/^/# ms from the commit (-from-exit: sixpnctl's exit) to the first UDP answer that shows it (load $(cut -d' ' -f1 /proc/loadavg)): /" "$TMP/lag"
check_eq "every stop and start reached DNS within 2 s" "$(awk '$1=="never" {print $2}' "$TMP/lag")" 0
check_eq "every commit moved the WAL's mtime (the commit's time is real)" "$(awk '$1=="stale" {print $2}' "$TMP/lag")" 0
p90=$(awk '$1=="start" {print $5}' "$TMP/lag")
check "start: back in web.internal within 100 ms of the commit (p90 of 20: $p90 ms)" \
	awk -v v="$p90" 'BEGIN { exit !(v <= 100) }'
check_eq "after the rounds web-2 is started, in web.internal" "$(aaaa web-1 web.internal)" "$ALL3"

# ---- move (a registry-only machine: a new /112 on the other host) -----------------------
J=$(ctl --json machines create --app api --host a7b:d6b --process-group mover)
MV_ID=$(jq_ 'd["id"]' <<<"$J") MV_OLD=$(jq_ 'd["address"]' <<<"$J")
for _ in $(seq 100); do [ "$(aaaa web-1 "$MV_ID.vm.api.internal")" = "$MV_OLD" ] && break; sleep 0.01; done
check_eq "before the move: <id>.vm.api.internal" "$(aaaa web-1 "$MV_ID.vm.api.internal")" "$MV_OLD"
J=$(ctl --json machines move "$MV_ID" --host a7b:174)
MV_NEW=$(jq_ 'd["machine"]["address"]' <<<"$J")
check_ne "move: a new address" "$MV_NEW" "$MV_OLD"
for _ in $(seq 100); do [ "$(aaaa web-1 "$MV_ID.vm.api.internal")" = "$MV_NEW" ] && break; sleep 0.01; done
for t in +notcp +tcp; do
	check_eq "${t#+} moved: the same <id>.vm. name answers the new address" "$(aaaa web-1 "$MV_ID.vm.api.internal" $t)" "$MV_NEW"
	check_eq "${t#+} moved: mover.process.api.internal too" "$(aaaa web-1 mover.process.api.internal $t)" "$MV_NEW"
	check_eq "${t#+} moved: ord.api.internal has it" "$(aaaa web-1 ord.api.internal $t | tr ' ' '\n' | grep -c "^$MV_NEW$")" 1
	check_eq "${t#+} moved: ams.api.internal (no api machine is in ams now) NXDOMAIN" "$(aaaa web-1 ams.api.internal $t)" NXDOMAIN
done
MV_INST=$($PY -c 'import ipaddress,sys; print(int.from_bytes(ipaddress.IPv6Address(sys.argv[1]).packed[10:14], "big"))' "$MV_OLD")
check_eq "moved: the old prefix is quarantined" \
	"$(sqlite3 "$STATE/registry.db" "SELECT released_at IS NOT NULL FROM instances WHERE host_id = $((0x0a7b0d6b)) AND instance_id = $MV_INST")" 1
finish
