build2/fuzz/libobj/loader/host/plumb.o: loader/host/plumb.c \
  loader/host/plumb.h maps/sixpn_addr.h maps/sixpn_types.h \
  loader/host/netlink.h loader/host/wg.h loader/host/wgkeys.h \
  loader/lib/wgkey_b64.h

loader/host/plumb.h:

maps/sixpn_addr.h:

maps/sixpn_types.h:

loader/host/netlink.h:

loader/host/wg.h:

loader/host/wgkeys.h:

loader/lib/wgkey_b64.h:
