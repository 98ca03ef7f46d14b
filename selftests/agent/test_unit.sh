#!/usr/bin/env bash
# The systemd unit as shipped: systemd-analyze verify accepts it, and sixpnd
# started from its ExecStart= line with exactly its CapabilityBoundingSet=
# and NoNewPrivileges= (setpriv: no systemd needed) runs a host in full:
# TC and XDP on a machine, the mesh device, the resolver on port 53,
# metrics, a SIGHUP pass, --detach. Each capability of the set is needed:
# without any one of them sixpnd fails or logs an error.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
UNIT=$SIXPN_ROOT/scripts/sixpnd.service
NS=op-unit
NSI=op-unit-i
PIN=/sys/fs/bpf/sixpn-op-unit
TMP=$(mktemp -d)
cleanup() {
	sixpnd_gone $NS $PIN
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns del $NS 2>/dev/null; ip netns del $NSI 2>/dev/null; rm -rf $PIN
CTL="$BUILD/sixpnctl --registry $TMP/registry.db"

sed "s|/usr/sbin/sixpnd|$BUILD/sixpnd|" "$UNIT" >"$TMP/sixpnd.service"
out=$(MANPATH=$BUILD/man systemd-analyze verify "$TMP/sixpnd.service" 2>&1); rc=$?
check_eq "systemd-analyze verify accepts the unit (man pages found too)" "$rc:$out" "0:"
check "the unit is Type=notify" grep -qx 'Type=notify' "$UNIT"

caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
check_ne "the unit has a CapabilityBoundingSet=" "$caps" ""
check "the unit sets NoNewPrivileges=yes" grep -qx 'NoNewPrivileges=yes' "$UNIT"
# setpriv's spelling: +bpf,+net_admin,...
setpriv_caps() { local c out=; for c in "$@"; do c=${c#CAP_}; out+=",+${c,,}"; done; echo "${out#,}"; }
# shellcheck disable=SC2086
all=$(setpriv_caps $caps)

web_fleet "$CTL" 1 --iface opu-web0
host_ns $NS
ns_add $NSI
ip link add opu-web0 netns $NS type veth peer name eth0 netns $NSI
ip -n $NS link set opu-web0 up
wg_up $NS opum0 51960
(umask 077; wg genkey >"$TMP/mesh.key")

# The unit's command line, with /etc/default/sixpn's variables.
SIXPN_HOST=a7b:1
SIXPN_ARGS="--registry $TMP/registry.db --pin-dir $PIN --mesh-dev opum0 --key-file $TMP/mesh.key --metrics [::1]:9462"
exec_start=$(sed -n 's/^ExecStart=//p' "$TMP/sixpnd.service")
cmdline=${exec_start//'${SIXPN_HOST}'/$SIXPN_HOST}
cmdline=${cmdline//'$SIXPN_ARGS'/$SIXPN_ARGS}

# run_unit CAPS LOG: sixpnd from the unit's line with bounding set CAPS, for
# 3 s and a SIGHUP; $rc is its exit status after SIGTERM.
run_unit() {
	# shellcheck disable=SC2086
	nsenter --net=/run/netns/$NS setpriv --no-new-privs --bounding-set "-all,$1" $cmdline >"$2" 2>&1 &
	local pid=$!
	for _ in $(seq 30); do grep -q 'msg="sixpnd running"' "$2" && break; sleep 0.1; done
	in_ns $NS curl -s -m 2 'http://[::1]:9462/metrics' >"$2.metrics"
	kill -HUP $pid 2>/dev/null; sleep 0.5
	kill -TERM $pid 2>/dev/null; wait $pid; rc=$?
}

run_unit "$all" "$TMP/all.log"
check_eq "with the unit's capabilities: clean exit" "$rc" 0
check_fails "with the unit's capabilities: no error logged" grep -q 'level=error' "$TMP/all.log"
check "with the unit's capabilities: the machine is attached" grep -q 'msg="machine attached".*iface=opu-web0' "$TMP/all.log"
check "with the unit's capabilities: the resolver listens on port 53" grep -q 'msg="resolver running" port=53' "$TMP/all.log"
check "with the unit's capabilities: metrics are served" grep -q '^sixpn_sync_full_passes' "$TMP/all.log.metrics"
check "with the unit's capabilities: SIGHUP's pass runs" grep -q 'msg="SIGHUP: full reconcile"' "$TMP/all.log"
check "with the unit's capabilities: the mesh programs are attached" \
	sh -c "nsenter --net=/run/netns/$NS '$BUILD/sixpn-attach' --pin-dir $PIN status | grep -q opum0"
# shellcheck disable=SC2086
nsenter --net=/run/netns/$NS setpriv --no-new-privs --bounding-set "-all,$all" \
	"$BUILD/sixpnd" --detach --pin-dir $PIN >"$TMP/detach.log" 2>&1
check_eq "with the unit's capabilities: --detach exits 0" "$?" 0
check_fails "with the unit's capabilities: --detach removes the pins" test -e $PIN

# Each capability is needed.
for c in $caps; do
	# shellcheck disable=SC2086
	less=$(setpriv_caps ${caps//$c/})
	run_unit "$less" "$TMP/$c.log"
	if [ "$rc" -ne 0 ] || grep -q 'level=error' "$TMP/$c.log"; then
		ok "without $c sixpnd fails or logs an error"
	else
		not_ok "without $c sixpnd fails or logs an error" "it ran cleanly: $c is not needed"
	fi
	in_ns $NS "$BUILD/sixpnd" --detach --pin-dir $PIN >/dev/null 2>&1
done
finish
