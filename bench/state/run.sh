#!/bin/sh
# State-table benchmark (issue 15, Performance): 1M dialogues + 1M subscribers (+ 256k SMS IMSIs)
# filled to 75%; ns per lookup hit/miss and insert (one at a time, and in bursts of 32 with
# prefetch), a per-MSU mix on one thread and two threads sharing the object (scaling), the
# object's size. Once in shared memory (what the dataplane maps) and once in private memory
# with transparent huge pages (what inspect uses). Medians of --runs runs; a dated TSV line per
# memory kind in bench/results/state-DATE.tsv.
#
#   bench/state/run.sh [--runs N] [--ops N] [--no-record]
#
# Environment: BUILD (default build/main), a build directory (created as a release build when
# missing). Figures are thread CPU time: this machine is shared, and its load average (recorded)
# is usually far above its core count.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build/main}
record=yes
args=""
while [ $# -gt 0 ]; do
	case "$1" in
	--runs|--ops)
		[ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
		args="$args $1 $2"; shift 2 ;;
	--no-record) record=no; shift ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

if [ ! -d "$build" ]; then
	meson setup "$build" "$root" --buildtype=release >/dev/null
fi
ninja -C "$build" bench/state/state-bench >/dev/null

f="$root/bench/results/state-$(date -u +%Y%m%d).tsv"
for mem in shared private; do
	load=$(cut -d' ' -f1 /proc/loadavg)
	echo "== $mem memory (load average, 1 min, before: $load)"
	flag=""
	[ "$mem" = private ] && flag=--private
	# shellcheck disable=SC2086
	out=$("$build/bench/state/state-bench" --tsv $flag $args)
	echo "$out" | grep -v '^TSV'
	if [ "$record" = yes ]; then
		mkdir -p "$root/bench/results"
		[ -f "$f" ] || printf 'date_utc\tcommit\tcpu\tcores\tcompiler\tmemory\tobject_mib\thit_ns\tmiss_ns\tinsert_ns\tloc_hit_ns\tburst_hit_ns\tburst_miss_ns\tburst_insert_ns\tburst_loc_hit_ns\tmix_ns_per_msu\tmix2_ns_per_msu\tscaling_2t\tgoal_ns\tgoal_scaling\tgoal_mib\tloadavg_1m\n' >"$f"
		cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
		commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo NA)
		cc=$(sed -n "s/^C compiler for the host machine: \(.*\)/\1/p" "$build/meson-logs/meson-log.txt" 2>/dev/null | head -1)
		echo "$out" | awk -F'\t' -v d="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v c="$commit" \
			-v cpu="$cpu" -v n="$(nproc)" -v l="$load" -v m="$mem" -v cc="${cc:-NA}" '/^TSV/ {
			printf "%s\t%s\t%s\t%s\t%s\t%s", d, c, cpu, n, cc, m
			for (i = 3; i <= NF; i += 2) printf "\t%s", $i
			printf "\t25\t1.8\t256\t%s\n", l }' >>"$f"
	fi
done
[ "$record" = yes ] && echo "recorded in $f"
