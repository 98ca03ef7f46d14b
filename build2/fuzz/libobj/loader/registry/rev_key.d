build2/fuzz/libobj/loader/registry/rev_key.o: loader/registry/rev_key.c \
  loader/registry/rev_key.h

loader/registry/rev_key.h:
