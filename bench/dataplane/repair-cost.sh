#!/usr/bin/env bash
# What SCTP repair costs in the real inline worker loop (issue 7, issue 12): sigwall-bench-pipe
# with repair on and with --no-repair, alternating in the same run, on the realistic
# single-chunk mix with SHARE of the MSUs attacks (that share blocked by the shipped rules;
# goals: <= 10% at 5%, <= 25% at 50%). Not a timed test.
#
#   bench/dataplane/repair-cost.sh [BUILD_DIR] [ROUNDS] [SHARE]     SHARE default 0.05
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build/main}
rounds=${2:-5}
share=${3:-0.05}
bench=$build/bench/pipeline/sigwall-bench-pipe
gen=$build/bench/gen/sigwall-gen
for b in "$bench" "$gen"; do
	[ -x "$b" ] || { echo "missing $b: build first (ninja -C $build)" >&2; exit 2; }
done
tmp=$(mktemp -d /tmp/sw-repair-cost.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$gen" --profile roaming --site "$top/patterns/site.example.conf" --msus 50000 --seed 1 \
	--bundle-max 1 --attack-share "$share" -o "$tmp/mix.pcap" >/dev/null
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
run() {
	"$bench" --pcap "$tmp/mix.pcap" --rules "$top/patterns/default.conf" \
		--site "$top/patterns/site.example.conf" --runs 3 --seconds 0.3 "$@" 2>&1 |
		sed -n 's/^RESULT .* cfg=full .* mpps_core=\([0-9.]*\) .*/\1/p'
}
on=() off=()
for ((i = 0; i < rounds; i++)); do
	on+=("$(run)")
	off+=("$(run --no-repair)")
	echo "round $i: repair on ${on[-1]} Mpps, repair off ${off[-1]} Mpps"
done
/usr/bin/python3 - "${on[*]}" "${off[*]}" "$share" <<'PY'
import statistics, sys
on = [float(x) for x in sys.argv[1].split()]
off = [float(x) for x in sys.argv[2].split()]
share = float(sys.argv[3])
m_on, m_off = statistics.median(on), statistics.median(off)
goal = 10 if share <= 0.05 else 25
# per round (on and off of one round run back to back), then the median of those costs
costs = sorted(100.0 * (1 - a / b) for a, b in zip(on, off))
print("attack share %.2f: median of %d rounds: repair on %.2f Mpps, repair off %.2f Mpps; repair "
      "costs %.1f%% of packets per second (median of per-round costs %.1f%%; goal <= %d%%)"
      % (share, len(on), m_on, m_off, 100.0 * (1 - m_on / m_off), statistics.median(costs), goal))
PY
