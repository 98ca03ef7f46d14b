# shellcheck shell=sh
# The one TAP library of the shell tests: one `ok N - ...`/`not ok N - ...`
# line per checked fact, a summary, and finish's exit status. POSIX sh, so
# that the VM tests (dash and busybox in the guest) source it too; the bash
# tests get it through selftests/lib/netns.sh or selftests/registry/lib.sh.

_T=0
_FAILED=0

ok() { _T=$((_T + 1)); echo "ok $_T - $1"; }

# not_ok DESCRIPTION [DETAIL...]: each DETAIL on a "#   " line of its own.
not_ok() {
	_T=$((_T + 1)); _FAILED=$((_FAILED + 1))
	echo "not ok $_T - $1"
	shift
	for _l in "$@"; do echo "#   $_l"; done
}

# check DESCRIPTION CMD...: passes when CMD succeeds.
check() {
	_what=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$_what"; else not_ok "$_what" "failed: $*"; fi
}

# check_fails DESCRIPTION CMD...: passes when CMD fails.
check_fails() {
	_what=$1; shift
	if "$@" >/dev/null 2>&1; then not_ok "$_what" "succeeded: $*"; else ok "$_what"; fi
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  '$2'" "want: '$3'"; fi
}

# check_ne DESCRIPTION GOT NOT-WANTED
check_ne() {
	if [ "$2" != "$3" ]; then ok "$1"; else not_ok "$1" "got what it must not be: '$3'"; fi
}

# check_ge DESCRIPTION GOT MIN: integers
check_ge() {
	if [ "$2" -ge "$3" ] 2>/dev/null; then ok "$1"; else not_ok "$1" "got $2, want at least $3"; fi
}

# check_le DESCRIPTION GOT MAX: integers
check_le() {
	if [ "$2" -le "$3" ] 2>/dev/null; then ok "$1"; else not_ok "$1" "got $2, want at most $3"; fi
}

# finish: the summary; fails when a check failed or none ran.
finish() {
	echo "# $(basename "$0"): $_T checks, $_FAILED failed"
	[ "$_FAILED" -eq 0 ] && [ "$_T" -gt 0 ]
}
