build2/fuzz/libobj/loader/etcd/base64.o: loader/etcd/base64.c \
  loader/etcd/etcd.h

loader/etcd/etcd.h:
