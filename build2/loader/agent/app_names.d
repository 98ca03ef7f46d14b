build2/loader/agent/app_names.o: loader/agent/app_names.c \
 loader/agent/app_names.h loader/lib/strmap.h loader/registry/registry.h \
 maps/sixpn_addr.h maps/sixpn_types.h maps/sixpn_flycast.h \
 maps/sixpn_addr.h maps/sixpn_dns.h loader/lib/grow.h
loader/agent/app_names.h:
loader/lib/strmap.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
maps/sixpn_dns.h:
loader/lib/grow.h:
