#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Rate limiting with two workers (issue 18 D6), under a rule `rate-limit` 2,000/s (burst 1,000)
keyed by OPC, every MSU from the same OPC:

1. rate-workers: two struct sw_worker (the dataplane's lib_dpapp) driven by two threads through
   sw_worker_burst, sharing the rate-limit table as sigwall-dataplane's workers do, on the
   traffic's clock (10,000 MSU/s offered for 3 s). The admitted rate must be the configured one
   within 5%: admitted = burst + rate x duration. Per-worker tables admitted twice it.
2. sigwall-dataplane with two workers, --no-huge, one net_pcap port with two RX queues looping
   captures forever, for DURATION s of real time: the admitted count must not exceed
   burst + rate x run time (+5%). On a shared, loaded machine the workers may not run all the
   time, so only this bound is checked there; the rate it reached is printed.

--selfcheck runs part 1 with --per-worker (each worker its own table: the old behaviour) and
must fail on the rate check (the should_fail test); any other failure exits 0 so it cannot pass
for the wrong reason.
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import *  # noqa: E402,F403

RATE, BURST, DURATION = 2000, 1000, 6.0
OFFERED, VSECS = 10000, 3.0

RULES_TEXT = """policy = { name = "rate-2w"; default = "allow"; malformed = "allow"; };
rules = (
  { name = "sccp-per-opc"; id = 1; si = 3; action = "rate-limit";
    rate = { rate = %d; burst = %d; key = "opc"; }; }
);
""" % (RATE, BURST)

selfcheck = "--selfcheck" in sys.argv
RATE_WORKERS = tool("SW_RATE_WORKERS", "tests/rate/rate-workers")


def broken(msg):
    """A failure that is not the rate check: the self-check (should_fail) must not pass on it."""
    if selfcheck:
        print("SELFCHECK BROKEN (exits 0 so that the should_fail test fails): " + msg)
        sys.exit(0)
    fail(msg)


require_dataplane()
if not have(ITEST) or not have(RATE_WORKERS):
    skip("sw-itest or rate-workers is not built")
env = Env("rate2w")
try:
    rules = env.path("rules.conf")
    with open(rules, "w") as f:
        f.write(RULES_TEXT)
    # One capture per queue, different associations, the same OPC (map_msu's default 100).
    for q in range(2):
        pcap_write(env.path("q%d.pcap" % q), small_capture(400, seed=7 + q))

    # ---- 1. two workers on the traffic's clock: the admitted rate
    cmd = [RATE_WORKERS, rules, SITE, env.path("q0.pcap"), str(RATE), str(BURST), str(OFFERED),
           str(VSECS)] + (["--per-worker"] if selfcheck else [])
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=180)
    print(p.stdout.strip())
    if p.returncode == 77:
        skip(p.stdout.strip())
    if p.returncode == 1 and "FAIL: admitted rate" in p.stdout:
        fail("two workers sharing the table: the admitted rate is off (above)")
    if p.returncode != 0:
        broken("rate-workers exited %d: %s" % (p.returncode, p.stderr.strip()))
    if selfcheck:
        broken("per-worker tables passed the rate check")

    # ---- 2. sigwall-dataplane, two workers, real time: never above the rate
    probe_dpdk(env)
    itest("publish", env.instance, rules, SITE, 1)
    vdev = "net_pcap0,rx_pcap=%s,rx_pcap=%s,infinite_rx=1" % (env.path("q0.pcap"), env.path("q1.pcap"))
    dp = start_dataplane(env, [vdev], ["--mode", "monitor", "--ports", "0", "--no-events"],
                         lcores=None)
    # The EAL takes seconds to start on a loaded machine: DURATION s from the start line
    # (printed once SIGINT stops the dataplane cleanly).
    head = []
    for line in dp.stdout:
        head.append(line)
        if " mode, " in line and "worker(s)" in line:
            break
    time.sleep(DURATION)
    dp.send_signal(signal.SIGINT)
    try:
        out, err = dp.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        dp.kill()
        out, err = dp.communicate()
        fail("sigwall-dataplane did not stop on SIGINT")
    out = "".join(head) + out
    if dp.returncode != 0:
        if "initialisation failed" in err:
            skip("DPDK cannot start here: " + err.strip().splitlines()[-1])
        fail("sigwall-dataplane exited %d\n%s\n%s" % (dp.returncode, out, err))
    secs = None
    for line in out.splitlines():
        if "stopped after" in line:
            secs = float(line.split("stopped after")[1].split()[0])
    if secs is None:
        fail("no run time in the dataplane's output:\n" + out)
    c = counters(out)
    w = [counters(out, "worker %d" % i) for i in range(2)]
    admitted, limited = c["rl_admitted"], c["rate_limited"]
    bound = BURST + RATE * secs
    print("sigwall-dataplane, 2 workers, %.3f s: %d MSUs (worker 0: %d, worker 1: %d), admitted %d "
          "(bound %d), over the rate %d: %.1f/s for %d/s configured (ratio %.4f), rl busy %d"
          % (secs, c["msus"], w[0]["msus"], w[1]["msus"], admitted, bound, limited,
             (admitted - BURST) / secs, RATE, (admitted - BURST) / secs / RATE, c["rl_busy"]))
    if w[0]["msus"] == 0 or w[1]["msus"] == 0:
        fail("a worker judged nothing: the test needs both")
    if admitted > bound * 1.05:
        fail("two workers admitted %d, more than burst + rate x time = %d" % (admitted, bound))
    print("PASS")
finally:
    env.cleanup()
