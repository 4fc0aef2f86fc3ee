#!/bin/sh
# Decode benchmark (issue 2, Performance): the whole decoder stack, ns per MSU on one core, next to
# tshark -T fields on the same capture, with a dated TSV line in bench/results/.
#
#   bench/decode/run.sh [--msus N] [--seconds S] [--runs R] [--cpu C] [--no-tshark]
#                       [--no-record] [--mkmix]
#
# Steps: (1) release build of decode-bench (and sigwall-gen), (2) a realistic roaming mix from
# sigwall-gen (fallback: bench/decode/mkmix.py, the independent encoder of tests/lib), (3)
# decode-bench, (4) tshark timed on the same capture, (5) a line in bench/results/decode-DATE.tsv.
# Environment: BUILD (default build-bench), the release build directory.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build-bench}
msus=200000
seconds=1
runs=5
cpu=
tshark=yes
record=yes
force_mkmix=no
budget_ns=40

die() {
	echo "run.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--msus) [ $# -ge 2 ] || die "--msus needs a value"; msus=$2; shift 2 ;;
	--seconds) [ $# -ge 2 ] || die "--seconds needs a value"; seconds=$2; shift 2 ;;
	--runs) [ $# -ge 2 ] || die "--runs needs a value"; runs=$2; shift 2 ;;
	--cpu) [ $# -ge 2 ] || die "--cpu needs a value"; cpu=$2; shift 2 ;;
	--no-tshark) tshark=no; shift ;;
	--no-record) record=no; shift ;;
	--mkmix) force_mkmix=yes; shift ;;
	-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
case $msus in ''|*[!0-9]*) die "--msus must be a positive integer" ;; esac
[ "$msus" -gt 0 ] || die "--msus must be a positive integer"

# (1) Release build.
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" -Dbuildtype=release >/dev/null
fi
buildtype=$(meson introspect "$build" --buildoptions | /usr/bin/python3 -c '
import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"][0])')
if [ "$buildtype" != release ]; then
	meson configure "$build" -Dbuildtype=release >/dev/null
fi
ninja -C "$build" bench/decode/decode-bench >/dev/null
gen=
if [ "$force_mkmix" = no ] && ninja -C "$build" bench/gen/sigwall-gen >/dev/null 2>&1 &&
	[ -x "$build/bench/gen/sigwall-gen" ]; then
	gen=$build/bench/gen/sigwall-gen
fi

# (2) The capture (kept in the build directory: generating it is not what is measured).
mkdir -p "$build/bench-decode"
if [ -n "$gen" ]; then
	generator="sigwall-gen --profile roaming --seed 1"
	cap=$build/bench-decode/roaming-gen-$msus-s1.pcap
	# Regenerated when sigwall-gen is newer than the capture.
	if [ ! -s "$cap" ] || [ "$gen" -nt "$cap" ]; then
		"$gen" --profile roaming --site "$root/patterns/site.example.conf" --msus "$msus" \
			--seed 1 -o "$cap.tmp" >/dev/null
		mv "$cap.tmp" "$cap"
	fi
else
	generator="mkmix.py --seed 1"
	cap=$build/bench-decode/roaming-mkmix-$msus-s1.pcap
	if [ ! -s "$cap" ]; then
		/usr/bin/python3 "$root/bench/decode/mkmix.py" --msus "$msus" --seed 1 -o "$cap.tmp" \
			>/dev/null
		mv "$cap.tmp" "$cap"
	fi
fi
echo "capture: $cap ($generator, $msus MSUs)"

# (3) sigwall's decoder. The load average is recorded: other work on the machine inflates the
# medians (the fastest pass is the figure to compare builds with on a busy machine).
load0=$(cut -d' ' -f1 /proc/loadavg)
echo "load average (1 min) before the run: $load0"
set -- --seconds "$seconds" --runs "$runs"
[ -n "$cpu" ] && set -- "$@" --cpu "$cpu"
"$build/bench/decode/decode-bench" "$@" --tsv-file "$build/bench-decode/last.tsv" "$cap"
tsv=$(cat "$build/bench-decode/last.tsv")
# columns: see decode-bench --tsv-header
frames=$(echo "$tsv" | cut -f2)
cap_msus=$(echo "$tsv" | cut -f3)
ns_msu=$(echo "$tsv" | cut -f7)
ns_min=$(echo "$tsv" | cut -f8)
ns_max=$(echo "$tsv" | cut -f9)
ns_pkt=$(echo "$tsv" | cut -f10)
msus_s=$(echo "$tsv" | cut -f11)
cyc_msu=$(echo "$tsv" | cut -f12)
tsc_ghz=$(echo "$tsv" | cut -f13)
ns_best=$(echo "$tsv" | cut -f14)
verdict=$(awk -v n="$ns_msu" -v b="$budget_ns" 'BEGIN { print (n <= b) ? "within" : "over" }')
echo "sigwall: $ns_msu ns/MSU median, $ns_best ns/MSU fastest pass (budget $budget_ns ns: $verdict)"

# (4) tshark on the same capture, wall clock (it reads the file itself: that is its decode loop).
tshark_ns=NA
ratio=NA
speedup=NA
if [ "$tshark" = yes ]; then
	if command -v tshark >/dev/null 2>&1; then
		t0=$(date +%s.%N)
		tshark -r "$cap" -T fields -e m3ua.protocol_data_opc -e sccp.called.digits \
			-e sccp.calling.digits -e tcap.tid -e gsm_old.localValue -e e212.imsi \
			>/dev/null 2>&1
		t1=$(date +%s.%N)
		tshark_ns=$(awk -v a="$t0" -v b="$t1" -v n="$cap_msus" \
			'BEGIN { printf "%.1f", (b - a) * 1e9 / n }')
		ratio=$(awk -v s="$ns_msu" -v t="$tshark_ns" 'BEGIN { printf "%.6f", s / t }')
		speedup=$(awk -v s="$ns_msu" -v t="$tshark_ns" 'BEGIN { printf "%.0f", t / s }')
		echo "tshark:  $tshark_ns ns/MSU (wall clock, $cap_msus MSUs)"
		echo "ratio sigwall/tshark: $ratio (sigwall ${speedup}x faster)"
	else
		echo "tshark: not installed, no baseline"
	fi
fi

# (5) One dated TSV line with the machine description.
if [ "$record" = yes ]; then
	day=$(date -u +%Y%m%d)
	out=$root/bench/results/decode-$day.tsv
	mkdir -p "$root/bench/results"
	if [ ! -s "$out" ]; then
		printf 'date_utc\tcommit\tcpu\tcores\tcompiler\tgenerator\tframes\tmsus\tns_per_msu\tns_min\tns_max\tns_per_pkt\tmsus_per_s\tcycles_per_msu\ttsc_ghz\tns_best_pass\ttshark_ns_per_msu\tratio_sigwall_tshark\tspeedup\tbudget_ns\tloadavg_1m\n' >"$out"
	fi
	cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	cpu_model="$cpu_model (family $(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo |
		head -1) model $(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -1))"
	cores=$(nproc)
	cc_ver=$(sed -n "s/^C compiler for the host machine: //p" "$build/meson-logs/meson-log.txt" |
		tail -1)
	[ -n "$cc_ver" ] || cc_ver=$(cc --version | head -1)
	commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
	if ! git -C "$root" diff --quiet -- dataplane/decode 2>/dev/null; then
		commit="$commit+dirty"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" "$cpu_model" "$cores" "$cc_ver" \
		"$generator" "$frames" "$cap_msus" "$ns_msu" "$ns_min" "$ns_max" "$ns_pkt" \
		"$msus_s" "$cyc_msu" "$tsc_ghz" "$ns_best" "$tshark_ns" "$ratio" "$speedup" "$budget_ns" "$load0" >>"$out"
	echo "recorded: $out"
fi
