build2/selftests/agent/stale_sweep.o: selftests/agent/stale_sweep.c \
 loader/agent/sync_int.h loader/agent/sync.h loader/datapath/tc_attach.h \
 loader/datapath/pins.h maps/sixpn_maps.h maps/sixpn_types.h \
 maps/sixpn_addr.h loader/agent/names_sync.h maps/sixpn_dns.h \
 loader/datapath/dns_names.h loader/agent/app_names.h loader/lib/strmap.h \
 loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_flycast.h \
 loader/agent/flycast_sync.h loader/datapath/xdp_attach.h \
 loader/host/plumb.h loader/lib/log.h maps/sixpn_pin.h \
 selftests/test_harness.h
loader/agent/sync_int.h:
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
loader/host/plumb.h:
loader/lib/log.h:
maps/sixpn_pin.h:
selftests/test_harness.h:
