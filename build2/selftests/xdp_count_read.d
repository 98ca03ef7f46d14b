build2/selftests/xdp_count_read.o: selftests/xdp_count_read.c
