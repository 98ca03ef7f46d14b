# `make vmtest`: the selftests inside qemu guests booted with other kernels
# (scripts/vmtest.sh; the kernels are listed in scripts/vm/kernels.conf).
#   make vmtest                              every kernel of the list
#   make vmtest VMTEST_KERNELS="6.1 6.18"    some of them
#   make vmtest KERNEL=/path/to/vmlinuz      a kernel image of your own
#   make vmtest VMTEST_DOC=docs/kernels.md   also write the results page
#   make vmtest VMTEST_GUEST_ENV=SIXPN_FORCE_TCX=1   environment for the tests
VMTEST_ARGS = $(if $(KERNEL),--kernel $(KERNEL)) $(if $(VMTEST_DOC),--doc $(VMTEST_DOC))

.PHONY: vmtest
vmtest: deps
	$(MAKE) all $(SELFTEST_DATA)
	BUILD=$(BUILD) VMTEST_KERNELS="$(VMTEST_KERNELS)" scripts/vmtest.sh $(VMTEST_ARGS)
