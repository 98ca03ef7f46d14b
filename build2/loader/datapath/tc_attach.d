build2/loader/datapath/tc_attach.o: loader/datapath/tc_attach.c \
 loader/datapath/tc_attach.h loader/datapath/pins.h maps/sixpn_maps.h \
 maps/sixpn_types.h maps/sixpn_addr.h loader/datapath/ifaces.h \
 loader/datapath/bpf_log.h loader/datapath/kconfig.h \
 loader/datapath/map_walk.h loader/datapath/xdp_attach.h loader/lib/log.h \
 maps/sixpn_pin.h build2/tc/sixpn_tc.skel.h
loader/datapath/tc_attach.h:
loader/datapath/pins.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/ifaces.h:
loader/datapath/bpf_log.h:
loader/datapath/kconfig.h:
loader/datapath/map_walk.h:
loader/datapath/xdp_attach.h:
loader/lib/log.h:
maps/sixpn_pin.h:
build2/tc/sixpn_tc.skel.h:
