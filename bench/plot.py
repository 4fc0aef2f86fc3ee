#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plot a bench/run.sh result: bench/plot.py bench/results/run-YYYYMMDD-HHMM.tsv [OUT.png]

Four panels (gnuplot, pngcairo; gnuplot-nox from Debian): Mpps per worker core and latency
p50/p99 against rule-set size (one line per mix, 1 worker), and Mpps (per core and total) and
latency against worker count. Writes OUT.png (default: the TSV's name with .png).
"""
import os
import shutil
import subprocess
import sys
import tempfile


def load(path):
    hdr, rows, cols = {}, [], None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("# "):
            k, _, v = line[2:].partition("\t")
            hdr[k] = v
        elif cols is None:
            cols = line.split("\t")
        elif line:
            rows.append(dict(zip(cols, line.split("\t"))))
    return hdr, rows


def render(lines, tmp):
    """Run gnuplot on the script lines in the scratch directory tmp, then remove tmp; exit 1
    with gnuplot's output when it fails (bench/trend.py uses it too)."""
    script = os.path.join(tmp, "plot.gp")
    open(script, "w").write("\n".join(lines) + "\n")
    r = subprocess.run(["gnuplot", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout)
        sys.exit(1)
    shutil.rmtree(tmp)


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: bench/plot.py RESULT.tsv [OUT.png]\n")
        sys.exit(2)
    tsv = sys.argv[1]
    if not os.path.exists(tsv):
        sys.stderr.write("bench/plot.py: no such result: %s\n" % tsv)
        sys.exit(2)
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.splitext(tsv)[0] + ".png"
    if shutil.which("gnuplot") is None:
        print("plot: gnuplot not installed (apt-get install gnuplot-nox), no PNG")
        return
    hdr, rows = load(tsv)
    tmp = tempfile.mkdtemp()
    order = {"none": 0, "10": 1, "1000": 2, "1000+100k": 3}
    label = {"none": "0", "10": "10", "1000": "1k", "1000+100k": "1k+100k GT"}
    mixes = []
    for r in rows:
        if r["case"] == "mix" and r["mix"] not in mixes:
            mixes.append(r["mix"])
    # rule-set panel data: one file per mix: x index, xtic label, mpps, p50 us, p99 us
    for m in mixes:
        with open(os.path.join(tmp, "r-%s.dat" % m), "w") as f:
            for r in sorted((r for r in rows if r["case"] == "mix" and r["mix"] == m),
                            key=lambda r: order.get(r["rules"], 9)):
                f.write("%d \"%s\" %g %g %g\n" % (
                    order.get(r["rules"], 9), label.get(r["rules"], r["rules"]),
                    num(r["mpps_core"]), num(r["p50_ns"]) / 1e3, num(r["p99_ns"]) / 1e3))
    with open(os.path.join(tmp, "w.dat"), "w") as f:
        one = None
        for r in (r for r in rows if r["case"] == "scaling"):
            one = num(r["mpps_total"]) if one is None else one
            f.write("%s %g %g %g %g %g\n" % (r["workers"], num(r["mpps_core"]),
                                             num(r["mpps_total"]), num(r["p50_ns"]) / 1e3,
                                             num(r["p99_ns"]) / 1e3,
                                             one * num(r["workers"])))
    sc = [r for r in rows if r["case"] == "scaling"]
    title = "sigwall worker loop, %s, %s cores, DPDK %s, Hyperscan %s (%s)" % (
        hdr.get("cpu", "?"), hdr.get("cores", "?"), hdr.get("dpdk", "?"),
        hdr.get("hyperscan", "?"), os.path.basename(tsv))
    g = ["set terminal pngcairo size 1400,1000 font ',10'",
         "set output '%s'" % out,
         "set multiplot layout 2,2 title \"%s\"" % title.replace('"', "'"),
         "set grid", "set key outside right top vertical", "set xtics ()"]

    present = [order.get(r["rules"], 9) for r in rows if r["case"] == "mix"] or [0]
    lo = min(present) - 0.5
    hi = max(present) + 0.5

    def rplot(col, ylabel, ttl, extra="", goal=""):
        p = ["set title '%s'" % ttl, "set xlabel 'rule set (1 worker)'",
             "set ylabel '%s'" % ylabel, "set xrange [%g:%g]" % (lo, hi), extra]
        parts = []
        for m in mixes:
            parts.append("'%s/r-%s.dat' using 1:%d:xtic(2) with linespoints lw 2 title '%s'"
                         % (tmp, m, col, m))
        if goal:
            parts.append(goal)
        p.append("plot " + ", ".join(parts) if parts else "plot 0 notitle")
        return p

    # issue 20's goal, >= 10 Mpps per worker core, stays visible whatever the figures
    g += rplot(3, "Mpps per worker core", "Throughput vs rule-set size (median of runs)",
               "set yrange [0:%g]" % max(11.5, 1.15 * max(
                   [num(r["mpps_core"]) for r in rows if r["case"] == "mix"] or [0])),
               "10 with lines dt 2 lc rgb 'red' title 'goal 10 Mpps'")
    g += rplot(5, "latency p99 (us, log)", "Latency p99 through the worker vs rule-set size",
               "set logscale y; set yrange [*:*]",
               "10 with lines dt 2 lc rgb 'red' title 'goal 10 us'")
    g += ["unset logscale y", "set yrange [0:*]", "set xtics autofreq", "set xrange [0.5:%d]" % (len(sc) + 0.5 if sc else 2),
          "set xtics 1", "set xlabel 'worker lcores (realistic mix, biggest rule set)'"]
    if sc:
        g += ["set title 'Scaling: throughput vs workers'", "set ylabel 'Mpps'",
              "plot '%s/w.dat' using 1:2 with linespoints lw 2 title 'per core', "
              "'%s/w.dat' using 1:3 with linespoints lw 2 title 'total', "
              "'%s/w.dat' using 1:6 with lines dt 2 title 'linear (1 worker x n)'"
              % (tmp, tmp, tmp)]
        g += ["set title 'Scaling: latency vs workers'", "set ylabel 'latency (us, log)'",
              "set logscale y", "set yrange [*:*]",
              "plot '%s/w.dat' using 1:4 with linespoints lw 2 title 'p50', "
              "'%s/w.dat' using 1:5 with linespoints lw 2 title 'p99', "
              "10 with lines dt 2 lc rgb 'red' title 'goal 10 us'" % (tmp, tmp)]
    g.append("unset multiplot")
    render(g, tmp)
    print("plot: %s" % out)


if __name__ == "__main__":
    main()
