build2/selftests/dns/dns_collide_names.o: \
 selftests/dns/dns_collide_names.c selftests/dns_collide.h \
 maps/sixpn_dns.h maps/sixpn_types.h maps/sixpn_addr.h
selftests/dns_collide.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
