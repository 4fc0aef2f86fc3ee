#!/usr/bin/python3
"""CAP and SCCP management in the realistic mix (issue 17, Performance): per-packet cost of the
realistic roaming mix with CAMEL dialogues and SCCP management added, as a ratio to the same
mix without them, measured in the same run.

usage: bench/decode/mix-cap.py [--msus N] [--rounds R] [--seconds S] [--cap P] [--sccp-extra P]
                               [--no-pipe] [--no-record]

Steps: (1) release build (BUILD, default build/bench-rel: bench/build.sh) of decode-bench,
sigwall-gen and sigwall-bench-pipe; (2) two captures from sigwall-gen with the pipeline's
realistic-mix options (--profile roaming --bundle-max 1 --seed 11): "base" as it is, "cap+scmg"
with --cap P (CAMEL call dialogues, default 0.05) and --sccp-extra P (SCCP management and
connection-oriented SCCP, default 0.02), their label shares printed; (3) R rounds (default 5),
each running, alternately on the two captures, decode-bench (sw_decode_packet + sw_decode_msu,
one median of 3 passes of S seconds) and sigwall-bench-pipe (the worker's full path: decode,
verdict with the shipped policy patterns/default.conf, enforce; and forward-only) once per
capture; (4) the medians over the rounds per capture, their ratio cap+scmg / base, and the median
of the per-round ratios (each round measures the two captures back to back); (5) one
dated line in bench/results/mix-cap-DATE.tsv. Not a timed test: figures only. The machine's
1-minute load average before and after is printed and recorded: on a shared machine the medians
move with it, the ratio (same rounds, alternated) much less.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SITE = os.path.join(ROOT, "patterns", "site.example.conf")
RULES = os.path.join(ROOT, "patterns", "default.conf")
REALISTIC = ["--profile", "roaming", "--bundle-max", "1", "--seed", "11"]


def die(msg):
    print("mix-cap.py: " + msg, file=sys.stderr)
    sys.exit(2)


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        die("%s failed (%d): %s" % (os.path.basename(cmd[0]), r.returncode,
                                    r.stdout.strip().splitlines()[-3:]))
    return r.stdout


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def decode_bench(build, pcap, seconds):
    """ns/MSU (median of 3 passes), ns/packet, fastest pass ns/MSU."""
    out = run([os.path.join(build, "bench", "decode", "decode-bench"), "--runs", "3",
               "--seconds", str(seconds), "--tsv", pcap])
    cols = out.strip().splitlines()[-1].split("\t")
    # columns: decode-bench --tsv-header (7 ns/MSU, 10 ns/packet, 14 fastest pass)
    return float(cols[6]), float(cols[9]), float(cols[13])


def pipe_bench(build, pcap, seconds):
    """ns/packet of the full path and of forward-only, MSU drop share of the full path."""
    out = run([os.path.join(build, "bench", "pipeline", "sigwall-bench-pipe"), "--pcap", pcap,
               "--rules", RULES, "--site", SITE, "--workers", "1", "--runs", "1",
               "--seconds", str(seconds), "--mbufs", "65536", "--label", "mix-cap"])
    res = {}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            kv = dict(x.split("=", 1) for x in line.split()[1:])
            res[kv["cfg"]] = kv
    if "full" not in res or "forward" not in res:
        die("sigwall-bench-pipe printed no full/forward RESULT line")
    return (float(res["full"]["ns_pkt"]), float(res["forward"]["ns_pkt"]),
            float(res["full"]["msu_drop_share"]))


def shares(labels):
    n = cap = mgmt = co = 0
    with open(labels) as f:
        for line in f:
            n += 1
            cap += '"label":"cap-' in line
            mgmt += '"label":"sccp-management' in line
            co += '"label":"sccp-connection-oriented"' in line
    return n, cap, mgmt, co


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--msus", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--cap", default="0.05")
    ap.add_argument("--sccp-extra", default="0.02")
    ap.add_argument("--no-pipe", action="store_true")
    ap.add_argument("--no-record", action="store_true")
    a = ap.parse_args()
    if a.rounds < 3:
        die("--rounds must be at least 3 (medians)")
    build = os.environ.get("BUILD", os.path.join(ROOT, "build", "bench-rel"))
    targets = ["bench/decode/decode-bench", "bench/gen/sigwall-gen"]
    if not a.no_pipe:
        targets.append("bench/pipeline/sigwall-bench-pipe")
    run([os.path.join(ROOT, "bench", "build.sh"), build] + targets)

    d = os.path.join(build, "bench-mix-cap")
    os.makedirs(d, exist_ok=True)
    gen = os.path.join(build, "bench", "gen", "sigwall-gen")
    mixes = {"base": [], "cap+scmg": ["--cap", a.cap, "--sccp-extra", a.sccp_extra]}
    pcaps = {}
    for name, extra in mixes.items():
        p = os.path.join(d, name.replace("+", "-") + ".pcap")
        lab = p[:-5] + ".jsonl"
        run([gen] + REALISTIC + extra + ["--site", SITE, "--msus", str(a.msus), "-o", p,
                                         "--labels", lab])
        n, cap, mgmt, co = shares(lab)
        print("%-9s %s: %d MSUs, CAP %.1f%%, SCCP management %.1f%%, connection-oriented %.1f%%"
              % (name, os.path.basename(p), n, 100.0 * cap / n, 100.0 * mgmt / n,
                 100.0 * co / n))
        pcaps[name] = p

    load0 = loadavg()
    print("load average (1 min) before: %.2f on %d cores" % (load0, os.cpu_count()))
    fig = {name: {"dec": [], "pkt": [], "best": [], "full": [], "fwd": [], "drop": []}
           for name in mixes}
    for r in range(a.rounds):
        order = list(mixes) if r % 2 == 0 else list(mixes)[::-1]  # alternate who goes first
        for name in order:
            dec, pkt, best = decode_bench(build, pcaps[name], a.seconds)
            fig[name]["dec"].append(dec)
            fig[name]["pkt"].append(pkt)
            fig[name]["best"].append(best)
            if not a.no_pipe:
                full, fwd, drop = pipe_bench(build, pcaps[name], max(a.seconds, 0.5))
                fig[name]["full"].append(full)
                fig[name]["fwd"].append(fwd)
                fig[name]["drop"].append(drop)
        print("round %d: decode ns/pkt base %.1f, cap+scmg %.1f%s" % (
            r + 1, fig["base"]["pkt"][-1], fig["cap+scmg"]["pkt"][-1],
            "" if a.no_pipe else "; full path ns/pkt base %.1f, cap+scmg %.1f" % (
                fig["base"]["full"][-1], fig["cap+scmg"]["full"][-1])))
    load1 = loadavg()
    print("load average (1 min) after: %.2f" % load1)

    med = {name: {k: (statistics.median(v) if v else float("nan")) for k, v in f.items()}
           for name, f in fig.items()}
    b, c = med["base"], med["cap+scmg"]
    rows = [("decode ns/MSU (median)", "dec"), ("decode ns/packet (median)", "pkt"),
            ("decode fastest pass ns/MSU", "best")]
    if not a.no_pipe:
        rows += [("full path ns/packet (median)", "full"), ("forward-only ns/packet", "fwd")]
    def paired(k):
        return statistics.median(x / y for x, y in zip(fig["cap+scmg"][k], fig["base"][k]))

    print("\nmedians over %d rounds          base   cap+scmg   ratio  median of round ratios"
          % a.rounds)
    for title, k in rows:
        print("%-30s %8.1f %10.1f %7.3f %7.3f" % (title, b[k], c[k], c[k] / b[k], paired(k)))
    if not a.no_pipe:
        wb, wc = b["full"] - b["fwd"], c["full"] - c["fwd"]
        print("%-30s %8.1f %10.1f %7.3f" % ("worker share ns/packet", wb, wc, wc / wb))
        print("MSUs dropped by the shipped policy: base %.2f%%, cap+scmg %.2f%%"
              % (100 * b["drop"], 100 * c["drop"]))

    if not a.no_record:
        day = time.strftime("%Y%m%d", time.gmtime())
        out = os.path.join(ROOT, "bench", "results", "mix-cap-%s.tsv" % day)
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip() or "NA"
        cpu = "NA"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        new = not os.path.exists(out)
        with open(out, "a") as f:
            if new:
                f.write("date_utc\tcommit\tcpu\tcores\tmsus\trounds\tcap\tsccp_extra\t"
                        "dec_ns_msu_base\tdec_ns_msu_cap\tdec_ns_pkt_base\tdec_ns_pkt_cap\t"
                        "dec_best_base\tdec_best_cap\tfull_ns_pkt_base\tfull_ns_pkt_cap\t"
                        "ratio_dec_pkt\tratio_full_pkt\tpaired_ratio_dec_best\t"
                        "paired_ratio_full_pkt\tloadavg_before\tloadavg_after\n")
            f.write("\t".join(str(x) for x in (
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), commit, cpu,
                os.cpu_count(), a.msus, a.rounds, a.cap, a.sccp_extra,
                "%.1f" % b["dec"], "%.1f" % c["dec"], "%.1f" % b["pkt"], "%.1f" % c["pkt"],
                "%.1f" % b["best"], "%.1f" % c["best"], "%.1f" % b["full"], "%.1f" % c["full"],
                "%.3f" % (c["pkt"] / b["pkt"]), "%.3f" % (c["full"] / b["full"]),
                "%.3f" % paired("best"), "%.3f" % paired("full") if not a.no_pipe else "NA",
                "%.2f" % load0, "%.2f" % load1)) + "\n")
        print("recorded in", os.path.relpath(out, ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
