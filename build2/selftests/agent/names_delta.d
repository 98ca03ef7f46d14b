build2/selftests/agent/names_delta.o: selftests/agent/names_delta.c \
 loader/agent/names_sync.h maps/sixpn_dns.h maps/sixpn_types.h \
 maps/sixpn_addr.h loader/datapath/dns_names.h loader/agent/app_names.h \
 loader/lib/strmap.h loader/registry/registry.h maps/sixpn_addr.h \
 maps/sixpn_flycast.h selftests/fixtures.h selftests/test_harness.h
loader/agent/names_sync.h:
maps/sixpn_dns.h:
maps/sixpn_types.h:
maps/sixpn_addr.h:
loader/datapath/dns_names.h:
loader/agent/app_names.h:
loader/lib/strmap.h:
loader/registry/registry.h:
maps/sixpn_addr.h:
maps/sixpn_flycast.h:
selftests/fixtures.h:
selftests/test_harness.h:
