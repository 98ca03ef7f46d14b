# shellcheck shell=bash
# One test, run the way every runner runs it (selftests/run.sh, and
# selftests/check_asan.sh for the sanitizer build): a script as it is, a
# replay binary with $BUILD/selftests/packets.txt, under a timeout of
# SIXPN_TEST_TIMEOUT seconds (default 600), or more if the script asks with
# a line "# timeout: SECONDS" in its first 20 lines. A hung test gets
# SIGTERM, so its EXIT trap cleans up, and SIGKILL 30 s later.
#
#   run_test TEST    sets RUN_RC (the test's exit status), RUN_VERDICT
#                    ("PASS", "FAIL (exit N)", "FAIL (timed out after Ns)")

run_test_limit() {
	local limit=${SIXPN_TEST_TIMEOUT:-600} want
	if [ "${1##*.}" = sh ]; then
		want=$(head -20 "$1" | sed -n 's/^# timeout: \([0-9]*\)$/\1/p')
		[ -n "$want" ] && [ "$want" -gt "$limit" ] && limit=$want
	fi
	echo "$limit"
}

run_test() {
	local t=$1 limit
	limit=$(run_test_limit "$t")
	if [ "${t##*.}" = sh ]; then
		timeout -k 30 "$limit" "$t"
	else
		timeout -k 30 "$limit" "$t" "$BUILD/selftests/packets.txt"
	fi
	RUN_RC=$?
	case $RUN_RC in
	0) RUN_VERDICT=PASS ;;
	124 | 137) RUN_VERDICT="FAIL (timed out after ${limit}s)" ;;
	*) RUN_VERDICT="FAIL (exit $RUN_RC)" ;;
	esac
}
