# The pinned maps of the built objects against maps/sixpn_pin.h.
$(TS)/prog_tests/pinned_maps.o: $(TC_SKEL) $(XDP_SKEL)
$(TS)/test_pinned_maps: $(TS)/prog_tests/pinned_maps.o
	$(LINK)
$(TS)/test_pinned_maps: LDLIBS = $(LDLIBS_BPF)
SELFTEST_BINS += $(TS)/test_pinned_maps
