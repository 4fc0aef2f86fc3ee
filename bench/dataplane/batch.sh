#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Batching and prefetch across the burst (issue 20 D4): the worker's full path with its defaults
# ("full": the burst decoded, MSUs included, before it is judged; 4 cache lines of each frame
# prefetched) against each variant of struct sw_worker_conf, alternated run by run in one
# sigwall-bench-pipe invocation per variant (--variant), on the realistic single-chunk mix with
# the 1,000 rules + 100,000-GT blocklist (bench/run.sh's headline case). Not a timed test.
#
#   bench/dataplane/batch.sh [BUILD_DIR] [--runs K] [--nic] [--rules 1000-100k|10|shipped-100k]
#                            [--variants "V1 V2 ..."]
#
# Prints per variant the medians of ns/packet and the median of the per-run ratios full/variant
# (> 1: the variant is faster, < 1: the defaults are), with the load average before each.
# BUILD_DIR defaults to build/rel (bench/build.sh sets it up on a fresh clone).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build/rel
runs=7
nic=
rules=1000-100k
# the worker before issue 20 D4; prefetch alone; the headers alone decoded ahead; smaller
# sub-batches of MSUs
variants="batch=off,lines=1 batch=off batch=32,msu=0 batch=8 batch=16"
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--nic) nic=--nic; shift ;;
	--rules) rules=$2; shift 2 ;;
	--variants) variants=$2; shift 2 ;;
	[!-]*) build=$1; shift ;;
	*) echo "usage: bench/dataplane/batch.sh [BUILD_DIR] [--runs K] [--nic] [--rules R] [--variants LIST]" >&2
	   exit 2 ;;
	esac
done
# shellcheck source=bench/dataplane/lib.sh
. "$top/bench/dataplane/lib.sh"
[ -f "$tmp/rules-$rules.conf" ] || { echo "bench/dataplane/batch.sh: no rule set $rules" >&2; exit 2; }
# bench/run.sh's realistic mix (bench/pipeline/runbench.py)
"$gen" --profile roaming --bundle-max 1 --seed 11 --site "$top/patterns/site.example.conf" \
	--msus 10000 -o "$tmp/realistic.pcap" >/dev/null
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;" \
	"rules $rules; $runs runs of 0.3 s per configuration${nic:+; NIC-realistic handling}"
for v in $variants; do
	printf 'load %s  ' "$(cut -d' ' -f1 /proc/loadavg)"
	"$bench" --pcap "$tmp/realistic.pcap" --rules "$tmp/rules-$rules.conf" \
		--site "$top/patterns/site.example.conf" --runs "$runs" --seconds 0.3 --mbufs 65536 \
		$nic --variant "$v" 2>&1 | grep -E '^(nic)?variant \(' | tr '\n' ' '
	echo
done
