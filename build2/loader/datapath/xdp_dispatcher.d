build2/loader/datapath/xdp_dispatcher.o: loader/datapath/xdp_dispatcher.c \
 loader/datapath/xdp_dispatcher.h loader/lib/log.h \
 build2/xdp/xdp_dispatcher.skel.h
loader/datapath/xdp_dispatcher.h:
loader/lib/log.h:
build2/xdp/xdp_dispatcher.skel.h:
