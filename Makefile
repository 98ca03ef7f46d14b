# sixpn build. `make` builds everything into build/, whose tree mirrors the
# source tree (loader/registry/read.c -> build/loader/registry/read.o,
# tc/sixpn_tc.bpf.c -> build/tc/sixpn_tc.bpf.o and build/tc/sixpn_tc.skel.h);
# nothing generated is committed. `sudo make test` and `sudo make demo`
# install what they need first. The folders and which may use which: the
# README's "Layout" section.

.DEFAULT_GOAL := all
# A recipe that fails leaves no half-written target behind.
.DELETE_ON_ERROR:

BUILD     ?= build
CLANG     ?= clang
BPFTOOL   ?= bpftool
CC        ?= gcc
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
PREFIX    ?= /usr/local

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# Our own code builds with every warning an error. -MMD -MP: the compiler
# writes each object's real header dependencies beside it (.d), so a change
# rebuilds what includes it and nothing else.
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror
CPPFLAGS  += -Imaps -Iloader -I$(BUILD)
DEPFLAGS  := -MMD -MP
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
              -I$(BUILD) -Imaps -Itc -Ixdp -Idns-ebpf

pkg = $(shell pkg-config --libs $(1) 2>/dev/null || echo $(2))
LDLIBS_BPF      := $(call pkg,libxdp libbpf,-lxdp -lbpf -lelf -lz)
LDLIBS_METRICS  := $(call pkg,libmicrohttpd,-lmicrohttpd)
LDLIBS_LDNS     := $(call pkg,ldns,-lldns)
LDLIBS_ETCD     := $(call pkg,libcurl json-c,-lcurl -ljson-c)
LDLIBS_REGISTRY := -lsqlite3 -lsodium $(LDLIBS_ETCD)
LDLIBS_HOST     := -lmnl -lsodium
LDLIBS_RESOLVER := $(LDLIBS_LDNS) -lm
LDLIBS_SYSTEMD  := $(call pkg,libsystemd,-lsystemd)

# Every object of a folder: each folder of loader/ is one library or program.
objs = $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(1)/*.c))
# Links a binary from its objects and libraries (in prerequisite order:
# users before what they use) with the target's LDLIBS.
LINK = @mkdir -p $(@D) && $(CC) $(CFLAGS) $(LDFLAGS) $(filter %.o %.a,$^) -o $@ $(LDLIBS)

# --- one rule per kind of object ------------------------------------------
$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD)/%.bpf.o: %.bpf.c $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/%.a:
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# Tests build packets with designated initializers that leave fields zero.
$(BUILD)/selftests/%.o $(BUILD)/scripts/%.o: CPPFLAGS += -Iselftests
$(BUILD)/selftests/%.o $(BUILD)/scripts/%.o: CFLAGS += -Wno-missing-field-initializers

# --- BPF programs ------------------------------------------------------------
BPF_PROGS  := tc/sixpn_tc.bpf.c xdp/sixpn_xdp.bpf.c xdp/xdp_dispatcher.bpf.c
TEST_PROGS := $(wildcard selftests/progs/*.bpf.c)
BPF_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(BPF_PROGS) $(TEST_PROGS))
BPF_SKELS  := $(BPF_OBJS:.bpf.o=.skel.h)
TC_SKEL    := $(BUILD)/tc/sixpn_tc.skel.h
XDP_SKEL   := $(BUILD)/xdp/sixpn_xdp.skel.h
TEST_SKEL   = $(BUILD)/selftests/progs/$(1).skel.h

# A generated header is not on disk for the compiler to find on a first
# build: the objects that include one name it here.
$(BUILD)/loader/datapath/tc_attach.o: $(TC_SKEL)
$(BUILD)/loader/datapath/xdp_attach.o: $(XDP_SKEL)
$(BUILD)/loader/datapath/xdp_dispatcher.o: $(BUILD)/xdp/xdp_dispatcher.skel.h

# --- loader/: libraries (lower layers first) and programs -------------------
LIB_UTIL     := $(BUILD)/loader/lib/libutil.a
LIB_DATAPATH := $(BUILD)/loader/datapath/libdatapath.a
LIB_HOST     := $(BUILD)/loader/host/libhost.a
LIB_ETCD     := $(BUILD)/loader/etcd/libetcd.a
LIB_REGISTRY := $(BUILD)/loader/registry/libregistry.a $(LIB_ETCD)
LIB_RESOLVER := $(BUILD)/loader/resolver/libresolver.a
LIB_API      := $(BUILD)/loader/api/libapi.a
LIBS := $(LIB_UTIL) $(LIB_DATAPATH) $(LIB_HOST) $(LIB_ETCD) $(LIB_REGISTRY) $(LIB_RESOLVER) \
        $(LIB_API)

$(LIB_UTIL):     $(call objs,loader/lib)
$(LIB_DATAPATH): $(call objs,loader/datapath)
$(LIB_HOST):     $(call objs,loader/host)
$(BUILD)/loader/registry/libregistry.a: $(call objs,loader/registry)
$(LIB_ETCD):     $(call objs,loader/etcd)
$(LIB_RESOLVER): $(call objs,loader/resolver)
$(LIB_API):      $(call objs,loader/api)

BINS := $(BUILD)/sixpnd $(BUILD)/sixpnctl $(BUILD)/sixpn-attach

$(BUILD)/sixpnd: $(call objs,loader/agent) $(LIB_RESOLVER) $(LIB_REGISTRY) \
		$(LIB_DATAPATH) $(LIB_HOST) $(LIB_UTIL)
	$(LINK)
$(BUILD)/sixpnd: LDLIBS = $(LDLIBS_RESOLVER) $(LDLIBS_REGISTRY) $(LDLIBS_METRICS) \
		$(LDLIBS_BPF) $(LDLIBS_HOST) $(LDLIBS_SYSTEMD)

$(BUILD)/sixpnctl: $(call objs,loader/ctl) $(LIB_API) $(LIB_REGISTRY) $(LIB_DATAPATH) \
		$(LIB_HOST) $(LIB_UTIL)
	$(LINK)
$(BUILD)/sixpnctl: LDLIBS = $(LDLIBS_REGISTRY) $(LDLIBS_METRICS) $(LDLIBS_BPF) \
		$(LDLIBS_HOST) -lpthread

$(BUILD)/sixpn-attach: $(call objs,loader/attach) $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(BUILD)/sixpn-attach: LDLIBS = $(LDLIBS_BPF)

# --- selftests ------------------------------------------------------------
# Every build/selftests/test_* binary is run by selftests/run.sh with the
# scapy-built packets as its argument; the other binaries here are driven by
# the shell tests beside their sources.
TS := $(BUILD)/selftests
SELFTEST_BINS := $(TS)/test_tc_progs $(TS)/test_drop_events $(TS)/test_xdp_dns $(TS)/test_pinned_maps \
                 $(TS)/test_netlink $(TS)/plumbing_wg $(TS)/registry_reader \
                 $(TS)/metrics_serve $(TS)/resolver_serve
SELFTEST_DATA := $(TS)/packets.txt $(TS)/dns_packets.txt

# selftests/tc_skel.h includes the TC skeleton.
$(TS)/tc_skel.o $(TS)/tc_case.o $(TS)/prog_tests/tc_progs.o $(TS)/prog_tests/drop_events.o: $(TC_SKEL)
$(TS)/prog_tests/xdp_dns.o: $(XDP_SKEL) $(call TEST_SKEL,xdp_reflect) $(call TEST_SKEL,xdp_dns_bench)

$(TS)/test_tc_progs: $(TS)/prog_tests/tc_progs.o $(TS)/tc_skel.o $(TS)/tc_case.o $(TS)/packets.o \
		$(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_drop_events: $(TS)/prog_tests/drop_events.o $(TS)/tc_skel.o $(TS)/packets.o \
		$(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_xdp_dns: $(TS)/prog_tests/xdp_dns.o $(TS)/packets.o $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_xdp_dns: LDLIBS = $(LDLIBS_BPF) $(LDLIBS_LDNS)
$(TS)/test_tc_progs $(TS)/test_drop_events: LDLIBS = $(LDLIBS_BPF)

# The pinned maps of the built objects against maps/sixpn_pin.h.
$(TS)/prog_tests/pinned_maps.o: $(TC_SKEL) $(XDP_SKEL)
$(TS)/test_pinned_maps: $(TS)/prog_tests/pinned_maps.o
	$(LINK)
$(TS)/test_pinned_maps: LDLIBS = $(LDLIBS_BPF)

$(TS)/test_netlink: $(TS)/plumbing/netlink.o $(LIB_HOST) $(LIB_UTIL)
	$(LINK)
$(TS)/plumbing_wg: $(TS)/plumbing/wg_tool.o $(LIB_HOST) $(LIB_UTIL)
	$(LINK)
$(TS)/test_netlink $(TS)/plumbing_wg: LDLIBS = $(LDLIBS_HOST)

$(TS)/registry_reader: $(TS)/registry/registry_reader.o $(LIB_REGISTRY) $(LIB_UTIL)
	$(LINK)
$(TS)/registry_reader: LDLIBS = $(LDLIBS_REGISTRY)

$(TS)/metrics_serve: $(TS)/observability/metrics_serve.o $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/metrics_serve: LDLIBS = $(LDLIBS_METRICS) $(LDLIBS_BPF)

$(TS)/resolver_serve: $(TS)/dns/resolver_serve.o $(LIB_RESOLVER) $(LIB_REGISTRY) \
		$(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/resolver_serve: LDLIBS = $(LDLIBS_RESOLVER) $(LDLIBS_REGISTRY) $(LDLIBS_METRICS) $(LDLIBS_BPF)

# One tenant cannot starve another: the XDP pass-up budget and the names
# quota's fast-path side, through BPF_PROG_TEST_RUN.
SELFTEST_BINS += $(TS)/test_xdp_quota
SELFTEST_DATA += $(TS)/quota_packets.txt
$(TS)/prog_tests/xdp_quota.o: $(XDP_SKEL)
$(TS)/test_xdp_quota: $(TS)/prog_tests/xdp_quota.o $(TS)/packets.o $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_xdp_quota: LDLIBS = $(LDLIBS_BPF)

# sixpnd's names quota and stale sweeps (loader/agent/) on real maps and a
# real registry.
SELFTEST_BINS += $(TS)/test_names_quota $(TS)/test_names_delta $(TS)/test_stale_sweep
$(TS)/test_names_delta: $(TS)/agent/names_delta.o $(BUILD)/loader/agent/names_sync.o $(BUILD)/loader/agent/app_names.o \
		$(BUILD)/loader/agent/flycast_sync.o $(LIB_REGISTRY) $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_names_quota: $(TS)/agent/names_quota.o $(BUILD)/loader/agent/names_sync.o $(BUILD)/loader/agent/app_names.o \
		$(BUILD)/loader/agent/flycast_sync.o $(LIB_REGISTRY) $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_stale_sweep: $(TS)/agent/stale_sweep.o $(BUILD)/loader/agent/sync.o \
		$(BUILD)/loader/agent/names_sync.o $(BUILD)/loader/agent/app_names.o $(BUILD)/loader/agent/flycast_sync.o \
		$(BUILD)/loader/agent/reg_watch.o \
		$(LIB_REGISTRY) $(LIB_DATAPATH) $(LIB_HOST) $(LIB_UTIL)
	$(LINK)
# Two names of one network with one hash, made for the table's seed
# (selftests/dns_collide.h): the sync shares their key, the real XDP
# program passes both up.
SELFTEST_BINS += $(TS)/test_names_collide
$(TS)/agent/names_collide.o: $(XDP_SKEL)
$(TS)/test_names_collide: $(TS)/agent/names_collide.o $(BUILD)/loader/agent/names_sync.o $(BUILD)/loader/agent/app_names.o \
		$(BUILD)/loader/agent/flycast_sync.o $(LIB_REGISTRY) $(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/test_names_quota $(TS)/test_names_delta $(TS)/test_names_collide: LDLIBS = $(LDLIBS_REGISTRY) $(LDLIBS_BPF)
$(TS)/test_stale_sweep: LDLIBS = $(LDLIBS_REGISTRY) $(LDLIBS_BPF) $(LDLIBS_HOST)

# rows_apply (loader/registry/rows.c) against its promises, row by row
SELFTEST_BINS += $(TS)/test_rows_apply
$(TS)/test_rows_apply: $(TS)/registry/rows_apply.o $(LIB_REGISTRY) $(LIB_UTIL)
	$(LINK)
$(TS)/test_rows_apply: LDLIBS = $(LDLIBS_REGISTRY)

# The etcd tests' mirror tool (selftests/etcd/): the code sixpnd's mirror
# runs, without the datapath.
SELFTEST_BINS += $(TS)/etcd_mirror
$(TS)/etcd_mirror: $(TS)/etcd/etcd_mirror.o $(LIB_REGISTRY) $(LIB_UTIL)
	$(LINK)
$(TS)/etcd_mirror: LDLIBS = $(LDLIBS_REGISTRY) -lpthread

# Test packets are built by scapy at build time, never committed:
# build/selftests/NAME.txt from selftests/packets/gen_NAME.py.
$(TS)/%.txt: selftests/packets/gen_%.py selftests/packets/fixtures.py selftests/fixtures.h
	@mkdir -p $(@D)
	/usr/bin/python3 $< > $@

# Components with targets of their own bring them in a fragment beside their
# code (scripts/bench.mk, scripts/vmtest.mk, ...); they may add to BINS,
# SELFTEST_BINS and SELFTEST_DATA.
include $(sort $(wildcard */*.mk))

.PHONY: all clean deps test demo install bench
all: $(BPF_OBJS) $(BPF_SKELS) $(BINS) $(SELFTEST_BINS)

deps:
	@scripts/install-deps.sh

test: deps
	$(MAKE) all $(SELFTEST_DATA)
	selftests/run.sh

demo: deps
	$(MAKE) all
	scripts/demo.sh $(DEMO_ARGS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
