build2/selftests/tc_skel.o: selftests/tc_skel.c selftests/tc_skel.h \
 build2/tc/sixpn_tc.skel.h loader/datapath/kconfig.h selftests/packets.h \
 selftests/private_maps.h maps/sixpn_maps.h maps/sixpn_types.h \
 maps/sixpn_addr.h
selftests/tc_skel.h:
build2/tc/sixpn_tc.skel.h:
loader/datapath/kconfig.h:
selftests/packets.h:
selftests/private_maps.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
