# The Machines API port on the service address (issue 13): TCP 4280 to and
# from fdaa::3 / <prefix>::3 passes (PASS_API), its neighbours drop; packet
# replay through BPF_PROG_TEST_RUN (selftests/prog_tests/tc_api.c).
SELFTEST_BINS += $(TS)/test_tc_api
SELFTEST_DATA += $(TS)/api_packets.txt
$(TS)/api_packets.txt: selftests/packets/gen_packets.py
$(TS)/prog_tests/tc_api.o: $(TC_SKEL)
$(TS)/test_tc_api: $(TS)/prog_tests/tc_api.o $(TS)/tc_skel.o $(TS)/tc_case.o $(TS)/packets.o \
		$(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_tc_api: LDLIBS = $(LDLIBS_BPF)
