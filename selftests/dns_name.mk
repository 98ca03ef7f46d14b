# test_dns_name: the fast path's QNAME readers (dns-ebpf/parse.h), the
# 8-byte one and the byte loop, against an oracle of the naming rules.
SELFTEST_BINS += $(TS)/test_dns_name
$(TS)/prog_tests/dns_name.o: $(call TEST_SKEL,xdp_dns_name)
$(TS)/test_dns_name: $(TS)/prog_tests/dns_name.o $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_dns_name: LDLIBS = $(LDLIBS_BPF)
