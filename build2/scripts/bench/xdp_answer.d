build2/scripts/bench/xdp_answer.o: scripts/bench/xdp_answer.c \
 build2/selftests/progs/xdp_dns_bench.skel.h loader/datapath/dns_names.h \
 maps/sixpn_dns.h maps/sixpn_types.h maps/sixpn_addr.h maps/sixpn_maps.h \
 selftests/private_maps.h maps/sixpn_pin.h loader/datapath/stats.h
build2/selftests/progs/xdp_dns_bench.skel.h:
loader/datapath/dns_names.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
maps/sixpn_maps.h:
selftests/private_maps.h:
maps/sixpn_pin.h:
loader/datapath/stats.h:
