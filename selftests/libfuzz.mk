# libFuzzer targets on the userspace parsers of untrusted input (the
# resolver's query and upstream handling, registry rows and rules, the
# WireGuard UAPI and genetlink answers, rtnetlink answers, the etcd
# gateway's replies, registry rows in etcd and the registry revision key's
# value), and
# `make check-asan`: the userspace tests under ASan and UBSan.
#
# The fuzzers and the loader code they run are built by clang with
# -fsanitize=fuzzer,address,undefined into build/fuzz/ (their own objects,
# under build/fuzz/libobj/, never mixed with gcc's), with -DSIXPN_FUZZ for
# the seams in loader/host/, loader/etcd/etcd_int.h and
# loader/registry/registry_int.h (see selftests/fuzz/lib/fuzz.h).
#
#   make fuzz-lib [FUZZ_SECS=60] [LIBFUZZ_TARGETS="netlink wg_uapi"]
#       runs each target for FUZZ_SECS on its seeds (selftests/fuzz/corpus/
#       <target>/) and what earlier runs found (build/fuzz/work/<target>/),
#       and prints how many inputs each executed; a crash fails it and
#       leaves the input in build/fuzz/work/.
#   selftests/fuzz/test_libfuzz_quick.sh (in make test): 5 s of each.

LF_BIN := $(BUILD)/fuzz
LF_OBJ := $(LF_BIN)/libobj
FUZZ_SECS ?= 60
LIBFUZZ_TARGETS_ALL := resolver_query resolver_upstream registry_rows registry_rules \
                    wg_uapi wg_genl netlink etcd_reply etcd_rows rev_key
LIBFUZZ_TARGETS ?= $(LIBFUZZ_TARGETS_ALL)
LIBFUZZ_BINS := $(addprefix $(LF_BIN)/,$(LIBFUZZ_TARGETS_ALL))

LIBFUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LIBFUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror $(LIBFUZZ_SAN) -fsanitize=fuzzer-no-link \
               -DSIXPN_FUZZ

$(LF_OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) -Iselftests/fuzz/lib $(LIBFUZZ_CFLAGS) $(DEPFLAGS) -c $< -o $@

lf_objs = $(patsubst %.c,$(LF_OBJ)/%.o,$(wildcard $(1)/*.c))
LF_LIB_UTIL     := $(LF_OBJ)/loader/lib/libutil.a
LF_LIB_HOST     := $(LF_OBJ)/loader/host/libhost.a
LF_LIB_ETCD     := $(LF_OBJ)/loader/etcd/libetcd.a
LF_LIB_REGISTRY := $(LF_OBJ)/loader/registry/libregistry.a $(LF_LIB_ETCD)
LF_LIB_RESOLVER := $(LF_OBJ)/loader/resolver/libresolver.a
$(LF_LIB_UTIL):     $(call lf_objs,loader/lib)
$(LF_LIB_HOST):     $(call lf_objs,loader/host)
$(LF_OBJ)/loader/registry/libregistry.a: $(call lf_objs,loader/registry)
$(LF_LIB_ETCD):     $(call lf_objs,loader/etcd)
$(LF_LIB_RESOLVER): $(call lf_objs,loader/resolver)

LF_LINK = @mkdir -p $(@D) && $(CLANG) $(LIBFUZZ_SAN) -fsanitize=fuzzer $(filter %.o %.a,$^) -o $@ $(LDLIBS)
LF_T = $(LF_OBJ)/selftests/fuzz/lib/$(1).o
# The resolver without loop.c (rsv_stubs.c stands in), on fixture.c's registry.
LF_RSV := $(call LF_T,rsv_stubs) $(call LF_T,fixture) $(LF_OBJ)/loader/datapath/dns_names.o \
          $(LF_LIB_RESOLVER) $(LF_LIB_REGISTRY) $(LF_LIB_HOST) $(LF_LIB_UTIL)
LF_LDLIBS_RSV := $(LDLIBS_RESOLVER) $(LDLIBS_REGISTRY) $(LDLIBS_BPF) $(LDLIBS_HOST)

$(LF_BIN)/resolver_query: $(call LF_T,resolver_query) $(LF_RSV)
	$(LF_LINK)
$(LF_BIN)/resolver_upstream: $(call LF_T,resolver_upstream) $(LF_RSV)
	$(LF_LINK)
$(LF_BIN)/registry_rows: $(call LF_T,registry_rows) $(LF_RSV)
	$(LF_LINK)
$(LF_BIN)/resolver_query $(LF_BIN)/resolver_upstream $(LF_BIN)/registry_rows: LDLIBS = $(LF_LDLIBS_RSV)

$(LF_BIN)/registry_rules: $(call LF_T,registry_rules) $(LF_LIB_REGISTRY) $(LF_LIB_HOST) $(LF_LIB_UTIL)
	$(LF_LINK)
$(LF_BIN)/registry_rules: LDLIBS = $(LDLIBS_REGISTRY) $(LDLIBS_HOST)

$(LF_BIN)/wg_uapi $(LF_BIN)/wg_genl $(LF_BIN)/netlink: $(LF_BIN)/%: $(call LF_T,%) $(LF_LIB_HOST) $(LF_LIB_UTIL)
	$(LF_LINK)
$(LF_BIN)/wg_uapi $(LF_BIN)/wg_genl $(LF_BIN)/netlink: LDLIBS = $(LDLIBS_HOST)

$(LF_BIN)/etcd_reply: $(call LF_T,etcd_reply) $(LF_LIB_ETCD) $(LF_LIB_UTIL)
	$(LF_LINK)
$(LF_BIN)/etcd_rows: $(call LF_T,etcd_rows) $(LF_LIB_REGISTRY) $(LF_LIB_HOST) $(LF_LIB_UTIL)
	$(LF_LINK)
$(LF_BIN)/etcd_reply $(LF_BIN)/etcd_rows: LDLIBS = $(LDLIBS_REGISTRY) $(LDLIBS_HOST)
$(LF_BIN)/rev_key: $(call LF_T,rev_key) $(LF_LIB_REGISTRY) $(LF_LIB_UTIL)
	$(LF_LINK)
$(LF_BIN)/rev_key: LDLIBS = $(LDLIBS_REGISTRY)

# Built with `all`, so that `make test` (test_libfuzz_quick.sh) finds them.
SELFTEST_BINS += $(LIBFUZZ_BINS)

.PHONY: fuzz fuzz-lib check-asan
fuzz: fuzz-lib
fuzz-lib: $(LIBFUZZ_BINS)
	BUILD=$(BUILD) FUZZ_WORK=$(LF_BIN)/work selftests/fuzz/lib/run_libfuzz.sh $(FUZZ_SECS) $(LIBFUZZ_TARGETS)

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
