# The XDP DNS fast path (issue 6): the XDP object, its loader and CLI
# commands, and its selftests.

BPF_PROGS += xdp/sixpn_xdp.bpf.c
LIBSIXPN_SRCS += loader/xdp_attach.c loader/dns_names.c
SIXPN_ATTACH_SRCS += loader/xdp_cmds.c

XDP_TEST_PROGS := $(BUILD)/selftests/xdp_reflect.bpf.o $(BUILD)/selftests/xdp_dns_bench.bpf.o
SELFTEST_BINS += $(BUILD)/selftests/test_xdp_dns $(BUILD)/selftests/dns_packets.txt $(XDP_TEST_PROGS)

$(BUILD)/selftests/%.skel.h: $(BUILD)/selftests/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@.tmp && mv $@.tmp $@

$(BUILD)/selftests/prog_tests/xdp_dns.o: $(XDP_TEST_PROGS:.bpf.o=.skel.h)

$(BUILD)/selftests/test_xdp_dns: $(BUILD)/selftests/prog_tests/xdp_dns.o \
		$(BUILD)/selftests/packets.o $(BUILD)/loader/dns_names.o $(BUILD)/loader/stats.o
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_BPF) $(shell pkg-config --libs ldns 2>/dev/null || echo -lldns)

# DNS queries built by scapy at build time, never committed.
$(BUILD)/selftests/dns_packets.txt: selftests/packets/gen_dns_packets.py
	@mkdir -p $(@D)
	/usr/bin/python3 $< > $@.tmp && mv $@.tmp $@
