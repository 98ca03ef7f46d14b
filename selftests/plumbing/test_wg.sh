#!/usr/bin/env bash
# loader/host/wg.c against a real wireguard-go in a namespace of its own: whole
# peer sets configured through the library (build/selftests/plumbing_wg),
# checked with `wg show <if> dump` (an observer that shares no code with it),
# replaced, merged and emptied; key files and bad arguments refused with a
# clear message and without touching the device.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"

TOOL="$BUILD/selftests/plumbing_wg"
NS="plbwg-$$"
IF="plbwg$$"              # unique on the machine: the UAPI socket dir is shared
NOIF="plbnx$$"            # a device that exists nowhere
NS2="plbwg2-$$"
IF2="plbwh$$"             # the far end for the session test
TMP=$(mktemp -d /tmp/plbwg.XXXXXX)

cleanup() {
	netns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$TOOL" ] || { echo "not ok 1 - $TOOL is built"; exit 1; }

# the device: wireguard-go, no key yet
ns_add "$NS"
_WG_IFACES+=("$IF")
# Started directly (not through a shell function) so that the recorded pid
# is wireguard-go itself (nsenter execs it) and netns_cleanup kills it.
WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 nsenter --net="/run/netns/$NS" \
	wireguard-go -f "$IF" >/dev/null 2>&1 &
_PIDS+=($!)
for _ in $(seq 100); do
	[ -S "/var/run/wireguard/$IF.sock" ] && ip -n "$NS" link show "$IF" >/dev/null 2>&1 && break
	sleep 0.05
done
check "wireguard-go made $IF and its UAPI socket" test -S "/var/run/wireguard/$IF.sock"
check_eq "backend of $IF" "$("$TOOL" backend "$IF")" "wireguard-go"

# keys
(umask 077; wg genkey > "$TMP/dev.key")
DEV_PUB=$(wg pubkey < "$TMP/dev.key")
A_PUB=$(wg genkey | wg pubkey)
B_PUB=$(wg genkey | wg pubkey)
check_eq "public key derived from the key file matches wg pubkey" \
	"$("$TOOL" pubkey "$TMP/dev.key")" "$DEV_PUB"

# dump_peers: "pubkey endpoint allowed-ips keepalive" per peer, sorted
dump_peers() {
	wg show "$IF" dump | tail -n +2 | awk '{print $1, $3, $4, $8}' | sort
}
sorted() { printf '%s\n' "$@" | sort; }

# --- two peers -------------------------------------------------------------
check "configure key, port 51820 and two peers" \
	"$TOOL" set "$IF" "$TMP/dev.key" 51820 replace \
	"$A_PUB,192.0.2.1:51820,25,fdaa:0:1::/48,fdaa:0:2::/48" \
	"$B_PUB,[2001:db8::1]:51821,0,fdaa:0:3::/48"
dev_line=$(wg show "$IF" dump | head -1)
check_eq "wg dump: the device's public key" "$(echo "$dev_line" | cut -f2)" "$DEV_PUB"
check_eq "wg dump: listen port 51820" "$(echo "$dev_line" | cut -f3)" "51820"
check_eq "wg dump: both peers with endpoints, allowed IPs and keepalive" "$(dump_peers)" \
	"$(sorted "$A_PUB 192.0.2.1:51820 fdaa:0:1::/48,fdaa:0:2::/48 25" \
		  "$B_PUB [2001:db8::1]:51821 fdaa:0:3::/48 off")"
check_eq "sixpn_wg_get: the same device and peers" "$("$TOOL" get "$IF" | sort)" \
	"$(sorted "device $DEV_PUB 51820 2" \
		  "peer $A_PUB 192.0.2.1:51820 25 fdaa:0:1::/48,fdaa:0:2::/48" \
		  "peer $B_PUB [2001:db8::1]:51821 0 fdaa:0:3::/48")"

check "the same configuration again" \
	"$TOOL" set "$IF" "$TMP/dev.key" 51820 replace \
	"$A_PUB,192.0.2.1:51820,25,fdaa:0:1::/48,fdaa:0:2::/48" \
	"$B_PUB,[2001:db8::1]:51821,0,fdaa:0:3::/48"
check_eq "wg dump: still exactly two peers" "$(wg show "$IF" dump | tail -n +2 | wc -l)" "2"

# --- replace with one peer ---------------------------------------------------
check "replace the peer set with B alone, new allowed IP, port 0 (leave)" \
	"$TOOL" set "$IF" - 0 replace "$B_PUB,[2001:db8::1]:51821,10,fdaa:0:4::/48"
check_eq "wg dump: A is gone, B's allowed IPs replaced, keepalive 10" "$(dump_peers)" \
	"$B_PUB [2001:db8::1]:51821 fdaa:0:4::/48 10"
check_eq "wg dump: port left at 51820, key kept" \
	"$(wg show "$IF" dump | head -1 | cut -f2,3)" "$(printf '%s\t51820' "$DEV_PUB")"

# --- merge, then empty -----------------------------------------------------------
check "merge: add A without replacing the peer set" \
	"$TOOL" set "$IF" - 0 merge "$A_PUB,-,0,fdaa:0:5::/48"
check_eq "wg dump: A added (no endpoint), B kept" "$(dump_peers)" \
	"$(sorted "$A_PUB (none) fdaa:0:5::/48 off" "$B_PUB [2001:db8::1]:51821 fdaa:0:4::/48 10")"
check "replace with no peers at all" "$TOOL" set "$IF" - 0 replace
check_eq "wg dump: no peers" "$(wg show "$IF" dump | tail -n +2 | wc -l)" "0"

# --- errors: clear, and nothing changed ---------------------------------------
"$TOOL" set "$IF" - 0 replace "$B_PUB,-,0,fdaa:0:6::/48" >/dev/null 2>&1
before=$(wg show "$IF" dump)

# expect_error WHAT PATTERN CMD...: CMD fails and says PATTERN on stderr
expect_error() {
	local what=$1 pattern=$2 out rc; shift 2
	out=$("$@" 2>&1 >/dev/null); rc=$?
	if [ $rc -ne 0 ] && grep -qE -- "$pattern" <<<"$out"; then
		ok "$what: $out"
	else
		not_ok "$what (exit $rc, said '$out', want /$pattern/)"
	fi
}

cp "$TMP/dev.key" "$TMP/open.key"; chmod 644 "$TMP/open.key"
expect_error "a key file readable by others is refused" \
	"Operation not permitted: key file $TMP/open.key is accessible by group or others \(mode 0644\)" \
	"$TOOL" set "$IF" "$TMP/open.key" 0 replace
chmod 640 "$TMP/open.key"
expect_error "a key file readable by the group is refused" "accessible by group or others \(mode 0640\)" \
	"$TOOL" pubkey "$TMP/open.key"
(umask 077; echo "not-a-key" > "$TMP/bad.key")
expect_error "a key file that is not base64 is refused" \
	"Invalid argument: key file $TMP/bad.key does not hold a WireGuard private key" \
	"$TOOL" set "$IF" "$TMP/bad.key" 0 replace
(umask 077; head -c 31 /dev/urandom | base64 > "$TMP/short.key")
expect_error "a key file of 31 bytes is refused" "does not hold a WireGuard private key" \
	"$TOOL" pubkey "$TMP/short.key"
expect_error "a missing key file is refused" "No such file or directory: key file $TMP/none.key" \
	"$TOOL" pubkey "$TMP/none.key"
expect_error "a bad endpoint is refused, naming the peer" \
	"Invalid argument: $IF: peer .{44}: endpoint '2001:db8::1:51820' is not host:port" \
	"$TOOL" set "$IF" - 0 replace "$A_PUB,2001:db8::1:51820,0,fdaa:0:1::/48"
expect_error "an endpoint port out of range is refused" "port must be 1-65535" \
	"$TOOL" set "$IF" - 0 replace "$A_PUB,192.0.2.1:70000,0,fdaa:0:1::/48"
expect_error "a prefix length over 128 is refused" "allowed IP prefix length 129 > 128" \
	"$TOOL" set "$IF" - 0 replace "$A_PUB,-,0,fdaa:0:1::/129"
expect_error "the same peer twice is refused" "is listed twice" \
	"$TOOL" set "$IF" - 0 replace "$A_PUB,-,0,fdaa:0:1::/48" "$A_PUB,-,0,fdaa:0:2::/48"
expect_error "an unresolvable endpoint name is refused" "cannot resolve 'plb-no-such-host.invalid'" \
	"$TOOL" set "$IF" - 0 replace "$A_PUB,plb-no-such-host.invalid:51820,0,fdaa:0:1::/48"
check_eq "after the refusals the device is unchanged" "$(wg show "$IF" dump)" "$before"
expect_error "a device that exists nowhere: clear error" \
	"No such device: no WireGuard device $NOIF: no userspace daemon socket at /var/run/wireguard/$NOIF.sock and the kernel has no wireguard" \
	"$TOOL" set "$NOIF" - 0 replace
expect_error "a name that could escape the socket directory is refused" "is not a device name" \
	"$TOOL" set "../$IF" - 0 replace

# --- a replace keeps the sessions of the peers that stay -------------------
# A second wireguard-go across a veth; a ping makes a handshake. The
# devices' own replace-all would drop the kept peer and its session (its
# handshake time and counters back to 0); sixpn_wg_configure must not.
ns_add "$NS2"
_WG_IFACES+=("$IF2")
WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 nsenter --net="/run/netns/$NS2" \
	wireguard-go -f "$IF2" >/dev/null 2>&1 &
_PIDS+=($!)
for _ in $(seq 100); do
	[ -S "/var/run/wireguard/$IF2.sock" ] && ip -n "$NS2" link show "$IF2" >/dev/null 2>&1 && break
	sleep 0.05
done
ip link add "plbv$$" netns "$NS" type veth peer name "plbu$$" netns "$NS2"
ip -n "$NS" addr add 10.231.0.1/24 dev "plbv$$"
ip -n "$NS2" addr add 10.231.0.2/24 dev "plbu$$"
ip -n "$NS" link set "plbv$$" up
ip -n "$NS2" link set "plbu$$" up
ip -n "$NS" addr add fdaa:0:1::1/32 dev "$IF" nodad
ip -n "$NS2" addr add fdaa:0:2::1/32 dev "$IF2" nodad
ip -n "$NS" link set "$IF" up
ip -n "$NS2" link set "$IF2" up
(umask 077; wg genkey > "$TMP/far.key")
FAR_PUB=$(wg pubkey < "$TMP/far.key")
check "far end: key, port 51821, this device as its peer" \
	"$TOOL" set "$IF2" "$TMP/far.key" 51821 replace "$DEV_PUB,10.231.0.1:51820,0,fdaa:0:1::/48"
check "this end: the far end as its only peer" \
	"$TOOL" set "$IF" - 0 replace "$FAR_PUB,10.231.0.2:51821,0,fdaa:0:2::/48"
check "ping through the tunnel (handshake)" in_ns "$NS" ping -6 -c1 -w5 -i0.2 fdaa:0:2::1
hs_before=$(wg show "$IF" latest-handshakes | awk -v k="$FAR_PUB" '$1 == k {print $2}')
rx_before=$(wg show "$IF" transfer | awk -v k="$FAR_PUB" '$1 == k {print $2}')
check "the far peer has a handshake time and received bytes" test "${hs_before:-0}" -gt 0 -a "${rx_before:-0}" -gt 0
sleep 1.1 # a new handshake would show a later second
check "replace the set with the far peer and A, and the same key and port again" \
	"$TOOL" set "$IF" "$TMP/dev.key" 51820 replace \
	"$FAR_PUB,10.231.0.2:51821,0,fdaa:0:2::/48" "$A_PUB,192.0.2.1:51820,0,fdaa:0:7::/48"
check_eq "wg dump: the far peer and A" "$(wg show "$IF" peers | sort)" "$(sorted "$FAR_PUB" "$A_PUB")"
check_eq "the far peer kept its session: same handshake time" \
	"$(wg show "$IF" latest-handshakes | awk -v k="$FAR_PUB" '$1 == k {print $2}')" "$hs_before"
rx_after=$(wg show "$IF" transfer | awk -v k="$FAR_PUB" '$1 == k {print $2}')
check "the far peer kept its counters (rx $rx_before -> ${rx_after:-none})" test "${rx_after:-0}" -ge "$rx_before"
check "the tunnel still carries traffic" in_ns "$NS" ping -6 -c1 -w5 -i0.2 fdaa:0:2::1

finish
