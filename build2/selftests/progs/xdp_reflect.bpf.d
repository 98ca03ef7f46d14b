build2/selftests/progs/xdp_reflect.bpf.o: \
  selftests/progs/xdp_reflect.bpf.c build2/vmlinux.h tc/lib/common.h \
  dns-ebpf/reflect.h dns-ebpf/swar.h

build2/vmlinux.h:

tc/lib/common.h:

dns-ebpf/reflect.h:

dns-ebpf/swar.h:
