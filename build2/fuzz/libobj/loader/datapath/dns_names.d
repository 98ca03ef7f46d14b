build2/fuzz/libobj/loader/datapath/dns_names.o: \
  loader/datapath/dns_names.c loader/datapath/dns_names.h \
  maps/sixpn_dns.h maps/sixpn_types.h maps/sixpn_addr.h maps/sixpn_seq.h

loader/datapath/dns_names.h:

maps/sixpn_dns.h:

maps/sixpn_types.h:

maps/sixpn_addr.h:

maps/sixpn_seq.h:
