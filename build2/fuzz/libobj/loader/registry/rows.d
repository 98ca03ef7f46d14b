build2/fuzz/libobj/loader/registry/rows.o: loader/registry/rows.c \
  loader/registry/rows.h

loader/registry/rows.h:
