build2/loader/resolver/forward.o: loader/resolver/forward.c \
 loader/lib/log.h loader/resolver/resolver_int.h \
 loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
 maps/sixpn_flycast.h maps/sixpn_addr.h loader/resolver/resolver.h \
 maps/sixpn_dns.h
loader/lib/log.h:
loader/resolver/resolver_int.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
loader/resolver/resolver.h:
maps/sixpn_dns.h:
