build2/loader/attach/sixpn_attach.o: loader/attach/sixpn_attach.c \
 loader/datapath/bpffs.h loader/datapath/tc_attach.h \
 loader/datapath/pins.h maps/sixpn_maps.h maps/sixpn_types.h \
 maps/sixpn_addr.h loader/datapath/map_walk.h \
 loader/datapath/xdp_attach.h loader/datapath/xdp_query.h \
 loader/lib/json.h loader/lib/log.h maps/sixpn_pin.h \
 loader/attach/xdp_cmds.h loader/attach/cmd.h
loader/datapath/bpffs.h:
loader/datapath/tc_attach.h:
loader/datapath/pins.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/map_walk.h:
loader/datapath/xdp_attach.h:
loader/datapath/xdp_query.h:
loader/lib/json.h:
loader/lib/log.h:
maps/sixpn_pin.h:
loader/attach/xdp_cmds.h:
loader/attach/cmd.h:
