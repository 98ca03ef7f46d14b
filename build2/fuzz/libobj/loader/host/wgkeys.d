build2/fuzz/libobj/loader/host/wgkeys.o: loader/host/wgkeys.c \
  loader/host/wgkeys.h loader/lib/wgkey_b64.h

loader/host/wgkeys.h:

loader/lib/wgkey_b64.h:
