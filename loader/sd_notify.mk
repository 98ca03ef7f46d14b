# sixpnd tells its service manager when it is ready (loader/agent/notify.c):
# libsystemd's sd_notify, on top of the link line the Makefile gives it.
LDLIBS_SYSTEMD := $(call pkg,libsystemd,-lsystemd)
$(BUILD)/sixpnd: LDLIBS += $(LDLIBS_SYSTEMD)
