build2/fuzz/libobj/loader/host/wg_genl.o: loader/host/wg_genl.c \
  loader/host/nlmsg.h loader/host/wg_int.h loader/host/wg.h \
  loader/host/wgkeys.h loader/lib/wgkey_b64.h

loader/host/nlmsg.h:

loader/host/wg_int.h:

loader/host/wg.h:

loader/host/wgkeys.h:

loader/lib/wgkey_b64.h:
