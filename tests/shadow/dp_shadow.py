#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Shadow policy (issue 18 D7) on sigwall-dataplane (inline, net_pcap, --no-huge, --no-repair):

  run 0: the active policy alone (drop ATI, opcode 71).
  run 1: the same traffic with a candidate published as shadow (sw-itest shadow-publish) that
         also drops sendRoutingInfoForSM (opcode 45). The output must be byte-identical to run 0
         (the candidate takes no action), and the shadow counters must count exactly the
         opcode-45 MSUs of the capture as changed, all to drop, all under the candidate's rule.
  run 2: after `shadow-promote` the candidate is the active image (its generation): its drops
         are run 0's plus exactly those MSUs, and every packet received is either sent or
         dropped because nothing was left in it (none lost).
--selfcheck publishes a candidate identical to the active policy: the diff count must then be
wrong, so the test fails (the should_fail self-check)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import *  # noqa: E402,F403

ACTIVE = """policy = { name = "active"; default = "allow"; malformed = "allow"; };
rules = (
  { name = "no-ati"; id = 71; opcode = 71; action = "drop"; }
);
"""
CANDIDATE = """policy = { name = "candidate"; default = "allow"; malformed = "allow"; };
rules = (
  { name = "no-ati"; id = 71; opcode = 71; action = "drop"; },
  { name = "no-sri-sm"; id = 45; opcode = 45; action = "drop"; }
);
"""
selfcheck = "--selfcheck" in sys.argv

require_dataplane()
if not have(ITEST) or not have(CTL):
    skip("sw-itest or sigwallctl is not built")
env = Env("shadow")


def wellformed_opcodes(pcap):
    """Opcodes of the well-formed MSUs of the capture, by `sigwallctl inspect --json` (the
    decoder the workers run; small_capture's MAP parameter is not valid for every operation)."""
    p = subprocess.run([CTL, "inspect", "--json", pcap], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=120)
    ops = []
    for line in p.stdout.splitlines():
        if not line.startswith("{"):
            continue
        j = json.loads(line)
        if j.get("error") or not j.get("tcap"):
            continue
        ops += [c.get("opcode") for c in j["tcap"].get("components", []) if c.get("type") == "invoke"]
    if not ops:
        fail("sigwallctl inspect found no MSU: " + p.stderr)
    return ops


def run(tag):
    p = run_dataplane(env, ["net_pcap0,rx_pcap=%s,tx_pcap=%s" % (env.path("inA.pcap"), env.path("outA-%s.pcap" % tag)),
                            "net_pcap1,rx_pcap=%s,tx_pcap=%s" % (env.path("inB.pcap"), env.path("outB-%s.pcap" % tag))],
                      ["--mode", "inline", "--ports", "0:1", "--no-repair", "--exit-on-idle", "1500"])
    return counters(p.stdout), [f for _, _, f in pcap_read(env.path("outB-%s.pcap" % tag))[0]]


try:
    probe_dpdk(env)
    frames = small_capture(3000, seed=5)
    pcap_write(env.path("inA.pcap"), frames)
    pcap_write(env.path("inB.pcap"), [])
    ops = wellformed_opcodes(env.path("inA.pcap"))
    n45, n71 = ops.count(45), ops.count(71)
    active, cand = env.path("active.conf"), env.path("candidate.conf")
    open(active, "w").write(ACTIVE)
    open(cand, "w").write(ACTIVE.replace('"active"', '"candidate"') if selfcheck else CANDIDATE)
    itest("publish", env.instance, active, SITE, 1)

    c0, out0 = run("r0")
    if c0["chunks_removed"] != n71:
        fail("run 0: %d chunks removed, %d ATI in the capture" % (c0["chunks_removed"], n71))

    events(env)  # drain run 0's records: the ring holds 1,024
    itest("shadow-publish", env.instance, cand, SITE, 2)
    c1, out1 = run("r1")
    diff = json.loads(itest("shadow-diff", env.instance).stdout)
    print("run 0: %d MSUs, %d removed; run 1 with the shadow: %d removed, shadow %s"
          % (c0["msus"], c0["chunks_removed"], c1["chunks_removed"], json.dumps(diff)))
    if out1 != out0 or c1["chunks_removed"] != c0["chunks_removed"]:
        fail("the shadow changed what the dataplane did (%d frames out vs %d)" % (len(out1), len(out0)))
    if c1["shadow_msus"] != c1["msus"]:
        fail("the shadow judged %d of %d MSUs (sample: all)" % (c1["shadow_msus"], c1["msus"]))
    if diff["changed"] != n45 or diff["to_drop"] != n45 or diff["rules"].get("no-sri-sm") != n45:
        fail("shadow diff: %d changed (%d to drop, %s by no-sri-sm), the capture has %d "
             "sendRoutingInfoForSM" % (diff["changed"], diff["to_drop"], diff["rules"].get("no-sri-sm"), n45))
    allev = events(env)
    evs = [e for e in allev if e.get("kind") == 5]
    print("events in the ring: %d, of which shadow examples %d (kinds %s)"
          % (len(allev), len(evs), sorted(set(e.get("kind") for e in allev))))
    if not evs or any(e["action"] != 1 or e["opcode"] != 45 for e in evs):
        fail("expected shadow example events (candidate action drop, opcode 45): %s" % evs[:3])

    itest("shadow-promote", env.instance)
    c2, out2 = run("r2")
    print("run 2 after promote: generation %d, %d removed (run 0 %d + %d), rx %d = tx %d + dropped %d"
          % (c2["generation"], c2["chunks_removed"], c0["chunks_removed"], n45, c2["rx_pkts"],
             c2["tx_pkts"], c2["pkts_dropped"]))
    if c2["generation"] != 2:
        fail("run 2 ran generation %d, not the promoted 2" % c2["generation"])
    if c2["chunks_removed"] != c0["chunks_removed"] + n45:
        fail("after promote %d chunks removed, expected %d" % (c2["chunks_removed"], c0["chunks_removed"] + n45))
    for c in (c0, c1, c2):
        if c["rx_pkts"] != len(frames) or c["tx_pkts"] + c["pkts_dropped"] != c["rx_pkts"]:
            fail("packets lost: rx %d (of %d), tx %d, dropped whole %d"
                 % (c["rx_pkts"], len(frames), c["tx_pkts"], c["pkts_dropped"]))
    print("PASS: the shadow counted %d changes, took no action, and promote made them" % n45)
finally:
    env.cleanup()
