build2/fuzz/libobj/loader/resolver/wire.o: loader/resolver/wire.c \
  loader/resolver/resolver_int.h loader/registry/registry.h \
  maps/sixpn_addr.h maps/sixpn_types.h maps/sixpn_flycast.h \
  loader/resolver/resolver.h maps/sixpn_dns.h

loader/resolver/resolver_int.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:

loader/resolver/resolver.h:

maps/sixpn_dns.h:
