build2/loader/lib/wgkey_b64.o: loader/lib/wgkey_b64.c \
 loader/lib/wgkey_b64.h
loader/lib/wgkey_b64.h:
