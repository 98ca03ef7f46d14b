#!/usr/bin/env bash
# sixpnd and its service manager (sd_notify): READY=1 only once the first
# full pass has run (never from a start that fails), STATUS= following the
# sync, RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 on SIGTERM. The
# manager is a small AF_UNIX datagram listener on $NOTIFY_SOCKET, as
# systemd's is.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
NS=op-notify
PIN=/sys/fs/bpf/sixpn-op-notify
TMP=$(mktemp -d)
LPID=
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	sixpnd_gone $NS $PIN
	rm -rf "$TMP"
	ip netns del $NS 2>/dev/null
}
trap cleanup EXIT
cleanup
D="$BUILD/sixpnd"
CTL="$BUILD/sixpnctl --registry $TMP/registry.db"
SOCK=$TMP/notify.sock
MSGS=$TMP/msgs

# listen: one line per datagram, its assignments joined by '|'.
listen() {
	rm -f "$SOCK" "$MSGS"
	: >"$MSGS"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as out:
    while True:
        m = s.recv(4096).decode()
        out.write(m.strip("\n").replace("\n", "|") + "\n")
        out.flush()
' "$SOCK" "$MSGS" &
	LPID=$!
	for _ in $(seq 50); do [ -S "$SOCK" ] && return; sleep 0.05; done
}

# wait_msg ERE: until a datagram matches (5 s).
wait_msg() {
	for _ in $(seq 100); do grep -Eq "$1" "$MSGS" && return 0; sleep 0.05; done
	return 1
}

ip netns add $NS
ip -n $NS link set lo up
web_fleet "$CTL" 2
# One machine behind an interface that is not there yet.
$CTL machines create --app web --host a7b:1 --iface op-wait0 >/dev/null

# A start that fails says nothing of being ready.
listen
NOTIFY_SOCKET=$SOCK in_ns $NS "$D" --host a7b:1 --registry "$TMP/registry.db" --pin-dir $PIN \
	--mesh-dev op-nope0 >"$TMP/log0" 2>&1
check_eq "a start that cannot work exits 1" "$?" 1
sleep 0.2
check_fails "a start that cannot work sends no READY=1" grep -q 'READY=1' "$MSGS"

NOTIFY_SOCKET=$SOCK nsenter --net=/run/netns/$NS "$D" --host a7b:1 --registry "$TMP/registry.db" \
	--pin-dir $PIN >"$TMP/log" 2>&1 &
pid=$!
wait_msg 'READY=1'
check "READY=1 arrives" grep -q 'READY=1' "$MSGS"
# When the manager hears READY=1, the first full pass is done: the
# datapath is pinned and the pass logged.
check "READY=1: the datapath is pinned by then" test -e $PIN/ifaces
check "READY=1: the first full pass was logged before it" grep -q 'msg="full sync"' "$TMP/log"
first=$(head -1 "$MSGS")
check "READY=1 is sixpnd's first message" grep -q '^READY=1|' <<<"$first"
check "READY=1 comes with STATUS= of the sync" \
	grep -Eq 'STATUS=in sync at seq [0-9]+: 3 machines, 0 peers, [0-9]+ names' <<<"$first"
check "STATUS= says a machine waits for its interface (op-wait0 is not there)" \
	grep -q 'machines waiting for their interface' <<<"$first"
ip -n $NS link add op-wait0 type veth peer name op-wait1
ip -n $NS link set op-wait0 up
wait_msg '^STATUS=in sync at seq [0-9]+: 3 machines, 0 peers, [0-9]+ names$'
check "STATUS= follows the interface appearing: nothing waits" \
	grep -Eq '^STATUS=in sync at seq [0-9]+: 3 machines, 0 peers, [0-9]+ names$' "$MSGS"

# A change applied by a delta: STATUS= follows, READY=1 is not sent again.
$CTL machines create --app web --host a7b:1 >/dev/null
wait_msg 'STATUS=in sync at seq [0-9]+: 4 machines'
check "STATUS= follows a change (4 machines)" grep -Eq 'STATUS=in sync at seq [0-9]+: 4 machines' "$MSGS"
check_eq "READY=1 is sent once without a reload" "$(grep -c 'READY=1' "$MSGS")" 1
n_before=$(wc -l <"$MSGS")
sleep 1.5
check_eq "an unchanged state sends nothing more (one poll later)" "$(wc -l <"$MSGS")" "$n_before"

# SIGHUP: RELOADING=1, then READY=1 after the pass.
kill -HUP $pid
wait_msg 'READY=1.*' && for _ in $(seq 100); do [ "$(grep -c 'READY=1' "$MSGS")" -ge 2 ] && break; sleep 0.05; done
tail -n +"$((n_before + 1))" "$MSGS" >"$TMP/reload"
check "SIGHUP: RELOADING=1 is sent" grep -q 'RELOADING=1' "$TMP/reload"
check "SIGHUP: RELOADING=1 carries MONOTONIC_USEC" grep -Eq 'RELOADING=1.*MONOTONIC_USEC=[0-9]+' "$TMP/reload"
order=$(grep -oE 'RELOADING=1|READY=1' "$TMP/reload" | tr '\n' ' ')
check_eq "SIGHUP: RELOADING=1 then READY=1" "$order" "RELOADING=1 READY=1 "
check "SIGHUP: the pass was logged" grep -q 'msg="SIGHUP: full reconcile"' "$TMP/log"
check "SIGHUP: READY=1 comes with the sync's STATUS=" \
	grep -Eq 'READY=1\|STATUS=in sync at seq [0-9]+: 4 machines' "$TMP/reload"

# The registry gone under sixpnd: STATUS= says so.
mv "$TMP/registry.db" "$TMP/registry.away"
wait_msg 'STATUS=serving the last state applied'
check "STATUS= says the registry file is gone" grep -q 'registry file is gone' "$MSGS"

kill -TERM $pid; wait $pid; rc=$?
check_eq "SIGTERM: clean exit" "$rc" 0
check "SIGTERM: STOPPING=1 is sent" grep -q 'STOPPING=1|STATUS=stopping; the datapath stays loaded' "$MSGS"

# No NOTIFY_SOCKET (the init script): sixpnd runs as before.
mv "$TMP/registry.away" "$TMP/registry.db"
in_ns $NS "$D" --host a7b:1 --registry "$TMP/registry.db" --pin-dir $PIN --once >/dev/null 2>&1
check_eq "without NOTIFY_SOCKET: --once still exits 0" "$?" 0
finish
