# Host plumbing in libsixpn: rtnetlink through libmnl (netlink.c) and
# WireGuard configuration over the UAPI socket or genetlink (wg.c), with the
# key helpers of wgkeys.c. A binary that calls them links $(LDLIBS_PLUMBING)
# after libsixpn.a.
LIBSIXPN_SRCS += loader/netlink.c loader/wg.c loader/wgkeys.c
LDLIBS_PLUMBING := -lmnl -lsodium

SELFTEST_BINS += $(BUILD)/selftests/test_netlink $(BUILD)/selftests/plumbing_wg

$(BUILD)/selftests/test_netlink: $(BUILD)/selftests/plumbing/netlink.o $(BUILD)/libsixpn.a
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_PLUMBING)

# Not a test_* binary: selftests/plumbing/test_wg.sh drives it against a
# real wireguard-go.
$(BUILD)/selftests/plumbing_wg: $(BUILD)/selftests/plumbing/wg_tool.o $(BUILD)/libsixpn.a
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_PLUMBING)
