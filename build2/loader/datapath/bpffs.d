build2/loader/datapath/bpffs.o: loader/datapath/bpffs.c \
 loader/datapath/bpffs.h loader/lib/log.h
loader/datapath/bpffs.h:
loader/lib/log.h:
