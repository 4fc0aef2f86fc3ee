#!/bin/sh
# Replication benchmark (issue 16, Performance): two members and a real redis-server in one
# process (cluster-bench): what a worker's ring push adds to an insert, end-to-end replication
# lag (idle and under a background load), deltas/s one sender carries through one Redis, and
# how fast a new member loads the warm copy. Medians of --runs runs; a dated TSV line in
# bench/results/cluster-DATE.tsv.
#
#   bench/cluster/run.sh [--runs N] [--probes N] [--rate N] [--seconds S] [--no-record]
#
# Environment: BUILD (default build/main). The machine is shared: the load average (recorded)
# says how much of its two cores the figures had.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build/main}
record=yes
args=""
while [ $# -gt 0 ]; do
	case "$1" in
	--runs|--probes|--rate|--seconds)
		[ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
		args="$args $1 $2"; shift 2 ;;
	--no-record) record=no; shift ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

if [ ! -d "$build" ]; then
	meson setup "$build" "$root" --buildtype=release >/dev/null
fi
ninja -C "$build" bench/cluster/cluster-bench >/dev/null
load=$(cut -d' ' -f1 /proc/loadavg)
echo "== cluster-bench (load average, 1 min, before: $load)"
# shellcheck disable=SC2086
out=$("$build/bench/cluster/cluster-bench" --tsv $args 2>/dev/null)
echo "$out" | grep -v '^TSV'
if [ "$record" = yes ]; then
	f="$root/bench/results/cluster-$(date -u +%Y%m%d).tsv"
	mkdir -p "$root/bench/results"
	if [ ! -f "$f" ]; then
		printf 'date_utc\tcommit\tcpu\tcores\tredis' >"$f"
		echo "$out" | awk -F'\t' '/^TSV/ { printf "\t%s", $2 }' >>"$f"
		printf '\tloadavg_1m\targs\n' >>"$f"
	fi
	cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
	commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo NA)
	redis=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
	printf '%s\t%s\t%s\t%s\t%s' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" "$cpu" "$(nproc)" \
		"$redis" >>"$f"
	echo "$out" | awk -F'\t' '/^TSV/ { printf "\t%s", $3 }' >>"$f"
	printf '\t%s\t%s\n' "$load" "$(echo $args)" >>"$f"
	echo "recorded in $f"
fi
