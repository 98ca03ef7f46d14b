build2/loader/ctl/wireguard.o: loader/ctl/wireguard.c \
 loader/ctl/sixpnctl.h loader/etcd/etcd.h loader/lib/json.h \
 loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
 maps/sixpn_flycast.h maps/sixpn_addr.h loader/host/wgconf.h \
 loader/host/wgkeys.h loader/lib/wgkey_b64.h
loader/ctl/sixpnctl.h:
loader/etcd/etcd.h:
loader/lib/json.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
loader/host/wgconf.h:
loader/host/wgkeys.h:
loader/lib/wgkey_b64.h:
