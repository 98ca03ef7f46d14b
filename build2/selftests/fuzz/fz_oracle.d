build2/selftests/fuzz/fz_oracle.o: selftests/fuzz/fz_oracle.c \
 selftests/fuzz/fz_oracle.h selftests/fuzz/fz_names.h maps/sixpn_dns.h \
 maps/sixpn_types.h maps/sixpn_addr.h selftests/fixtures.h \
 selftests/fuzz/fz_wire.h
selftests/fuzz/fz_oracle.h:
selftests/fuzz/fz_names.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
selftests/fixtures.h:
selftests/fuzz/fz_wire.h:
