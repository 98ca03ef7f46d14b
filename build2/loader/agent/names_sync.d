build2/loader/agent/names_sync.o: loader/agent/names_sync.c \
 loader/agent/names_sync.h maps/sixpn_dns.h maps/sixpn_types.h \
 maps/sixpn_addr.h loader/datapath/dns_names.h loader/agent/app_names.h \
 loader/lib/strmap.h loader/registry/registry.h maps/sixpn_addr.h \
 maps/sixpn_flycast.h loader/datapath/map_walk.h loader/lib/log.h \
 loader/lib/grow.h
loader/agent/names_sync.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/dns_names.h:
loader/agent/app_names.h:
loader/lib/strmap.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_flycast.h:
loader/datapath/map_walk.h:
loader/lib/log.h:
loader/lib/grow.h:
