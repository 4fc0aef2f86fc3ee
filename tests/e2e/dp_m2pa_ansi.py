#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""M2PA neutralization on an ANSI link through the real sigwall-dataplane inline: the worker tells
the enforcer the link's network variant (the one the judge reads it in), and a blocked M2PA User
Data message neutralized in place keeps its 7-octet ANSI routing label (T1.111.4 2.2: DPC, OPC,
SLS), not the 4 octets of an ITU one (Q.704 2.2.2), which zeroed the OPC's last two octets and
the SLS.

sigwall-gen --m2pa --ansi traffic (30% attacks judged by the shipped policy, the example site with
variant "ansi") without its INIT/INIT-ACK frames, so that no association is tracked and every
blocked message is neutralized (fail-closed), is replayed through --mode inline (IP fragments
joined on both sides, as the dataplane joins them). Every output
M2PA User Data message whose SIO says signalling network testing (SI 1: the generator sends none)
is compared with its input (same ports, tag and TSN): same length, M2PA header (length, BSN,
FSN), priority octet, SIO network indicator and priority bits, the 7 label octets; heading code
and everything after it zero. They must be as many as the enforcer's neutralized counter (> 0).

Skips (77) when the dataplane, sw-itest or sigwall-gen is not built or DPDK cannot start here."""
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import *  # noqa: E402,F401,F403

PPID_M2PA = 5      # RFC 4165
M2PA_HLEN = 16     # RFC 4165 2.1.1, 2.2: common header, BSN, FSN
ANSI_LABEL = 7     # T1.111.4 2.2
SI_SNTM = 1        # Q.704 14.2.1: signalling network testing and maintenance


def ansi_site(env):
    text = open(SITE).read()
    i = text.index("\n\tname = ")
    path = env.path("site-ansi.conf")
    open(path, "w").write(text[:i] + '\n\tvariant = "ansi";' + text[i:])
    return path


def m2pa_chunks(frame):
    """[(key, M2PA message)] of the whole DATA chunks with PPID 5 of a frame."""
    w = sctp_walk(frame)
    out = []
    if w is None:
        return out
    for (t, o, ln) in w["chunks"]:
        if t != 0 or ln < 16 + M2PA_HLEN or (frame[o + 1] & 3) != 3:
            continue
        tsn, _, _, ppid = struct.unpack(">IHHI", frame[o + 4:o + 16])
        if ppid == PPID_M2PA:
            out.append(((w["sport"], w["dport"], w["vtag"], tsn), frame[o + 16:o + ln]))
    return out


def whole(frames):
    """The frames with IP fragments joined (the dataplane joins them to judge and enforce, and
    fragments them again on the way out)."""
    joined, member = ip_defrag(frames)
    return [joined[i] if i in joined else f for i, f in enumerate(frames)
            if i in joined or i not in member]


def run(env):
    site = ansi_site(env)
    pc = env.path("gen.pcap")
    p = subprocess.run([GEN, "--profile", "roaming", "--site", site, "--msus", "1500", "--seed",
                        "23", "-o", pc, "--attack-share", "0.3", "--m2pa", "--ansi"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    if p.returncode != 0:
        fail("sigwall-gen failed: " + p.stderr)
    frames = [f for _, _, f in pcap_read(pc)[0]]
    cut = [f for f in frames
           if sctp_walk(f) is None or not sctp_walk(f)["chunks"] or
           sctp_walk(f)["chunks"][0][0] not in (1, 2)]
    if len(cut) == len(frames):
        fail("the capture has no INIT/INIT-ACK frames to take out")
    inputs = {}
    for f in whole(cut):
        for key, m in m2pa_chunks(f):
            inputs[key] = m
    if not inputs or any(m[3] == 1 and len(m) > M2PA_HLEN + 1 and m[M2PA_HLEN + 1] & 0xf ==
                         SI_SNTM for m in inputs.values()):
        fail("expected M2PA User Data without signalling network testing messages")
    split_sides(env, cut)
    itest("publish", env.instance, RULES, site, 1)
    p = run_dataplane(env, two_port_vdevs(env, "ansi"),
                      ["--mode", "inline", "--ports", "0:1", "--exit-on-idle", "1500"])
    ec = counters(p.stdout, "worker 0 enforce")
    print("enforcer: unknown_blocked %d neutralized %d neutralize_fail %d" %
          (ec.get("unknown_blocked", 0), ec.get("neutralized", 0), ec.get("neutralize_fail", 0)))
    found = 0
    for tag in ("A", "B"):
        for f in whole([f for _, _, f in pcap_read(env.path("out%s-ansi.pcap" % tag))[0]]):
            for key, m in m2pa_chunks(f):
                if m[3] != 1 or len(m) <= M2PA_HLEN + 1 or m[M2PA_HLEN + 1] & 0xf != SI_SNTM:
                    continue
                orig = inputs.get(key)
                if orig is None or len(orig) != len(m):
                    fail("neutralized message %s has no input of its length" % (key,))
                lab = M2PA_HLEN + 2
                if m[:M2PA_HLEN + 1] != orig[:M2PA_HLEN + 1] or \
                        m[M2PA_HLEN + 1] & 0xf0 != orig[M2PA_HLEN + 1] & 0xf0:
                    fail("message %s: M2PA header, priority or SIO changed:\n%s\n%s" %
                         (key, orig[:lab].hex(), m[:lab].hex()))
                if m[lab:lab + ANSI_LABEL] != orig[lab:lab + ANSI_LABEL]:
                    fail("message %s: ANSI routing label damaged: %s -> %s" %
                         (key, orig[lab:lab + ANSI_LABEL].hex(), m[lab:lab + ANSI_LABEL].hex()))
                if any(m[lab + ANSI_LABEL:]):
                    fail("message %s: heading code or content left: %s" %
                         (key, m[lab + ANSI_LABEL:].hex()))
                found += 1
    print("neutralized M2PA messages with their ANSI label kept: %d" % found)
    if found == 0 or found != ec.get("neutralized", 0):
        fail("%d neutralized messages in the output, the enforcer neutralized %d" %
             (found, ec.get("neutralized", 0)))


def main():
    require_dataplane()
    require_policy_tools()
    env = Env("m2paansi")
    try:
        probe_dpdk(env)
        run(env)
    finally:
        env.cleanup()
    print("PASS")


main()
