# make fuzz, part (a): the XDP DNS fast path through
# BPF_PROG_TEST_RUN with generated and mutated queries, every reply judged
# by ldns and an oracle of its own against the names map
# (selftests/fuzz/xdp_fuzz.c). `make fuzz-xdp` runs the full 10 million;
# selftests/fuzz/test_xdp_fuzz_quick.sh, run by `make test`, a fixed slice.
#
#   make fuzz-xdp [FUZZ_XDP_COUNT=N] [FUZZ_SEED=S] [FUZZ_ALLOW=TC,SPORT_0,QTYPE_RESERVED]
#
# A run prints its seed first; `xdp_fuzz --seed S --index I` replays one
# packet verbosely. About 40 s for 10 million on 2 idle cores.

FUZZ_XDP_COUNT ?= 10000000

SELFTEST_BINS += $(TS)/xdp_fuzz

$(TS)/fuzz/xdp_fuzz.o: $(XDP_SKEL)
$(TS)/xdp_fuzz: $(call objs,selftests/fuzz) $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/xdp_fuzz: LDLIBS = $(LDLIBS_BPF) $(LDLIBS_LDNS)

.PHONY: fuzz fuzz-xdp
fuzz: fuzz-xdp

fuzz-xdp: $(BUILD)/selftests/xdp_fuzz
	$(BUILD)/selftests/xdp_fuzz --count $(FUZZ_XDP_COUNT)$(if $(FUZZ_SEED), --seed $(FUZZ_SEED))$(if $(FUZZ_ALLOW), --allow $(FUZZ_ALLOW))
