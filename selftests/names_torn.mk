# test_names_torn: the names table under a live writer and one killed in mid-write.
SELFTEST_BINS += $(TS)/test_names_torn
$(TS)/prog_tests/names_torn.o: $(XDP_SKEL)
$(TS)/test_names_torn: $(TS)/prog_tests/names_torn.o $(TS)/packets.o $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_names_torn: LDLIBS = $(LDLIBS_BPF)
