# sixpnd's stale sweeps driven against real pinned maps (selftests/agent/stale_sweep.c).
$(TS)/test_stale_sweep: $(TS)/agent/stale_sweep.o $(BUILD)/loader/agent/sync.o \
		$(BUILD)/loader/agent/names_sync.o $(BUILD)/loader/agent/flycast_sync.o $(BUILD)/loader/agent/reg_watch.o $(LIB_REGISTRY) $(LIB_DATAPATH) $(LIB_HOST) $(LIB_UTIL)
	$(LINK)
$(TS)/test_stale_sweep: LDLIBS = $(LDLIBS_REGISTRY) $(LDLIBS_BPF) $(LDLIBS_HOST)

SELFTEST_BINS += $(TS)/test_stale_sweep
