build2/selftests/progs/xdp_count.bpf.o: selftests/progs/xdp_count.bpf.c \
  build2/vmlinux.h

build2/vmlinux.h:
