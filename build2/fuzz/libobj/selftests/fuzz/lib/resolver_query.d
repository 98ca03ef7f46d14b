build2/fuzz/libobj/selftests/fuzz/lib/resolver_query.o: \
  selftests/fuzz/lib/resolver_query.c selftests/fuzz/lib/rsv_fuzz.h \
  selftests/fuzz/lib/fuzz.h loader/host/wg.h loader/host/wgkeys.h \
  loader/lib/wgkey_b64.h loader/registry/registry.h maps/sixpn_addr.h \
  maps/sixpn_types.h maps/sixpn_flycast.h loader/host/wg_int.h \
  loader/resolver/resolver_int.h loader/resolver/resolver.h \
  maps/sixpn_dns.h

selftests/fuzz/lib/rsv_fuzz.h:

selftests/fuzz/lib/fuzz.h:

loader/host/wg.h:

loader/host/wgkeys.h:

loader/lib/wgkey_b64.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:

loader/host/wg_int.h:

loader/resolver/resolver_int.h:

loader/resolver/resolver.h:

maps/sixpn_dns.h:
