#!/usr/bin/env bash
# Starts that cannot work must fail before they touch anything: a bpffs
# that would die with the process (sixpnd or sixpn-attach under
# `ip netns exec`, or a bpffs mounted only in a private mount namespace), and
# a gateway or mesh device whose WireGuard key file cannot be used. Each
# refusal exits 1, names what is wrong and how to run it, and pins nothing.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
NS=ah-start
PIN=/sys/fs/bpf/sixpn-ah-start
TMP=$(mktemp -d /tmp/ah-start.XXXXXX)
cleanup() {
	[ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null
	sixpnd_gone $NS $PIN
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns del $NS 2>/dev/null
rm -rf $PIN
D="$BUILD/sixpnd"
A="$BUILD/sixpn-attach"
CTL="$BUILD/sixpnctl --registry $TMP/registry.db"

web_fleet "$CTL"
ns_add $NS
wg_up $NS ahsm0 51900
wg_up $NS ahsp0 51901
(umask 077; wg genkey >"$TMP/mesh.key"; wg genkey >"$TMP/peers.key")
NSX=(nsenter --net=/run/netns/$NS)
BASE=(--host a7b:1 --registry "$TMP/registry.db" --pin-dir $PIN)

# start_fails NAME CMD...: CMD (a sixpnd start, not --once) must exit by
# itself within 10 s; $rc and $TMP/NAME.log hold the outcome.
start_fails() {
	local name=$1; shift
	timeout 10 "$@" >"$TMP/$name.log" 2>&1; rc=$?
}
nothing_pinned() { ! test -e $PIN && ! ip -n $NS -6 addr show | grep -q 'fdaa::3/128'; }

# --- 15: the WireGuard keys of the devices sixpnd is told to run ---------------
start_fails nopeerskey "${NSX[@]}" "$D" "${BASE[@]}" --peers-dev ahsp0 --peers-key-file "$TMP/none.key"
check_eq "a gateway whose peers key file is missing cannot start (exit 1)" "$rc" 1
check "the message names the peers key file" grep -q "$TMP/none.key" "$TMP/nopeerskey.log"
check "a start without a peers key pins nothing and adds no fdaa::3" nothing_pinned

cp "$TMP/peers.key" "$TMP/open.key"; chmod 644 "$TMP/open.key"
start_fails openkey "${NSX[@]}" "$D" "${BASE[@]}" --peers-dev ahsp0 --peers-key-file "$TMP/open.key"
check_eq "a peers key file others can read: cannot start (exit 1)" "$rc" 1
check "the message names the file and says chmod 600" grep -q "$TMP/open.key.*chmod 600" "$TMP/openkey.log"

(umask 077; echo "not a key" >"$TMP/junk.key")
start_fails junkkey "${NSX[@]}" "$D" "${BASE[@]}" --peers-dev ahsp0 --peers-key-file "$TMP/junk.key"
check_eq "a peers key file without a key in it: cannot start (exit 1)" "$rc" 1
check "the message names the junk key file" grep -q "$TMP/junk.key" "$TMP/junkkey.log"

start_fails nomeshkey "${NSX[@]}" "$D" "${BASE[@]}" --mesh-dev ahsm0 --key-file "$TMP/none.key"
check_eq "a mesh device whose key file is missing cannot start (exit 1)" "$rc" 1
check "the message names the mesh key file" grep -q "$TMP/none.key" "$TMP/nomeshkey.log"
check "a start without a mesh key pins nothing and adds no fdaa::3" nothing_pinned

# The same starts with usable keys run (the checks above are not refusing
# every gateway).
# nsenter itself in the background (not the in_ns function's subshell), so
# that $! is sixpnd.
"${NSX[@]}" "$D" "${BASE[@]}" --mesh-dev ahsm0 --key-file "$TMP/mesh.key" \
	--peers-dev ahsp0 --peers-key-file "$TMP/peers.key" >"$TMP/good.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q 'msg="sixpnd running"' "$TMP/good.log" && break; sleep 0.05; done
check "with readable keys the gateway starts" grep -q 'msg="sixpnd running"' "$TMP/good.log"
check_fails "with readable keys the full sync has no error" grep -q 'msg="full sync".* err=-' "$TMP/good.log"
kill -TERM $pid; wait $pid; rc=$?; pid=""
check_eq "the gateway stops on SIGTERM (exit 0)" "$rc" 0
in_ns $NS "$D" --detach --pin-dir $PIN >/dev/null 2>&1

# --- 14: a bpffs that dies with the process ------------------------------------
# `ip netns exec` makes a mount namespace of its own with a fresh /sys: a
# bpffs sixpnd mounted there would take programs, links and maps with it
# when sixpnd exits.
start_fails netnsexec ip netns exec $NS "$D" "${BASE[@]}"
check_eq "sixpnd under ip netns exec refuses to start (exit 1)" "$rc" 1
check "the refusal says to run it with nsenter --net=/run/netns/$NS" \
	grep -q "nsenter --net=/run/netns/$NS" "$TMP/netnsexec.log"
check "the refusal names --allow-private-bpffs" grep -q -- '--allow-private-bpffs' "$TMP/netnsexec.log"
check "the refusal under ip netns exec adds no fdaa::3" nothing_pinned
start_fails netnsexec_once ip netns exec $NS "$D" "${BASE[@]}" --once
check_eq "sixpnd --once under ip netns exec refuses too (exit 1)" "$rc" 1
start_fails netnsexec_detach ip netns exec $NS "$D" --detach --pin-dir $PIN
check_eq "sixpnd --detach under ip netns exec refuses (it would see nothing pinned)" "$rc" 1
start_fails attach_netnsexec ip netns exec $NS "$A" --pin-dir $PIN status
check_eq "sixpn-attach under ip netns exec refuses (exit 1)" "$rc" 1
check "sixpn-attach's refusal says how to run it" grep -q "nsenter --net=/run/netns/$NS" "$TMP/attach_netnsexec.log"
check_fails "sixpn-attach's refusal pinned nothing on the host" test -e $PIN

# A bpffs mounted by hand in a private mount namespace dies the same way.
start_fails privmount unshare --mount --propagation private sh -c \
	"mount -t bpf bpf /sys/fs/bpf && exec nsenter --net=/run/netns/$NS $D ${BASE[*]}"
check_eq "sixpnd on a bpffs mounted only in a private mount namespace refuses (exit 1)" "$rc" 1
check "the refusal says the bpffs is not the host's" grep -q 'not shared with the host' "$TMP/privmount.log"

# A mount namespace of its own that still sees the host's bpffs (systemd's
# PrivateMounts=, unshare -m) is fine: the pins outlive the process.
start_fails slave unshare --mount --propagation slave "${NSX[@]}" "$D" "${BASE[@]}" --once
check_eq "sixpnd in a private mount namespace on the host's bpffs runs (--once: exit 0)" "$rc" 0
check "its pins are on the host's bpffs" test -e $PIN/ifaces
in_ns $NS "$D" --detach --pin-dir $PIN >/dev/null 2>&1

# --allow-private-bpffs: the operator knows (a throw-away test namespace).
start_fails allowed ip netns exec $NS "$D" "${BASE[@]}" --once --allow-private-bpffs
check_eq "--allow-private-bpffs lets sixpnd run under ip netns exec (--once: exit 0)" "$rc" 0
check "it still warns that the datapath dies with it" grep -q 'level=warn.*private' "$TMP/allowed.log"
check_fails "nothing it pinned reached the host's bpffs" test -e $PIN
ip netns exec $NS "$D" --detach --pin-dir $PIN --allow-private-bpffs >/dev/null 2>&1
start_fails attach_allowed ip netns exec $NS "$A" --pin-dir $PIN --allow-private-bpffs status
check_eq "sixpn-attach --allow-private-bpffs runs under ip netns exec" "$rc" 0

# And the way the refusal says: nsenter keeps the host's bpffs.
start_fails nsenter "${NSX[@]}" "$D" "${BASE[@]}" --once
check_eq "sixpnd under nsenter --net runs (--once: exit 0)" "$rc" 0
check_fails "under nsenter nothing warns about a private bpffs" grep -q 'private' "$TMP/nsenter.log"
finish
