# The coexistence tests' reader of an operator's XDP counter
# (selftests/xdp_count_read.c; selftests/vm/test_xdp_coexist.sh).
$(TS)/xdp_count_read: $(TS)/xdp_count_read.o
	$(LINK)
$(TS)/xdp_count_read: LDLIBS = $(LDLIBS_BPF)

SELFTEST_BINS += $(TS)/xdp_count_read
