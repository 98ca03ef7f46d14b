# The isolation matrix (issue 11, machinery c): selftests/isolation/.
# gen_matrix.py writes every case with the verdict oracle.py (the README's
# rules, written without the BPF sources) gives it; iso_matrix runs each
# through its TC program by BPF_PROG_TEST_RUN and compares. make test runs a
# quick slice (selftests/isolation/test_iso_matrix.sh); `make fuzz-isolation`
# (and `make fuzz`) the whole matrix. The runner is not named test_*: it
# reads a case file, not packets.txt.
ISO_PY := $(wildcard selftests/isolation/*.py) selftests/packets/fixtures.py selftests/fixtures.h

SELFTEST_BINS += $(TS)/iso_matrix

$(TS)/isolation/iso_matrix.o: $(TC_SKEL)
$(TS)/iso_matrix: $(TS)/isolation/iso_matrix.o $(TS)/tc_skel.o $(TS)/packets.o \
		$(LIB_DATAPATH) $(LIB_UTIL)
	$(LINK)
$(TS)/iso_matrix: LDLIBS = $(LDLIBS_BPF)

# Generated at build time, never committed.
$(TS)/iso_matrix_full.txt: $(ISO_PY)
	@mkdir -p $(@D)
	/usr/bin/python3 selftests/isolation/gen_matrix.py --summary > $@

.PHONY: fuzz fuzz-isolation
fuzz: fuzz-isolation
fuzz-isolation: $(TS)/iso_matrix $(TS)/iso_matrix_full.txt
	$(TS)/iso_matrix $(TS)/iso_matrix_full.txt --show 20
