#!/usr/bin/env bash
# Dataplane worker-loop benchmark (issue 5): the shipped rules (patterns/default.conf) plus a
# 100,000-entry calling-GT blocklist, on the realistic single-chunk mix from sigwall-gen, on one
# core, against forward-only in the same run. Not a timed test.
#
#   bench/dataplane/run.sh [BUILD_DIR] [--perf] [extra sigwall-bench-pipe options]
#
# BUILD_DIR defaults to build/rel (bench/run.sh's release build); it is set up and the two
# programs built there first (bench/build.sh), so this works on a fresh clone.
#
# It runs bench/pipeline's sigwall-bench-pipe (the real sw_worker_burst over pre-built mbufs on
# a net_ring port; forward-only, decode-only, verdict and full path alternated in each run).
#
# --perf: also record a perf profile of one run and print the top symbols.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build/rel
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	build=$1
	shift
fi
perf=0
if [ "${1:-}" = "--perf" ]; then
	perf=1
	shift
fi
# The shipped policy behind a rule dropping 100,000 blocklisted calling GTs (bench/rules):
# $tmp/rules-shipped-100k.conf.
# shellcheck source=bench/dataplane/lib.sh
. "$top/bench/dataplane/lib.sh"

"$gen" --profile roaming --site "$top/patterns/site.example.conf" --msus 200000 --seed 1 \
	--bundle-max 1 --attack-share 0.05 -o "$tmp/mix.pcap" >/dev/null
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" --pcap "$tmp/mix.pcap" --rules "$tmp/rules-shipped-100k.conf" --site "$top/patterns/site.example.conf" \
	"$@" 2>&1 | grep -v -E '^(EAL|TELEMETRY):'
if [ $perf = 1 ] && command -v perf >/dev/null; then
	perf record -q -o "$tmp/perf.data" "$bench" --pcap "$tmp/mix.pcap" --rules "$tmp/rules-shipped-100k.conf" \
		--site "$top/patterns/site.example.conf" --runs 1 "$@" >/dev/null 2>&1 || true
	echo "perf: top symbols of the full path (forward-only runs included, they are cheap)"
	perf report -i "$tmp/perf.data" --no-children --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -20
fi
