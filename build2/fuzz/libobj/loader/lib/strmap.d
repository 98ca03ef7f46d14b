build2/fuzz/libobj/loader/lib/strmap.o: loader/lib/strmap.c \
  loader/lib/strmap.h

loader/lib/strmap.h:
