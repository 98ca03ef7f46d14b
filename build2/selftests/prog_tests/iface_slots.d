build2/selftests/prog_tests/iface_slots.o: \
 selftests/prog_tests/iface_slots.c selftests/fixtures.h \
 selftests/tc_skel.h build2/tc/sixpn_tc.skel.h maps/sixpn_maps.h \
 maps/sixpn_types.h maps/sixpn_addr.h selftests/packets.h \
 selftests/test_harness.h loader/datapath/ifaces.h \
 loader/datapath/stats.h
selftests/fixtures.h:
selftests/tc_skel.h:
build2/tc/sixpn_tc.skel.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
selftests/packets.h:
selftests/test_harness.h:
loader/datapath/ifaces.h:
loader/datapath/stats.h:
