build2/loader/agent/sync.o: loader/agent/sync.c loader/agent/sync.h \
 loader/datapath/tc_attach.h loader/datapath/pins.h maps/sixpn_maps.h \
 maps/sixpn_types.h maps/sixpn_addr.h loader/agent/names_sync.h \
 maps/sixpn_dns.h loader/datapath/dns_names.h loader/agent/app_names.h \
 loader/lib/strmap.h loader/registry/registry.h maps/sixpn_addr.h \
 maps/sixpn_flycast.h loader/agent/flycast_sync.h \
 loader/datapath/xdp_attach.h loader/agent/sync_int.h \
 loader/datapath/ifaces.h loader/datapath/map_walk.h loader/lib/log.h \
 loader/host/plumb.h loader/host/wg.h loader/host/wgkeys.h \
 loader/lib/wgkey_b64.h maps/sixpn_pin.h
loader/agent/sync.h:
loader/datapath/tc_attach.h:
loader/datapath/pins.h:
maps/sixpn_maps.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/agent/names_sync.h:
maps/sixpn_dns.h:
loader/datapath/dns_names.h:
loader/agent/app_names.h:
loader/lib/strmap.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_flycast.h:
loader/agent/flycast_sync.h:
loader/datapath/xdp_attach.h:
loader/agent/sync_int.h:
loader/datapath/ifaces.h:
loader/datapath/map_walk.h:
loader/lib/log.h:
loader/host/plumb.h:
loader/host/wg.h:
loader/host/wgkeys.h:
loader/lib/wgkey_b64.h:
maps/sixpn_pin.h:
