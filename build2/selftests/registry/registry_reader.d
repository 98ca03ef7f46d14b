build2/selftests/registry/registry_reader.o: \
 selftests/registry/registry_reader.c loader/registry/registry.h \
 maps/sixpn_addr.h maps/sixpn_types.h maps/sixpn_flycast.h \
 maps/sixpn_addr.h
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_types.h:
maps/sixpn_flycast.h:
maps/sixpn_addr.h:
