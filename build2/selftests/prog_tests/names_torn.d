build2/selftests/prog_tests/names_torn.o: \
 selftests/prog_tests/names_torn.c selftests/fixtures.h \
 selftests/xdp_skel.h build2/xdp/sixpn_xdp.skel.h \
 selftests/private_maps.h maps/sixpn_maps.h maps/sixpn_types.h \
 maps/sixpn_addr.h selftests/packets.h selftests/test_harness.h \
 loader/datapath/dns_names.h maps/sixpn_dns.h loader/datapath/stats.h
selftests/fixtures.h:
selftests/xdp_skel.h:
build2/xdp/sixpn_xdp.skel.h:
selftests/private_maps.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
selftests/packets.h:
selftests/test_harness.h:
loader/datapath/dns_names.h:
maps/sixpn_dns.h:
loader/datapath/stats.h:
