#!/bin/sh
# proxy-bench (issue 21): MSUs/s and latency through proxy mode on one core, next to the inline
# mode's per-MSU work in the same run; writes bench/results/proxy-<date>.tsv.
# Usage: bench/proxy/run.sh [BUILD_DIR (default build/main)] [--msus N] [--runs R] [--window W]
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build/main}
[ $# -gt 0 ] && shift
bin="$src/$build/bench/proxy/proxy-bench"
[ -x "$bin" ] || { echo "proxy-bench: $bin not built (ninja -C $build)" >&2; exit 2; }
out="$src/bench/results/proxy-$(date -u +%Y%m%d-%H%M).tsv"
{
	echo "# cpu	$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "# cores	$(nproc)"
	echo "# usrsctp	$(pkg-config --modversion usrsctp 2>/dev/null || echo unknown)"
	echo "# commit	$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "# loadavg_at_start	$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# command	bench/proxy/run.sh $build $*"
	"$bin" "$src" --msus 200000 --runs 5 "$@"
	echo "# loadavg_at_end	$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out"
cat "$out"
echo "wrote $out" >&2
