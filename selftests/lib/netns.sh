# shellcheck shell=bash
# Helpers for tests that build hosts and instances out of network namespaces.
# Everything made through them is recorded and removed by `netns_cleanup`,
# which tests install as an EXIT trap so that a failing test cleans up too.

SIXPN_ROOT=${SIXPN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$SIXPN_ROOT/$BUILD" ;; esac

_NS_MADE=()
_PIDS=()
_PIN_DIRS=()
_WG_IFACES=()

# in NS CMD...: run CMD in NS's network namespace only. Unlike `ip netns
# exec`, this keeps the root mount namespace, so /sys/fs/bpf pins outlive CMD.
in_ns() {
	local ns=$1; shift
	nsenter --net="/run/netns/$ns" "$@"
}

ns_add() {
	ip netns add "$1"
	_NS_MADE+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# host_ns NS: a namespace that forwards IPv6, as a worker host does.
host_ns() {
	ns_add "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.forwarding=1
}

# bg_in_ns NS CMD...: start CMD in NS in the background, recorded for cleanup.
bg_in_ns() {
	local ns=$1; shift
	# nsenter itself, not a subshell around it: killing LAST_PID must stop CMD.
	nsenter --net="/run/netns/$ns" "$@" &
	_PIDS+=($!)
	LAST_PID=$!
}

# wg_up NS IFACE PORT: a wireguard-go device with a fresh key, listening on
# PORT. The UAPI socket directory is shared by every namespace, so IFACE must
# be unique on the machine. Sets WG_PUB to the device's public key.
wg_up() {
	local ns=$1 ifc=$2 port=$3 key
	_WG_IFACES+=("$ifc")
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 bg_in_ns "$ns" wireguard-go -f "$ifc" >/dev/null 2>&1
	for _ in $(seq 100); do
		[ -S "/var/run/wireguard/$ifc.sock" ] && ip -n "$ns" link show "$ifc" >/dev/null 2>&1 && break
		sleep 0.05
	done
	key=$(wg genkey)
	WG_PUB=$(printf '%s' "$key" | wg pubkey)
	wg set "$ifc" listen-port "$port" private-key <(printf '%s' "$key")
	ip -n "$ns" link set "$ifc" up
}

# mesh_pair H1 H2 WG1 WG2 ALLOWED1 ALLOWED2: worker hosts H1 and H2 (made
# here) joined by an underlay veth, u1 fd5e::1 in H1 to u2 fd5e::2 in H2,
# and a wireguard-go mesh between WG1 in H1 and WG2 in H2 on port 51820.
# WG1 takes ALLOWED1 from H2 (its peer's allowed-ips), WG2 ALLOWED2 from H1;
# each host routes fdaa::/16 into its mesh device.
mesh_pair() {
	local h1=$1 h2=$2 wg1=$3 wg2=$4 pub1 pub2
	host_ns "$h1"; host_ns "$h2"
	ip link add u1 netns "$h1" type veth peer name u2 netns "$h2"
	ip -n "$h1" addr add fd5e::1/64 dev u1 nodad; ip -n "$h1" link set u1 up
	ip -n "$h2" addr add fd5e::2/64 dev u2 nodad; ip -n "$h2" link set u2 up
	wg_up "$h1" "$wg1" 51820; pub1=$WG_PUB
	wg_up "$h2" "$wg2" 51820; pub2=$WG_PUB
	wg set "$wg1" peer "$pub2" endpoint '[fd5e::2]:51820' allowed-ips "$5"
	wg set "$wg2" peer "$pub1" endpoint '[fd5e::1]:51820' allowed-ips "$6"
	ip -n "$h1" -6 route add fdaa::/16 dev "$wg1"
	ip -n "$h2" -6 route add fdaa::/16 dev "$wg2"
}

# instance_ns HOSTNS NS HOSTIF ADDR/112: an instance namespace on a veth pair;
# the host side HOSTIF gets fe80::1 and a route for the /112.
instance_ns() {
	local prefix
	ns_add "$2"
	prefix=$(/usr/bin/python3 -c 'import ipaddress,sys; print(ipaddress.ip_interface(sys.argv[1]).network)' "$4")
	veth_instance "$1" "$2" "$3" "$4" "$prefix"
}

attach() {
	local ns=$1 pin=$2; shift 2
	_PIN_DIRS+=("$ns:$pin")
	in_ns "$ns" "$BUILD/sixpn-attach" --pin-dir "$pin" "$@"
}

netns_cleanup() {
	local p ns entry
	for p in "${_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for entry in "${_PIN_DIRS[@]}"; do
		ns=${entry%%:*}
		if [ -e "/run/netns/$ns" ]; then
			in_ns "$ns" "$BUILD/sixpn-attach" --pin-dir "${entry#*:}" unload 2>/dev/null
		fi
		rm -rf "${entry#*:}"
	done
	for ns in "${_NS_MADE[@]}"; do ip netns del "$ns" 2>/dev/null; done
	for p in "${_WG_IFACES[@]}"; do rm -f "/var/run/wireguard/$p.sock"; done
	return 0
}

. "$SIXPN_ROOT/selftests/lib/veth.sh"

# --- assertions: selftests/lib/tap.sh ---------------------------------------
. "$SIXPN_ROOT/selftests/lib/tap.sh"

# --- sixpnd on one host namespace --------------------------------------------
# sixpnd_gone NS PIN: a sixpnd of NS detached (if NS is still there) and its
# pins removed; for the EXIT traps of the tests that start one.
sixpnd_gone() {
	[ -e "/run/netns/$1" ] && in_ns "$1" "$BUILD/sixpnd" --detach --pin-dir "$2" >/dev/null 2>&1
	rm -rf "$2"
}

# web_fleet CTL [N [MACHINE-ARGS...]]: org acme, app web, host a7b:1 in ams
# and N machines of web on it (default 1), through the sixpnctl command CTL.
web_fleet() {
	local ctl=$1 n=${2:-1} i
	shift; [ $# -gt 0 ] && shift
	$ctl orgs create acme >/dev/null &&
		$ctl apps create web --org acme >/dev/null &&
		$ctl hosts add a7b:1 --region ams >/dev/null || return 1
	for ((i = 0; i < n; i++)); do
		$ctl machines create --app web --host a7b:1 "$@" >/dev/null || return 1
	done
}

# within SECS CMD...: CMD succeeds within SECS seconds (tries every 0.1 s).
within() {
	local n=$(($1 * 10)); shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}
