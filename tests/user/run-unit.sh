#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-unit.sh BIN... - run the host-side unit tests of libdlease and
# dleasectl, print their TAP, and end with "user: N passed, N failed".
# A binary that crashes or exits non-zero without a failed test counts as
# one failure more.
set -u

. "$(dirname "$0")/../tap.sh"

for bin in "$@"; do
	tap_run "$bin" "$bin"
done
tap_total user
