#!/usr/bin/env bash
# The LSB init script, as Debian runs one: start-stop-daemon starts sixpnd
# (in a namespace here: the script runs under nsenter and its child
# inherits it), start again is a no-op, status follows, reload is a full
# reconcile, stop leaves the datapath pinned, detach removes it, and a host
# that is not configured yet does not start.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
NS=op-init
PIN=/sys/fs/bpf/sixpn-op-init
TMP=$(mktemp -d)
INIT=$SIXPN_ROOT/scripts/sixpn-init
cleanup() {
	[ -f "$TMP/pid" ] && kill -9 "$(cat "$TMP/pid")" 2>/dev/null
	sixpnd_gone $NS $PIN
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns del $NS 2>/dev/null; rm -rf $PIN
CTL="$BUILD/sixpnctl --registry $TMP/registry.db"
web_fleet "$CTL"
ns_add $NS

cat >"$TMP/default" <<EOT
SIXPN_HOST=a7b:1
SIXPN_ARGS="--pin-dir $PIN"
SIXPN_REGISTRY=$TMP/registry.db
PIDFILE=$TMP/pid
LOGFILE=$TMP/log
EOT
init() { SIXPN_DEFAULTS=$TMP/default SIXPND=$BUILD/sixpnd nsenter --net=/run/netns/$NS "$INIT" "$@"; }
# alive PID: running, not a zombie (start-stop-daemon's child is reparented
# to whatever reaps orphans here, which may be slow to).
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null); [ -n "$st" ] && [ "$st" != Z ]; }
sixpnds() { pgrep -xc sixpnd -F "$TMP/pid" 2>/dev/null || echo 0; }

check "the script sources Debian's init-functions" grep -q '^\. /lib/lsb/init-functions' "$INIT"
check "the script starts with start-stop-daemon" grep -q 'start-stop-daemon --start' "$INIT"
init status >/dev/null 2>&1
check_eq "status before start: not running (exit 3)" "$?" 3
out=$(init start 2>&1); rc=$?
check_eq "start: exit 0" "$rc" 0
check "start: the pid file names a running sixpnd" test "$(sixpnds)" = 1
for _ in $(seq 50); do grep -q 'msg="sixpnd running"' "$TMP/log" && break; sleep 0.1; done
check "start: sixpnd logs to the LOGFILE" grep -q 'msg="sixpnd running"' "$TMP/log"
check "start: SIXPN_REGISTRY reaches sixpnd" grep -q "registry=$TMP/registry.db" "$TMP/log"
check "start: it runs in the namespace (pins, fdaa::3 there)" \
	sh -c "test -e $PIN/ifaces && ip -n $NS -6 addr show | grep -q 'fdaa::3/128'"
pid=$(cat "$TMP/pid")
init start >/dev/null 2>&1
check_eq "start again: exit 0" "$?" 0
check_eq "start again: the same sixpnd, no second one" "$(cat "$TMP/pid"):$(sixpnds)" "$pid:1"
init status >/dev/null 2>&1
check_eq "status: running (exit 0)" "$?" 0
init reload >/dev/null 2>&1
check_eq "reload: exit 0" "$?" 0
for _ in $(seq 30); do grep -q 'SIGHUP: full reconcile' "$TMP/log" && break; sleep 0.1; done
check "reload: sixpnd runs a full reconcile" grep -q 'msg="SIGHUP: full reconcile"' "$TMP/log"
init stop >/dev/null 2>&1
check_eq "stop: exit 0" "$?" 0
# start-stop-daemon matches the process by its executable, which the kernel
# lets go of before the task has quite finished exiting: give it a moment.
for _ in $(seq 20); do alive "$pid" || break; sleep 0.1; done
check_fails "stop: sixpnd is gone (within 2 s of the script's return)" alive "$pid"
check_fails "stop: the pid file is removed" test -e "$TMP/pid"
check "stop: the datapath stays pinned" test -e $PIN/ifaces
init status >/dev/null 2>&1
check_eq "status after stop: not running (exit 3)" "$?" 3
init stop >/dev/null 2>&1
check_eq "stop again: exit 0" "$?" 0
init detach >/dev/null 2>&1
check_fails "detach: the pins of SIXPN_ARGS' --pin-dir are removed" test -e $PIN

sed -i '/^SIXPN_HOST=/d' "$TMP/default"
out=$(init start 2>&1); rc=$?
check_eq "no SIXPN_HOST: not configured (exit 6)" "$rc" 6
check "no SIXPN_HOST: the message names the defaults file" grep -q "SIXPN_HOST is not set in $TMP/default" <<<"$out"
check_fails "no SIXPN_HOST: nothing started" test -e "$TMP/pid"
finish
