build2/selftests/prog_tests/dns_name.o: selftests/prog_tests/dns_name.c \
 maps/sixpn_maps.h maps/sixpn_types.h maps/sixpn_addr.h maps/sixpn_dns.h \
 selftests/test_harness.h selftests/private_maps.h \
 selftests/progs/xdp_dns_name.h \
 build2/selftests/progs/xdp_dns_name.skel.h
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
maps/sixpn_dns.h:
selftests/test_harness.h:
selftests/private_maps.h:
selftests/progs/xdp_dns_name.h:
build2/selftests/progs/xdp_dns_name.skel.h:
