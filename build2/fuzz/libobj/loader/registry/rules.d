build2/fuzz/libobj/loader/registry/rules.o: loader/registry/rules.c \
  loader/lib/wgkey_b64.h loader/registry/registry.h maps/sixpn_addr.h \
  maps/sixpn_types.h maps/sixpn_flycast.h

loader/lib/wgkey_b64.h:

loader/registry/registry.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

maps/sixpn_flycast.h:
