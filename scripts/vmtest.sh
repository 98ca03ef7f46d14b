#!/usr/bin/env bash
# Boots other kernels under qemu and runs the selftests that exercise them:
# every packet-replay binary (build/selftests/test_*) and every guest test
# (selftests/vm/test_*.sh, a whole host in namespaces, attached by
# sixpn-attach). Prints the guests' test output and a PASS/FAIL table per
# kernel; exits non-zero when any kernel failed.
#
# Usage: scripts/vmtest.sh [--kernel VMLINUZ] [--doc FILE] [NAME...]
#   NAME...          kernels of scripts/vm/kernels.conf (default: all of them,
#                    or $VMTEST_KERNELS); fetched from Debian's packages
#   --kernel VMLINUZ boot this kernel image instead; its modules come from
#                    $VMTEST_MODULES_DIR, else /lib/modules/<its release>
#   --doc FILE       write the results as the "Supported kernels" page
# Environment:
#   VMTEST_ACCEL     auto (default: KVM if a probe boot shows it is fast),
#                    tcg or kvm
#   VMTEST_TIMEOUT   seconds one guest may take (default 600: the XDP coexistence test alone takes 1-2 min under TCG)
#   VMTEST_GUEST_ENV KEY=VALUE words for the guest tests' environment, e.g.
#                    SIXPN_FORCE_TCX=1 (passed on the kernel command line)
#   VMTEST_SMP, VMTEST_MEM  guest CPUs (2) and memory in MB (1024)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
VM_DIR=$ROOT/$BUILD/vm
export VM_DIR BUILD
TIMEOUT=${VMTEST_TIMEOUT:-600}
SMP=${VMTEST_SMP:-2}
MEM=${VMTEST_MEM:-1024}
GUEST_ENV=${VMTEST_GUEST_ENV:-}
CONF=scripts/vm/kernels.conf

die() { echo "vmtest: $*" >&2; exit 2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

kernel_image="" doc="" names=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel_image=${2:?--kernel needs a path}; shift 2 ;;
	--doc) doc=${2:?--doc needs a file}; shift 2 ;;
	-h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) names+=("$1"); shift ;;
	esac
done
[ ${#names[@]} -gt 0 ] || read -r -a names <<<"${VMTEST_KERNELS:-}"
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(awk '!/^#/ && NF { print $1 }' "$CONF")
[ "$(id -u)" -eq 0 ] || die "must run as root (it builds an initramfs with device nodes)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/install-deps.sh)"
for w in $GUEST_ENV; do
	[[ "$w" =~ ^[A-Za-z_][A-Za-z0-9_]*=[^[:space:]]*$ ]] || die "VMTEST_GUEST_ENV: '$w' is not KEY=VALUE"
done
mkdir -p "$VM_DIR"

# --- the common initramfs: tools, sixpn binaries, guest tests ---------------
scripts/vm/mkinitramfs.sh common "$VM_DIR/common.cpio" || die "cannot build the initramfs"
mapfile -t guest_tests <"$VM_DIR/common.cpio.tests"
host_only=()
while IFS= read -r t; do
	case "$t" in selftests/vm/*) ;; *) host_only+=("$t") ;; esac
done < <(find selftests -mindepth 2 -name 'test_*.sh' -perm -u+x | sort)
echo "vmtest: the guests run: ${guest_tests[*]}"
[ ${#host_only[@]} -eq 0 ] ||
	echo "vmtest: host only (bash, python3, wireguard-go or SQLite tools; run by make test): ${host_only[*]}"
[ -z "$GUEST_ENV" ] || echo "vmtest: guest environment: $GUEST_ENV"

# --- qemu ---------------------------------------------------------------------
# boot LOG VMLINUZ INITRD SECONDS ACCEL [CMDLINE...]: one guest, its console
# on stdout and in LOG; returns qemu's status (124: killed at the timeout).
boot() {
	local log=$1 kernel=$2 initrd=$3 limit=$4 accel=$5 cpu=max
	shift 5
	[ "$accel" = kvm ] && cpu=host
	timeout -k 5 "$limit" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -smp "$SMP" -m "$MEM" \
		-nographic -no-reboot -nic none -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 quiet loglevel=3 $*" </dev/null 2>&1 | tee "$log" ||
		return "${PIPESTATUS[0]}"
}

# Nested KVM exists on some machines and is far slower than TCG there
# (the kernel does not even decompress in minutes): use KVM only when one
# boot to /init under it takes less than PROBE_LIMIT seconds. Remembered in
# $VM_DIR/accel; remove that file to probe again.
PROBE_LIMIT=10
choose_accel() {
	local k=$1 r=$2 start
	case "${VMTEST_ACCEL:-auto}" in
	tcg|kvm) echo "${VMTEST_ACCEL}"; return ;;
	auto) ;;
	*) die "VMTEST_ACCEL must be auto, tcg or kvm" ;;
	esac
	if [ ! -w /dev/kvm ]; then echo tcg; return; fi
	if [ -s "$VM_DIR/accel" ]; then awk '{ print $1; exit }' "$VM_DIR/accel"; return; fi
	cat "$VM_DIR/common.cpio" "$r" >"$VM_DIR/probe.cpio"
	start=$(now)
	if boot "$VM_DIR/probe.log" "$k" "$VM_DIR/probe.cpio" $PROBE_LIMIT kvm vmtest_probe=1 >/dev/null &&
		grep -q VMTEST-PROBE-OK "$VM_DIR/probe.log"; then
		echo "kvm probe boot took $(secs "$start" "$(now)")s" >"$VM_DIR/accel"
	else
		echo "tcg KVM probe boot failed or took over ${PROBE_LIMIT}s: $(grep -m1 -i error "$VM_DIR/probe.log")" >"$VM_DIR/accel"
	fi
	rm -f "$VM_DIR/probe.cpio"
	echo "vmtest: accel: $(cat "$VM_DIR/accel")" >&2
	awk '{ print $1; exit }' "$VM_DIR/accel"
}

# --- kernels ------------------------------------------------------------------
# prepare NAME: sets KDIR to a directory with vmlinuz, release, modules.cpio.
prepare() {
	local rel moddir
	if [ "$1" != custom ]; then
		scripts/vm/fetch-kernel.sh "$1" || return 1
		KDIR=$VM_DIR/kernels/$1
		return 0
	fi
	KDIR=$VM_DIR/kernels/custom
	rm -rf "$KDIR" && mkdir -p "$KDIR"
	cp "$kernel_image" "$KDIR/vmlinuz" || return 1
	# The release string of a bzImage: a pointer at 0x20e, plus 0x200.
	rel=$(dd if="$kernel_image" bs=1 skip=$((0x20e)) count=2 2>/dev/null | od -An -tu2 | tr -d ' ')
	rel=$(dd if="$kernel_image" bs=1 skip=$((rel + 0x200)) count=128 2>/dev/null | tr '\0' '\n' | head -n 1 | cut -d' ' -f1)
	echo "$rel" >"$KDIR/release"
	echo "$kernel_image" >"$KDIR/package"
	moddir=${VMTEST_MODULES_DIR:-/lib/modules/$rel}
	if [ -f "$moddir/modules.order" ]; then
		scripts/vm/mkinitramfs.sh modules "$moddir" "$KDIR/modules.cpio" || return 1
	else
		echo "vmtest: no modules for $rel in $moddir: veth, sch_ingress and cls_bpf must be built in" >&2
		: >"$KDIR/modules.cpio"
	fi
}

[ -z "$kernel_image" ] || names=(custom)
results=()
overall=0
run_start=$(now)
for name in "${names[@]}"; do
	echo
	echo "##### kernel $name"
	start=$(now)
	if ! prepare "$name"; then
		results+=("$name|?|-|-|-|-|-|FAIL (kernel not available)|0/0|")
		overall=1
		continue
	fi
	release=$(cat "$KDIR/release")
	package=$(cat "$KDIR/package")
	accel=$(choose_accel "$KDIR/vmlinuz" "$KDIR/modules.cpio")
	cat "$VM_DIR/common.cpio" "$KDIR/modules.cpio" >"$KDIR/initrd.cpio"
	echo "vmtest: $name: booting $release ($package) under $accel"
	boot_start=$(now)
	# A guest that fails or times out is a result to report, not a reason to stop.
	set +e
	boot "$KDIR/console.log" "$KDIR/vmlinuz" "$KDIR/initrd.cpio" "$TIMEOUT" "$accel" $GUEST_ENV |
		sed -u -n 's/\r$//; s/.*\(vmtest-boot:\)/\1/; /^vmtest-boot:/,$p'
	rc=${PIPESTATUS[0]}
	set -e
	wall=$(secs "$boot_start" "$(now)")
	rm -f "$KDIR/initrd.cpio"
	log=$(tr -d '\r' <"$KDIR/console.log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g')
	# No match is an answer here (the guest said nothing): `|| true`.
	line=$(grep -o 'VMTEST-RESULT: .*' <<<"$log" | tail -n 1) || true
	booted=$(sed -n 's/.*vmtest-boot: .* init after \([0-9.]*\)s.*/\1/p' <<<"$log" | head -n 1) || true
	mode=$(sed -n 's/^# attach: \([a-z]*\).*/\1/p' <<<"$log" | head -n 1) || true
	ran=$(sed -n 's/^vmtest-ran: *//p' <<<"$log" | tail -n 1) || true
	if [ -z "$line" ]; then
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			verdict="FAIL (timeout after ${TIMEOUT}s)"
		else
			verdict="FAIL (no result, qemu exit $rc)"
		fi
		echo "vmtest: $name: no result line; the end of the console:"
		tail -n 30 <<<"$log" | sed 's/^/  | /'
	else
		verdict=$(awk '{ print $2 }' <<<"$line")
	fi
	[ "${verdict%% *}" = PASS ] || overall=1
	npass=$(grep -o ':PASS' <<<"$ran" | wc -l) || true
	ntotal=$(wc -w <<<"$ran")
	results+=("$name|$release|$package|$accel|${booted:-?}s|${wall}s|${mode:-?}|$verdict|$npass/$ntotal|$ran")
	echo "vmtest: $name: $verdict in ${wall}s (boot to /init ${booted:-?}s, total with fetch $(secs "$start" "$(now)")s)"
done
total=$(secs "$run_start" "$(now)")

# --- report -------------------------------------------------------------------
echo
echo "vmtest: results (all kernels in ${total}s)"
printf '%-8s %-22s %-6s %-7s %-8s %-7s %-6s %s\n' KERNEL RELEASE ACCEL BOOT TOTAL ATTACH TESTS RESULT
for r in "${results[@]}"; do
	IFS='|' read -r n rel pkg acc bt wl md vd tp rn <<<"$r"
	printf '%-8s %-22s %-6s %-7s %-8s %-7s %-6s %s\n' "$n" "$rel" "$acc" "$bt" "$wl" "$md" "$tp" "$vd"
	[ -z "$rn" ] || echo "         tests: $rn"
done

# The results as markdown, between markers in FILE: the text around them
# is kept, so the page can explain the table.
write_doc() {
	local file=$1 table
	table=$(
		echo "<!-- vmtest:begin (generated by scripts/vmtest.sh --doc; edits here are overwritten) -->"
		echo "| kernel | release | Debian package | what it is | TC attach | tests passed | boot to /init | guest total | result |"
		echo "|---|---|---|---|---|---|---|---|---|"
		for r in "${results[@]}"; do
			IFS='|' read -r n rel pkg acc bt wl md vd tp rn <<<"$r"
			why=$(awk -v n="$n" '$1 == n { $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' "$CONF")
			echo "| $n | \`$rel\` | $pkg | ${why:--} | $md | $tp | $bt ($acc) | $wl | **$vd** |"
		done
		echo
		echo "Run of $(date -u +%Y-%m-%d) on a host with $(nproc) CPUs, kernel $(uname -r), qemu"
		echo "$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }'); whole run ${total}s. Tests in every guest:"
		echo "$(printf '`%s`, ' "${guest_tests[@]}" | sed 's/, $//')."
		echo "<!-- vmtest:end -->"
	)
	if [ -f "$file" ] && grep -q '^<!-- vmtest:begin' "$file" && grep -q '^<!-- vmtest:end' "$file"; then
		T="$table" awk '/^<!-- vmtest:begin/ { print ENVIRON["T"]; skip = 1; next }
			/^<!-- vmtest:end/ { skip = 0; next } !skip' "$file" >"$file.tmp"
	else
		printf '# Supported kernels\n\n%s\n' "$table" >"$file.tmp"
	fi
	mv "$file.tmp" "$file"
	echo "vmtest: wrote the results table into $file"
}
[ -z "$doc" ] || write_doc "$doc"
exit $overall
