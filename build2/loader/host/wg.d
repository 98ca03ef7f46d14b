build2/loader/host/wg.o: loader/host/wg.c loader/host/wg_int.h \
 loader/host/wg.h loader/host/wgkeys.h loader/lib/wgkey_b64.h \
 loader/lib/grow.h
loader/host/wg_int.h:
loader/host/wg.h:
loader/host/wgkeys.h:
loader/lib/wgkey_b64.h:
loader/lib/grow.h:
