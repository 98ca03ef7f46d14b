build2/loader/datapath/ifaces.o: loader/datapath/ifaces.c \
 loader/datapath/ifaces.h maps/sixpn_maps.h maps/sixpn_types.h \
 maps/sixpn_addr.h maps/sixpn_seq.h
loader/datapath/ifaces.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
maps/sixpn_seq.h:
