build2/fuzz/libobj/loader/resolver/resolver.o: loader/resolver/resolver.c \
  loader/datapath/dns_names.h maps/sixpn_dns.h maps/sixpn_types.h \
  maps/sixpn_addr.h loader/lib/log.h loader/resolver/resolver_int.h \
  loader/registry/registry.h maps/sixpn_flycast.h \
  loader/resolver/resolver.h

loader/datapath/dns_names.h:

maps/sixpn_dns.h:

maps/sixpn_types.h:

maps/sixpn_addr.h:

loader/lib/log.h:

loader/resolver/resolver_int.h:

loader/registry/registry.h:

maps/sixpn_flycast.h:

loader/resolver/resolver.h:
