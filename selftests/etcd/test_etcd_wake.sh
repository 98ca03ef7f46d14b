#!/usr/bin/env bash
# timeout: 180
# A write through etcd reaches the names map at once, not at sixpnd's poll
# interval (1 s). The mirror commits each watch event to the local file on
# a thread of sixpnd's; inotify on the file fires with the transaction's
# writes, before the commit is visible, so the main loop woken by it alone
# read nothing new and slept until the poll timeout (a name answered ~1 s
# after its commit in etcd). The mirror now wakes the loop after each
# commit (reg_mirror_fd), which sixpn_sync_wakeups_total{by="mirror"}
# counts.
#
# One etcd member, one host running sixpnd --etcd with an instance; the
# writer is sixpnctl --etcd in etcd's own namespace, so the host learns of
# each create only through its watch, as any other host of a fleet does.
# 20 creates one after the other (scripts/bench/etcd_fresh.py): every name
# answers AAAA at fdaa::3, p50 from the create's exit well under the poll
# interval, and the mirror woke the loop at least once per create.
set -uo pipefail
P=ewk-$$ NET=10.72.0
. "$(dirname "$0")/one_etcd.sh"
I=$P-i IFC=ewk$$ N=20

jget() { $PY -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
metric() { in_ns "$H" curl -s --max-time 1 "http://$METRICS/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
# wakeups BY: sixpn_sync_wakeups_total{by="BY"}, an integer (0 when absent)
wakeups() { local v; v=$(metric "sixpn_sync_wakeups_total{by=\"$1\"}"); echo "${v:-0}"; }
counted() { [ -n "$(metric 'sixpn_sync_wakeups_total{by="mirror"}')" ]; }

one_etcd_net
one_etcd_start
check "etcd starts in its namespace and answers the host" \
	within 10 in_ns "$H" curl -s --max-time 1 -o /dev/null -X POST -d '{}' "$URL/v3/maintenance/status"
# the writer: in etcd's namespace, not on the host
ctle() { in_ns "$ET" "$BUILD/sixpnctl" --etcd "$URL" "$@"; }
setup() { ctle orgs create acme && ctle apps create web --org acme && ctle hosts add a7b:e5 --region ams; }
check "sixpnctl --etcd in etcd's namespace sets up org, app and host" setup
J=$(ctle --json machines create --app web --host a7b:e5 --iface "$IFC")
M1=$(jget address <<<"$J")
check "the instance's machine is created (address $M1)" test -n "$M1"
ns_add "$I"
ip link add "$IFC" netns "$H" type veth peer name eth0 netns "$I"
ip -n "$I" addr add "$M1/112" dev eth0 nodad
ip -n "$I" link set eth0 up
ip -n "$I" -6 route add default via fe80::1 dev eth0
nsenter --net="/run/netns/$H" "$BUILD/sixpnd" --host a7b:e5 --etcd "$URL" \
	--registry "$TMP/mirror.db" --pin-dir "$PIN" --metrics "$METRICS" >"$TMP/sixpnd.log" 2>&1 &
D_PID=$!
web_answers() { in_ns "$I" dig -6 +short +time=1 +tries=1 AAAA web.internal @fdaa::3 2>/dev/null | grep -q .; }
check "the instance gets web.internal from fdaa::3 within 10 s" within 10 web_answers
check "sixpnd counts its wakeups by cause (sixpn_sync_wakeups_total)" within 5 counted

m0=$(wakeups mirror) t0=$(wakeups timer)
in_ns "$I" $PY "$SIXPN_ROOT/scripts/bench/etcd_fresh.py" --sixpnctl "$BUILD/sixpnctl" \
	--etcd "$URL" --netns "$ET" --host a7b:e5 --apps web --count "$N" >"$TMP/fresh.json"
check_eq "etcd_fresh.py ran its $N creates" "$?" 0
m1=$(wakeups mirror) t1=$(wakeups timer)
fresh() { $PY -c "
import json, sys
r = json.load(open(sys.argv[1]))
f = sorted(r['fresh_ms'])
$1" "$TMP/fresh.json"; }
check_eq "every name answered on the host (answered of $N)" "$(fresh 'print(len(f))')" "$N"
echo "# commit -> AAAA, ms: $(fresh 'print(f)')"
echo "# wakeups: mirror $m0 -> $m1, timer $t0 -> $t1"
check "p50 commit -> AAAA is under 300 ms, not the 1 s poll interval ($(fresh 'print(f[len(f) // 2])') ms)" \
	fresh 'sys.exit(0 if f[len(f) // 2] < 300 else 1)'
check_ge "the mirror woke sixpnd at least once per create (by=mirror +$((m1 - m0)))" \
	"$((m1 - m0))" "$N"
finish
