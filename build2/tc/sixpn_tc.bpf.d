build2/tc/sixpn_tc.bpf.o: tc/sixpn_tc.bpf.c build2/vmlinux.h \
  tc/lib/common.h tc/lib/stats.h maps/sixpn_maps.bpf.h maps/sixpn_maps.h \
  maps/sixpn_types.h maps/sixpn_addr.h maps/sixpn_pin.h \
  maps/sixpn_flycast.h tc/lib/events.h tc/lib/ipv6.h tc/lib/policy.h \
  tc/lib/service.h tc/lib/iface.h maps/sixpn_seq.h tc/lib/mesh.h \
  tc/lib/flycast.h

build2/vmlinux.h:

tc/lib/common.h:

tc/lib/stats.h:

maps/sixpn_maps.bpf.h:

maps/sixpn_maps.h:

maps/sixpn_types.h:

maps/sixpn_addr.h:

maps/sixpn_pin.h:

maps/sixpn_flycast.h:

tc/lib/events.h:

tc/lib/ipv6.h:

tc/lib/policy.h:

tc/lib/service.h:

tc/lib/iface.h:

maps/sixpn_seq.h:

tc/lib/mesh.h:

tc/lib/flycast.h:
