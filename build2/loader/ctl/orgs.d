build2/loader/ctl/orgs.o: loader/ctl/orgs.c loader/ctl/sixpnctl.h \
 loader/etcd/etcd.h loader/lib/json.h loader/registry/registry.h \
 maps/sixpn_addr.h maps/sixpn_types.h maps/sixpn_flycast.h \
 maps/sixpn_addr.h
loader/ctl/sixpnctl.h:
loader/etcd/etcd.h:
loader/lib/json.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
