build2/selftests/flycast/fc_attacks.o: selftests/flycast/fc_attacks.c \
 selftests/fixtures.h selftests/tc_skel.h build2/tc/sixpn_tc.skel.h \
 maps/sixpn_maps.h maps/sixpn_types.h maps/sixpn_addr.h \
 maps/sixpn_flycast.h selftests/packets.h loader/datapath/flycast.h \
 loader/datapath/map_walk.h loader/datapath/stats.h
selftests/fixtures.h:
selftests/tc_skel.h:
build2/tc/sixpn_tc.skel.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
maps/sixpn_flycast.h:
selftests/packets.h:
loader/datapath/flycast.h:
loader/datapath/map_walk.h:
loader/datapath/stats.h:
