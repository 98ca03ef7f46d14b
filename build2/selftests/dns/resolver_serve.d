build2/selftests/dns/resolver_serve.o: selftests/dns/resolver_serve.c \
 loader/lib/log.h loader/datapath/metrics.h loader/resolver/resolver.h \
 maps/sixpn_dns.h maps/sixpn_types.h maps/sixpn_addr.h
loader/lib/log.h:
loader/datapath/metrics.h:
loader/resolver/resolver.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
