build2/selftests/prog_tests/xdp_quota.o: selftests/prog_tests/xdp_quota.c \
 loader/datapath/dns_names.h maps/sixpn_dns.h maps/sixpn_types.h \
 maps/sixpn_addr.h loader/datapath/stats.h maps/sixpn_maps.h \
 selftests/fixtures.h selftests/packets.h selftests/xdp_skel.h \
 build2/xdp/sixpn_xdp.skel.h selftests/private_maps.h \
 selftests/test_harness.h
loader/datapath/dns_names.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/stats.h:
maps/sixpn_maps.h:
selftests/fixtures.h:
selftests/packets.h:
selftests/xdp_skel.h:
build2/xdp/sixpn_xdp.skel.h:
selftests/private_maps.h:
selftests/test_harness.h:
