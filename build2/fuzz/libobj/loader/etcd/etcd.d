build2/fuzz/libobj/loader/etcd/etcd.o: loader/etcd/etcd.c \
  loader/etcd/etcd.h loader/etcd/etcd_int.h

loader/etcd/etcd.h:

loader/etcd/etcd_int.h:
