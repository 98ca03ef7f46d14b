build2/loader/ctl/serve.o: loader/ctl/serve.c loader/api/api.h \
 loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
 maps/sixpn_flycast.h maps/sixpn_addr.h loader/api/request.h \
 loader/ctl/sixpnctl.h loader/etcd/etcd.h loader/lib/json.h
loader/api/api.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
loader/api/request.h:
loader/ctl/sixpnctl.h:
loader/etcd/etcd.h:
loader/lib/json.h:
