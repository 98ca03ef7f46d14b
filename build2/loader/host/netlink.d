build2/loader/host/netlink.o: loader/host/netlink.c loader/host/netlink.h \
 loader/host/nlmsg.h loader/lib/grow.h
loader/host/netlink.h:
loader/host/nlmsg.h:
loader/lib/grow.h:
