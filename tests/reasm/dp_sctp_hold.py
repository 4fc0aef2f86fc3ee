#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""reasm (issue 14 D2): SCTP user-message fragments through sigwall-dataplane inline (net_pcap,
shipped stateless policy, --sctp-reasm on). From a labelled sigwall-gen capture, side A (from
outside): a legitimate message and an attack, each cut into three DATA fragments (B, middle, E:
consecutive TSNs, one SSN, RFC 9260 6.9) in packets of their own, the attack's first two
bundled in one packet, and the B fragment of a third message whose other fragments never come.
  - the legitimate fragments leave unchanged and in order (held until the message was judged);
  - no octet of the attack after its M3UA header leaves (its fragments neutralized: zeros);
  - the stalled message fails after SW_SCTP_HOLD_NS as sctp_reasm_stalled (counted once, with
    the shipped policy's malformed verdict: its fragment leaves neutralized), sctphold stalled 1;
  - with --sctp-reasm off every fragment is sctp_data_fragment (none leaves as it came).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import *  # noqa: E402,F403


def frag(tsn, sid, ssn, flags, payload):
    return struct.pack(">BBHIHHI", 0, flags, 16 + len(payload), tsn, sid, ssn, 3) + payload


def cut3(m):
    a, b = len(m) // 3, 2 * len(m) // 3
    return [(2, m[:a]), (0, m[a:b]), (1, m[b:])]


def main():
    require_dataplane()
    require_policy_tools()
    env = Env("fraghold")
    try:
        probe_dpdk(env)
        frames, labels, _ = gen_capture(env, 400, seed=23, attack_share="0.3")
        legit, attack = None, None
        for i, f in enumerate(frames):
            if side_of(f) != 0 or is_fragment(f):
                continue
            w = sctp_walk(f)
            if w is None or len(w["chunks"]) != 1 or w["chunks"][0][0] != 0:
                continue
            lab = labels.get((i, 0))
            t, o, ln = w["chunks"][0]
            if lab is None or lab.get("pending") or ln < 100 or (f[o + 1] & 3) != 3:
                continue
            if lab["expect"] == "allow" and legit is None:
                legit = (f, f[o + 16:o + ln])
            if lab["expect"] == "drop" and attack is None:
                attack = (f, f[o + 16:o + ln])
        if legit is None or attack is None:
            fail("the capture has no single-chunk legit and attack message of 100+ octets")
        src, dst = legit[0][26:30], legit[0][30:34]
        sport, dport, vtag = struct.unpack(">HHI", legit[0][34:42])
        tsn = 7000
        seq, legit_out = [], []
        for (fl, part) in cut3(legit[1]):
            c = frag(tsn, 1, 5, fl, part)
            tsn += 1
            seq.append(sctp_frame(src, dst, sport, dport, vtag, [c]))
            legit_out.append(c)
        ap = cut3(attack[1])
        ac = [frag(tsn + k, 2, 9, fl, part) for k, (fl, part) in enumerate(ap)]
        tsn += 3
        seq.append(sctp_frame(src, dst, sport, dport, vtag, ac[:2]))
        seq.append(sctp_frame(src, dst, sport, dport, vtag, ac[2:]))
        stall = frag(tsn, 3, 1, 2, legit[1][:len(legit[1]) // 2])
        seq.append(sctp_frame(src, dst, sport, dport, vtag, [stall]))
        pcap_write(env.path("inA.pcap"), seq)
        pcap_write(env.path("inB.pcap"), [])
        itest("publish", env.instance, RULES, SITE, 1)
        res = {}
        for mode in ("on", "off"):
            p = run_dataplane(env, two_port_vdevs(env, mode),
                              ["--mode", "inline", "--ports", "0:1", "--sctp-reasm", mode,
                               "--exit-on-idle", "1800"])
            out = [f for _, _, f in pcap_read(env.path("outB-%s.pcap" % mode))[0]]
            chunks = [f[o:o + ln] for f in out for (t, o, ln) in (sctp_walk(f) or {"chunks": []})["chunks"]
                      if t == 0]
            res[mode] = (p.stdout, chunks)
            print(mode, [l for l in p.stdout.splitlines() if "sctphold" in l or l.startswith("malformed")])
        stdout, chunks = res["on"]
        got = [c for c in chunks if c in legit_out]
        if got != legit_out:
            fail("on: the legitimate fragments left as %d of 3 (in order: %s)" % (len(got), got == legit_out[:len(got)]))
        for c in chunks:
            tsn_c = struct.unpack(">I", c[4:8])[0]
            if tsn_c in (7003, 7004, 7005):
                body = c[16 + 12:] if c[1] & 2 else c[16:]
                if any(body):
                    fail("on: attack fragment TSN %d left with content" % tsn_c)
        mal = {}
        for line in stdout.splitlines():
            if line.startswith("malformed "):
                for part in line.split(", "):
                    _, name, n = part.split()
                    mal[name] = int(n)
        if mal.get("sctp_reasm_stalled", 0) != 1:
            fail("on: sctp_reasm_stalled %d, want 1 (%s)" % (mal.get("sctp_reasm_stalled", 0), mal))
        hold = [l for l in stdout.splitlines() if l.startswith("worker 0 sctphold")]
        if not hold or " stalled 1 " not in hold[0] or " lost 0" not in hold[0]:
            fail("on: %s" % hold)
        stalled = [c for c in chunks if struct.unpack(">I", c[4:8])[0] == 7006]
        if stalled and any(stalled[0][16 + 12:]):
            fail("on: the stalled message's fragment left with content (malformed is drop)")
        _, off_chunks = res["off"]
        if any(c in legit_out for c in off_chunks):
            fail("off: a legitimate fragment left as it came: the test cannot tell on from off")
        print("PASS: legit fragments held and released in order, attack neutralized, "
              "stalled message failed as sctp_reasm_stalled")
    finally:
        env.cleanup()


if __name__ == "__main__":
    main()
