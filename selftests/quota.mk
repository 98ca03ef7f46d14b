# One tenant cannot starve another: the XDP pass-up budget and
# the names quota's fast-path side, through BPF_PROG_TEST_RUN.
SELFTEST_BINS += $(TS)/test_xdp_quota
SELFTEST_DATA += $(TS)/quota_packets.txt

$(TS)/prog_tests/xdp_quota.o: $(XDP_SKEL)
$(TS)/test_xdp_quota: $(TS)/prog_tests/xdp_quota.o $(TS)/packets.o $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_xdp_quota: LDLIBS = $(LDLIBS_BPF)

# sixpnd's names quota (loader/agent/names_sync.c) on real maps and a real registry.
SELFTEST_BINS += $(TS)/test_names_quota
$(TS)/test_names_quota: $(TS)/agent/names_quota.o $(BUILD)/loader/agent/names_sync.o $(BUILD)/loader/agent/flycast_sync.o \
		$(LIB_REGISTRY) $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_names_quota: LDLIBS = $(LDLIBS_REGISTRY) $(LDLIBS_BPF)
