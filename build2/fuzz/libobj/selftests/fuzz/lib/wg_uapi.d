build2/fuzz/libobj/selftests/fuzz/lib/wg_uapi.o: \
  selftests/fuzz/lib/wg_uapi.c selftests/fuzz/lib/fuzz.h \
  loader/host/wg.h loader/host/wgkeys.h loader/lib/wgkey_b64.h \
  loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
  maps/sixpn_flycast.h loader/host/wg_int.h

selftests/fuzz/lib/fuzz.h:

loader/host/wg.h:

loader/host/wgkeys.h:

loader/lib/wgkey_b64.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:

loader/host/wg_int.h:
