#!/usr/bin/python3
"""Stage 5 of scripts/demo.sh: the appliance on DPDK virtual devices.

sigwall-control compiles the shipped policy and publishes it in shared memory; sigwall-dataplane
runs inline between two net_pcap ports that replay the two sides of the generated capture in a
loop (outside: the partners' frames, inside: the home network's); in the middle of the run the
operator reloads a changed rule set (the whole policy switched to monitor: drops become alerts)
with `sigwallctl reload`; at the end the script prints what was allowed, dropped and alerted per
rule by generation 1 and by generation 2, the reload's timing, events and metrics.

net_pcap's infinite_rx keeps every frame of its capture in the mbuf pool for the whole run, so
the dataplane's pool is sized from the capture (--mbufs: frames of both sides plus the queues'
share).

Exit status: 0 when both generations judged MSUs, generation 1 dropped some and generation 2
alerted on some (the reload took effect); 1 otherwise, with the reason on the last line.

usage: demo_appliance.py BUILD CAPTURE OUTDIR [SECONDS]
  SW_DEMO_INSTANCE, SW_DEMO_METRICS (ADDR:PORT), SW_DEMO_PREFIX override the instance name,
  the metrics address and the DPDK file prefix (tests run the demo beside a live one).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
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
INSTANCE = os.environ.get("SW_DEMO_INSTANCE", "demo")
METRICS = os.environ.get("SW_DEMO_METRICS", "127.0.0.1:9717")
PREFIX = os.environ.get("SW_DEMO_PREFIX", "sw-demo")
# The pool's share for the queues on top of the preloaded frames: the dataplane's own minimum
# for 1 worker x 2 ports (2 x (1024 RX + 1024 TX + 2 bursts) + 1024) and the per-lcore caches.
QUEUE_MBUFS = 8192


class Failed(Exception):
    pass


def ctl(*args):
    return subprocess.run([CTL, "--instance", INSTANCE] + list(args), capture_output=True,
                          text=True, timeout=60)


def stats():
    p = ctl("stats", "--json")
    if p.returncode != 0:
        raise Failed("sigwallctl stats failed: %s" % (p.stderr.strip() or p.stdout.strip()))
    return json.loads(p.stdout)


def rule_hits(st):
    hits = {r["rule"]: r["hits"] for r in st.get("rules", [])}
    hits["(default)"] = st.get("total", {}).get("default", 0)
    return hits


class Reader(threading.Thread):
    """Collects the dataplane's output lines as they come (its pipe never fills up)."""

    def __init__(self, proc):
        super().__init__(daemon=True)
        self.proc = proc
        self.lines = []

    def run(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def text(self):
        return "\n".join(self.lines)


def wait_for(what, cond, timeout, proc=None, reader=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        if proc is not None and proc.poll() is not None:
            time.sleep(0.2)
            raise Failed("%s: the process exited (status %d) first:\n%s" %
                         (what, proc.returncode, reader.text() if reader else ""))
        time.sleep(0.05)
    raise Failed("%s: not within %.0f s" % (what, timeout))


def run(procs):
    for b in (CONTROL, DATAPLANE, CTL):
        if not os.access(b, os.X_OK):
            raise Failed("%s is not built" % b)
    os.makedirs(out, exist_ok=True)
    rundir = os.path.join(out, "run")
    os.makedirs(rundir, exist_ok=True)
    os.environ["SIGWALL_RUNDIR"] = rundir
    records, _ = dptest.pcap_read(capture)
    sides = ([], [])
    for rec in records:
        sides[dptest.side_of(rec[2])].append(rec[2])
    if not sides[0] or not sides[1]:
        raise Failed("the capture has %d outside and %d inside frames; inline needs both" %
                     (len(sides[0]), len(sides[1])))
    dptest.pcap_write(os.path.join(out, "outside.pcap"), sides[0])
    dptest.pcap_write(os.path.join(out, "inside.pcap"), sides[1])
    # The reloaded rule set: the same files with the whole policy in monitor state.
    v2 = os.path.join(out, "rules-v2")
    shutil.rmtree(v2, ignore_errors=True)
    shutil.copytree(os.path.join(src, "patterns"), v2)
    p2 = os.path.join(v2, "default.conf")
    text = open(p2).read()
    text2 = re.sub(r"monitor = false;", "monitor = true;", text, count=1)
    if text2 == text:
        raise Failed("%s has no 'monitor = false;' to switch for the reload" % RULES)
    open(p2, "w").write(text2)

    events = os.path.join(out, "events.jsonl")
    for f in (events, os.path.join(out, "dropped.pcap")):
        if os.path.exists(f):
            os.unlink(f)
    clog_path = os.path.join(out, "control.log")
    clog = open(clog_path, "w")
    control = subprocess.Popen([CONTROL, "--instance", INSTANCE, "--rules", RULES, "--site",
                                SITE, "--foreground", "--events", events, "--events-pcap",
                                os.path.join(out, "dropped.pcap"), "--metrics", METRICS],
                               stdout=clog, stderr=subprocess.STDOUT)
    procs.append(control)
    try:
        wait_for("sigwall-control answering on its socket", lambda: ctl("status").returncode == 0,
                 15, control)
    except Failed as e:
        raise Failed("%s\n%s" % (e, open(clog_path).read()))
    print("sigwall-control: instance %s" % INSTANCE)
    print("  " + "\n  ".join(ctl("status").stdout.strip().splitlines()[:4]))

    nframes = len(sides[0]) + len(sides[1])
    mbufs = nframes + QUEUE_MBUFS
    vdevs = ["net_pcap0,rx_pcap=%s,infinite_rx=1" % os.path.join(out, "outside.pcap"),
             "net_pcap1,rx_pcap=%s,infinite_rx=1" % os.path.join(out, "inside.pcap")]
    cmd = [DATAPLANE, "-l", "0-1", "--no-huge", "-m", "256", "--no-pci", "--file-prefix",
           PREFIX, "--log-level", "lib.eal:error"]
    for v in vdevs:
        cmd += ["--vdev", v]
    # The capture replays in a loop, so its TSNs repeat: SCTP repair, which tracks TSNs per
    # association, is off here (--no-repair); tests/e2e shows repair between real SCTP peers.
    cmd += ["--", "--mode", "inline", "--ports", "0:1", "--instance", INSTANCE, "--no-repair",
            "--mbufs", str(mbufs)]
    print("\nsigwall-dataplane: inline between net_pcap0 (outside, %d frames) and net_pcap1 "
          "(inside, %d frames), replayed in a loop (TSNs repeat, so SCTP repair is off: "
          "--no-repair); mbuf pool %d (--mbufs: the %d preloaded frames + %d for the queues)"
          % (len(sides[0]), len(sides[1]), mbufs, nframes, QUEUE_MBUFS))
    dp = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    procs.append(dp)
    rd = Reader(dp)
    rd.start()
    wait_for("sigwall-dataplane started", lambda: any("worker(s), ports" in ln for ln in rd.lines),
             60, dp, rd)
    wait_for("the workers judging MSUs", lambda: stats()["total"]["msus"] > 0, 20, dp, rd)
    time.sleep(seconds / 2)
    print("\nreload: the same rules with the whole policy in monitor state (drops -> alerts)")
    r = ctl("reload", "--rules", p2, "--site", SITE)
    print("  $ sigwallctl reload --rules %s --site %s" % (os.path.relpath(p2, src),
                                                          os.path.relpath(SITE, src)))
    print("  " + r.stdout.strip().replace("\n", "\n  "))
    if r.returncode != 0:
        raise Failed("sigwallctl reload exited %d: %s" % (r.returncode, r.stderr.strip()))
    # The reload returned once every worker runs generation 2: what was counted up to here is
    # generation 1's (give or take the few bursts judged between the pick-up and this read).
    at_reload = stats()
    time.sleep(seconds / 2)
    after = stats()
    if dp.poll() is not None:
        raise Failed("sigwall-dataplane exited (status %d) during the run:\n%s" %
                     (dp.returncode, rd.text()))
    dp.send_signal(signal.SIGINT)
    dp.wait(timeout=60)
    rd.join(timeout=10)
    print("\nsigwall-dataplane final counters (exit status %d):" % dp.returncode)
    for line in rd.lines:
        if re.search(r"^(total|sigwall-dataplane)", line.strip()):
            print("  " + line.strip()[:160])
    if dp.returncode != 0:
        raise Failed("sigwall-dataplane exited %d:\n%s" % (dp.returncode, rd.text()))

    h1, h2 = rule_hits(at_reload), rule_hits(after)
    print("\nper rule: MSUs judged by generation 1 (shipped policy) and generation 2 (monitor)")
    print("  %-42s %14s %14s" % ("rule", "generation 1", "generation 2"))
    for name in h2:
        g1 = h1.get(name, 0)
        g2 = h2.get(name, 0) - g1
        if g1 or g2:
            print("  %-42s %14d %14d" % (name, g1, g2))
    t1, t2 = at_reload["total"], after["total"]
    tot = {}
    for k in ("msus", "allowed", "dropped", "alerted", "malformed"):
        tot[k] = (t1.get(k, 0), t2.get(k, 0) - t1.get(k, 0))
        print("  %-42s %14d %14d" % ("total " + k, tot[k][0], tot[k][1]))

    time.sleep(0.5)
    acts = {}
    first = []
    if os.path.exists(events):
        for line in open(events):
            e = json.loads(line)
            t = e["event_type"]
            if t in ("drop", "alert", "malformed"):
                n = e["malformed"]["count"] if t == "malformed" else 1
                acts[(e.get("generation"), t)] = acts.get((e.get("generation"), t), 0) + n
                if len(first) < 2 and t == "drop":
                    first.append(line.strip())
    print("\nevents (%s): %s" % (os.path.relpath(events, src), ", ".join(
        "generation %s %s %d" % (g, a, n) for (g, a), n in sorted(acts.items(), key=str))
        or "none"))
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

    if tot["msus"][0] == 0 or tot["msus"][1] == 0:
        raise Failed("generation 1 judged %d MSUs, generation 2 judged %d: the appliance saw "
                     "no traffic" % tot["msus"])
    if tot["dropped"][0] == 0:
        raise Failed("generation 1 (the shipped policy) dropped nothing")
    if tot["alerted"][1] == 0:
        raise Failed("generation 2 (monitor) alerted on nothing: the reload did not take")
    print("\nstage 5: generation 1 judged %d MSUs (%d dropped), generation 2 judged %d MSUs "
          "(%d alerted)" % (tot["msus"][0], tot["dropped"][0], tot["msus"][1],
                            tot["alerted"][1]))


def main():
    procs = []
    try:
        run(procs)
        return 0
    except (Failed, json.JSONDecodeError, KeyError, subprocess.TimeoutExpired) as e:
        print("\nstage 5 FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        subprocess.run([CONTROL, "--instance", INSTANCE, "--cleanup"], capture_output=True)
        shutil.rmtree("/var/run/dpdk/" + PREFIX, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
