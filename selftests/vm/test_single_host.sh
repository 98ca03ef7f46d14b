#!/bin/sh
# One worker host in namespaces: instances of two networks on veth pairs into
# a host namespace, isolated by sixpn-attach. Runs wherever the kernel is:
# on the build host (selftests/run.sh) and inside the `make vmtest` guests,
# where it is the test of the loader's attach path on older kernels. The
# loader probes for tcx links (6.6+) and falls back to clsact filters; this
# test runs the probed way and, when that was tcx, clsact too.
set -u
. "$(dirname "$0")/lib.sh"
trap vm_cleanup EXIT
trap 'exit 1' INT TERM

# Address plan (docs/design.md section 1): networks 0x18 (A) and 0x19 (B) on host
# a7b:d6b; instances A1 and A2 on A, B1 on B.
A1=fdaa:0:18:a7b:d6b:0:a:2
A2=fdaa:0:18:a7b:d6b:0:e:2
B1=fdaa:0:19:a7b:d6b:0:b:2
SPOOF=fdaa:0:18:a7b:d6b:0:99:2
H=svm-h
MODE=""
TMP=$(mktemp -d)
trap 'vm_cleanup; rm -rf "$TMP"' EXIT

setup() {
	PIN=/sys/fs/bpf/sixpn-vmtest-$1
	host_ns "$H"
	instance_ns "$H" svm-a1 svma1 "$A1" "${A1%:2}:0/112"
	instance_ns "$H" svm-a2 svma2 "$A2" "${A2%:2}:0/112"
	instance_ns "$H" svm-b1 svmb1 "$B1" "${B1%:2}:0/112"
	attach "$H" "$PIN" instance svma1 "${A1%:2}:0/112" &&
		attach "$H" "$PIN" instance svma2 "${A2%:2}:0/112" &&
		attach "$H" "$PIN" instance svmb1 "${B1%:2}:0/112"
}

# udp_bound NS PORT: waits (up to 5 s) until a UDP socket in NS is bound to
# PORT; guests under TCG start socat slowly.
udp_bound() {
	hex=$(printf ':%04X ' "$2")
	for _ in $(seq 50); do
		in_ns "$1" cat /proc/net/udp6 | grep -q "$hex" && return 0
		sleep 0.1
	done
	return 1
}

# udp_delivered FROM_NS TO_NS TO_ADDR [BIND]: one datagram arrives.
udp_delivered() {
	out="$TMP/udp.$$.$_T"
	rm -f "$out"
	bg_in_ns "$2" timeout 5 socat -u UDP6-RECV:4000 "OPEN:$out,creat"
	srv=$LAST_PID
	udp_bound "$2" 4000
	in_ns "$1" sh -c "echo sixpn-hello | socat -u STDIN 'UDP6-SENDTO:[$3]:4000${4:+,bind=[$4]}'"
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		grep -q sixpn-hello "$out" 2>/dev/null && break
		sleep 0.1
	done
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	grep -q sixpn-hello "$out" 2>/dev/null
}

pings() { in_ns "$1" ping -6 -c 1 -W 2 "$2"; }

# counter HOOK REASON: packets counted in the host's stats map.
counter() {
	"$BUILD/sixpnctl" stats --pin-dir "$PIN" --all |
		awk -v h="$1" -v r="$2" '$1 == h && $2 == r { print $4; found = 1 }
			END { if (!found) print "missing" }'
}

# count_from HOOK REASON, then check_counted DESCRIPTION N: the counter
# moved by N or more in between.
count_from() { _hook=$1 _reason=$2 _before=$(counter "$1" "$2"); }
check_counted() {
	_after=$(counter "$_hook" "$_reason")
	check "$1 ($_before -> $_after)" test "$_after" -ge $((_before + $2))
}

# attach_mode: what the loader chose, as `sixpn-attach status` reports it.
attach_mode() {
	in_ns "$H" "$BUILD/sixpn-attach" --pin-dir "$PIN" --json status |
		sed -n 's/.*"attach":"\([a-z]*\)".*/\1/p'
}

# progs IFACE: "INGRESS/EGRESS" program counts on IFACE, from status.
progs() {
	in_ns "$H" "$BUILD/sixpn-attach" --pin-dir "$PIN" status |
		awk -v i="$1" '$1 == i { print $5 }'
}

run_mode() {
	label=$1
	echo "# mode: $label"
	if ! setup "$label"; then
		not_ok "$label: sixpn-attach attaches to three instance interfaces"
		vm_cleanup
		return
	fi
	ok "$label: sixpn-attach attaches to three instance interfaces"
	MODE=$(attach_mode)
	echo "# attach: $MODE (kernel $(uname -r))"
	case "$label" in
	probed) ;;
	*) check_eq "$label: the loader attaches by $label" "$MODE" "$label" ;;
	esac
	check_eq "$label: one program on each hook of svma1" "$(progs svma1)" "1/1"
	if [ "$MODE" = clsact ]; then
		check_eq "$label: tc lists sixpn's ingress and egress clsact filters" \
			"$(in_ns "$H" tc filter show dev svma1 ingress | grep -c sixpn_from_inst)/$(in_ns "$H" tc filter show dev svma1 egress | grep -c sixpn_to_inst)" "1/1"
	else
		check "$label: the tcx links are pinned" test -e "$PIN/links/svma1@ingress" -a -e "$PIN/links/svma1@egress"
	fi

	count_from FROM_INSTANCE PASS
	check "$label: same-network ping between instances on one host" pings svm-a1 "$A2"
	check "$label: same-network UDP between instances on one host" udp_delivered svm-a1 svm-a2 "$A2"
	check "$label: same-network UDP the other way" udp_delivered svm-a2 svm-a1 "$A1"
	check_counted "$label: the passes are counted" 3

	count_from FROM_INSTANCE DROP_CROSS_NETWORK
	check_fails "$label: cross-network ping is not answered" pings svm-a1 "$B1"
	check_fails "$label: cross-network UDP A -> B is not delivered" udp_delivered svm-a1 svm-b1 "$B1"
	check_fails "$label: cross-network UDP B -> A is not delivered" udp_delivered svm-b1 svm-a1 "$A1"
	check_counted "$label: the cross-network drops are counted" 3

	ip -n svm-a1 addr add "$SPOOF/128" dev eth0 nodad
	count_from FROM_INSTANCE DROP_SPOOFED_SRC
	check_fails "$label: a spoofed source is not delivered" udp_delivered svm-a1 svm-a2 "$A2" "$SPOOF"
	check_counted "$label: the spoofed source is counted" 1
	ip -n svm-a1 addr del "$SPOOF/128" dev eth0

	attach "$H" "$PIN" instance svma1 "${A1%:2}:0/112" >/dev/null 2>&1
	check_eq "$label: attaching again replaces, does not stack" "$(progs svma1)" "1/1"
	check "$label: traffic flows after re-attaching" udp_delivered svm-a1 svm-a2 "$A2"

	check "$label: unload detaches and removes the pins" attach "$H" "$PIN" unload
	check_eq "$label: no sixpn filter is left on svma1" \
		"$(in_ns "$H" tc filter show dev svma1 ingress | grep -c sixpn_)" 0
	check_eq "$label: no pin is left" "$(ls -A "$PIN" 2>/dev/null | wc -l)" 0
	vm_cleanup
	check_eq "$label: no namespace of this test is left" "$(ip netns list | grep -c '^svm-')" 0
}

run_mode probed
if [ "$MODE" = tcx ]; then
	SIXPN_FORCE_CLSACT=1
	export SIXPN_FORCE_CLSACT
	run_mode clsact
	unset SIXPN_FORCE_CLSACT
fi
finish
