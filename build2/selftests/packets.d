build2/selftests/packets.o: selftests/packets.c selftests/packets.h
selftests/packets.h:
