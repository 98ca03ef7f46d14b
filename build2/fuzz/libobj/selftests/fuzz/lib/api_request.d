build2/fuzz/libobj/selftests/fuzz/lib/api_request.o: \
  selftests/fuzz/lib/api_request.c selftests/fuzz/lib/fuzz.h \
  loader/host/wg.h loader/host/wgkeys.h loader/lib/wgkey_b64.h \
  loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
  maps/sixpn_flycast.h loader/host/wg_int.h loader/api/api.h \
  loader/api/request.h

selftests/fuzz/lib/fuzz.h:

loader/host/wg.h:

loader/host/wgkeys.h:

loader/lib/wgkey_b64.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:

loader/host/wg_int.h:

loader/api/api.h:

loader/api/request.h:
