#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Issue 12 Deliver 4 and 5 with the real sigwall-dataplane inline (net_pcap replaying sigwall-gen
traffic: four associations, INIT from the home side, 30% attacks judged by the shipped policy) and
sigwall-control with an events file, sigwallctl for the figures:

 1. per-association stats: after an inline run with repair, `sigwallctl assoc --json` lists the
    four associations (vtag pair, addresses, ports); their chunks_removed add up to the
    enforcer's chunks_removed counter (> 0), and each one's TSN offset equals its removals;
 2. repair_fallback events: the same traffic without its INIT/INIT-ACK frames (the dataplane
    never saw the associations begin: state lost), with the site's link "ipx-a" holding two of
    the four remote peers and `--repair-fail closed --repair-fail-link ipx-a=open`: every
    blocked chunk takes its class's fallback (unknown_blocked: passed on ipx-a, neutralized on
    the others), and control's events file holds repair_fallback records naming the
    association, the reason, the fallback and the class, the link's associations "passed", the
    others "neutralized"; their counts never exceed the counter.

Skips (77) when the dataplane, control, sigwallctl or sigwall-gen is not built or DPDK cannot
start here."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import *  # noqa: E402,F401,F403

CONTROL = tool("SW_CONTROL", "control/daemon/sigwall-control")
IPX = ("192.0.2.10", "192.0.2.11")  # remote peers of link ipx-a (sigwall-gen's 192.0.2.10-13)


def ctl(env, *args, check=True):
    p = subprocess.run([CTL, "--instance", env.instance] + list(args), capture_output=True,
                       text=True, timeout=60)
    if check and p.returncode != 0:
        fail("sigwallctl %s: %s%s" % (" ".join(args), p.stdout, p.stderr))
    return p


def start_control(env, site):
    log = open(env.path("control.log"), "a")
    p = subprocess.Popen([CONTROL, "--instance", env.instance, "--rules", RULES, "--site", site,
                          "--foreground", "--events", env.path("events.json"),
                          "--reload-timeout", "10000"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if p.poll() is not None:
            fail("sigwall-control exited %d:\n%s" % (p.returncode,
                                                     open(env.path("control.log")).read()))
        if ctl(env, "status", check=False).returncode == 0:
            return p
        time.sleep(0.05)
    fail("sigwall-control did not come up")


def enforce_counters(stdout):
    return counters(stdout, "worker 0 enforce")


def site_with_links(env):
    """The example site with a links section: ipx-a (two remote peers), the rest outside."""
    text = open(SITE).read()
    end = text.rindex("};")
    links = ('\tlinks = (\n\t\t{ name = "ipx-a"; side = "outside"; peers = [ "%s/32", "%s/32" ]; },\n'
             '\t\t{ name = "ipx-b"; side = "outside"; peers = [ "192.0.2.12/31" ]; }\n\t);\n' % IPX)
    path = env.path("site.conf")
    open(path, "w").write(text[:end] + links + text[end:])
    return path


def run(env, procs):
    frames, _, _ = gen_capture(env, 1500, seed=7, attack_share="0.3")
    site = site_with_links(env)
    procs["control"] = start_control(env, site)

    # ---- 1. per-association stats (Deliver 5)
    # The two ports replay their captures independently: the INIT-ACKs (port A's side) must not
    # overtake the INITs (port B's side), or no association is learned. Non-IP frames (ARP,
    # passed) ahead of port A's capture hold it back by more than the INITs' position in B's
    # (the worker reads at most one burst of 32 per port in turn).
    idx = split_sides(env, frames)
    last_init = max(k for k, i in enumerate(idx[1])
                    if sctp_walk(frames[i]) and sctp_walk(frames[i])["chunks"][0][0] == 1)
    arp = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x09" + b"\x08\x06" + b"\x00" * 46
    pcap_write(env.path("inA.pcap"), [arp] * (last_init + 96) + [frames[i] for i in idx[0]])
    p = run_dataplane(env, two_port_vdevs(env, "rep"),
                      ["--mode", "inline", "--ports", "0:1", "--exit-on-idle", "1500"])
    ec = enforce_counters(p.stdout)
    if ec.get("chunks_removed", 0) == 0:
        fail("no chunk removed: the test traffic has no drops\n" + p.stdout)
    j = json.loads(ctl(env, "assoc", "--json").stdout)
    assocs = [a for w in j["workers"] for a in w["assocs"]]
    tracked = sum(w["tracked"] for w in j["workers"])
    print("sigwallctl assoc: %d associations (%d tracked)" % (len(assocs), tracked))
    print(ctl(env, "assoc").stdout.strip())
    if len(assocs) != 4 or tracked != 4:
        fail("expected the 4 associations of the capture, got %d (%d tracked)" %
             (len(assocs), tracked))
    removed = sum(sum(a["chunks_removed"]) for a in assocs)
    print("sum of per-association chunks_removed %d, enforcer chunks_removed %d" %
          (removed, ec["chunks_removed"]))
    if removed != ec["chunks_removed"]:
        fail("per-association chunks_removed %d != the enforcer's %d" %
             (removed, ec["chunks_removed"]))
    for a in assocs:
        if a["inside"]["port"] == 0 or a["outside"]["vtag"] == 0 or a["inside"]["vtag"] == 0:
            fail("association without ports or tags: %s" % a)
        if not a["outside"]["ip"].startswith("192.0.2.") or not a["up"]:
            fail("unexpected association: %s" % a)
        if a["tsn_offset"] != a["chunks_removed"]:
            fail("TSN offset %s != chunks removed %s (no retransmissions in a replay)" %
                 (a["tsn_offset"], a["chunks_removed"]))
    if sum(a["sacks_generated"] for a in assocs) != ec.get("sack_generated", 0):
        fail("per-association sacks_generated do not add up to sack_generated %d" %
             ec.get("sack_generated", 0))

    # ---- 2. fallbacks and their events (Deliver 4): no handshake seen
    cut = [f for f in frames
           if sctp_walk(f) is None or not sctp_walk(f)["chunks"] or
           sctp_walk(f)["chunks"][0][0] not in (1, 2)]
    if len(cut) != len(frames) - 8:
        fail("expected 4 INIT and 4 INIT-ACK frames, removed %d" % (len(frames) - len(cut)))
    split_sides(env, cut)
    time.sleep(1.5)  # control drains run 1's records first
    skip_lines = len(open(env.path("events.json")).readlines())
    p = run_dataplane(env, two_port_vdevs(env, "fb"),
                      ["--mode", "inline", "--ports", "0:1", "--exit-on-idle", "1500",
                       "--repair-fail", "closed", "--repair-fail-link", "ipx-a=open"])
    ec = enforce_counters(p.stdout)
    print("enforcer: unknown_blocked %d failopen_passed %d neutralized %d fallback_events %d" %
          (ec["unknown_blocked"], ec["failopen_passed"], ec["neutralized"],
           ec["fallback_events"]))
    if ec.get("chunks_removed", 0) != 0 or ec.get("unknown_blocked", 0) == 0:
        fail("without the handshakes nothing can be removed: %s" % ec)
    if ec.get("failopen_passed", 0) == 0 or ec.get("neutralized", 0) == 0 or \
            ec["failopen_passed"] + ec["neutralized"] != ec["unknown_blocked"]:
        fail("each blocked chunk takes its class's fallback: %s" % ec)
    recs = []
    deadline = time.time() + 10
    while time.time() < deadline:
        recs = []
        for line in open(env.path("events.json")).readlines()[skip_lines:]:
            r = json.loads(line)
            if r.get("event_type") == "state" and r["state"].get("event") == "repair_fallback":
                recs.append(r)
        if len(recs) >= ec["fallback_events"]:
            break
        time.sleep(0.2)
    print("events.json: %d repair_fallback records, e.g. %s" %
          (len(recs), json.dumps(recs[0]) if recs else "none"))
    if len(recs) != ec["fallback_events"]:
        fail("%d repair_fallback records in control's events file, the dataplane raised %d" %
             (len(recs), ec["fallback_events"]))
    total = 0
    for r in recs:
        s = r["state"]
        ip = s["assoc"]["outside"]["ip"]
        want = ("ipx-a", "passed") if ip in IPX else ("default", "neutralized")
        if (s["class"], s["fallback"]) != want or s["reason"] != "unknown_blocked":
            fail("record %s: want class/fallback %s, reason unknown_blocked" % (s, want))
        if s["tracked"] or s["count"] < 1 or s["assoc"]["inside"]["port"] == 0:
            fail("record %s" % s)
        total += s["count"]
    classes = {(r["state"]["class"], r["state"]["fallback"]) for r in recs}
    if len(classes) != 2:
        fail("expected records of both classes, got %s" % classes)
    if total > ec["unknown_blocked"]:
        fail("records stand for %d fallbacks, the counter says %d" %
             (total, ec["unknown_blocked"]))


def main():
    require_dataplane()
    require_policy_tools()
    if not have(CONTROL) or not have(CTL):
        skip("sigwall-control or sigwallctl is not built")
    env = Env("repair")
    procs = {}
    os.environ["SIGWALL_RUNDIR"] = env.dir
    try:
        probe_dpdk(env)
        run(env, procs)
    finally:
        for p in procs.values():
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        subprocess.run([CONTROL, "--instance", env.instance, "--cleanup"], capture_output=True)
        env.cleanup()
    print("PASS")


main()
