build2/selftests/agent/names_collide.o: selftests/agent/names_collide.c \
 loader/agent/names_sync.h maps/sixpn_dns.h maps/sixpn_types.h \
 maps/sixpn_addr.h loader/datapath/dns_names.h loader/agent/app_names.h \
 loader/lib/strmap.h loader/registry/registry.h maps/sixpn_addr.h \
 maps/sixpn_flycast.h loader/datapath/stats.h maps/sixpn_maps.h \
 selftests/dns_collide.h selftests/fixtures.h selftests/xdp_skel.h \
 build2/xdp/sixpn_xdp.skel.h selftests/private_maps.h \
 selftests/test_harness.h
loader/agent/names_sync.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/dns_names.h:
loader/agent/app_names.h:
loader/lib/strmap.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_flycast.h:
loader/datapath/stats.h:
maps/sixpn_maps.h:
selftests/dns_collide.h:
selftests/fixtures.h:
selftests/xdp_skel.h:
build2/xdp/sixpn_xdp.skel.h:
selftests/private_maps.h:
selftests/test_harness.h:
