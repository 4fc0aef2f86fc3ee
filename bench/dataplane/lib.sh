# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Sourced by bench/dataplane/run.sh and batch.sh (with $top and $build set): builds
# sigwall-bench-pipe and sigwall-gen in $build (bench/build.sh: works on a fresh clone), sets
# $bench and $gen, and makes $tmp (removed on exit) holding bench/rules/mkrules.py's rule sets:
# rules-10, rules-1000, rules-1000-100k, rules-shipped-100k (.conf).
# shellcheck disable=SC2034,SC2154 # set by and for the sourcing script
bench=$build/bench/pipeline/sigwall-bench-pipe
# shellcheck disable=SC2034
gen=$build/bench/gen/sigwall-gen
"$top/bench/build.sh" "$build" bench/pipeline/sigwall-bench-pipe bench/gen/sigwall-gen
tmp=$(mktemp -d /tmp/sw-bench-dp.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$top/bench/rules/mkrules.py" --out "$tmp" >/dev/null
