#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of dleased (no VM): configuration rejections and key
# file checks, then a 3-daemon cluster on 127.0.0.1. Prints
# "dleased: N passed, N failed" last; exits non-zero on any failure.
#
#   run.sh BUILD_DIR      (BUILD_DIR holds dleased and dleased-forge)
set -u

dir=$(dirname "$0")
build=$1
. "$dir/../tap.sh"

for t in config_test.py cluster_test.py; do
	[ -f "$dir/$t" ] || continue
	tap_run "$t" timeout 300 python3 "$dir/$t" "$build/dleased" \
		"$build/dleased-forge"
done
tap_total dleased
