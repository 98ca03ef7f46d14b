build2/loader/host/wg_uapi.o: loader/host/wg_uapi.c loader/host/nlmsg.h \
 loader/host/wg_int.h loader/host/wg.h loader/host/wgkeys.h \
 loader/lib/wgkey_b64.h
loader/host/nlmsg.h:
loader/host/wg_int.h:
loader/host/wg.h:
loader/host/wgkeys.h:
loader/lib/wgkey_b64.h:
