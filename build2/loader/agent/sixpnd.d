build2/loader/agent/sixpnd.o: loader/agent/sixpnd.c loader/lib/log.h \
 loader/datapath/bpffs.h loader/datapath/metrics.h loader/host/plumb.h \
 maps/sixpn_addr.h maps/sixpn_types.h loader/etcd/etcd.h \
 loader/registry/registry.h maps/sixpn_flycast.h maps/sixpn_addr.h \
 loader/resolver/resolver.h maps/sixpn_dns.h maps/sixpn_pin.h \
 loader/datapath/stats.h maps/sixpn_maps.h loader/agent/sync.h \
 loader/datapath/tc_attach.h loader/datapath/pins.h \
 loader/agent/names_sync.h loader/datapath/dns_names.h \
 loader/agent/app_names.h loader/lib/strmap.h loader/agent/flycast_sync.h \
 loader/datapath/xdp_attach.h loader/agent/notify.h
loader/lib/log.h:
loader/datapath/bpffs.h:
loader/datapath/metrics.h:
loader/host/plumb.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
loader/etcd/etcd.h:
loader/registry/registry.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
loader/resolver/resolver.h:
maps/sixpn_dns.h:
maps/sixpn_pin.h:
loader/datapath/stats.h:
maps/sixpn_maps.h:
loader/agent/sync.h:
loader/datapath/tc_attach.h:
loader/datapath/pins.h:
loader/agent/names_sync.h:
loader/datapath/dns_names.h:
loader/agent/app_names.h:
loader/lib/strmap.h:
loader/agent/flycast_sync.h:
loader/datapath/xdp_attach.h:
loader/agent/notify.h:
