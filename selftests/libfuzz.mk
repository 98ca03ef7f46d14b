# libFuzzer targets on the userspace parsers of untrusted input (the
# resolver's query and upstream handling, registry rows and rules, the
# WireGuard UAPI and genetlink answers, rtnetlink answers), and
# `make check-asan`: the userspace tests under ASan and UBSan.
#
# The fuzzers and the loader code they run are built by clang with
# -fsanitize=fuzzer,address,undefined into build/fuzz/ (their own objects,
# under build/fuzz/libobj/, never mixed with gcc's), with -DSIXPN_FUZZ for
# the seams in loader/host/ (see selftests/fuzz/lib/fuzz.h).
#
#   make fuzz-lib [FUZZ_SECS=60] [FUZZ_TARGETS="netlink wg_uapi"]
#       runs each target for FUZZ_SECS on its seeds (selftests/fuzz/corpus/
#       <target>/) and what earlier runs found (build/fuzz/work/<target>/),
#       and prints how many inputs each executed; a crash fails it and
#       leaves the input in build/fuzz/work/.
#   selftests/fuzz/test_libfuzz_quick.sh (in make test): 5 s of each.

FZB := $(BUILD)/fuzz
FZO := $(FZB)/libobj
FUZZ_SECS ?= 60
FUZZ_LIB_TARGETS := resolver_query resolver_upstream registry_rows registry_rules \
                    wg_uapi wg_genl netlink
FUZZ_TARGETS ?= $(FUZZ_LIB_TARGETS)
FUZZ_LIB_BINS := $(addprefix $(FZB)/,$(FUZZ_LIB_TARGETS))

FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
               -DSIXPN_FUZZ

$(FZO)/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) -Iselftests/fuzz/lib $(FUZZ_CFLAGS) $(DEPFLAGS) -c $< -o $@

fobjs = $(patsubst %.c,$(FZO)/%.o,$(wildcard $(1)/*.c))
FZ_LIB_UTIL     := $(FZO)/loader/lib/libutil.a
FZ_LIB_HOST     := $(FZO)/loader/host/libhost.a
FZ_LIB_REGISTRY := $(FZO)/loader/registry/libregistry.a
FZ_LIB_RESOLVER := $(FZO)/loader/resolver/libresolver.a
$(FZ_LIB_UTIL):     $(call fobjs,loader/lib)
$(FZ_LIB_HOST):     $(call fobjs,loader/host)
$(FZ_LIB_REGISTRY): $(call fobjs,loader/registry)
$(FZ_LIB_RESOLVER): $(call fobjs,loader/resolver)

FZ_LINK = @mkdir -p $(@D) && $(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer $(filter %.o %.a,$^) -o $@ $(LDLIBS)
FZ_T = $(FZO)/selftests/fuzz/lib/$(1).o
# The resolver without loop.c (rsv_stubs.c stands in), on fixture.c's registry.
FZ_RSV := $(call FZ_T,rsv_stubs) $(call FZ_T,fixture) $(FZO)/loader/datapath/dns_names.o \
          $(FZ_LIB_RESOLVER) $(FZ_LIB_REGISTRY) $(FZ_LIB_HOST) $(FZ_LIB_UTIL)
FZ_LDLIBS_RSV := $(LDLIBS_RESOLVER) $(LDLIBS_REGISTRY) $(LDLIBS_BPF) $(LDLIBS_HOST)

$(FZB)/resolver_query: $(call FZ_T,resolver_query) $(FZ_RSV)
	$(FZ_LINK)
$(FZB)/resolver_upstream: $(call FZ_T,resolver_upstream) $(FZ_RSV)
	$(FZ_LINK)
$(FZB)/registry_rows: $(call FZ_T,registry_rows) $(FZ_RSV)
	$(FZ_LINK)
$(FZB)/resolver_query $(FZB)/resolver_upstream $(FZB)/registry_rows: LDLIBS = $(FZ_LDLIBS_RSV)

$(FZB)/registry_rules: $(call FZ_T,registry_rules) $(FZ_LIB_REGISTRY) $(FZ_LIB_HOST) $(FZ_LIB_UTIL)
	$(FZ_LINK)
$(FZB)/registry_rules: LDLIBS = $(LDLIBS_REGISTRY) $(LDLIBS_HOST)

$(FZB)/wg_uapi $(FZB)/wg_genl $(FZB)/netlink: $(FZB)/%: $(call FZ_T,%) $(FZ_LIB_HOST) $(FZ_LIB_UTIL)
	$(FZ_LINK)
$(FZB)/wg_uapi $(FZB)/wg_genl $(FZB)/netlink: LDLIBS = $(LDLIBS_HOST)

# Built with `all`, so that `make test` (test_libfuzz_quick.sh) finds them.
SELFTEST_BINS += $(FUZZ_LIB_BINS)

.PHONY: fuzz fuzz-lib check-asan
fuzz: fuzz-lib
fuzz-lib: $(FUZZ_LIB_BINS)
	BUILD=$(BUILD) FUZZ_WORK=$(FZB)/work selftests/fuzz/lib/run_libfuzz.sh $(FUZZ_SECS) $(FUZZ_TARGETS)

# --- make check-asan ------------------------------------------------------
# Every userspace binary and test helper (not the fuzzers) built with ASan
# and UBSan (every UBSan finding fatal) into $(ASAN_BUILD), by a make of
# its own: CFLAGS comes in from the environment, so the Makefile's warnings
# and per-directory flags still add to it. By clang: gcc 12's runtime
# writes a fatal UBSan report to stderr whatever log_path says, where a
# test may swallow it; clang's writes it to the file check_asan.sh reads.
# Then
# selftests/check_asan.sh runs the userspace tests on them (ASAN_TESTS: a
# list of test paths instead of its default set).
ASAN_BUILD ?= build-asan
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
               -fno-omit-frame-pointer
ASAN_TESTS ?=

.PHONY: asan-bins
asan-bins: $(BINS) $(filter-out $(BUILD)/fuzz/%,$(SELFTEST_BINS)) $(SELFTEST_DATA)

check-asan: deps
	CFLAGS='$(ASAN_CFLAGS)' $(MAKE) BUILD=$(ASAN_BUILD) CC=$(CLANG) asan-bins
	BUILD=$(ASAN_BUILD) selftests/check_asan.sh $(ASAN_TESTS)
