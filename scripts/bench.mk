# `make bench`: builds, runs every benchmark in scripts/bench/ and writes
# bench/results.json (see scripts/bench.sh). BENCH_ARGS=--quick for a smoke run.

BB := $(BUILD)/bench
BENCH_BINS := $(BB)/prog_cost $(BB)/xdp_answer

$(BUILD)/scripts/bench/prog_cost.o: $(TC_SKEL) $(call TEST_SKEL,tc_empty) \
		$(call TEST_SKEL,xdp_reflect) $(call TEST_SKEL,xdp_dns_bench)
$(BUILD)/scripts/bench/xdp_answer.o: $(call TEST_SKEL,xdp_dns_bench)

$(BB)/prog_cost: $(BUILD)/scripts/bench/prog_cost.o $(BUILD)/selftests/packets.o \
		$(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
# The fast path's answer time on names maps that sixpnd filled (scale).
$(BB)/xdp_answer: $(BUILD)/scripts/bench/xdp_answer.o $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(BENCH_BINS): LDLIBS = $(LDLIBS_BPF)

# Built with `all`, so that `make test` (test_bench_quick.sh) finds them.
SELFTEST_BINS += $(BENCH_BINS)

bench: deps
	$(MAKE) all $(SELFTEST_DATA)
	scripts/bench.sh $(BENCH_ARGS)
