build2/loader/agent/flycast_sync.o: loader/agent/flycast_sync.c \
 loader/agent/flycast_sync.h loader/lib/strmap.h maps/sixpn_flycast.h \
 maps/sixpn_types.h maps/sixpn_addr.h loader/datapath/flycast.h \
 loader/datapath/map_walk.h loader/lib/log.h loader/registry/registry.h \
 maps/sixpn_addr.h
loader/agent/flycast_sync.h:
loader/lib/strmap.h:
maps/sixpn_flycast.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/flycast.h:
loader/datapath/map_walk.h:
loader/lib/log.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
