#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Partners benchmark (issue 18, Performance): the same 1,001 rules (1,000 + the 100,000-entry GT
# blocklist) compiled with the 4-partner example site and with a site of N partners; median
# compile time and verdict ns/MSU (cache miss and hit) of each, and their ratios, one core.
#
#   bench/policy/partners.sh [--partners N] [--msus N] [--rounds R]
#
# Environment: BUILD (default build-policy-release), the release build directory.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build-policy-release}
args=""
while [ $# -gt 0 ]; do
	case "$1" in
	--partners|--msus|--rounds)
		[ $# -ge 2 ] || { echo "partners.sh: $1 needs a value" >&2; exit 2; }
		args="$args $1 $2"; shift 2 ;;
	*) echo "partners.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

"$root/bench/build.sh" "$build" bench/policy/partners-bench
echo "load average (1 min) before the run: $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores"
# shellcheck disable=SC2086
"$build/bench/policy/partners-bench" "$root" $args
echo "load average (1 min) after the run: $(cut -d' ' -f1 /proc/loadavg)"
