# The etcd tests' mirror tool (selftests/etcd/): the code sixpnd's mirror
# runs, without the datapath.
SELFTEST_BINS += $(TS)/etcd_mirror
$(TS)/etcd_mirror: $(TS)/etcd/etcd_mirror.o $(LIB_REGISTRY) $(LIB_UTIL)
	$(LINK)
$(TS)/etcd_mirror: LDLIBS = $(LDLIBS_REGISTRY) -lpthread
