#!/bin/sh
# Reload benchmark (issue 6, not a timed test): the shipped rules plus a 100,000-entry calling-GT
# blocklist, published by sigwall-control while workers run (fake_worker, or the real dataplane
# with --dataplane). Prints compile / publish / worker pickup / command-to-active per reload and
# their median and max, and the wall time of `sigwallctl reload` as an operator sees it.
#   tests/control/bench_reload.sh [BUILD_DIR] [RELOADS]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-10}
control=$build/control/daemon/sigwall-control
ctl=$build/control/sigwallctl
fake=$build/tests/control/fake_worker
for b in "$control" "$ctl" "$fake"; do
	[ -x "$b" ] || { echo "missing $b: build first (ninja -C $build)"; exit 1; }
done
tmp=$(mktemp -d /tmp/sw-bench-reload.XXXXXX)
inst=bench$$
export SIGWALL_RUNDIR=$tmp
fpid=
cleanup() {
	[ -n "$fpid" ] && kill "$fpid" 2>/dev/null && wait "$fpid" 2>/dev/null || true
	[ -f "$tmp/$inst.lock" ] && kill "$(cat "$tmp/$inst.lock")" 2>/dev/null || true
	sleep 0.3
	"$control" --instance "$inst" --cleanup 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# The shipped policy behind a rule dropping 100,000 blocklisted calling GTs (bench/rules).
/usr/bin/python3 "$top/bench/rules/mkrules.py" --out "$tmp" >/dev/null

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
"$fake" --instance "$inst" --workers 2 --events-every 0 --verify-on-pickup >"$tmp/fake.log" 2>&1 &
fpid=$!
t0=$(date +%s.%N)
"$control" --instance "$inst" --rules "$tmp/rules-shipped-100k.conf" --site "$top/patterns/site.example.conf" \
	2>"$tmp/control.log"
t1=$(date +%s.%N)
echo "startup (compile + create + publish): $(echo "$t1 - $t0" | bc) s"
"$ctl" --instance "$inst" status | sed -n '2,4p'
i=0
while [ $i -lt "$n" ]; do
	s0=$(date +%s%N)
	"$ctl" --instance "$inst" reload >"$tmp/r.out"
	s1=$(date +%s%N)
	echo "reload $i: $(sed -n 2p "$tmp/r.out"); sigwallctl wall $(( (s1 - s0) / 1000000 )) ms"
	i=$((i + 1))
done | tee "$tmp/all.txt"
/usr/bin/python3 - "$tmp/all.txt" <<'PY'
import re, sys, statistics
t = [float(m.group(1)) for m in (re.search(r"command to active ([\d.]+) ms", l) for l in open(sys.argv[1])) if m]
c = [float(m.group(1)) for m in (re.search(r"compile ([\d.]+) ms", l) for l in open(sys.argv[1])) if m]
print("command -> active: median %.1f ms, max %.1f ms (compile median %.1f ms) over %d reloads"
      % (statistics.median(t), max(t), statistics.median(c), len(t)))
PY
