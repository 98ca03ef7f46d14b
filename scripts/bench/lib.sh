# shellcheck shell=bash
# What the benchmark sections share (sourced by scripts/bench/NN_<name>.sh):
# the namespace helpers, and how a section logs and gives up. BENCH is the
# section's name as bench.sh derives it from the file name.
. "$SIXPN_ROOT/selftests/lib/netns.sh"

BENCH=$(basename "$0" .sh)
BENCH=${BENCH#*_}

log() { echo "$BENCH: $*" >&2; }
# fail MESSAGE: logs it, records it as the section's error and exits 1.
fail() {
	log "$*"
	printf '{"bench":"%s","error":"%s"}\n' "$BENCH" "$*" >>"$BENCH_RECORDS"
	exit 1
}
