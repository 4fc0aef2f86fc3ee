#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Live image publication while traffic flows (monitor mode, net_pcap infinite_rx):
 - generations alternate between the shipped rules (odd: drop) and the same rules with every
   drop turned into alert (even); every event names the generation that judged it and its
   action must be the one of that generation: no MSU is judged by a mix of two images, and the
   verdict cache does not leak verdicts across generations;
 - an image with a wrong ABI version is refused with a log line and the previous one stays;
 - the dataplane started before any image runs under the default action, then picks one up."""
import re
import threading
import time

from dptest import *

require_dataplane()
require_policy_tools()
env = Env("reload")
proc = None
try:
    probe_dpdk(env)
    frames, labels, pc = gen_capture(env, 1500, seed=31, attack_share="0.2")
    # frames that are pieces of a reassembled message: a later copy of one (the capture loops)
    # keeps the verdict its message got, maybe under an earlier, dropping generation
    # (dataplane/reasm: SW_REASM_KNOWN)
    piece_bytes = {frames[i].hex()[:2 * 256] for i in reasm_pieces(pc)[1]}
    split_sides(env, frames)
    # the alert-only twin: every file of the rule set (with its @includes) with "drop" -> "alert"
    alt_dir = env.path("alert")
    os.mkdir(alt_dir)
    rdir = os.path.dirname(os.path.abspath(RULES))
    changed = 0
    for f in os.listdir(rdir):
        if f.endswith(".conf"):
            text = open(os.path.join(rdir, f)).read()
            alt = re.sub(r'"drop"', '"alert"', text)
            changed += alt != text
            open(os.path.join(alt_dir, f), "w").write(alt)
    if changed == 0:
        skip("cannot derive an alert-only rule set from %s (no \"drop\" in it)" % RULES)
    rules_b = os.path.join(alt_dir, os.path.basename(RULES))

    # start before any image: default action
    proc = start_dataplane(env, two_port_vdevs(env, "rl", infinite=True),
                           ["--mode", "monitor", "--ports", "0:1"])
    evs, stop = [], threading.Event()

    def drain():
        while not stop.is_set():
            evs.extend(events(env))
            time.sleep(0.02)
        evs.extend(events(env))

    time.sleep(1.0)
    if proc.poll() is not None:
        out, err = proc.communicate()
        fail("dataplane exited early (%d): %s" % (proc.returncode, err))
    t = threading.Thread(target=drain)
    t.start()
    n = 20
    itest("reload-loop", env.instance, SITE, 1, n, 100, RULES, rules_b, timeout=120)
    # a bad image (ABI mismatch) must be refused; the last good one (generation n) stays
    itest("publish", env.instance, RULES, SITE, n + 1, "--bad-abi")
    time.sleep(0.5)
    itest("publish", env.instance, RULES, SITE, n + 2)
    time.sleep(0.5)
    # control re-creates the image object (another slot count): the dataplane re-attaches by
    # name and picks up the generation published in the new object
    r = itest("publish", env.instance, RULES, SITE, n + 3, "--slots", 2)
    if "created" not in r.stdout:
        fail("sw-itest did not re-create the image object: " + r.stdout)
    time.sleep(0.6)
    proc.send_signal(2)
    out, err = proc.communicate(timeout=60)
    stop.set()
    t.join()
    if proc.returncode != 0:
        fail("dataplane exited %d: %s" % (proc.returncode, err))
    c = counters(out)
    print(out.strip().splitlines()[-4:])
    if "refused image generation %d" % (n + 1) not in err:
        fail("no log line about the refused generation %d; stderr:\n%s" % (n + 1, err))
    print([l for l in err.splitlines() if "refused" in l][0])
    if c["images_refused"] < 1:
        fail("images_refused is 0")
    if c["generation"] != n + 3:
        fail("final generation %d, expected %d (the re-created object's)" % (c["generation"], n + 3))
    if out.count("attached /sigwall.") != 2:
        fail("expected two 'attached' lines (first object, re-created object):\n" + out)
    if c["allowed"] + c["dropped"] + c["alerted"] != c["msus"]:
        fail("allowed + dropped + alerted != msus")
    gens = {}
    bad = 0
    for e in evs:
        g = e["generation"]
        gens[g] = gens.get(g, 0) + 1
        if g == n + 1:
            fail("an MSU was judged by the refused generation %d" % g)
        if g == 0:
            continue  # default action before the first image
        if g > n + 3:
            fail("event with unknown generation %d" % g)
        even = g % 2 == 0 and g <= n
        if even and e["action"] == 1 and e["pkt"][:2 * 256] in piece_bytes:
            continue
        if even and e["action"] == 1:
            bad += 1
            if bad <= 3:
                print("generation %d (alert-only rules) dropped: %s" % (g, e))
    if bad:
        fail("%d MSUs dropped by an alert-only generation" % bad)
    odd_drops = sum(1 for e in evs if e["generation"] % 2 == 1 and e["action"] == 1)
    even_alerts = sum(1 for e in evs if e["generation"] % 2 == 0 and 0 < e["generation"] <= n and e["action"] == 2)
    seen = sorted(g for g in gens if g)
    print("events per generation: %s" % {g: gens[g] for g in sorted(gens)})
    print("drops under drop generations %d, alerts under alert generations %d, lost %d"
          % (odd_drops, even_alerts, c["events_lost"]))
    # Events are the evidence, and a loaded machine's drain falls behind a line-rate event ring
    # (a CI run at load 17 lost 87,696 events and saw 4 of generations 1-20, judged correctly):
    # the test needs a few generations of each kind, the consistency check above is the point.
    looped = [g for g in seen if 1 <= g <= n]
    if len(looped) < 4 or not any(g % 2 for g in looped) or all(g % 2 for g in looped):
        fail("traffic was judged by only %d of the %d reloaded generations (%s; %d events lost)"
             % (len(looped), n, looped, c["events_lost"]))
    if odd_drops == 0 or even_alerts == 0:
        fail("no drops or no alerts observed: the test could not tell generations apart")
    print("PASS: %d generations judged traffic, every event consistent with its generation, "
          "bad image refused, re-created object re-attached, generation %d active at the end"
          % (len(seen), n + 3))
finally:
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.communicate()
    env.cleanup()
