build2/fuzz/libobj/loader/lib/log.o: loader/lib/log.c loader/lib/log.h

loader/lib/log.h:
