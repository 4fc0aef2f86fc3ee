#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/before-after.sh BASE_REV [ROUNDS]: the decode / verdict / worker benchmark of this tree
# against an earlier commit, in the same run, on the same input. Not a timed test.
#
# Both trees get a release build (bench/build.sh; BASE_REV is checked out with `git worktree`
# under build/ba-BASE). The input is made once by this tree's generator and rule maker: the
# realistic roaming mix (200k MSUs, 5% attacks, single-chunk packets) and the shipped rules
# behind a 100,000-GT blocklist, as bench/dataplane/run.sh. Then ROUNDS rounds (default 7) run
# `sigwall-bench-pipe --stages --runs 3` of each build, alternating which goes first, so both
# see the same machine. Printed: one TSV row per stage and build with the median ns/packet, its
# ratio to BASE, and the best run's Mpps; the forward-only stage runs none of the changed code,
# so its ratio is the noise floor of the run.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/before-after.sh BASE_REV [ROUNDS]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
base=$(git -C "$top" rev-parse --short "$1")
rounds=${2:-7}
head=$(git -C "$top" rev-parse --short HEAD)
targets=(bench/pipeline/sigwall-bench-pipe bench/gen/sigwall-gen)
bwt=$top/build/ba-$base
if [ ! -d "$bwt/.git" ] && [ ! -f "$bwt/.git" ]; then
	git -C "$top" worktree add --detach "$bwt" "$base" >/dev/null 2>&1 ||
		{ echo "bench/before-after.sh: cannot check out $base" >&2; exit 1; }
fi
"$top/bench/build.sh" "$top/build/rel" "${targets[@]}"
"$top/bench/build.sh" "$bwt/build/rel" "${targets[0]}"
tmp=$(mktemp -d /tmp/sw-bench-ba.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$top/bench/rules/mkrules.py" --out "$tmp" >/dev/null
site=$top/patterns/site.example.conf
"$top/build/rel/bench/gen/sigwall-gen" --profile roaming --site "$site" --msus 200000 --seed 1 \
	--bundle-max 1 --attack-share 0.05 -o "$tmp/mix.pcap" >/dev/null
echo "# before/after: base $base, head $head (dirty files: $(git -C "$top" status --short -uno | wc -l))"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
	"load at start $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # BUILD_ROOT LABEL ROUND
	"$1/build/rel/bench/pipeline/sigwall-bench-pipe" --pcap "$tmp/mix.pcap" \
		--rules "$tmp/rules-shipped-100k.conf" --site "$site" --stages --runs 3 2>&1 |
		grep -v -E '^(EAL|TELEMETRY):' >"$tmp/out.$2.$3" || {
		cat "$tmp/out.$2.$3" >&2; echo "bench/before-after.sh: $2 run failed" >&2; exit 1; }
}
for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) = 1 ]; then run "$bwt" base "$r"; run "$top" head "$r"
	else run "$top" head "$r"; run "$bwt" base "$r"; fi
done
echo "# load at end $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$tmp" "$rounds" <<'EOF'
import re, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
# sigwall-bench-pipe prints one machine-readable RESULT line per stage (cfg=, ns_pkt=, best_mpps_core=)
pat = re.compile(r'^RESULT .*\bcfg=(forward|decode|verdict|full)\b.*\bns_pkt=([0-9.]+).*\bbest_mpps_core=([0-9.]+)')
res = {}
for b in ('base', 'head'):
    for r in range(1, rounds + 1):
        for line in open(f'{tmp}/out.{b}.{r}'):
            m = pat.search(line)
            if m:
                res.setdefault((m.group(1), b), []).append((float(m.group(2)), float(m.group(3))))
if not res:
    sys.exit('bench/before-after.sh: no stage lines in the output: ' + open(f'{tmp}/out.head.1').read())
print('stage\tbuild\tn\tmedian_ns_pkt\tratio_to_base\tbest_mpps\tbest_ratio_to_base')
for st in ('forward', 'decode', 'verdict', 'full'):
    if (st, 'base') not in res:
        continue
    bm = statistics.median(x[0] for x in res[(st, 'base')])
    bb = max(x[1] for x in res[(st, 'base')])
    for b in ('base', 'head'):
        v = res.get((st, b), [])
        if not v:
            continue
        m = statistics.median(x[0] for x in v)
        best = max(x[1] for x in v)
        print(f'{st}\t{b}\t{len(v)}\t{m:.1f}\t{m / bm:.3f}\t{best:.3f}\t{best / bb:.3f}')
EOF
