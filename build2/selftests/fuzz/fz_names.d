build2/selftests/fuzz/fz_names.o: selftests/fuzz/fz_names.c \
 selftests/fuzz/fz_names.h maps/sixpn_dns.h maps/sixpn_types.h \
 maps/sixpn_addr.h selftests/fixtures.h loader/datapath/dns_names.h
selftests/fuzz/fz_names.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
selftests/fixtures.h:
loader/datapath/dns_names.h:
