# sixpn build. `make` builds everything into build/; nothing generated is
# committed. `sudo make test` and `sudo make demo` install what they need first.

.DEFAULT_GOAL := all

BUILD     ?= build
CLANG     ?= clang
BPFTOOL   ?= bpftool
CC        ?= gcc
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
PREFIX    ?= /usr/local

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# Our own code builds with every warning an error.
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -Imaps -Iloader -I$(BUILD)
LDLIBS_BPF := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
              -I$(BUILD) -Imaps -Itc -Ixdp -Idns-ebpf

# --- BPF objects and their skeletons -------------------------------------
BPF_PROGS := tc/sixpn_tc.bpf.c
BPF_OBJS   = $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(notdir $(BPF_PROGS)))
BPF_SKELS  = $(BPF_OBJS:.bpf.o=.skel.h)
BPF_HDRS  := $(wildcard maps/*.h tc/lib/*.h xdp/*.h dns-ebpf/*.h)

# --- userspace -----------------------------------------------------------
# Shared by the daemon, the CLIs and the selftests.
LIBSIXPN_SRCS := loader/bpf_attach.c loader/log.c
LIBSIXPN_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(LIBSIXPN_SRCS))

SIXPN_ATTACH_SRCS := loader/sixpn_attach_main.c

# The registry CLI (see loader/registry*.c).
SIXPNCTL_SRCS := loader/sixpnctl.c loader/sixpnctl_orgs.c loader/sixpnctl_apps.c \
                 loader/sixpnctl_hosts.c loader/sixpnctl_machines.c \
                 loader/sixpnctl_wireguard.c loader/sixpnctl_addr.c \
                 loader/registry.c loader/registry_read.c loader/registry_write.c \
                 loader/registry_rules.c loader/wgkeys.c loader/wgconf.c loader/json.c
SIXPNCTL_LIBS := -lsqlite3 -lsodium

BINS := $(BUILD)/sixpn-attach $(BUILD)/sixpnctl

# --- selftests -----------------------------------------------------------
SELFTEST_BINS := $(BUILD)/selftests/test_tc_progs $(BUILD)/selftests/registry_reader

# Each component may add to BPF_PROGS, LIBSIXPN_SRCS, BINS and SELFTEST_BINS,
# and bring its own rules and targets, in a fragment beside its code
# (xdp/xdp.mk, scripts/vmtest.mk, ...).
include $(sort $(wildcard */*.mk))

.PHONY: all clean deps test demo install bench
all: $(BPF_OBJS) $(BPF_SKELS) $(BINS) $(SELFTEST_BINS)

deps:
	@scripts/install-deps.sh

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/%.bpf.o: tc/%.bpf.c $(BUILD)/vmlinux.h $(BPF_HDRS)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.bpf.o: xdp/%.bpf.c $(BUILD)/vmlinux.h $(BPF_HDRS)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/selftests/%.bpf.o: selftests/progs/%.bpf.c $(BUILD)/vmlinux.h $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@.tmp && mv $@.tmp $@

$(BUILD)/loader/%.o: loader/%.c $(BPF_SKELS) $(wildcard loader/*.h) $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libsixpn.a: $(LIBSIXPN_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/sixpn-attach: $(patsubst %.c,$(BUILD)/%.o,$(SIXPN_ATTACH_SRCS)) $(BUILD)/libsixpn.a
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_BPF)

$(BUILD)/sixpnctl: $(patsubst %.c,$(BUILD)/%.o,$(SIXPNCTL_SRCS))
	$(CC) $(CFLAGS) $^ -o $@ $(SIXPNCTL_LIBS)

$(BUILD)/selftests/%.o: selftests/%.c $(BPF_SKELS) $(wildcard selftests/*.h) $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wno-missing-field-initializers -Iselftests -c $< -o $@

$(BUILD)/selftests/test_tc_progs: $(BUILD)/selftests/prog_tests/tc_progs.o \
		$(BUILD)/selftests/tc_skel.o $(BUILD)/selftests/packets.o $(BUILD)/libsixpn.a
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_BPF)

$(BUILD)/selftests/registry_reader: $(BUILD)/selftests/registry/registry_reader.o \
		$(patsubst %.c,$(BUILD)/%.o,$(filter loader/registry%,$(SIXPNCTL_SRCS)))
	$(CC) $(CFLAGS) $^ -o $@ $(SIXPNCTL_LIBS)

# Test packets are built by scapy at build time, never committed.
$(BUILD)/selftests/packets.txt: selftests/packets/gen_packets.py
	@mkdir -p $(@D)
	/usr/bin/python3 $< > $@.tmp && mv $@.tmp $@

test: deps
	$(MAKE) all $(BUILD)/selftests/packets.txt
	selftests/run.sh

demo: deps
	$(MAKE) all
	scripts/demo.sh $(DEMO_ARGS)

clean:
	rm -rf $(BUILD)
