# shellcheck shell=sh
# POSIX sh helpers for the tests in selftests/vm/: they run on the host
# (selftests/run.sh) and inside the `make vmtest` guests, where /bin/sh is
# dash as on the host and there is no bash and no python3. The only tools
# they may use are busybox applets and what scripts/vm/mkinitramfs.sh copies
# into the guest: ip, tc, nsenter, ping, socat, xdp-loader, sixpnctl and the build/
# binaries. A new tool goes into GUEST_TOOLS there.
#
# Everything made through these helpers is recorded and removed by
# `vm_cleanup`, which tests install as an EXIT trap.

SIXPN_ROOT=${SIXPN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$SIXPN_ROOT/$BUILD" ;; esac

_VM_NS=""
_VM_PINS=""
_VM_PIDS=""

# in_ns NS CMD...: CMD in NS's network namespace only; the mount namespace
# (and so /sys/fs/bpf) stays the caller's, unlike `ip netns exec`.
in_ns() {
	_ns=$1; shift
	nsenter --net="/run/netns/$_ns" "$@"
}

# ns_add NS: a namespace with lo up and no duplicate address detection.
ns_add() {
	ip netns add "$1"
	_VM_NS="$_VM_NS $1"
	ip -n "$1" link set lo up
	in_ns "$1" sh -c 'echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad;
		echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad'
}

# host_ns NS: a namespace that forwards IPv6, as a worker host does.
host_ns() {
	ns_add "$1"
	in_ns "$1" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/forwarding'
}

# instance_ns HOSTNS NS HOSTIF ADDR PREFIX/112: an instance namespace on a
# veth pair; the host side HOSTIF gets fe80::1 and the route for the /112.
instance_ns() {
	ns_add "$2"
	veth_instance "$1" "$2" "$3" "$4/112" "$5"
}

# attach NS PIN_DIR ARGS...: sixpn-attach in NS, its pins recorded.
attach() {
	_ns=$1 _pin=$2; shift 2
	case " $_VM_PINS " in *" $_ns:$_pin "*) ;; *) _VM_PINS="$_VM_PINS $_ns:$_pin" ;; esac
	in_ns "$_ns" "$BUILD/sixpn-attach" --pin-dir "$_pin" "$@"
}

# bg_in_ns NS CMD...: CMD in NS in the background; its pid in LAST_PID.
# nsenter execs CMD, so that pid is CMD's own and `kill` reaches it.
bg_in_ns() {
	_ns=$1; shift
	nsenter --net="/run/netns/$_ns" "$@" &
	LAST_PID=$!
	_VM_PIDS="$_VM_PIDS $LAST_PID"
}

vm_cleanup() {
	for _p in $_VM_PIDS; do kill "$_p" 2>/dev/null; done
	for _p in $_VM_PIDS; do wait "$_p" 2>/dev/null; done
	for _e in $_VM_PINS; do
		_ns=${_e%%:*}
		[ -e "/run/netns/$_ns" ] &&
			in_ns "$_ns" "$BUILD/sixpn-attach" --pin-dir "${_e#*:}" unload 2>/dev/null
		rm -rf "${_e#*:}"
	done
	for _ns in $_VM_NS; do ip netns del "$_ns" 2>/dev/null; done
	_VM_NS="" _VM_PINS="" _VM_PIDS=""
	return 0
}

. "$SIXPN_ROOT/selftests/lib/veth.sh"

# --- assertions: selftests/lib/tap.sh ---------------------------------------
. "$SIXPN_ROOT/selftests/lib/tap.sh"
