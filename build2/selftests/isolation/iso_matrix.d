build2/selftests/isolation/iso_matrix.o: selftests/isolation/iso_matrix.c \
 selftests/fixtures.h selftests/tc_skel.h build2/tc/sixpn_tc.skel.h \
 maps/sixpn_maps.h maps/sixpn_types.h maps/sixpn_addr.h \
 selftests/packets.h selftests/test_harness.h loader/datapath/stats.h
selftests/fixtures.h:
selftests/tc_skel.h:
build2/tc/sixpn_tc.skel.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
selftests/packets.h:
selftests/test_harness.h:
loader/datapath/stats.h:
