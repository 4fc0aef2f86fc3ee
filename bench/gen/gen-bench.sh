#!/bin/bash
# sigwall-gen throughput (issue 3 goal: >= 2 M MSUs/s writing pcap on one core).
# usage: bench/gen/gen-bench.sh [BUILD_DIR (build/main)] [MSUS]
# Prints MSUs/s for both profiles, to /dev/null and to tmpfs (pcap + labels), best of 3 runs,
# pinned to one CPU (wall clock; the program also prints the rate per CPU second). Not a timed test: run it by hand and report the figures.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/main}
n=${2:-5000000}
gen=$build/bench/gen/sigwall-gen
site=$root/patterns/site.example.conf
[ -x "$gen" ] || { echo "gen-bench: $gen not built (ninja -C $build bench/gen/sigwall-gen)" >&2; exit 2; }
tmp=$(mktemp -d /dev/shm/sigwall-gen-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
best() {
	local b=0 r
	for _ in 1 2 3; do
		r=$("${pin[@]}" "$gen" --site "$site" --msus "$n" --seed 1 --bench "$@" |
			sed -E 's/^[^:]*: [^:]*: ([0-9.]+) M MSUs\/s.*/\1/')
		b=$(echo "$r $b" | awk '{print ($1 > $2) ? $1 : $2}')
	done
	echo "$b"
}
for p in roaming attacks; do
	echo "$p  /dev/null:           $(best --profile "$p" -o /dev/null) M MSUs/s"
	echo "$p  tmpfs pcap:          $(best --profile "$p" -o "$tmp/o.pcap") M MSUs/s"
	echo "$p  tmpfs pcap+labels:   $(best --profile "$p" -o "$tmp/o.pcap" --labels "$tmp/o.jsonl") M MSUs/s"
done
echo "($n MSUs per run, best of 3, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
