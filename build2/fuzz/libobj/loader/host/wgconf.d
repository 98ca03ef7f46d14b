build2/fuzz/libobj/loader/host/wgconf.o: loader/host/wgconf.c \
  loader/host/wgconf.h

loader/host/wgconf.h:
