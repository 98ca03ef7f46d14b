#!/usr/bin/env bash
# sixpnctl's bash completion, as bash runs it: commands, subcommands,
# options, machine IDs from the registry, the drop reasons of the maps.
set -uo pipefail
. "$(dirname "$0")/../lib/netns.sh"
COMP=$SIXPN_ROOT/scripts/sixpnctl.bash-completion
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PATH=$BUILD:$PATH
# shellcheck disable=SC1090
. "$COMP"
# complete_words WORD...: what completing the last WORD offers.
complete_words() {
	COMP_WORDS=(sixpnctl "$@"); COMP_CWORD=$#; COMPREPLY=()
	_sixpnctl 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
check_eq "sixpnctl <tab>: the commands of --help" "$(complete_words '' | tr ' ' '\n' | grep -v '^--' | sort | tr '\n' ' ')" \
	"$(sixpnctl --help | sed -n 's/^  sixpnctl \([a-z]*\).*/\1/p' | sort -u | tr '\n' ' ')"
check_eq "sixpnctl ma<tab>" "$(complete_words ma)" "machines "
check_eq "sixpnctl machines <tab>" "$(complete_words machines '')" "create destroy env list move start stop update "
check_eq "sixpnctl hosts <tab>" "$(complete_words hosts '')" "add list "
check_eq "sixpnctl tokens <tab>" "$(complete_words tokens '')" "create list revoke "
check_eq "sixpnctl serve --<tab>: its options first" "$(complete_words serve --l)" "--listen "
check_eq "sixpnctl machines create --i<tab>" "$(complete_words machines create --i)" "--iface "
check_eq "sixpnctl regions set --l<tab>" "$(complete_words regions set --l)" "--lat --lon "
check_eq "sixpnctl ct <tab>" "$(complete_words ct '')" "list "
check_eq "sixpnctl ct list --a<tab> --p<tab>" "$(complete_words ct list --a)$(complete_words ct list --p)" "--app --pin-dir "
check_eq "sixpnctl stats --<tab>" "$(complete_words stats --)" "--all --help --json --pin-dir --registry "

R="$TMP/registry.db"
sixpnctl --registry "$R" orgs create acme >/dev/null
sixpnctl --registry "$R" apps create web --org acme >/dev/null
sixpnctl --registry "$R" hosts add a7b:1 --region ams >/dev/null
id=$(sixpnctl --registry "$R" --json machines create --app web --host a7b:1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
check_eq "machines destroy <tab>: the registry's machine IDs (--registry honoured)" \
	"$(complete_words --registry "$R" machines destroy '' | tr ' ' '\n' | grep -v '^--' | tr -d '\n')" "$id"
check_eq "--host <tab>: the registry's hosts" "$(complete_words --registry "$R" machines create --host '')" "a7b:1 "
want=$(sed -n 's/^\s*X(\([A-Z0-9_]*\), *DROP,.*/\1/p' "$SIXPN_ROOT/maps/sixpn_maps.h" | sort | tr '\n' ' ')
check_eq "monitor --reason <tab>: every drop reason of maps/sixpn_maps.h" "$(complete_words monitor --reason '')" "$want"
finish
