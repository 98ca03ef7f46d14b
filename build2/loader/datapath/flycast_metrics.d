build2/loader/datapath/flycast_metrics.o: \
 loader/datapath/flycast_metrics.c loader/datapath/flycast.h \
 maps/sixpn_flycast.h maps/sixpn_types.h maps/sixpn_addr.h \
 loader/datapath/map_walk.h loader/datapath/metrics.h \
 loader/datapath/stats.h maps/sixpn_maps.h maps/sixpn_pin.h
loader/datapath/flycast.h:
maps/sixpn_flycast.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/map_walk.h:
loader/datapath/metrics.h:
loader/datapath/stats.h:
maps/sixpn_maps.h:
maps/sixpn_pin.h:
