build2/loader/registry/rev_key.o: loader/registry/rev_key.c \
 loader/registry/rev_key.h
loader/registry/rev_key.h:
