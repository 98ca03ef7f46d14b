build2/loader/datapath/map_walk.o: loader/datapath/map_walk.c \
 loader/datapath/map_walk.h
loader/datapath/map_walk.h:
