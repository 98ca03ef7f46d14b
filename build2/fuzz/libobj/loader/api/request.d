build2/fuzz/libobj/loader/api/request.o: loader/api/request.c \
  loader/api/request.h loader/registry/registry.h maps/sixpn_addr.h \
  maps/sixpn_types.h maps/sixpn_flycast.h

loader/api/request.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:
