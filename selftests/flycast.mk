# Flycast's translation through BPF_PROG_TEST_RUN (selftests/prog_tests/flycast.c),
# on packets scapy builds (selftests/packets/gen_flycast_packets.py).
SELFTEST_BINS += $(TS)/test_flycast_replay
SELFTEST_DATA += $(TS)/flycast_packets.txt
$(TS)/prog_tests/flycast.o: $(TC_SKEL)
$(TS)/test_flycast_replay: $(TS)/prog_tests/flycast.o $(TS)/tc_skel.o $(TS)/packets.o \
		$(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_flycast_replay: LDLIBS = $(LDLIBS_BPF)
$(TS)/test_flycast_replay: | $(BUILD)/sixpnctl

# Flycast's attacker matrix (selftests/flycast/test_fc_attacks.sh): the
# runner of the cases gen_fc_attacks.py writes; not named test_*, it reads
# a case file.
SELFTEST_BINS += $(TS)/fc_attacks
$(TS)/flycast/fc_attacks.o: $(TC_SKEL)
$(TS)/fc_attacks: $(TS)/flycast/fc_attacks.o $(TS)/tc_skel.o $(TS)/packets.o \
		$(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/fc_attacks: LDLIBS = $(LDLIBS_BPF)
