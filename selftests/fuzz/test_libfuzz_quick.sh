#!/usr/bin/env bash
# A slice of `make fuzz-lib` for `make test`: every libFuzzer target of
# selftests/fuzz/lib/ for a few seconds (FUZZ_QUICK_SECS, default 5) on its
# seeds, the regression inputs of fixed crashes among them. One TAP line per
# target with the inputs it executed; fails on any crash or broken check.
exec "$(dirname "$0")/lib/run_libfuzz.sh" "${FUZZ_QUICK_SECS:-5}" "$@"
