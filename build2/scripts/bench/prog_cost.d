build2/scripts/bench/prog_cost.o: scripts/bench/prog_cost.c \
 build2/tc/sixpn_tc.skel.h build2/selftests/progs/tc_empty.skel.h \
 build2/selftests/progs/xdp_reflect.skel.h \
 build2/selftests/progs/xdp_dns_bench.skel.h loader/datapath/dns_names.h \
 maps/sixpn_dns.h maps/sixpn_types.h maps/sixpn_addr.h \
 loader/datapath/ifaces.h maps/sixpn_maps.h loader/datapath/flycast.h \
 maps/sixpn_flycast.h loader/datapath/kconfig.h selftests/private_maps.h \
 selftests/packets.h loader/datapath/stats.h
build2/tc/sixpn_tc.skel.h:
build2/selftests/progs/tc_empty.skel.h:
build2/selftests/progs/xdp_reflect.skel.h:
build2/selftests/progs/xdp_dns_bench.skel.h:
loader/datapath/dns_names.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/ifaces.h:
maps/sixpn_maps.h:
loader/datapath/flycast.h:
maps/sixpn_flycast.h:
loader/datapath/kconfig.h:
selftests/private_maps.h:
selftests/packets.h:
loader/datapath/stats.h:
