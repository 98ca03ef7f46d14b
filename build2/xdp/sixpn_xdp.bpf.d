build2/xdp/sixpn_xdp.bpf.o: xdp/sixpn_xdp.bpf.c build2/vmlinux.h \
  dns-ebpf/fastpath.h tc/lib/common.h tc/lib/stats.h \
  maps/sixpn_maps.bpf.h maps/sixpn_maps.h maps/sixpn_types.h \
  maps/sixpn_addr.h maps/sixpn_pin.h maps/sixpn_dns.h tc/lib/ipv6.h \
  tc/lib/policy.h tc/lib/service.h tc/lib/iface.h maps/sixpn_seq.h \
  dns-ebpf/parse.h dns-ebpf/dns_wire.h dns-ebpf/csum.h dns-ebpf/swar.h \
  dns-ebpf/lookup.h dns-ebpf/answer.h dns-ebpf/reflect.h \
  dns-ebpf/passup.h

build2/vmlinux.h:

dns-ebpf/fastpath.h:

tc/lib/common.h:

tc/lib/stats.h:

maps/sixpn_maps.bpf.h:

maps/sixpn_maps.h:

maps/sixpn_types.h:

maps/sixpn_addr.h:

maps/sixpn_pin.h:

maps/sixpn_dns.h:

tc/lib/ipv6.h:

tc/lib/policy.h:

tc/lib/service.h:

tc/lib/iface.h:

maps/sixpn_seq.h:

dns-ebpf/parse.h:

dns-ebpf/dns_wire.h:

dns-ebpf/csum.h:

dns-ebpf/swar.h:

dns-ebpf/lookup.h:

dns-ebpf/answer.h:

dns-ebpf/reflect.h:

dns-ebpf/passup.h:
