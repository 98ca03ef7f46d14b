build2/selftests/progs/tc_empty.bpf.o: selftests/progs/tc_empty.bpf.c \
  build2/vmlinux.h

build2/vmlinux.h:
