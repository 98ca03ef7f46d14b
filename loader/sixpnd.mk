# sixpnd: the host agent.
SIXPND_SRCS := loader/sixpnd.c loader/sync.c loader/names_sync.c loader/strmap.c loader/plumb.c \
               loader/registry.c loader/registry_read.c loader/registry_write.c \
               loader/registry_rules.c loader/json.c
BINS += $(BUILD)/sixpnd

$(BUILD)/sixpnd: $(patsubst %.c,$(BUILD)/%.o,$(SIXPND_SRCS)) $(BUILD)/libsixpn.a
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_BPF) -lsqlite3 -lsodium -lmnl $(LDLIBS_METRICS) $(LDLIBS_RESOLVER)
