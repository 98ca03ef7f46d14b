#!/usr/bin/env bash
# Installs every Debian package that the build, the tests and the demo need.
# Idempotent: quiet and quick when everything is already present.
set -euo pipefail

PKGS=(
  # build
  make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
  linux-libc-dev libsqlite3-dev libsodium-dev libmnl-dev libmicrohttpd-dev
  libcurl4-openssl-dev libjson-c-dev  # the etcd client (loader/etcd/)
  libsystemd-dev  # sixpnd's sd_notify (Type=notify)
  libxdp-dev  # the XDP program through libxdp's dispatcher (libxdp1: its xdp-dispatcher.o)
  # make deb, man pages, the operator's files (alert rules, completion)
  debhelper dpkg-dev fakeroot pandoc bash-completion
  prometheus  # promtool: check and test the alert rules
  # tests and demo
  xdp-tools  # xdp-loader: an operator's XDP program beside sixpn's (test_xdp_coexist.sh)
  iproute2 iputils-ping ethtool procps util-linux sqlite3 python3 python3-scapy
  wireguard-go wireguard-tools tcpdump socat dnsutils knot-dnsutils
  etcd-server etcd-client  # the fleet registry's tests: real etcd members, etcdctl
  openssl  # the etcd TLS test makes its CA, server and client certificates
  nsd  # the resolver tests' upstream: a small authoritative server
  libldns-dev  # the XDP DNS replay test parses replies with ldns
  libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes (make fuzz-lib, make check-asan)
  # observability tests and benchmarks
  curl iperf3  # curl: the metrics and HTTP API tests too
  dnsperf dnsmasq-base unbound  # make bench: DNS end to end against the peers (and nsd)
  # make vmtest: guests under qemu with a busybox initramfs (scripts/vmtest.sh)
  qemu-system-x86 busybox-static xz-utils zstd
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (sudo)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
