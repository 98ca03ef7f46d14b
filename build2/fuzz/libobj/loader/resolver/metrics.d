build2/fuzz/libobj/loader/resolver/metrics.o: loader/resolver/metrics.c \
  loader/datapath/metrics.h loader/resolver/resolver_int.h \
  loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
  maps/sixpn_flycast.h loader/resolver/resolver.h maps/sixpn_dns.h

loader/datapath/metrics.h:

loader/resolver/resolver_int.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:

loader/resolver/resolver.h:

maps/sixpn_dns.h:
