#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Inline, shipped policy: replay a labelled sigwall-gen capture through net_pcap (remote side
into port A, home side into port B) and check that each output holds exactly the allowed MSUs,
unchanged and in order per association:
  1. --no-repair: byte-exact. Every frame without a dropped MSU leaves untouched; a frame with
     one leaves with exactly that DATA chunk taken out (IP length, IPv4 checksum and CRC32c
     valid); a frame left without chunks is gone; IP fragments are judged as the datagram they
     form (the generated ones carry an attack each: nothing leaves for them).
  2. with repair (when the enforce library is built): the same MSU payloads in the same order
     per association and stream (TSN/SSN renumbered, SACKs generated: not compared byte-wise).
"""
import collections

from dptest import *

require_dataplane()
require_policy_tools()
env = Env("inline")
try:
    probe_dpdk(env)
    frames, labels, _ = gen_capture(env, 3000, seed=11)
    idx = split_sides(env, frames)
    itest("publish", env.instance, RULES, SITE, 1)

    def expected(side):
        """[(input index, expected frame or chunk list, changed?)] for one side."""
        out = []
        for i in idx[side]:
            f = frames[i]
            if is_fragment(f):
                continue  # malformed (ip_fragment): the shipped policy drops it
            w = sctp_walk(f)
            if w is None:
                out.append((i, f, False))
                continue
            keep, k, dropped = [], 0, False
            for (t, o, ln) in w["chunks"]:
                if t == 0:
                    lab = labels.get((i, k))
                    k += 1
                    if lab is not None and lab["expect"] == "drop":
                        dropped = True
                        continue
                keep.append(f[o:o + ln])
            if not keep:
                continue
            out.append((i, keep if dropped else f, dropped))
        return out

    def chunk_bytes(f):
        w = sctp_walk(f)
        return [f[o:o + ln] for (t, o, ln) in w["chunks"]]

    # ---- 1. no repair: byte-exact
    p = run_dataplane(env, two_port_vdevs(env, "nr"), ["--mode", "inline", "--ports", "0:1",
                                                       "--no-repair", "--exit-on-idle", "700"])
    c = counters(p.stdout)
    print(p.stdout.strip().splitlines()[-3] if p.stdout else "")
    for side, outname in ((0, "outB-nr.pcap"), (1, "outA-nr.pcap")):
        got = [f for _, _, f in pcap_read(env.path(outname))[0]]
        exp = expected(side)
        if len(got) != len(exp):
            # find the first divergence for the message
            for j in range(min(len(got), len(exp))):
                e = exp[j]
                if (e[2] and chunk_bytes(got[j]) != e[1]) or (not e[2] and got[j] != e[1]):
                    break
            else:
                j = min(len(got), len(exp))
            i = exp[j][0] if j < len(exp) else -1
            labs = [labels.get((i, k)) for k in range(4) if (i, k) in labels]
            fail("side %s: %d frames out, %d expected; first difference at output frame %d "
                 "(input frame %d, labels %s)" % ("AB"[side], len(got), len(exp), j, i + 1, labs))
        changed = 0
        for g, (i, e, dropped) in zip(got, exp):
            if dropped:
                changed += 1
                if chunk_bytes(g) != e:
                    fail("input frame %d: chunks after removal differ" % (i + 1))
                if not crc_ok(g) or not ipv4_ok(g):
                    fail("input frame %d: CRC32c or IPv4 header wrong after chunk removal" % (i + 1))
            elif g != e:
                labs = [labels.get((i, k)) for k in range(4) if (i, k) in labels]
                fail("input frame %d was changed but nothing in it is to be dropped (labels %s)" % (i + 1, labs))
        print("side %s -> %s: %d frames out as expected, %d shrunk" % ("AB"[side], "BA"[side], len(got), changed))
    # reasm (issue 14 D1): an MSU in IP fragments is judged on the datagram they form, and taken
    # out of it like any other (the gen's fragmented MSUs are attacks alone in their datagram:
    # nothing leaves for them, as expected() says)
    ndrop = sum(1 for (i, k), l in labels.items() if l["expect"] == "drop")
    if c["chunks_removed"] != ndrop:
        fail("chunks_removed %d, %d labelled drops" % (c["chunks_removed"], ndrop))

    # ---- 2. repair on (default): the same MSUs per association and stream, in order
    p = run_dataplane(env, two_port_vdevs(env, "rp"), ["--mode", "inline", "--ports", "0:1",
                                                       "--exit-on-idle", "700"])
    c2 = counters(p.stdout)

    def msus(frames_list, want_keys=None):
        seq = collections.defaultdict(list)
        for f in frames_list:
            d = data_chunks(f)
            if not d:
                continue
            key = assoc_key(f)
            for (_, tsn, sid, ssn, payload) in d:
                # M3UA transfer DATA only: the enforcer may neutralise a blocked chunk into
                # an M3UA BEAT in place, and ASPTM/ASPSM messages are not MSUs
                if payload[2:4] == b"\x01\x01":
                    seq[(key, sid)].append(payload)
        return seq

    for side, outname in ((0, "outB-rp.pcap"), (1, "outA-rp.pcap")):
        got = msus([f for _, _, f in pcap_read(env.path(outname))[0] if side_of(f) == side])
        exp_frames = []
        for (i, e, dropped) in expected(side):
            if dropped:
                w = sctp_walk(frames[i])
                # rebuild a frame-like view: only DATA chunk payloads matter here
                for ch in e:
                    if ch[0] == 0:
                        exp_frames.append((assoc_key(frames[i]), struct.unpack(">H", ch[8:10])[0],
                                           ch[16:struct.unpack(">H", ch[2:4])[0]]))
            else:
                for (_, tsn, sid, ssn, payload) in (data_chunks(e) or []):
                    exp_frames.append((assoc_key(e), sid, payload))
        exp = collections.defaultdict(list)
        for key, sid, payload in exp_frames:
            if payload[2:4] == b"\x01\x01":
                exp[(key, sid)].append(payload)
        if got != exp:
            bad = [k for k in set(got) | set(exp) if got.get(k) != exp.get(k)]
            k = bad[0]
            fail("repair on, side %s: MSU sequence differs on %d streams; e.g. %d MSUs out vs %d expected"
                 % ("AB"[side], len(bad), len(got.get(k, [])), len(exp.get(k, []))))
        print("repair on, side %s: %d streams, %d MSUs, exactly the allowed ones in order"
              % ("AB"[side], len(exp), sum(len(v) for v in exp.values())))
    print("PASS: %d MSUs, %d labelled drops removed" % (c["msus"], ndrop))
finally:
    env.cleanup()
