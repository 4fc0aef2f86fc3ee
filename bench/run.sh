#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# bench/run.sh: every benchmark of issue 8 in one command, with its baselines in the same run.
#
#   bench/run.sh [--quick] [--workers N] [--mix realistic,peak,attack,ctl64]
#                [--rules 10,1000,1000+100k] [--runs K] [--packets N] [--no-build] [--no-plot]
#
# --quick: the realistic mix with the 10 and 1000+100k rule sets, 3 short runs each (every
# headline figure, about a minute after the build); the headline figures are printed last.
#
# Builds release into build/rel (meson, -Dbuildtype=release; SW_BENCH_BUILD overrides the
# directory), then runs bench/pipeline/runbench.py: the real worker function over pre-built mbufs
# for every mix x rule set (stages, latency, cache, forward-only, line rate, tshark, naive
# matcher), 1..N workers, continuous reloads; writes bench/results/run-YYYYMMDD-HHMM.tsv and .png.
# Bad input (unknown mix or rule set, more workers than lcores): one line, exit 2.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SW_BENCH_BUILD:-$root/build/rel}
py=/usr/bin/python3
runner=$root/bench/pipeline/runbench.py
nobuild=no
for a in "$@"; do
	[ "$a" = --no-build ] && nobuild=yes
done
args=
for a in "$@"; do
	[ "$a" = --no-build ] || args="$args $a"
done
[ -x "$py" ] || { echo "bench/run.sh: $py is needed (Debian python3)" >&2; exit 2; }
# shellcheck disable=SC2086
"$py" "$runner" --build "$build" --validate-only $args

if [ "$nobuild" = no ]; then
	"$root/bench/build.sh" "$build" bench/pipeline/sigwall-bench-pipe bench/gen/sigwall-gen \
		control/sigwallctl bench/blast/sigwall-blast bench/policy/policy-bench
fi
# shellcheck disable=SC2086
exec "$py" "$runner" --build "$build" $args
