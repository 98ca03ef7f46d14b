build2/loader/ctl/stats.o: loader/ctl/stats.c loader/ctl/sixpnctl.h \
 loader/etcd/etcd.h loader/lib/json.h loader/registry/registry.h \
 maps/sixpn_addr.h maps/sixpn_types.h maps/sixpn_flycast.h \
 maps/sixpn_addr.h maps/sixpn_pin.h loader/datapath/stats.h \
 maps/sixpn_maps.h
loader/ctl/sixpnctl.h:
loader/etcd/etcd.h:
loader/lib/json.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
maps/sixpn_pin.h:
loader/datapath/stats.h:
maps/sixpn_maps.h:
