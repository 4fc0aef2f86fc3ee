#!/usr/bin/python3
"""Stage 5 of scripts/demo.sh: the appliance on DPDK virtual devices.

sigwall-control compiles the shipped policy and publishes it in shared memory; sigwall-dataplane
runs inline between two net_pcap ports that replay the two sides of the generated capture in a
loop (outside: the partners' frames, inside: the home network's); in the middle of the run the
operator reloads a changed rule set (the whole policy switched to monitor: drops become alerts)
with `sigwallctl reload`; at the end the script prints what was allowed, dropped and alerted per
rule before and after the reload, the reload's timing, events and metrics.

usage: demo_appliance.py BUILD CAPTURE OUTDIR [SECONDS]
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

build, capture, out = sys.argv[1], sys.argv[2], sys.argv[3]
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 6.0
src = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(src, "tests", "integration"))
import dptest  # noqa: E402

CONTROL = os.path.join(build, "control", "daemon", "sigwall-control")
DATAPLANE = os.path.join(build, "dataplane", "app", "sigwall-dataplane")
CTL = os.path.join(build, "control", "sigwallctl")
RULES = os.path.join(src, "patterns", "default.conf")
SITE = os.path.join(src, "patterns", "site.example.conf")
INSTANCE = "demo"
METRICS = "127.0.0.1:9717"


def ctl(*args):
    return subprocess.run([CTL, "--instance", INSTANCE] + list(args), capture_output=True,
                          text=True, timeout=60)


def stats():
    p = ctl("stats", "--json")
    return json.loads(p.stdout) if p.returncode == 0 else None


def rule_hits(st):
    if not st:
        return {}
    hits = {r["rule"]: r["hits"] for r in st.get("rules", [])}
    hits["(default)"] = st.get("total", {}).get("default", 0)
    return hits


def main():
    for b in (CONTROL, DATAPLANE, CTL):
        if not os.access(b, os.X_OK):
            print("the appliance is not built here (%s missing); skipping stage 5" % b)
            return 0
    os.makedirs(out, exist_ok=True)
    rundir = os.path.join(out, "run")
    os.makedirs(rundir, exist_ok=True)
    os.environ["SIGWALL_RUNDIR"] = rundir
    records, _ = dptest.pcap_read(capture)
    sides = ([], [])
    for rec in records:
        sides[dptest.side_of(rec[2])].append(rec[2])
    dptest.pcap_write(os.path.join(out, "outside.pcap"), sides[0])
    dptest.pcap_write(os.path.join(out, "inside.pcap"), sides[1])
    # The reloaded rule set: the same files with the whole policy in monitor state.
    v2 = os.path.join(out, "rules-v2")
    shutil.rmtree(v2, ignore_errors=True)
    shutil.copytree(os.path.join(src, "patterns"), v2)
    p2 = os.path.join(v2, "default.conf")
    text = open(p2).read()
    open(p2, "w").write(re.sub(r"monitor = false;", "monitor = true;", text, count=1))

    events = os.path.join(out, "events.jsonl")
    for f in (events, os.path.join(out, "dropped.pcap")):
        if os.path.exists(f):
            os.unlink(f)
    procs = []
    try:
        clog = open(os.path.join(out, "control.log"), "w")
        control = subprocess.Popen([CONTROL, "--instance", INSTANCE, "--rules", RULES, "--site",
                                    SITE, "--foreground", "--events", events, "--events-pcap",
                                    os.path.join(out, "dropped.pcap"), "--metrics", METRICS],
                                   stdout=clog, stderr=subprocess.STDOUT)
        procs.append(control)
        for _ in range(200):
            if ctl("status").returncode == 0:
                break
            if control.poll() is not None:
                print(open(os.path.join(out, "control.log")).read())
                return 1
            time.sleep(0.05)
        print("sigwall-control: instance %s" % INSTANCE)
        print("  " + "\n  ".join(ctl("status").stdout.strip().splitlines()[:4]))
        vdevs = ["net_pcap0,rx_pcap=%s,infinite_rx=1" % os.path.join(out, "outside.pcap"),
                 "net_pcap1,rx_pcap=%s,infinite_rx=1" % os.path.join(out, "inside.pcap")]
        cmd = [DATAPLANE, "-l", "0-1", "--no-huge", "-m", "256", "--no-pci", "--file-prefix",
               "sw-demo", "--log-level", "lib.eal:error"]
        for v in vdevs:
            cmd += ["--vdev", v]
        # The capture replays in a loop, so its TSNs repeat: SCTP repair, which tracks TSNs per
        # association, is off here (--no-repair); tests/e2e shows repair between real SCTP peers.
        cmd += ["--", "--mode", "inline", "--ports", "0:1", "--instance", INSTANCE, "--no-repair"]
        print("\nsigwall-dataplane: inline between net_pcap0 (outside, %d frames) and net_pcap1 "
              "(inside, %d frames), replayed in a loop (TSNs repeat, so SCTP repair is off: "
              "--no-repair)" % (len(sides[0]), len(sides[1])))
        dp = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(dp)
        time.sleep(seconds / 2)
        before = stats()
        print("\nreload: the same rules with the whole policy in monitor state (drops -> alerts)")
        r = ctl("reload", "--rules", p2, "--site", SITE)
        print("  $ sigwallctl reload --rules %s --site %s" % (os.path.relpath(p2, src),
                                                              os.path.relpath(SITE, src)))
        print("  " + r.stdout.strip().replace("\n", "\n  "))
        if r.returncode != 0:
            print(r.stderr)
        at_reload = stats()
        time.sleep(seconds / 2)
        after = stats()
        dp.send_signal(signal.SIGINT)
        dpout, _ = dp.communicate(timeout=60)
        print("\nsigwall-dataplane final counters:")
        for line in dpout.splitlines():
            if re.search(r"^(total|sigwall-dataplane)", line.strip()):
                print("  " + line.strip())
        h0, h1, h2 = rule_hits(before), rule_hits(at_reload), rule_hits(after)
        print("\nper rule: MSUs judged by generation 1 (shipped policy) and generation 2 (monitor)")
        print("  %-40s %14s %14s" % ("rule", "generation 1", "generation 2"))
        for name in h2:
            g1 = h1.get(name, 0)
            g2 = h2.get(name, 0) - g1
            if g1 or g2:
                print("  %-40s %14d %14d" % (name, g1, g2))
        t1, t2 = at_reload.get("total", {}), after.get("total", {})
        for k in ("msus", "allowed", "dropped", "alerted", "malformed"):
            print("  %-40s %14d %14d" % ("total " + k, t1.get(k, 0), t2.get(k, 0) - t1.get(k, 0)))
        time.sleep(0.5)
        acts = {}
        first = []
        if os.path.exists(events):
            for line in open(events):
                e = json.loads(line)
                if "action" in e:
                    acts[(e.get("generation"), e["action"])] = acts.get(
                        (e.get("generation"), e["action"]), 0) + 1
                    if len(first) < 2 and e["action"] == "drop":
                        first.append(line.strip())
        print("\nevents (%s): %s" % (os.path.relpath(events, src), ", ".join(
            "generation %s %s %d" % (g, a, n) for (g, a), n in sorted(acts.items()))))
        for line in first:
            print("  " + line[:300])
        try:
            m = urllib.request.urlopen("http://%s/metrics" % METRICS, timeout=5).read().decode()
            print("\nmetrics (http://%s/metrics), a few lines:" % METRICS)
            for line in m.splitlines():
                if re.match(r"sigwall_(reloads|active_generation|last_reload|msus_total)", line):
                    print("  " + line)
        except OSError as e:
            print("metrics: %s" % e)
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        subprocess.run([CONTROL, "--instance", INSTANCE, "--cleanup"], capture_output=True)
        shutil.rmtree("/var/run/dpdk/sw-demo", ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
