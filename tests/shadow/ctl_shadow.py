#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Shadow policy through sigwall-control and sigwallctl (issue 18 D7), with sigwall-dataplane
inline on net_pcap virtual devices (--no-huge, --no-repair, pid-based instance and prefix):

  A generated mix (MAP invokes of 8 operations, calling parties in the site's 4 partners' GT
  ranges or in none). The expected effect of the candidate is computed independently of the
  dataplane: `sigwallctl inspect --json --rules` of the same capture with each rule set, MSU by
  MSU (action changed, to drop / to pass, by which candidate rule, the calling party's partner
  by longest GT prefix of the site file).

  errors: promote and drop with no shadow (exit 1), a candidate that does not compile (exit 2,
          file:line, the active generation and the shadow there was untouched).
  run 0:  the active policy alone.
  run 1:  `sigwallctl reload --shadow` the candidate: the output is byte-identical to run 0's
          (the candidate takes no action); `sigwallctl shadow diff --json` equals the expected
          changes in total, to drop, to pass, per candidate rule and per partner, with example
          events of the changed MSUs; the counts are in `stats --json` and the metrics.
  promote under traffic: the capture loops; `shadow promote` while it flows; afterwards every
          packet received was sent or emptied by removed chunks (none lost), the candidate's
          rules dropped under its generation only, and the shadow is gone.
  run 2:  the promoted policy drops exactly what inspect says the candidate drops.
--selfcheck publishes the active rules as the shadow while expecting the candidate's changes:
the diff must then be wrong and the test fails (registered should_fail)."""
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "control"))
from dptest import *  # noqa: E402,F403
from test_dp_control import ctl, start_control  # noqa: E402 (control with --events)

CONTROL = tool("SW_CONTROL", "control/daemon/sigwall-control")

ACTIVE = """policy = { name = "active"; default = "allow"; malformed = "allow"; };
rules = (
  { name = "no-ati"; id = 71; opcode = 71; action = "drop"; },
  { name = "no-ul-from-fr"; id = 2; opcode = 2; cgpa_in = "partner:PartnerFR"; action = "drop"; }
);
"""
# drops sendRoutingInfoForSM from everyone and updateLocation from PartnerDE; no longer drops
# updateLocation from PartnerFR (those pass by its default)
CANDIDATE = """policy = { name = "candidate"; default = "allow"; malformed = "allow"; };
rules = (
  { name = "no-ati"; id = 71; opcode = 71; action = "drop"; },
  { name = "no-sri-sm"; id = 45; opcode = 45; action = "drop"; },
  { name = "no-ul-from-de"; id = 3; opcode = 2; cgpa_in = "partner:PartnerDE"; action = "drop"; }
);
"""
BROKEN = """policy = { name = "broken"; default = "allow"; };
rules = (
  { name = "bad"; opcode = 999999; action = "drop"; }
);
"""
# The partners of patterns/site.example.conf (name, GT prefixes): the calling parties' networks.
PARTNERS = [("PartnerFR", ["336090"]), ("PartnerDE", ["491720"]), ("PartnerKE", ["2547220"]),
            ("PartnerGB", ["447785"])]
NOBODY = "4179"  # a GT range no partner has

selfcheck = "--selfcheck" in sys.argv


def partner_of(gt):
    best = None
    for name, pfx in PARTNERS:
        for p in pfx:
            if gt.startswith(p) and (best is None or len(p) > best[1]):
                best = (name, len(p))
    return best[0] if best else None


def mix_capture(n_msus, seed):
    """Frames A->B of two associations, one or two MAP invokes per packet."""
    r = random.Random(seed)
    ops = [2, 56, 45, 71, 70, 46, 22, 59]
    ranges = [p[1][0] for p in PARTNERS] + [NOBODY]
    frames, tsn, ssn, i = [], {0: 1000, 1: 5000}, {0: 0, 1: 0}, 0
    while i < n_msus:
        a = r.randrange(2)
        chunks = []
        for _ in range(2 if i % 5 == 4 and i + 1 < n_msus else 1):
            pfx = r.choice(ranges)
            cgpa = pfx + "".join(r.choice("0123456789") for _ in range(11 - len(pfx)))
            msu = map_msu(r.choice(ops), cgpa, "2782%07d" % r.randrange(10 ** 7),
                          "20801%010d" % r.randrange(10 ** 10), 0x1000 + i)
            chunks.append(data_chunk(tsn[a], 1, ssn[a], msu))
            tsn[a] += 1
            ssn[a] = (ssn[a] + 1) & 0xffff
            i += 1
        frames.append(sctp_frame(bytes([10, 0, a, 1]), bytes([10, 1, a, 1]), 2905, 2905,
                                 0x22220000 + a, chunks))
    return frames


def inspect_verdicts(pcap, rules):
    """[(key, action, rule, cgpa)] of every MSU, by sigwallctl inspect with rules."""
    p = subprocess.run([CTL, "inspect", "--json", "--rules", rules, "--site", SITE, pcap],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    out = []
    for line in p.stdout.splitlines():
        if not line.startswith("{"):
            continue
        j = json.loads(line)
        if "verdict" not in j or j["verdict"] is None:
            continue
        cg = ((j.get("sccp") or {}).get("cgpa") or {}).get("digits") or ""
        out.append(((j["frame"], j["chunk"]), j["verdict"]["action"], j["verdict"]["rule"], cg))
    if not out:
        fail("sigwallctl inspect --rules %s judged no MSU: %s" % (rules, p.stderr))
    return out


def expected_diff(pcap, active, cand):
    va, vc = inspect_verdicts(pcap, active), inspect_verdicts(pcap, cand)
    if [k for k, _, _, _ in va] != [k for k, _, _, _ in vc]:
        fail("inspect judged other MSUs with each rule set")
    e = dict(msus=len(vc), changed=0, to_drop=0, to_pass=0, rules={}, partners={}, no_partner=0,
             drops_active=sum(a == "drop" for _, a, _, _ in va),
             drops_cand=sum(a == "drop" for _, a, _, _ in vc))
    for (k, aa, _, cg), (_, ac, rc, _) in zip(va, vc):
        if aa == ac:
            continue
        e["changed"] += 1
        e["to_drop"] += ac == "drop"
        e["to_pass"] += aa == "drop"
        e["rules"][rc] = e["rules"].get(rc, 0) + 1
        p = partner_of(cg)
        if p is None:
            e["no_partner"] += 1
        else:
            e["partners"][p] = e["partners"].get(p, 0) + 1
    return e


def run_finite(env, tag):
    p = run_dataplane(env, two_port_vdevs(env, tag),
                      ["--mode", "inline", "--ports", "0:1", "--no-repair", "--exit-on-idle", "1500"])
    return counters(p.stdout), [f for _, _, f in pcap_read(env.path("outB-%s.pcap" % tag))[0]]


def check_errors(env):
    for cmd in ("promote", "drop"):
        p = ctl(env, "shadow", cmd, check=False)
        if p.returncode != 1 or ("no shadow policy to " + cmd) not in p.stderr:
            fail("shadow %s without a shadow: exit %d, %r" % (cmd, p.returncode, p.stderr))
    p = ctl(env, "reload", "--shadow", "--sample", "0", check=False)
    if p.returncode != 2:
        fail("reload --shadow --sample 0 exited %d" % p.returncode)


def check_broken(env, broken):
    """A candidate that does not compile: exit 2, file:line, nothing changes."""
    before = json.loads(ctl(env, "shadow", "diff", "--json").stdout)
    gen = json.loads(ctl(env, "status", "--json").stdout)["generation"]
    p = ctl(env, "reload", "--shadow", "--rules", broken, "--site", SITE, check=False)
    if p.returncode != 2 or (broken + ":3:") not in p.stderr:
        fail("a broken candidate: exit %d, %r (wants 2 and %s:3:)" % (p.returncode, p.stderr, broken))
    after = json.loads(ctl(env, "shadow", "diff", "--json").stdout)
    if json.loads(ctl(env, "status", "--json").stdout)["generation"] != gen or \
            after["shadow_generation"] != before["shadow_generation"]:
        fail("a broken candidate changed the active %d or the shadow %d -> %d"
             % (gen, before["shadow_generation"], after["shadow_generation"]))
    print("broken candidate refused: %s" % p.stderr.strip())


def check_diff(env, e, c1):
    d = json.loads(ctl(env, "shadow", "diff", "--json").stdout)
    got_rules = {r["rule"]: r["changed"] for r in d["rules"]}
    got_partners = {p["partner"]: p["changed"] for p in d["partners"]}
    print("shadow diff: %d MSUs judged, %d changed (%d to drop, %d to pass), rules %s, partners "
          "%s, no partner %d" % (d["msus"], d["changed"], d["to_drop"], d["to_pass"], got_rules,
                                 got_partners, d["no_partner"]))
    print("expected:    %d MSUs, %d changed (%d to drop, %d to pass), rules %s, partners %s, "
          "no partner %d" % (e["msus"], e["changed"], e["to_drop"], e["to_pass"], e["rules"],
                             e["partners"], e["no_partner"]))
    if d["msus"] != c1["msus"]:
        fail("the shadow judged %d of the %d MSUs (sample: all)" % (d["msus"], c1["msus"]))
    if (d["changed"], d["to_drop"], d["to_pass"]) != (e["changed"], e["to_drop"], e["to_pass"]):
        fail("shadow diff totals differ from inspect's")
    if got_rules != e["rules"] or got_partners != e["partners"] or d["no_partner"] != e["no_partner"]:
        fail("shadow diff per rule or per partner differs from inspect's")
    names = set(e["rules"])
    ex = d["examples"]
    if not ex or any(x["state"]["event"] != "shadow_change" or
                     x["state"]["candidate_rule_name"] not in names for x in ex):
        fail("example events: %s" % ex[:2])
    print("%d example events, e.g. %s" % (len(ex), json.dumps(ex[0]["state"])))
    return d


def check_stats(env, d):
    s = json.loads(ctl(env, "stats", "--json").stdout)
    sh = s.get("shadow")
    if sh is None or sh["generation"] != d["shadow_generation"] or sh["changed"] != d["changed"]:
        fail("stats --json shadow section: %s (diff: %d changed)" % (sh, d["changed"]))
    txt = ctl(env, "stats").stdout
    if "shadow generation %d" % d["shadow_generation"] not in txt:
        fail("stats has no shadow line:\n" + txt)


def promote_under_traffic(env, procs, gen_shadow, frames, e, copies=60):
    """The mix `copies` times over (finite, so every frame is accounted for); promote as soon as
    the dataplane judges its first MSUs."""
    pcap_write(env.path("inA.pcap"), frames * copies)
    procs["dp"] = start_dataplane(env, two_port_vdevs(env, "big"),
                                  ["--mode", "inline", "--ports", "0:1", "--no-repair",
                                   "--exit-on-idle", "1500"])
    deadline = time.time() + 60
    while time.time() < deadline:
        st = json.loads(ctl(env, "status", "--json").stdout)
        if st["dataplane_pid"] == procs["dp"].pid:
            msus = json.loads(ctl(env, "stats", "--json").stdout)["total"]["msus"]
            if msus > 0:
                break
        if procs["dp"].poll() is not None:
            fail("the dataplane exited: %s" % procs["dp"].communicate()[1])
        time.sleep(0.002)
    else:
        fail("no traffic through the dataplane")
    p = ctl(env, "shadow", "promote")
    print(p.stdout.strip())
    out, err = procs["dp"].communicate(timeout=300)
    if procs["dp"].returncode != 0:
        fail("dataplane exited %d: %s" % (procs["dp"].returncode, err))
    c = counters(out)
    nout = len(pcap_read(env.path("outA-big.pcap"))[0]) + len(pcap_read(env.path("outB-big.pcap"))[0])
    print("promote under traffic: %d MSUs judged by the dataplane, the first %d before the "
          "promote was asked for; rx %d = tx %d + emptied %d, %d frames out; generation %d"
          % (c["msus"], msus, c["rx_pkts"], c["tx_pkts"], c["pkts_dropped"], nout, c["generation"]))
    if c["generation"] != gen_shadow:
        fail("the dataplane ended on generation %d, not the promoted %d" % (c["generation"], gen_shadow))
    if c["rx_pkts"] != len(frames) * copies or c["tx_pkts"] + c["pkts_dropped"] != c["rx_pkts"] \
            or c["tx_dropped"] != 0 or nout != c["tx_pkts"]:
        fail("packets lost across the promote: %s" % c)
    lo, hi = sorted((e["drops_active"] * copies, e["drops_cand"] * copies))
    if not lo <= c["chunks_removed"] <= hi:
        fail("%d chunks removed, outside the active's %d and the candidate's %d"
             % (c["chunks_removed"], e["drops_active"] * copies, e["drops_cand"] * copies))
    time.sleep(1.5)  # control drains the event rings
    bygen = {}
    for line in open(env.path("events.json")):
        ev = json.loads(line)
        if ev.get("event_type") == "drop" and "rule" in ev:
            bygen.setdefault(ev["rule"].get("name"), set()).add(ev.get("generation"))
    print("drops by rule and generation: %s" % {k: sorted(v) for k, v in bygen.items()})
    for name in ("no-sri-sm", "no-ul-from-de"):
        if bygen.get(name) != {gen_shadow}:
            fail("drops by the candidate's %s under generations %s, not only %d"
                 % (name, bygen.get(name), gen_shadow))
    if bygen.get("no-ul-from-fr") != {1}:
        fail("drops by the active's no-ul-from-fr under generations %s, not only 1 (the promote "
             "did not land in the middle of the traffic?)" % bygen.get("no-ul-from-fr"))
    d = json.loads(ctl(env, "shadow", "diff", "--json").stdout)
    if d["shadow_generation"] != 0:
        fail("a shadow after promote: %s" % d)
    pcap_write(env.path("inA.pcap"), frames)
    return c


def check_sampled(env, active, e):
    """The first rule set back as a shadow of the promoted one, judging 1 MSU in 4: the same MSUs
    change (to drop and to pass swapped). diff counts the sampled MSUs and scales the totals
    ("estimated", and a line in the text) to all traffic: within a quarter of inspect's count.
    Before, the sampled counts were all there was, a quarter of the traffic's without a word."""
    ctl(env, "reload", "--shadow", "--sample", "4", "--rules", active, "--site", SITE)
    c3, _ = run_finite(env, "r3")
    time.sleep(1.5)
    d = json.loads(ctl(env, "shadow", "diff", "--json").stdout)
    txt = ctl(env, "shadow", "diff").stdout
    est = d.get("estimated", {})
    print("sampled 1 in %d: %d of %d MSUs judged, %d changed; estimated %s; inspect: %d changed "
          "(%d to drop, %d to pass)" % (d["sample"], d["msus"], c3["msus"], d["changed"], est,
                                        e["changed"], e["to_drop"], e["to_pass"]))
    if d["sample"] != 4 or abs(d["msus"] * 4 - c3["msus"]) > 4 * 2:
        fail("a 1-in-4 shadow judged %d of %d MSUs" % (d["msus"], c3["msus"]))
    if est.get("changed") != d["changed"] * 4 or est.get("to_drop") != d["to_drop"] * 4 or \
            est.get("to_pass") != d["to_pass"] * 4:
        fail("estimated %s is not the sampled counts times 4: %s" % (est, d))
    if abs(est["changed"] - e["changed"]) > max(e["changed"] // 4, 8):
        fail("estimated %d changed over all traffic, inspect says %d" % (est["changed"], e["changed"]))
    if "the shadow judges 1 MSU in 4: over all traffic, about %d changed" % est["changed"] not in txt:
        fail("shadow diff's text does not say the sampling and the estimate:\n" + txt)
    return c3


def main():
    require_dataplane()
    if not have(CONTROL) or not have(CTL):
        skip("sigwall-control or sigwallctl is not built")
    if not os.path.isfile(SITE):
        skip("%s is missing" % SITE)
    env = Env("ctlshadow")
    os.environ["SIGWALL_RUNDIR"] = env.dir
    procs = {}
    try:
        probe_dpdk(env)
        frames = mix_capture(3000, seed=18)
        pcap_write(env.path("inA.pcap"), frames)
        pcap_write(env.path("inB.pcap"), [])
        active, cand, broken = env.path("active.conf"), env.path("candidate.conf"), env.path("broken.conf")
        open(active, "w").write(ACTIVE)
        open(cand, "w").write(CANDIDATE)
        open(broken, "w").write(BROKEN)
        e = expected_diff(env.path("inA.pcap"), active, cand)
        if e["changed"] == 0 or e["to_pass"] == 0 or len(e["partners"]) < 2:
            fail("the mix does not exercise the candidate: %s" % e)

        start_control(env, procs, active)
        check_errors(env)
        c0, out0 = run_finite(env, "r0")
        if c0["chunks_removed"] != e["drops_active"]:
            fail("run 0 removed %d chunks, inspect drops %d" % (c0["chunks_removed"], e["drops_active"]))

        p = ctl(env, "reload", "--shadow", "--rules", active if selfcheck else cand, "--site", SITE)
        print(p.stdout.strip())
        gen_shadow = json.loads(ctl(env, "shadow", "diff", "--json").stdout)["shadow_generation"]
        check_broken(env, broken)
        c1, out1 = run_finite(env, "r1")
        if out1 != out0 or c1["chunks_removed"] != c0["chunks_removed"]:
            fail("the shadow changed what the dataplane did (%d frames out vs %d, %d removed vs %d)"
                 % (len(out1), len(out0), c1["chunks_removed"], c0["chunks_removed"]))
        time.sleep(1.5)  # control drains the example events
        d = check_diff(env, e, c1)
        check_stats(env, d)

        promote_under_traffic(env, procs, gen_shadow, frames, e)
        c2, _ = run_finite(env, "r2")
        print("run 2 after promote: generation %d, %d chunks removed (inspect: the candidate drops %d)"
              % (c2["generation"], c2["chunks_removed"], e["drops_cand"]))
        if c2["generation"] != gen_shadow or c2["chunks_removed"] != e["drops_cand"]:
            fail("after promote: generation %d, %d removed" % (c2["generation"], c2["chunks_removed"]))
        c3 = check_sampled(env, active, e)
        for c in (c0, c1, c2, c3):
            if c["rx_pkts"] != len(frames) or c["tx_pkts"] + c["pkts_dropped"] != c["rx_pkts"]:
                fail("packets lost: %s" % c)
        print("PASS: shadow diff equals inspect's %d changes, no action taken, promote switched "
              "under traffic with no packet lost" % e["changed"])
    finally:
        for p in procs.values():
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        if os.environ.get("SW_KEEP") == "1" and os.path.exists(env.path("control.log")):
            print(open(env.path("control.log")).read())
        subprocess.run([CONTROL, "--instance", env.instance, "--cleanup"], capture_output=True)
        env.cleanup()


main()
