#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Verdicts decided before the MAP/CAP argument is walked (issue 20 D2): the worker's full path
# with its defaults ("full": an argument whose verdict the operation and addresses decide is
# never walked, dataplane/judge/README.md) against the same worker walking every argument
# (--variant decide=0), alternated run by run in one sigwall-bench-pipe invocation per mix and
# rule set. Mixes (sigwall-gen): bench/run.sh's realistic one, its attack one (30% attacks),
# an attack flood (90%) from every foreign GT and one from 4 (--attackers 4). Rule sets: the
# stateless shipped rules (patterns/stateless.conf: decisions possible) and the shipped ones
# (default.conf: state conditions, so nothing is decided; the ratio shows the cost of asking).
# Not a timed test.
#
#   bench/dataplane/decide.sh [BUILD_DIR] [--runs K] [--mixes "realistic attack flood flood4"]
#
# Prints per mix and rule set the medians of ns/packet and the median of the per-run ratios
# full/variant (> 1: walking every argument is faster, < 1: deciding is), with the load average
# before each. BUILD_DIR defaults to build/rel (bench/build.sh sets it up on a fresh clone).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build/rel
runs=5
mixes="realistic attack flood flood4"
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--mixes) mixes=$2; shift 2 ;;
	[!-]*) build=$1; shift ;;
	*) echo "usage: bench/dataplane/decide.sh [BUILD_DIR] [--runs K] [--mixes LIST]" >&2
	   exit 2 ;;
	esac
done
# shellcheck source=bench/dataplane/lib.sh
. "$top/bench/dataplane/lib.sh"
site=$top/patterns/site.example.conf
for m in $mixes; do
	case $m in
	realistic) args="--profile roaming --seed 11" ;;
	attack) args="--profile attacks --attack-share 0.3 --seed 13" ;;
	flood) args="--profile attacks --attack-share 0.9 --seed 14" ;;
	flood4) args="--profile attacks --attack-share 0.9 --attackers 4 --seed 15" ;;
	*) echo "bench/dataplane/decide.sh: no mix $m" >&2; exit 2 ;;
	esac
	# shellcheck disable=SC2086
	"$gen" $args --bundle-max 1 --site "$site" --msus 10000 -o "$tmp/$m.pcap" >/dev/null
done
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;" \
	"$runs runs of 0.3 s per configuration"
for r in stateless default; do
	for m in $mixes; do
		printf '%-9s %-9s load %s  ' "$r" "$m" "$(cut -d' ' -f1 /proc/loadavg)"
		"$bench" --pcap "$tmp/$m.pcap" --rules "$top/patterns/$r.conf" --site "$site" \
			--runs "$runs" --seconds 0.3 --mbufs 65536 --variant decide=0 2>&1 |
			grep -E '^variant \(' | tr '\n' ' '
		echo
	done
done
