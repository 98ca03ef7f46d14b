build2/loader/datapath/flycast.o: loader/datapath/flycast.c \
 loader/datapath/flycast.h maps/sixpn_flycast.h maps/sixpn_types.h \
 maps/sixpn_addr.h loader/datapath/map_walk.h
loader/datapath/flycast.h:
maps/sixpn_flycast.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/map_walk.h:
