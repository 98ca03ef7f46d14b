build2/selftests/fuzz/xdp_fuzz.o: selftests/fuzz/xdp_fuzz.c \
 loader/datapath/dns_names.h maps/sixpn_dns.h maps/sixpn_types.h \
 maps/sixpn_addr.h selftests/fixtures.h maps/sixpn_maps.h \
 selftests/xdp_skel.h build2/xdp/sixpn_xdp.skel.h \
 selftests/private_maps.h selftests/fuzz/fz_gen.h \
 selftests/fuzz/fz_names.h selftests/fuzz/fz_wire.h \
 selftests/fuzz/fz_judge.h selftests/fuzz/fz_oracle.h \
 selftests/fuzz/fz_rng.h selftests/fuzz/fz_selfcheck.h
loader/datapath/dns_names.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
selftests/fixtures.h:
maps/sixpn_maps.h:
selftests/xdp_skel.h:
build2/xdp/sixpn_xdp.skel.h:
selftests/private_maps.h:
selftests/fuzz/fz_gen.h:
selftests/fuzz/fz_names.h:
selftests/fuzz/fz_wire.h:
selftests/fuzz/fz_judge.h:
selftests/fuzz/fz_oracle.h:
selftests/fuzz/fz_rng.h:
selftests/fuzz/fz_selfcheck.h:
