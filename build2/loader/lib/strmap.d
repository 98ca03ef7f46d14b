build2/loader/lib/strmap.o: loader/lib/strmap.c loader/lib/strmap.h
loader/lib/strmap.h:
