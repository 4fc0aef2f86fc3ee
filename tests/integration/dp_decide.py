#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Verdicts decided before the MAP/CAP argument is walked (issue 20 D2) in the workers: the same
sigwall-gen capture through sigwall-dataplane (monitor mode, patterns/stateless.conf) by default
and with --walk-all. The verdicts must be the same (counters, and one event per dropped or
alerted MSU with the same frame and action); by default some events carry no IMSI where
--walk-all's do (their arguments were never walked: the workers did decide), and none carries
one that --walk-all's lacks."""
import collections

from dptest import *

require_dataplane()
require_policy_tools()
env = Env("decide")
try:
    probe_dpdk(env)
    frames, labels, _ = gen_capture(env, 2000, seed=29, attack_share="0.15")
    split_sides(env, frames)
    itest("publish", env.instance, RULES, SITE, 1)
    runs = {}
    for name, extra in (("default", []), ("walk-all", ["--walk-all"])):
        p = run_dataplane(env, two_port_vdevs(env, name), ["--mode", "monitor", "--ports", "0:1",
                                                           "--exit-on-idle", "700"] + extra)
        c = counters(p.stdout)
        evs = [e for e in events(env) if e["action"] in (1, 2)]
        if c["events_lost"] != 0:
            fail("%s: %d events lost" % (name, c["events_lost"]))
        by = collections.Counter((e["pkt"], e["action"]) for e in evs)
        imsi = collections.Counter((e["pkt"], e["action"]) for e in evs if e.get("imsi"))
        runs[name] = (c, by, imsi)
        print("%-8s msus %d allowed %d dropped %d alerted %d malformed %d; verdict events %d, "
              "with an IMSI %d" % (name, c["msus"], c["allowed"], c["dropped"], c["alerted"],
                                   c["malformed"], len(evs), sum(imsi.values())))
    (c1, by1, im1), (c2, by2, im2) = runs["default"], runs["walk-all"]
    for k in ("msus", "allowed", "dropped", "alerted"):
        if c1[k] != c2[k]:
            fail("%s: %d by default, %d with --walk-all" % (k, c1[k], c2[k]))
    if by1 != by2:
        fail("the verdict events differ: %d frames/actions only by default, %d only with --walk-all"
             % (sum((by1 - by2).values()), sum((by2 - by1).values())))
    if im1 - im2:
        fail("%d events carry an IMSI by default that --walk-all's lack" % sum((im1 - im2).values()))
    if not (im2 - im1):
        fail("every event carries its IMSI by default: no argument was left unwalked "
             "(the workers decided nothing)")
    if c1["malformed"] > c2["malformed"]:
        fail("more malformations counted by default (%d) than walking all (%d)"
             % (c1["malformed"], c2["malformed"]))
    print("PASS: the same verdicts; %d events without the IMSI their walked argument gives"
          % sum((im2 - im1).values()))
finally:
    env.cleanup()
