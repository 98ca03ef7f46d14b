#!/bin/sh
# The package version, from `git describe --always --dirty`, made a valid
# Debian version: a tag vX.Y gives X.Y (X.Y+N.gHASH N commits later); no
# tag gives 0.0~gitN.HASH, N the commit count, so later builds sort later;
# a dirty tree adds +dirty.
set -eu
d=$(git describe --always --dirty --tags 2>/dev/null || echo unknown)
case $d in
v[0-9]*) v=${d#v} ;;
[0-9]*.*) v=$d ;;
*) v=0.0~git$(git rev-list --count HEAD 2>/dev/null || echo 0).$d ;;
esac
echo "$v" | sed -e 's/-dirty$/+dirty/' -e 's/-\([0-9][0-9]*\)-g/+\1.g/' -e 's/[^A-Za-z0-9.+~]/./g'
