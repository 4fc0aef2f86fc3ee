#!/bin/sh
# Policy benchmark (issue 4, Performance): compile time, image size, verdict ns/MSU on a cache
# miss and a cache hit, and the naive PCRE2 matcher as a ratio, with the shipped rules plus a
# 100,000-entry GT blocklist, one core; a dated TSV line in bench/results/policy-DATE.tsv.
#
#   bench/policy/run.sh [--msus N] [--naive-msus N] [--blocked-pct P] [--hit-set N] [--no-record]
#
# --hit-set 16: the hit timed with 16 hot MSUs, which stay in L1 as the MSU a worker has just
# decoded does (default 256: the MSUs are read from L2).
#
# Environment: BUILD (default build-policy-release), the release build directory.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build-policy-release}
record=yes
args=""
while [ $# -gt 0 ]; do
	case "$1" in
	--msus|--naive-msus|--blocked-pct|--hit-set)
		[ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
		args="$args $1 $2"; shift 2 ;;
	--no-record) record=no; shift ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

"$root/bench/build.sh" "$build" bench/policy/policy-bench

load=$(cut -d' ' -f1 /proc/loadavg)
echo "load average (1 min) before the run: $load"
# shellcheck disable=SC2086
out=$("$build/bench/policy/policy-bench" "$root" --tsv $args)
echo "$out" | grep -v '^TSV'

if [ "$record" = yes ]; then
	mkdir -p "$root/bench/results"
	f="$root/bench/results/policy-$(date -u +%Y%m%d).tsv"
	[ -f "$f" ] || printf 'date_utc\tcommit\tcpu\tcores\tcompile_ms\timage_bytes\tmiss_ns\thit_ns\tnaive_ns\tratio_naive_miss\tloadavg_1m\n' >"$f"
	cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
	commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo NA)
	echo "$out" | awk -F'\t' -v d="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v c="$commit" \
		-v cpu="$cpu" -v n="$(nproc)" -v l="$load" '/^TSV/ {
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\n", d, c, cpu, n, $3, $5, $7, $9,
			$11, $11 / $7, l }' >>"$f"
	echo "recorded in $f"
fi
