# `make bench`: builds, runs every benchmark in scripts/bench/ and writes
# bench/results.json (see scripts/bench.sh). BENCH_ARGS=--quick for a smoke run.

BENCH_BINS := $(BUILD)/bench/prog_cost $(BUILD)/bench/xdp_answer $(BUILD)/selftests/tc_empty.skel.h

# Built with `all`, so that `make test` (test_bench_quick.sh) finds it.
SELFTEST_BINS += $(BENCH_BINS)

$(BUILD)/bench/prog_cost: scripts/bench/prog_cost.c $(BUILD)/selftests/tc_empty.skel.h \
		$(BUILD)/selftests/xdp_reflect.skel.h $(BUILD)/selftests/xdp_dns_bench.skel.h \
		$(BPF_SKELS) $(BUILD)/selftests/packets.o $(BUILD)/loader/dns_names.o \
		$(BUILD)/loader/stats.o $(BPF_HDRS) selftests/packets.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wno-missing-field-initializers -Iselftests $< $(BUILD)/selftests/packets.o \
		$(BUILD)/loader/dns_names.o $(BUILD)/loader/stats.o -o $@ $(LDLIBS_BPF)

# The fast path's answer time on names maps that sixpnd filled (scale).
$(BUILD)/bench/xdp_answer: scripts/bench/xdp_answer.c $(BUILD)/selftests/xdp_dns_bench.skel.h \
		$(BUILD)/loader/dns_names.o $(BUILD)/loader/stats.o $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< $(BUILD)/loader/dns_names.o $(BUILD)/loader/stats.o -o $@ $(LDLIBS_BPF)

bench: deps
	$(MAKE) all $(BUILD)/selftests/packets.txt
	scripts/bench.sh $(BENCH_ARGS)
