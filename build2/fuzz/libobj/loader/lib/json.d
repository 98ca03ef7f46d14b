build2/fuzz/libobj/loader/lib/json.o: loader/lib/json.c loader/lib/json.h

loader/lib/json.h:
