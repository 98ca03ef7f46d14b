build2/loader/datapath/xdp_attach.o: loader/datapath/xdp_attach.c \
 loader/datapath/xdp_attach.h loader/datapath/pins.h loader/lib/log.h \
 loader/datapath/bpf_log.h loader/datapath/tc_attach.h maps/sixpn_maps.h \
 maps/sixpn_types.h maps/sixpn_addr.h loader/datapath/xdp_dispatcher.h \
 loader/datapath/xdp_query.h maps/sixpn_dns.h maps/sixpn_pin.h \
 build2/xdp/sixpn_xdp.skel.h
loader/datapath/xdp_attach.h:
loader/datapath/pins.h:
loader/lib/log.h:
loader/datapath/bpf_log.h:
loader/datapath/tc_attach.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/xdp_dispatcher.h:
loader/datapath/xdp_query.h:
maps/sixpn_dns.h:
maps/sixpn_pin.h:
build2/xdp/sixpn_xdp.skel.h:
