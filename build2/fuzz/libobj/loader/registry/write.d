build2/fuzz/libobj/loader/registry/write.o: loader/registry/write.c \
  loader/registry/registry_int.h loader/registry/registry.h \
  maps/sixpn_addr.h maps/sixpn_types.h maps/sixpn_flycast.h \
  loader/lib/grow.h

loader/registry/registry_int.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:

loader/lib/grow.h:
