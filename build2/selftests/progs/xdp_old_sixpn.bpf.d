build2/selftests/progs/xdp_old_sixpn.bpf.o: \
  selftests/progs/xdp_old_sixpn.bpf.c build2/vmlinux.h maps/sixpn_pin.h

build2/vmlinux.h:

maps/sixpn_pin.h:
