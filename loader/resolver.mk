# The userspace resolver of sixpnd (issue 6): a library in libsixpn.a that
# sixpnd runs in a thread of its own (loader/resolver.h). A binary that
# links it adds $(LDLIBS_RESOLVER) after libsixpn.a, plus -lsqlite3 and the
# registry objects. Region coordinates for top<N>.nearest.of.<app> live in
# the registry (registry_regions.c; `sixpnctl regions set`).
LIBSIXPN_SRCS += loader/resolver.c loader/resolver_loop.c loader/resolver_query.c \
                 loader/resolver_names.c loader/resolver_txt.c loader/resolver_nearest.c \
                 loader/resolver_forward.c loader/resolver_metrics.c loader/registry_regions.c
LDLIBS_RESOLVER := $(shell pkg-config --libs ldns 2>/dev/null || echo -lldns) -lm
SIXPNCTL_SRCS += loader/registry_regions.c loader/sixpnctl_regions.c

# selftests/dns/test_resolver.sh runs the resolver alone against a
# temporary registry with this.
SELFTEST_BINS += $(BUILD)/selftests/resolver_serve
$(BUILD)/selftests/resolver_serve: $(BUILD)/selftests/dns/resolver_serve.o \
		$(patsubst %.c,$(BUILD)/%.o,$(filter loader/registry.c loader/registry_read.c \
			loader/registry_write.c loader/registry_rules.c,$(SIXPNCTL_SRCS))) \
		$(BUILD)/libsixpn.a
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_RESOLVER) $(LDLIBS_METRICS) $(LDLIBS_BPF) -lsqlite3 -lsodium
