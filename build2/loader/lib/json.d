build2/loader/lib/json.o: loader/lib/json.c loader/lib/json.h
loader/lib/json.h:
