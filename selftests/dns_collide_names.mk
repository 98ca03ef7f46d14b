# dns_collide_names: two app names with one names-table hash for a seed
# (selftests/dns_collide.h), for selftests/dns/test_names_collide_e2e.sh.
SELFTEST_BINS += $(TS)/dns_collide_names
$(TS)/dns_collide_names: $(TS)/dns/dns_collide_names.o
	$(LINK)
