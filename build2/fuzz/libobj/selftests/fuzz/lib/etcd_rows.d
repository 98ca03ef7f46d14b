build2/fuzz/libobj/selftests/fuzz/lib/etcd_rows.o: \
  selftests/fuzz/lib/etcd_rows.c selftests/fuzz/lib/fuzz.h \
  loader/host/wg.h loader/host/wgkeys.h loader/lib/wgkey_b64.h \
  loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
  maps/sixpn_flycast.h loader/host/wg_int.h loader/etcd/etcd.h \
  loader/etcd/etcd_int.h loader/lib/log.h loader/registry/registry_int.h \
  loader/registry/rows.h

selftests/fuzz/lib/fuzz.h:

loader/host/wg.h:

loader/host/wgkeys.h:

loader/lib/wgkey_b64.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:

loader/host/wg_int.h:

loader/etcd/etcd.h:

loader/etcd/etcd_int.h:

loader/lib/log.h:

loader/registry/registry_int.h:

loader/registry/rows.h:
