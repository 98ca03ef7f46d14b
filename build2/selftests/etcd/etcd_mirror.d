build2/selftests/etcd/etcd_mirror.o: selftests/etcd/etcd_mirror.c \
 loader/etcd/etcd.h loader/lib/log.h loader/registry/registry.h \
 maps/sixpn_addr.h maps/sixpn_types.h maps/sixpn_flycast.h \
 maps/sixpn_addr.h
loader/etcd/etcd.h:
loader/lib/log.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
