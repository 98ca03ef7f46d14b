build2/loader/datapath/stats.o: loader/datapath/stats.c \
 loader/datapath/stats.h maps/sixpn_maps.h maps/sixpn_types.h \
 maps/sixpn_addr.h loader/datapath/dns_names.h maps/sixpn_dns.h \
 loader/datapath/flycast.h maps/sixpn_flycast.h \
 loader/datapath/map_walk.h maps/sixpn_pin.h
loader/datapath/stats.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/dns_names.h:
maps/sixpn_dns.h:
loader/datapath/flycast.h:
maps/sixpn_flycast.h:
loader/datapath/map_walk.h:
maps/sixpn_pin.h:
