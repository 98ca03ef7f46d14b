build2/loader/attach/xdp_cmds.o: loader/attach/xdp_cmds.c \
 loader/attach/xdp_cmds.h loader/attach/cmd.h loader/datapath/dns_names.h \
 maps/sixpn_dns.h maps/sixpn_types.h maps/sixpn_addr.h \
 loader/datapath/map_walk.h loader/datapath/xdp_attach.h \
 loader/datapath/pins.h maps/sixpn_pin.h
loader/attach/xdp_cmds.h:
loader/attach/cmd.h:
loader/datapath/dns_names.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/map_walk.h:
loader/datapath/xdp_attach.h:
loader/datapath/pins.h:
maps/sixpn_pin.h:
