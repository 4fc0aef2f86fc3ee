#!/usr/bin/env bash
# The main job on the embedded defaults: build sigwall, generate a labelled interconnect capture
# (roaming traffic between the home network of patterns/site.example.conf and its partners, with
# attacks mixed in), decode it, judge it with the shipped policy, then run the appliance itself
# (sigwall-control + sigwall-dataplane on DPDK virtual devices) with a live reload in the middle.
#
#   scripts/demo.sh [--msus N] [--seed S]
#
# Every stage checks what it shows: the script stops with "demo FAILED: ..." and exit 1 when a
# stage decodes or judges no MSU (or the appliance did not run); exit 2 on a usage error.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

msus=20000
seed=7
while [ $# -gt 0 ]; do
	case "$1" in
	--msus) msus=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	*) echo "usage: scripts/demo.sh [--msus N] [--seed S]" >&2; exit 2 ;;
	esac
done

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() {
	printf '\ndemo FAILED: %s\n' "$*" >&2
	exit 1
}

step "1. dependencies and build"
scripts/deps.sh
mkdir -p build
if [ ! -f build/main/build.ninja ]; then
	meson setup build/main -Dbuildtype=debugoptimized >build/main.setup.log 2>&1 ||
		{ cat build/main.setup.log; exit 1; }
fi
# Only the programs the demo runs (the test suites and benchmarks are scripts/test.sh's).
ninja -C build/main control/sigwallctl control/daemon/sigwall-control \
	dataplane/app/sigwall-dataplane bench/gen/sigwall-gen >build/main.build.log 2>&1 ||
	{ tail -30 build/main.build.log; fail "the build failed (build/main.build.log)"; }
bin=build/main
ctl=$bin/control/sigwallctl
gen=$bin/bench/gen/sigwall-gen
site=patterns/site.example.conf
rules=patterns/default.conf
out=build/demo
mkdir -p "$out"

step "2. traffic: $msus MSUs of roaming traffic with 10% attacks (sigwall-gen, seed $seed)"
if [ -x "$gen" ]; then
	"$gen" --profile roaming --site "$site" --msus "$msus" --seed "$seed" --attack-share 0.1 \
		-o "$out/traffic.pcap" --labels "$out/labels.jsonl"
	capture=$out/traffic.pcap
else
	echo "sigwall-gen is not built; using the bundled sample capture of the test vectors"
	capture=tests/fuzz/corpus/pcap/vectors.pcap
fi
ls -l "$capture"

step "3. decode: per-layer summary (sigwallctl inspect --summary)"
"$ctl" inspect --summary "$capture" | tee "$out/summary.txt"
decoded=$(sed -n 's/.*MSUs \([0-9]*\).*/\1/p' "$out/summary.txt" | head -1)
[ "${decoded:-0}" -gt 0 ] || fail "stage 3 decoded 0 MSUs from $capture"
echo
echo "first records:"
"$ctl" inspect "$capture" | sed -n 1,8p

step "4. policy dry run: shipped rules ($rules) against the capture"
"$ctl" check "$rules" "$site" || fail "stage 4: the shipped policy does not compile"
echo
"$ctl" inspect --summary --rules "$rules" --site "$site" "$capture" | sed -n '/^verdicts/,$p' |
	tee "$out/verdicts.txt"
judged=$(sed -n 's/^verdicts: //p' "$out/verdicts.txt" | tr -cs '0-9' '\n' |
	awk '{ n += $1 } END { print n + 0 }')
[ "$judged" -gt 0 ] || fail "stage 4 judged 0 MSUs"
if [ -f "$out/labels.jsonl" ]; then
	"$ctl" inspect --json --rules "$rules" --site "$site" "$capture" 2>/dev/null \
		>"$out/verdicts.jsonl" || true
	/usr/bin/python3 scripts/score.py "$out/labels.jsonl" "$out/verdicts.jsonl" ||
		fail "stage 4: verdicts differ from the generator's labels"
fi

step "5. the appliance: sigwall-control + sigwall-dataplane (inline, DPDK net_pcap) with a live reload"
/usr/bin/python3 scripts/demo_appliance.py "$bin" "$capture" "$out" 8 ||
	fail "stage 5: the appliance judged nothing or did not run (see above)"
printf '\ndemo: stage 3 decoded %d MSUs, stage 4 judged %d, stage 5 ran the appliance\n' \
	"$decoded" "$judged"
