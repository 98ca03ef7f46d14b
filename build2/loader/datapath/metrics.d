build2/loader/datapath/metrics.o: loader/datapath/metrics.c \
 loader/datapath/metrics.h loader/lib/log.h loader/datapath/stats.h \
 maps/sixpn_maps.h maps/sixpn_types.h maps/sixpn_addr.h
loader/datapath/metrics.h:
loader/lib/log.h:
loader/datapath/stats.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
