build2/selftests/fuzz/fz_gen.o: selftests/fuzz/fz_gen.c \
 selftests/fuzz/fz_gen.h selftests/fuzz/fz_names.h maps/sixpn_dns.h \
 maps/sixpn_types.h maps/sixpn_addr.h selftests/fixtures.h \
 selftests/fuzz/fz_wire.h selftests/fuzz/fz_rng.h
selftests/fuzz/fz_gen.h:
selftests/fuzz/fz_names.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
selftests/fixtures.h:
selftests/fuzz/fz_wire.h:
selftests/fuzz/fz_rng.h:
