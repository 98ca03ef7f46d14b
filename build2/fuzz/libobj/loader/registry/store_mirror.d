build2/fuzz/libobj/loader/registry/store_mirror.o: \
  loader/registry/store_mirror.c loader/etcd/etcd.h loader/lib/log.h \
  loader/lib/strmap.h loader/registry/registry_int.h \
  loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
  maps/sixpn_flycast.h loader/registry/rows.h

loader/etcd/etcd.h:

loader/lib/log.h:

loader/lib/strmap.h:

loader/registry/registry_int.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:

loader/registry/rows.h:
