#!/bin/sh
# The one version string of dlease.  In a git checkout: the tag from git
# describe, or VERSION plus the commit when no tag is reachable.  Outside
# one (release tarball, DKMS source tree): the VERSION file.
top=$(cd "$(dirname "$0")/.." && pwd)
base=$(cat "$top/VERSION")
# Only the checkout itself: copies of the sources made inside it (build/)
# carry the full string in their VERSION file.
if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	v=$(git -C "$top" describe --tags --dirty 2>/dev/null | sed 's/^v//')
	[ -n "$v" ] || v="$base-g$(git -C "$top" describe --always --dirty)"
else
	v=$base
fi
echo "$v"
