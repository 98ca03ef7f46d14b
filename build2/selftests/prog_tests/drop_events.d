build2/selftests/prog_tests/drop_events.o: \
 selftests/prog_tests/drop_events.c selftests/fixtures.h \
 selftests/tc_skel.h build2/tc/sixpn_tc.skel.h maps/sixpn_maps.h \
 maps/sixpn_types.h maps/sixpn_addr.h selftests/packets.h \
 selftests/test_harness.h
selftests/fixtures.h:
selftests/tc_skel.h:
build2/tc/sixpn_tc.skel.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
selftests/packets.h:
selftests/test_harness.h:
