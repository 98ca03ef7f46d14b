# Observability: the counters (stats.c), the Prometheus endpoint (metrics.c),
# `sixpnctl stats` and `sixpnctl monitor`, and their tests.

# stats.c and metrics.c are for sixpnd too; a binary that links metrics.o
# adds $(LDLIBS_METRICS).
LIBSIXPN_SRCS += loader/stats.c loader/metrics.c
LDLIBS_METRICS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)

SIXPNCTL_SRCS += loader/sixpnctl_stats.c loader/sixpnctl_monitor.c loader/stats.c
SIXPNCTL_LIBS += $(LDLIBS_BPF)

SELFTEST_BINS += $(BUILD)/selftests/test_drop_events $(BUILD)/selftests/metrics_serve

$(BUILD)/selftests/test_drop_events: $(BUILD)/selftests/prog_tests/drop_events.o \
		$(BUILD)/selftests/tc_skel.o $(BUILD)/selftests/packets.o
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_BPF)

$(BUILD)/selftests/metrics_serve: $(BUILD)/selftests/observability/metrics_serve.o \
		$(BUILD)/loader/metrics.o $(BUILD)/loader/stats.o $(BUILD)/loader/log.o
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_METRICS) $(LDLIBS_BPF)
