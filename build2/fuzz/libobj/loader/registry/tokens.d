build2/fuzz/libobj/loader/registry/tokens.o: loader/registry/tokens.c \
  loader/registry/registry_int.h loader/registry/registry.h \
  maps/sixpn_addr.h maps/sixpn_types.h maps/sixpn_flycast.h

loader/registry/registry_int.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:
