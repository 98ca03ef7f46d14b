build2/fuzz/libobj/loader/api/http.o: loader/api/http.c loader/api/api.h \
  loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
  maps/sixpn_flycast.h loader/api/request.h loader/lib/grow.h \
  loader/lib/log.h

loader/api/api.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:

loader/api/request.h:

loader/lib/grow.h:

loader/lib/log.h:
