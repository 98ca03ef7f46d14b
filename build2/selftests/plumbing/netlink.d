build2/selftests/plumbing/netlink.o: selftests/plumbing/netlink.c \
 loader/host/netlink.h selftests/test_harness.h
loader/host/netlink.h:
selftests/test_harness.h:
