build2/xdp/xdp_dispatcher.bpf.o: xdp/xdp_dispatcher.bpf.c \
  build2/vmlinux.h

build2/vmlinux.h:
