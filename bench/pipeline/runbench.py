#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The body of bench/run.sh (which builds first, then runs this): every case of issue 8 with its
baselines, a dated TSV in bench/results/ and a plot. See bench/README.md, section run.sh.

    runbench.py --build DIR [--quick] [--workers N] [--mix a,b] [--rules a,b] [--runs K]
                [--packets N] [--out DIR] [--no-plot]
"""
import argparse
import datetime
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PY = "/usr/bin/python3"
MIXES = ["realistic", "peak", "attack", "ctl64"]
RULESETS = ["10", "1000", "1000+100k"]
LINES = [("10GbE", 10e9), ("25GbE", 25e9), ("100GbE", 100e9)]
RX_RING = 1024  # RX descriptors per queue of sigwall-dataplane (dataplane/app/main.c NB_RXD)
WIRE_EXTRA = 24  # FCS 4 (not in captures) + preamble 8 + inter-frame gap 12
TSHARK_FIELDS = ["m3ua.protocol_data_opc", "sccp.called.digits", "sccp.calling.digits",
                 "tcap.tid", "gsm_old.localValue", "e212.imsi"]


def die(msg, code=2):
    sys.stderr.write("bench/run.sh: %s\n" % msg)
    sys.exit(code)


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def sh(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def make_mixes(build, mixes, quick):
    gen = os.path.join(build, "bench", "gen", "sigwall-gen")
    site = os.path.join(ROOT, "patterns", "site.example.conf")
    d = os.path.join(build, "bench-mixes")
    os.makedirs(d, exist_ok=True)
    msus = "6000" if quick else "10000"
    spec = {
        "realistic": ["--profile", "roaming", "--bundle-max", "1", "--seed", "11"],
        "peak": ["--profile", "roaming", "--bundle-max", "7", "--seed", "12"],
        "attack": ["--profile", "attacks", "--attack-share", "0.3", "--bundle-max", "1",
                   "--seed", "13"],
    }
    out = {}
    for m in mixes:
        p = os.path.join(d, m + ".pcap")
        if m == "ctl64":
            r = sh([PY, os.path.join(ROOT, "bench", "pipeline", "mkctl64.py"), p, "8192"])
            msu_count = 0
        else:
            lab = os.path.join(d, m + ".jsonl")
            r = sh([gen] + spec[m] + ["--site", site, "--msus", msus, "-o", p, "--labels", lab])
            msu_count = sum(1 for _ in open(lab)) if r.returncode == 0 else 0
        if r.returncode != 0:
            die("cannot make mix %s: %s" % (m, r.stdout.strip().splitlines()[-1:]), 1)
        out[m] = (p, msu_count)
    return out


def make_rules(build, rulesets):
    """bench/rules/mkrules.py writes them; sigwallctl check validates. Returns name -> path."""
    d = os.path.join(build, "bench-rules")
    site = os.path.join(ROOT, "patterns", "site.example.conf")
    ctl = os.path.join(build, "control", "sigwallctl")
    r = sh([PY, os.path.join(ROOT, "bench", "rules", "mkrules.py"), "--out", d])
    if r.returncode != 0:
        die("bench/rules/mkrules.py failed: %s" % r.stdout.strip(), 1)
    out = {}
    for name in rulesets:
        path = os.path.join(d, "rules-%s.conf" % name.replace("+", "-"))
        c = sh([ctl, "check", path, site])
        if c.returncode != 0:
            log("rules %s: sigwallctl check refused it (%s): running without it"
                % (name, c.stdout.strip().splitlines()[-1:] if c.stdout.strip() else c.returncode))
            continue
        log("rules %s: %s" % (name, " ".join(c.stdout.split())[:200]))
        out[name] = path
    return out, site


def parse_results(text):
    res = {}
    for line in text.splitlines():
        if not line.startswith("RESULT "):
            continue
        kv = dict(x.split("=", 1) for x in line.split()[1:])
        res[kv["cfg"]] = kv
    return res


def pipe(build, pcap, rules, site, workers, runs, packets, seconds, stages=True, reload_ms=0,
         label="-", nic=False, perf=False):
    cmd = [os.path.join(build, "bench", "pipeline", "sigwall-bench-pipe"), "--pcap", pcap,
           "--workers", str(workers), "--runs", str(runs), "--packets", str(packets),
           "--seconds", "%g" % seconds,
           "--mbufs", "65536", "--label", label]
    if rules:
        cmd += ["--rules", rules, "--site", site]
    if stages:
        cmd.append("--stages")
    if nic:
        cmd.append("--nic")
    if perf:
        cmd.append("--perf")
    if reload_ms:
        cmd += ["--reload-ms", str(reload_ms)]
    r = sh(cmd)
    if r.returncode != 0:
        log(r.stdout)
        die("sigwall-bench-pipe failed (%d): %s" % (r.returncode, " ".join(cmd)), 1)
    for line in r.stdout.splitlines():
        if not line.startswith("RESULT") and not line.startswith("TELEMETRY"):
            log("    " + line)
    return parse_results(r.stdout)


def tshark_ns(pcap, nmsus, nframes, runs):
    """tshark -T fields over the capture, wall clock per MSU (per packet without MSUs), median of
    runs, minus tshark's start-up (the same command on the capture's first frame alone: ~1 s of
    dissector registration that would otherwise dominate a 10k-MSU capture). Returns
    (ns with start-up excluded, ns including it)."""
    if shutil.which("tshark") is None:
        return None, None

    def timed(path):
        args = ["tshark", "-r", path, "-T", "fields"]
        for f in TSHARK_FIELDS:
            args += ["-e", f]
        ts = []
        for _ in range(runs):
            t0 = time.monotonic()
            subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ts.append(time.monotonic() - t0)
        return statistics.median(ts)

    t = timed(pcap)
    t0 = 0.0
    one = pcap + ".first.pcap"
    if shutil.which("editcap") and sh(["editcap", "-r", pcap, one, "1"]).returncode == 0:
        t0 = timed(one)
        os.unlink(one)
    n = nmsus if nmsus else nframes
    return max(t - t0, 0.0) * 1e9 / n, t * 1e9 / n


def naive_ns(build, quick):
    """bench/policy's policy-bench: the naive matcher (each rule's patterns checked one by one
    with PCRE2, first match wins) on the shipped rules + its 100,000-entry GT blocklist, next to
    the engine's own verdict cost. Returns (naive ns/MSU, engine miss ns/MSU) or (None, None)."""
    exe = os.path.join(build, "bench", "policy", "policy-bench")
    if not os.access(exe, os.X_OK):
        return None, None
    r = sh([exe, ROOT, "--tsv", "--msus", "50000" if quick else "200000", "--naive-msus",
            "200" if quick else "1000"])
    for line in r.stdout.splitlines():
        if line.startswith("TSV\t"):
            f = line.split("\t")
            kv = dict(zip(f[1::2], f[2::2]))
            return float(kv["naive_ns"]), float(kv["miss_ns"])
    log("policy-bench gave no figure (exit %d)" % r.returncode)
    return None, None


def perf_probe():
    """(True, "") when `perf stat -e instructions true` counts; else (False, why)."""
    if shutil.which("perf") is None:
        return False, "perf is not installed (linux-perf)"
    r = subprocess.run(["perf", "stat", "-x,", "-e", "instructions", "true"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in r.stderr.splitlines():
        f = line.split(",")
        if len(f) > 2 and f[2].startswith("instructions"):
            if f[0].strip().isdigit():
                return True, ""
            return False, "`perf stat -e instructions true` says %s" % f[0].strip()
    return False, "`perf stat -e instructions true` failed: %s" % (
        r.stderr.strip().splitlines()[-1:] or ["?"])[0]


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def pc(name):
        r = sh(["pkg-config", "--modversion", name])
        return r.stdout.strip() if r.returncode == 0 else "absent"

    cc = sh(["cc", "--version"]).stdout.splitlines()[0] if shutil.which("cc") else "?"
    commit = sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout.strip()
    return {
        "cpu": cpu, "cores": str(os.cpu_count()), "dpdk": pc("libdpdk"), "hyperscan": pc("libhs"),
        "compiler": cc, "commit": commit, "kernel": os.uname().release,
        "loadavg_at_start": " ".join(open("/proc/loadavg").read().split()[:3]),
    }


COLS = ["case", "mix", "rules", "nrules", "workers", "reload_ms", "frames", "mean_frame_B",
        "mpps_core", "best_mpps_core", "mpps_total", "mmsus_core", "ns_pkt", "cyc_pkt", "ns_msu",
        "st_rxtx_ns", "st_decode_ns", "st_verdict_ns", "st_enforce_ns",
        "st_rxtx_cyc", "st_decode_cyc", "st_verdict_cyc", "st_enforce_cyc",
        "p50_ns", "p99_ns", "p999_ns", "best_p99_ns", "cache_hit_pct", "drop_share", "msu_drop_share",
        "fwd_mpps_core", "ratio_fwd", "nicfwd_mpps_core", "nicfwd_ns_pkt", "nicfull_mpps_core",
        "ratio_nicfwd",
        "perf_instr_pkt", "perf_ipc", "perf_llc_miss_pkt", "fwd_perf_instr_pkt",
        "line10_mpps", "cores10", "line25_mpps", "cores25", "line100_mpps", "cores100",
        "tshark_ns_msu", "ratio_tshark", "naive_ns_msu", "ratio_naive",
        "reloads", "reload_failed", "gen_switches", "images_refused", "drop_share_steady",
        "p99_steady_ns", "p99_reload_vs_steady", "pickup_mean_us", "pickup_max_us",
        "rx_backlog_pkts", "reload_lost"]


def fmt(v):
    if v is None:
        return "NA"
    if isinstance(v, float):
        if math.isnan(v):
            return "NA"
        return "%.4g" % v if abs(v) < 1e6 else "%.0f" % v
    return str(v)


def row_of(case, mix, rname, res, cfg, tsh, naive, reload_ms=0):
    r = res[cfg]
    fwd = res.get("forward")
    mpps = float(r["mpps_core"])
    mmsus = float(r["mmsus_core"])
    mean = float(r["mean_frame"])
    row = {
        "case": case, "mix": mix, "rules": rname, "nrules": r["rules"], "workers": r["workers"],
        "reload_ms": reload_ms, "frames": r["frames"], "mean_frame_B": mean,
        "mpps_core": mpps, "mpps_total": float(r["mpps_total"]), "mmsus_core": mmsus,
        "ns_pkt": float(r["ns_pkt"]), "cyc_pkt": float(r["cyc_pkt"]),
        "ns_msu": 1e3 / mmsus if mmsus > 0 else None,
        "best_mpps_core": float(r["best_mpps_core"]), "best_p99_ns": float(r["best_p99_ns"]),
        "p50_ns": float(r["p50_ns"]), "p99_ns": float(r["p99_ns"]),
        "p999_ns": float(r["p999_ns"]),
        "cache_hit_pct": float(r["cache_hit"]) if float(r["cache_hit"]) >= 0 else None,
        "drop_share": float(r["drop_share"]),
        "msu_drop_share": float(r.get("msu_drop_share", "nan")),
        "fwd_mpps_core": float(fwd["mpps_core"]) if fwd else None,
        "ratio_fwd": mpps / float(fwd["mpps_core"]) if fwd else None,
    }
    # NIC-realistic ceiling (pipe.c --nic): forward-only and the full path with the mbufs handled
    # as a driver does; their ratio is the worker's share of what a real port leaves it.
    nf, nfull = res.get("nicfwd"), res.get("nicfull")
    if nf and nfull:
        row["nicfwd_mpps_core"] = float(nf["mpps_core"])
        row["nicfwd_ns_pkt"] = float(nf["ns_pkt"])
        row["nicfull_mpps_core"] = float(nfull["mpps_core"])
        row["ratio_nicfwd"] = float(nfull["mpps_core"]) / float(nf["mpps_core"])
    cyc_per_ns = float(r["cyc_pkt"]) / float(r["ns_pkt"]) if float(r["ns_pkt"]) > 0 else 0
    for k in ("st_rxtx_ns", "st_decode_ns", "st_verdict_ns", "st_enforce_ns"):
        v = float(r.get(k, "-1"))
        row[k] = v if v != -1 else None
        row[k[:-3] + "_cyc"] = v * cyc_per_ns if v != -1 else None
    for name, bps in LINES:
        tag = name[:-3]
        lpps = bps / 8 / (mean + WIRE_EXTRA)
        row["line%s_mpps" % tag] = lpps / 1e6
        row["cores%s" % tag] = math.ceil(lpps / (mpps * 1e6)) if mpps > 0 else None
    if tsh is not None and row["ns_msu"]:
        row["tshark_ns_msu"] = tsh
        row["ratio_tshark"] = tsh / row["ns_msu"]
    elif tsh is not None:
        row["tshark_ns_msu"] = tsh  # per packet for the control mix (no MSUs)
        row["ratio_tshark"] = tsh / row["ns_pkt"]
    if naive is not None and row["ns_msu"]:
        row["naive_ns_msu"] = naive
        row["ratio_naive"] = naive / row["ns_msu"]
    if cfg == "reload":
        for k in ("reloads", "reload_failed", "gen_switches", "images_refused",
                  "drop_share_steady"):
            row[k] = r.get(k)
        # In the closed loop a packet can only disappear by a verdict: loss is a refused image,
        # a failed publication, or a share of dropped packets that moves away from steady state
        # (every generation holds the same rules).
        steady = res.get("full")
        if steady is not None and float(steady["p99_ns"]) > 0:
            row["p99_steady_ns"] = float(steady["p99_ns"])
            row["p99_reload_vs_steady"] = float(r["p99_ns"]) / float(steady["p99_ns"])
        # A worker picking up an image does not poll its RX queue: what arrives meanwhile at
        # the steady rate must fit the dataplane's RX ring (NB_RXD 1024 in dataplane/app/main.c)
        # or a real port drops it, which this closed loop cannot show by itself.
        row["pickup_mean_us"] = float(r.get("pickup_mean_us", "nan"))
        row["pickup_max_us"] = float(r.get("pickup_max_us", "nan"))
        rate = float(steady["mpps_core"]) if steady is not None else mpps
        row["rx_backlog_pkts"] = rate * row["pickup_max_us"]
        drift = abs(float(r["drop_share"]) - float(r["drop_share_steady"]))
        row["reload_lost"] = int(r["images_refused"]) + int(r["reload_failed"]) + \
            (1 if drift > 0.001 else 0) + (1 if row["rx_backlog_pkts"] > RX_RING else 0)
    return row


def main():
    ap = argparse.ArgumentParser(prog="bench/run.sh")
    ap.add_argument("--build", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--mix")
    ap.add_argument("--rules")
    ap.add_argument("--runs", type=int)
    ap.add_argument("--packets", type=int)
    ap.add_argument("--seconds", type=float, help="time limit of one run of one configuration")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--validate-only", action="store_true")
    a = ap.parse_args()

    # --quick keeps every headline figure (realistic mix, biggest rule set, forward-only,
    # tshark, scaling, reloads) and drops the other mixes and the middle rule set.
    if a.mix is None:
        a.mix = "realistic" if a.quick else ",".join(MIXES)
    if a.rules is None:
        a.rules = "10,1000+100k" if a.quick else ",".join(RULESETS)
    mixes = [m for m in a.mix.split(",") if m]
    for m in mixes:
        if m not in MIXES:
            die("no such mix: %s (one of %s)" % (m, ", ".join(MIXES)))
    rsets = [x for x in a.rules.split(",") if x]
    for x in rsets:
        if x not in RULESETS:
            die("no such rule set: %s (one of %s)" % (x, ", ".join(RULESETS)))
    ncpu = os.cpu_count() or 1
    if a.workers < 1 or a.workers > ncpu:
        die("%d workers but this machine has %d lcores: use --workers 1..%d"
            % (a.workers, ncpu, ncpu))
    if a.validate_only:
        return
    runs = a.runs or (3 if a.quick else 5)
    packets = a.packets or (300000 if a.quick else 2000000)
    secs = a.seconds or (0.15 if a.quick else 0.4)
    t_start = time.monotonic()

    mach = machine()
    log("machine: %s, %s cores, DPDK %s, Hyperscan %s, %s; load %s"
        % (mach["cpu"], mach["cores"], mach["dpdk"], mach["hyperscan"], mach["compiler"],
           mach["loadavg_at_start"]))
    mixp = make_mixes(a.build, mixes, a.quick)
    rules, site = make_rules(a.build, rsets)
    rnames = [x for x in rsets if x in rules] or ["none"]
    biggest = rnames[-1]

    tsh = {}
    for m in mixes:
        pcap, nmsus = mixp[m]
        nframes = int(sh(["capinfos", "-Mc", pcap]).stdout.split()[-1]) \
            if shutil.which("capinfos") else 0
        tsh[m], with_start = tshark_ns(pcap, nmsus, nframes, 1 if a.quick else 3)
        log("tshark -T fields on %s: %s ns/%s (%s with its start-up)"
            % (m, fmt(tsh[m]), "MSU" if nmsus else "packet", fmt(with_start)))

    # sigwall-blast's own ceiling (what one core can offer another box), on net_null
    blast = None
    bexe = os.path.join(a.build, "bench", "blast", "sigwall-blast")
    if os.access(bexe, os.X_OK):
        b = sh([bexe, "--no-huge", "-m", "256", "--no-pci", "-l", "0",
                "--log-level=lib.eal:error", "--file-prefix=runblast%d" % os.getpid(),
                "--vdev", "net_null0", "--", "--pcap", mixp[mixes[0]][0], "--port", "0",
                "--max", "--duration", "1"])
        # --no-huge leaves its EAL runtime files behind: remove them
        shutil.rmtree("/var/run/dpdk/runblast%d" % os.getpid(), ignore_errors=True)
        m = re.search(r"^sent (\d+) packets.*?([0-9.]+) pps, ([0-9.]+) Gbps \(frames\)",
                      b.stdout, re.M)
        if m:
            blast = "%.2f Mpps, %s Gbps of %s frames on net_null, one core" % (
                float(m.group(2)) / 1e6, m.group(3), mixes[0])
            log("sigwall-blast --max: %s" % blast)
    mach["blast"] = blast or "NA"

    naive, engine_miss = naive_ns(a.build, a.quick)
    log("naive PCRE2 matcher (policy-bench, shipped rules + 100k GT blocklist): %s ns/MSU; "
        "the engine's verdict alone on a cache miss: %s ns/MSU" % (fmt(naive), fmt(engine_miss)))
    mach["naive"] = "policy-bench: naive %s ns/MSU, engine miss %s ns/MSU" % (
        fmt(naive), fmt(engine_miss))

    rows = []
    # 1. every mix x rule set, one worker, all stages
    for m in mixes:
        for rn in rnames:
            log("== mix %s, rules %s, 1 worker" % (m, rn))
            res = pipe(a.build, mixp[m][0], rules.get(rn), site, 1, runs, packets, secs,
                       label="%s/%s/1" % (m, rn), nic=True)
            rows.append(row_of("mix", m, rn, res, "full", tsh[m],
                               naive if rn == biggest else None))
    # 1b. hardware counters per packet (perf_event_open in pipe.c) on the headline case, in a run
    # of its own (counting adds ioctls around the timed parts: its ns are not quoted)
    perf_ok, perf_why = perf_probe()
    perf = {}
    hmix = "realistic" if "realistic" in mixes else mixes[0]
    if perf_ok:
        log("== perf counters: mix %s, rules %s, 1 worker" % (hmix, biggest))
        pres = pipe(a.build, mixp[hmix][0], rules.get(biggest), site, 1, 1, packets, secs,
                    label="%s/%s/perf" % (hmix, biggest), nic=True, perf=True)
        for cfg, r in pres.items():
            if "perf_instr_pkt" in r:
                perf[cfg] = r
        if not perf:
            perf_why = "sigwall-bench-pipe could not open the counters (see its output)"
        for r in rows:
            if r["case"] == "mix" and r["mix"] == hmix and r["rules"] == biggest and perf:
                f = perf.get("full", {})
                r["perf_instr_pkt"] = float(f.get("perf_instr_pkt", "nan"))
                r["perf_ipc"] = float(f.get("perf_ipc", "nan"))
                r["perf_llc_miss_pkt"] = float(f.get("perf_llc_miss_pkt", "nan"))
                r["fwd_perf_instr_pkt"] = float(perf.get("forward", {}).get("perf_instr_pkt",
                                                                             "nan"))
    else:
        log("== perf counters: not measured: %s" % perf_why)
    mach["perf"] = "yes" if perf else "no: %s" % perf_why

    # 2. scaling: realistic mix, biggest rule set, 1..N workers (1 is re-measured now)
    smix = "realistic" if "realistic" in mixes else mixes[0]
    for w in range(1, a.workers + 1):
        log("== scaling: mix %s, rules %s, %d worker(s)" % (smix, biggest, w))
        res = pipe(a.build, mixp[smix][0], rules.get(biggest), site, w, runs, packets, secs,
                   stages=False, label="%s/%s/%d" % (smix, biggest, w))
        rows.append(row_of("scaling", smix, biggest, res, "full", tsh[smix], None))
    # 3. continuous reloads every 100 ms (runs of 2 s, 1 s with --quick: ~100 publications per
    # case at 5 runs); the realistic
    # mix for the goal, the attack mix too because its drops show any verdict that changes
    if biggest in rules:
        for m in [smix] + (["attack"] if "attack" in mixes and smix != "attack" else []):
            log("== reloads every 100 ms: mix %s, rules %s, 1 worker" % (m, biggest))
            res = pipe(a.build, mixp[m][0], rules[biggest], site, 1, runs, packets * 10,
                       1.0 if a.quick else 2.0, stages=False, reload_ms=100,
                       label="%s/%s/reload" % (m, biggest))
            rows.append(row_of("reload", m, biggest, res, "reload", tsh[m], None, 100))
    else:
        log("== reloads: skipped (no rule set compiled)")

    os.makedirs(a.out, exist_ok=True)
    stamp = datetime.datetime.utcnow().strftime("%Y%m%d-%H%M")
    tsv = os.path.join(a.out, "run-%s.tsv" % stamp)
    with open(tsv, "w") as f:
        for k, v in mach.items():
            f.write("# %s\t%s\n" % (k, v))
        f.write("# command\tbench/run.sh %s\n" % " ".join(sys.argv[3:]))
        f.write("# runs\t%d per configuration, each %d packets or %g s per worker (medians)\n"
                % (runs, packets, secs))
        f.write("# wall_s\t%.0f\n" % (time.monotonic() - t_start))
        f.write("\t".join(COLS) + "\n")
        for r in rows:
            f.write("\t".join(fmt(r.get(c)) for c in COLS) + "\n")
    log("")
    log("%-8s %-9s %-9s %2s %7s %7s %7s %6s %6s %6s %8s %8s %8s %6s %5s %5s %6s %6s" % (
        "case", "mix", "rules", "w", "Mpps/c", "best", "MMSU/c", "%fwd", "%nic", "ns/p", "p99",
        "p999", "best p99", "cache", "c10G", "c100G", "xtshk", "xnaive"))

    def lat(ns):
        return ">1.6ms" if ns >= 1.6e6 else ("%.1fus" % (ns / 1e3))

    for r in rows:
        nic = "%5.1f%%" % (100 * r["ratio_nicfwd"]) if r.get("ratio_nicfwd") else "    NA"
        log("%-8s %-9s %-9s %2s %7.2f %7.2f %7.2f %5.1f%% %6s %6.0f %8s %8s %8s %6s %5s %5s %6s %6s"
            % (r["case"], r["mix"], r["rules"], r["workers"], r["mpps_core"],
               r["best_mpps_core"], r["mmsus_core"],
               100 * (r["ratio_fwd"] or 0), nic, r["ns_pkt"], lat(r["p99_ns"]), lat(r["p999_ns"]),
               lat(r["best_p99_ns"]),
            fmt(r["cache_hit_pct"]), fmt(r["cores10"]), fmt(r["cores100"]),
            fmt(r.get("ratio_tshark")), fmt(r.get("ratio_naive"))))
    log("results: %s" % tsv)
    if not a.no_plot:
        p = sh([PY, os.path.join(ROOT, "bench", "plot.py"), tsv])
        log(p.stdout.strip())
        # the trend across every run in the results directory (bench/trend.py)
        p = sh([PY, os.path.join(ROOT, "bench", "trend.py"), os.path.dirname(tsv)])
        log(p.stdout.strip().splitlines()[-1] if p.stdout.strip() else "trend: no output")
    log("wall time %.0f s" % (time.monotonic() - t_start))
    headline(rows, biggest, perf, perf_why)


def headline(rows, biggest, perf, perf_why):
    """The figures the goals are judged on, printed last (bench/README.md, run.sh)."""
    goal = [r for r in rows if r["case"] == "mix" and r["mix"] == "realistic"
            and r["rules"] == biggest]
    sc = [r for r in rows if r["case"] == "scaling"]
    rl = [r for r in rows if r["case"] == "reload"]
    rl.sort(key=lambda r: r["mix"] != "realistic")
    log("")
    log("headline figures (1 worker unless said; medians of the runs):")
    if goal:
        g = goal[0]
        log("goal >= 10 Mpps/core (realistic, %s): %.2f Mpps/core, %.0f ns/packet -> %s" % (
            biggest, g["mpps_core"], g["ns_pkt"],
            "met" if g["mpps_core"] >= 10 else "NOT met"))
        log("goal >= 60%% of forward-only: %.1f%% of net_ring forward-only (%.1f Mpps/core) -> %s"
            % (100 * g["ratio_fwd"], g["fwd_mpps_core"] or 0,
               "met" if g["ratio_fwd"] >= 0.6 else "NOT met"))
        if g.get("ratio_nicfwd"):
            log("goal >= 60%% of forward-only, NIC-realistic: full path %.2f Mpps/core = %.1f%% of "
                "forward-only with driver handling (%.2f Mpps/core, %.0f ns/packet) -> %s"
                % (g["nicfull_mpps_core"], 100 * g["ratio_nicfwd"], g["nicfwd_mpps_core"],
                   g["nicfwd_ns_pkt"], "met" if g["ratio_nicfwd"] >= 0.6 else "NOT met"))
        if g.get("ratio_tshark"):
            log("goal >= 100x tshark: %.0fx -> %s" % (
                g["ratio_tshark"], "met" if g["ratio_tshark"] >= 100 else "NOT met"))
        else:
            log("goal >= 100x tshark: not measured (tshark absent)")
        log("goal p99 <= 10 us: %.0f ns -> %s" % (
            g["p99_ns"], "met" if g["p99_ns"] <= 10000 else "NOT met"))
        if perf:
            parts = []
            for cfg in ("forward", "nicfwd", "full", "nicfull"):
                r = perf.get(cfg)
                if r:
                    parts.append("%s %s instructions, IPC %s, %s LLC misses" % (
                        cfg, r["perf_instr_pkt"], r["perf_ipc"], r["perf_llc_miss_pkt"]))
            log("perf per packet (beside %.0f ns/packet): %s" % (g["ns_pkt"],
                                                                     "; ".join(parts)))
        else:
            log("perf per packet: not measured: %s" % perf_why)
    else:
        log("goal >= 10 Mpps/core: not measured (the realistic mix was not run)")
    if len(sc) > 1:
        eff = sc[-1]["mpps_total"] / (len(sc) * sc[0]["mpps_total"])
        log("goal linear scaling: %d workers give %.2fx of 1 worker (%.0f%% efficiency) -> %s" % (
            len(sc), sc[-1]["mpps_total"] / sc[0]["mpps_total"], 100 * eff,
            "met" if eff >= 0.9 else "NOT met"))
    for r in rl:
        log("goal reloads every 100 ms with zero loss (%s): %s reloads, %s failed, %s images "
            "refused, dropped packet share %.4f vs %.4f steady, p99 %.0f ns (%s x steady); "
            "image pick-up stalls the worker %.0f us (max %.0f us): %.0f packets arrive "
            "meanwhile at the steady rate, RX ring %d -> %s"
            % (r["mix"], r["reloads"], r["reload_failed"], r["images_refused"], r["drop_share"],
               float(r["drop_share_steady"]), r["p99_ns"], fmt(r.get("p99_reload_vs_steady")),
               r["pickup_mean_us"], r["pickup_max_us"], r["rx_backlog_pkts"], RX_RING,
               "met" if r["reload_lost"] == 0 else "NOT met"))


if __name__ == "__main__":
    main()
