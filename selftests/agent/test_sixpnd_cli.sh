#!/usr/bin/env bash
# sixpnd as an init script sees it: usage and start-up errors with the
# offending value and the documented exit codes, --once, the map-fill
# warning, and --detach removing everything it made.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
NS=sxc-host
PIN=/sys/fs/bpf/sixpn-sxc
TMP=$(mktemp -d)
cleanup() {
	sixpnd_gone $NS $PIN
	rm -rf "$TMP"
	ip netns del $NS 2>/dev/null
}
trap cleanup EXIT
cleanup
D="$BUILD/sixpnd"
CTL="$BUILD/sixpnctl --registry $TMP/registry.db"

out=$("$D" --help); rc=$?
check_eq "--help exits 0" "$rc" 0
check "--help documents --detach" grep -q -- '--detach' <<<"$out"
err=$("$D" 2>&1); rc=$?
check_eq "no --host: usage error (exit 2)" "$rc" 2
check "no --host: the message says --host is required" grep -q -- '--host HOST_ID is required' <<<"$err"
err=$("$D" --host zz:top 2>&1); rc=$?
check_eq "a bad host ID: usage error (exit 2)" "$rc" 2
check "a bad host ID: the message names the value" grep -q "zz:top" <<<"$err"
err=$("$D" --host a7b:1 --bogus 2>&1); rc=$?
check_eq "an unknown option: usage error (exit 2)" "$rc" 2

ip netns add $NS
ip -n $NS link set lo up
err=$(in_ns $NS "$D" --host a7b:1 --registry "$TMP/none.db" --pin-dir $PIN --once 2>&1); rc=$?
check_eq "a missing registry: cannot start (exit 1)" "$rc" 1
check "a missing registry: the message names the path" grep -q "none.db" <<<"$err"

web_fleet "$CTL" 5
err=$(in_ns $NS "$D" --host a7b:1 --registry "$TMP/registry.db" --pin-dir $PIN --mesh-dev nope0 --once 2>&1); rc=$?
check_eq "a missing mesh device: cannot start (exit 1)" "$rc" 1
check "a missing mesh device: the message names it" grep -q 'dev=nope0' <<<"$err"
check_fails "a start that cannot work pins nothing" test -e $PIN

# 5 machines of one app make 20 names (5 of the zone, 10 of the app, 5 vm.): a names map of 21 is over 90% full.
nsenter --net=/run/netns/$NS "$D" --host a7b:1 --registry "$TMP/registry.db" --pin-dir $PIN \
	--names-max 21 >"$TMP/log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q 'map nearly full' "$TMP/log" && break; sleep 0.1; done
check "a names map over 90% full is reported in the log" grep -q 'msg="map nearly full' "$TMP/log"
check "the warning names the map" grep -q 'map=dns_names' "$TMP/log"
kill -TERM $pid; wait $pid; rc=$?
check_eq "SIGTERM: clean exit (exit 0)" "$rc" 0
check "SIGTERM leaves the datapath pinned" test -e $PIN/ifaces
check "SIGTERM leaves fdaa::3 in place" sh -c "ip -n $NS -6 addr show | grep -q 'fdaa::3/128'"

in_ns $NS "$D" --detach --pin-dir $PIN >/dev/null 2>&1; rc=$?
check_eq "--detach: exit 0" "$rc" 0
check_fails "--detach removes the pins" test -e $PIN
check_fails "--detach removes fdaa::3" sh -c "ip -n $NS -6 addr show | grep -q 'fdaa::3/128'"
in_ns $NS "$D" --detach --pin-dir $PIN >/dev/null 2>&1; rc=$?
check_eq "--detach again: nothing to do, exit 0" "$rc" 0
finish
