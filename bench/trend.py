#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The trend across bench/run.sh results: bench/trend.py [RESULTS_DIR] [OUT.png]

Reads every run-YYYYMMDD-HHMM.tsv in RESULTS_DIR (default bench/results), oldest first, and
plots the headline configuration (realistic mix, biggest rule set, 1 worker) of each run against
its date and commit: Mpps per worker core with the 10 Mpps goal, ns per packet by stage, and
latency p99 with the 10 us goal. The load average at the start of each run is printed under its
commit: runs taken on a loaded machine are not comparable to quiet ones, and the chart says so
instead of hiding them. Writes OUT.png (default RESULTS_DIR/trend.png) and prints one TSV line
per run. gnuplot-nox (Debian) draws it; without gnuplot only the table is printed.
"""
import glob
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from plot import load, num, render  # noqa: E402  (bench/plot.py: one TSV reader, one gnuplot run)
GOAL_MPPS = 10.0   # issue 20: >= 10 Mpps per worker core, realistic, 1,000 + 100k rules
GOAL_P99_US = 10.0  # issue 8/20: p99 <= 10 us




def pos(v):
    """A stage time for a stacked bar: a difference of two noisy runs can be negative or absent."""
    return v if v == v and v > 0 else 0.0


def headline(rows):
    """The realistic-mix, 1-worker row with the most rules (the issue's headline case)."""
    best = None
    for r in rows:
        if r.get("case") != "mix" or r.get("mix") != "realistic" or r.get("workers") != "1":
            continue
        if best is None or num(r.get("nrules")) + (r["rules"].endswith("100k")) * 1e6 > \
                num(best.get("nrules")) + (best["rules"].endswith("100k")) * 1e6:
            best = r
    return best


def main():
    rdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(rdir, "trend.png")
    runs = []
    for path in sorted(glob.glob(os.path.join(rdir, "run-*.tsv"))):
        m = re.search(r"run-(\d{8})-(\d{4})\.tsv$", path)
        if m is None:
            continue
        hdr, rows = load(path)
        r = headline(rows)
        if r is None:
            continue
        load1 = hdr.get("loadavg_at_start", "?").split()[0]
        runs.append({"date": "%s-%s-%s %s:%s" % (m.group(1)[:4], m.group(1)[4:6],
                                                   m.group(1)[6:], m.group(2)[:2], m.group(2)[2:]),
                     "commit": hdr.get("commit", "?"), "load": load1, "rules": r["rules"],
                     "mpps": num(r["mpps_core"]), "best": num(r["best_mpps_core"]),
                     "ns": num(r["ns_pkt"]), "p99": num(r["p99_ns"]) / 1e3,
                     "rxtx": num(r["st_rxtx_ns"]), "dec": num(r["st_decode_ns"]),
                     "ver": num(r["st_verdict_ns"]), "enf": num(r["st_enforce_ns"])})
    if not runs:
        sys.stderr.write("bench/trend.py: no run-*.tsv with a realistic 1-worker row in %s\n" % rdir)
        sys.exit(2)
    print("date\tcommit\tload1\trules\tmpps_core\tbest_mpps_core\tns_pkt\tp99_us")
    for r in runs:
        print("%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.0f\t%.1f" % (r["date"], r["commit"], r["load"],
                                                         r["rules"], r["mpps"], r["best"],
                                                         r["ns"], r["p99"]))
    if shutil.which("gnuplot") is None:
        print("trend: gnuplot not installed (apt-get install gnuplot-nox), no PNG")
        return
    tmp = tempfile.mkdtemp()
    dat = os.path.join(tmp, "t.dat")
    with open(dat, "w") as f:
        for i, r in enumerate(runs):
            # xtic: date, commit and load on three lines
            f.write('%d "%s\\n%s\\nload %s" %g %g %g %g %g %g %g\n' % (
                i, r["date"], r["commit"], r["load"], r["mpps"], r["best"], r["p99"],
                pos(r["rxtx"]), pos(r["dec"]), pos(r["ver"]), pos(r["enf"])))
    n = len(runs)
    ymax = max(GOAL_MPPS * 1.15, max(r["best"] for r in runs) * 1.15)
    g = ["set terminal pngcairo size 1400,1100 font ',10'",
         "set output '%s'" % out,
         "set multiplot layout 3,1 title 'sigwall trend: realistic mix, biggest rule set, "
         "1 worker core (bench/run.sh results; load = 1-minute load average at the start)'",
         "set grid", "set xrange [-0.5:%g]" % (n - 0.5), "set bmargin 5",
         "set key outside right top vertical",
         "set title 'Throughput per worker core'", "set ylabel 'Mpps'",
         "set yrange [0:%g]" % ymax,
         "plot '%s' using 1:3:xtic(2) with linespoints lw 2 title 'median', "
         "'' using 1:4 with linespoints lw 1 dt 3 title 'best run', "
         "%g with lines dt 2 lc rgb 'red' title 'goal 10 Mpps'" % (dat, GOAL_MPPS),
         "set title 'Time per packet by stage (differences of separately timed runs)'",
         "set ylabel 'ns/packet'", "set yrange [0:*]", "set style data histograms",
         "set style histogram rowstacked", "set style fill solid 0.8 border -1",
         "set boxwidth 0.6",
         "plot '%s' using 6:xtic(2) title 'rx/tx', '' using 7 title 'decode', "
         "'' using 8 title 'verdict', '' using 9 title 'enforce', "
         "100 with lines dt 2 lc rgb 'red' title 'goal 100 ns'" % dat,
         "set style data linespoints", "set title 'Latency p99 through the worker'",
         "set ylabel 'us (log)'", "set logscale y", "set yrange [1:*]",
         "plot '%s' using 1:5:xtic(2) with linespoints lw 2 title 'p99', "
         "%g with lines dt 2 lc rgb 'red' title 'goal 10 us'" % (dat, GOAL_P99_US),
         "unset multiplot"]
    render(g, tmp)
    print("trend: %s" % out)


if __name__ == "__main__":
    main()
