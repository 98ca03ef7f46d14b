build2/loader/api/handlers.o: loader/api/handlers.c loader/api/api.h \
 loader/registry/registry.h maps/sixpn_addr.h maps/sixpn_types.h \
 maps/sixpn_flycast.h maps/sixpn_addr.h loader/api/request.h \
 loader/lib/json.h
loader/api/api.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
loader/api/request.h:
loader/lib/json.h:
