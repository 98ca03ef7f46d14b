#!/usr/bin/env bash
# The tree matches the README's Layout table: every folder of loader/ is in
# the table, and every include of another loader/ folder is one the table
# allows (agent -> resolver -> registry -> lib, never back).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1

. selftests/lib/tap.sh

# folder -> allowed folders, from the rows "| `loader/X/` | ... | ... | a, b |"
declare -A allowed
while IFS='|' read -r _ dir _ _ uses _; do
	dir=${dir//[\` ]/}; dir=${dir#loader/}; dir=${dir%/}
	uses=${uses//,/ }; uses=${uses//(nothing)/}; uses=$(echo $uses)
	allowed[$dir]=" $uses "
done < <(grep -E '^\| `loader/[a-z]+/` \|' README.md)

if [ ${#allowed[@]} -gt 0 ]; then ok "README's Layout table lists ${#allowed[@]} loader/ folders"
else not_ok "README's Layout table lists loader/ folders"; fi

for d in loader/*/; do
	d=${d#loader/}; d=${d%/}
	if [ -n "${allowed[$d]+x}" ]; then ok "loader/$d/ is in the Layout table"
	else not_ok "loader/$d/ is in the Layout table"; continue; fi
	bad=()
	while IFS=: read -r file line inc; do
		to=${inc#*\"}; to=${to%%/*}
		[ -d "loader/$to" ] || continue      # maps/, skeletons, system headers
		[ "$to" = "$d" ] && continue
		case "${allowed[$d]}" in *" $to "*) ;; *) bad+=("$file:$line: $inc") ;; esac
	done < <(grep -Hn '^#include "[a-z_]*/' loader/"$d"/*.[ch])
	if [ ${#bad[@]} -eq 0 ]; then ok "loader/$d/ includes only the folders it may use:${allowed[$d]}"
	else not_ok "loader/$d/ includes only the folders it may use:${allowed[$d]}"; printf '#   %s\n' "${bad[@]}"; fi
	# A bare include of a loader header would hide the direction.
	bare=$(grep -Hn '^#include "[a-z_]*\.h"' loader/"$d"/*.[ch] | while IFS=: read -r f l inc; do
		h=${inc#*\"}; h=${h%\"*}
		[ -e "loader/$d/$h" ] || [ -e "maps/$h" ] || echo "$f:$l: $inc"; done)
	if [ -z "$bare" ]; then ok "loader/$d/ names the folder of every loader header it includes"
	else not_ok "loader/$d/ names the folder of every loader header it includes"; echo "$bare" | sed 's/^/#   /'; fi
done

finish
