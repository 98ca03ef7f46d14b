build2/selftests/prog_tests/pinned_maps.o: \
 selftests/prog_tests/pinned_maps.c selftests/test_harness.h \
 maps/sixpn_pin.h build2/tc/sixpn_tc.skel.h build2/xdp/sixpn_xdp.skel.h
selftests/test_harness.h:
maps/sixpn_pin.h:
build2/tc/sixpn_tc.skel.h:
build2/xdp/sixpn_xdp.skel.h:
