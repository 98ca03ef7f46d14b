build2/loader/datapath/bpf_log.o: loader/datapath/bpf_log.c \
 loader/datapath/bpf_log.h loader/lib/log.h
loader/datapath/bpf_log.h:
loader/lib/log.h:
