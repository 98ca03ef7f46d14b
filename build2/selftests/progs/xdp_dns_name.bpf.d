build2/selftests/progs/xdp_dns_name.bpf.o: \
  selftests/progs/xdp_dns_name.bpf.c build2/vmlinux.h dns-ebpf/parse.h \
  tc/lib/common.h maps/sixpn_maps.h maps/sixpn_types.h maps/sixpn_addr.h \
  dns-ebpf/dns_wire.h maps/sixpn_dns.h dns-ebpf/csum.h dns-ebpf/swar.h \
  selftests/progs/xdp_dns_name.h

build2/vmlinux.h:

dns-ebpf/parse.h:

tc/lib/common.h:

maps/sixpn_maps.h:

maps/sixpn_types.h:

maps/sixpn_addr.h:

dns-ebpf/dns_wire.h:

maps/sixpn_dns.h:

dns-ebpf/csum.h:

dns-ebpf/swar.h:

selftests/progs/xdp_dns_name.h:
