#!/usr/bin/env bash
# The man pages the build makes: each renders without a warning from man
# (groff's and tbl's), and each is current: every option and command the
# program's --help lists is in its page.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
MAN=$BUILD/man/man8

for p in sixpnd sixpnctl sixpn-attach; do
	page=$MAN/$p.8
	check "$p.8 is built" test -s "$page"
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	check_eq "man --warnings -l $p.8: no warnings" "$warn" ""
	LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$page" 2>/dev/null | col -b >"$BUILD/man/$p.txt"
	check "$p.8 has NAME, SYNOPSIS and EXIT STATUS" \
		sh -c "grep -qx NAME '$BUILD/man/$p.txt' && grep -qx SYNOPSIS '$BUILD/man/$p.txt' && grep -qx 'EXIT STATUS' '$BUILD/man/$p.txt'"
done

# missing PAGE WORD...: the words not in PAGE's text.
missing() {
	local page=$1 w out=; shift
	for w in "$@"; do grep -qF -- "$w" "$BUILD/man/$page.txt" || out+=" $w"; done
	echo "${out# }"
}
opts=$("$BUILD/sixpnd" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
# shellcheck disable=SC2086
check_eq "sixpnd.8 has every option of sixpnd --help" "$(missing sixpnd $opts)" ""
cmds=$("$BUILD/sixpnctl" --help | sed -n 's/^  sixpnctl \([a-z]*\) \([a-z]*\).*/\1 \2/p; s/^  sixpnctl \([a-z]*\)$/\1/p' | sed 's/ [A-Z].*//' | sort -u)
check_ge "sixpnctl --help lists its commands" "$(wc -l <<<"$cmds")" 20
IFS=$'\n'
# shellcheck disable=SC2086
check_eq "sixpnctl.8 has every command of sixpnctl --help" "$(missing sixpnctl $(sed 's/^/sixpnctl /' <<<"$cmds"))" ""
unset IFS
opts=$("$BUILD/sixpnctl" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
# shellcheck disable=SC2086
check_eq "sixpnctl.8 has every global option" "$(missing sixpnctl $opts)" ""
cmds=$("$BUILD/sixpn-attach" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p')
check_ge "sixpn-attach --help lists its commands" "$(wc -w <<<"$cmds")" 15
opts=$("$BUILD/sixpn-attach" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
# shellcheck disable=SC2086
check_eq "sixpn-attach.8 has every command and option of --help" "$(missing sixpn-attach $cmds $opts)" ""
finish
