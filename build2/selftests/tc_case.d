build2/selftests/tc_case.o: selftests/tc_case.c selftests/tc_case.h \
 selftests/tc_skel.h build2/tc/sixpn_tc.skel.h maps/sixpn_maps.h \
 maps/sixpn_types.h maps/sixpn_addr.h selftests/fixtures.h \
 selftests/packets.h selftests/test_harness.h loader/datapath/stats.h
selftests/tc_case.h:
selftests/tc_skel.h:
build2/tc/sixpn_tc.skel.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
selftests/fixtures.h:
selftests/packets.h:
selftests/test_harness.h:
loader/datapath/stats.h:
