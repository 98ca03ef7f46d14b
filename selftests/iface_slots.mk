# test_iface_slots: the direct-mapped interface slots of the TC programs.
SELFTEST_BINS += $(TS)/test_iface_slots
$(TS)/prog_tests/iface_slots.o: $(TC_SKEL)
$(TS)/test_iface_slots: $(TS)/prog_tests/iface_slots.o $(TS)/tc_skel.o $(TS)/packets.o \
		$(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_iface_slots: LDLIBS = $(LDLIBS_BPF)
