build2/loader/ctl/sixpnctl.o: loader/ctl/sixpnctl.c loader/api/api.h \
 loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
 maps/sixpn_flycast.h maps/sixpn_addr.h loader/ctl/sixpnctl.h \
 loader/etcd/etcd.h loader/lib/json.h loader/host/wgkeys.h \
 loader/lib/wgkey_b64.h maps/sixpn_pin.h
loader/api/api.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
loader/ctl/sixpnctl.h:
loader/etcd/etcd.h:
loader/lib/json.h:
loader/host/wgkeys.h:
loader/lib/wgkey_b64.h:
maps/sixpn_pin.h:
