#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Labelled MAP traffic for the end-to-end peers: run sigwall-gen (roaming profile, shipped site),
take every complete M3UA DATA chunk of the capture with its label, and write one file per side:
    mixA.txt  the remote side's messages (the client in namespace A sends them into port A)
    mixB.txt  the home side's messages (the server in namespace B sends them into port B)
one line per message: 'allow HEX' or 'drop HEX' (the verdict the shipped policy must give).
usage: mkmix.py OUTDIR MSUS SEED ATTACK_SHARE   (SW_BUILD: the build directory)"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import Env, gen_capture, is_fragment, sctp_walk, side_of  # noqa: E402

out, msus, seed, share = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
env = Env("e2emix")
try:
    frames, labels, _ = gen_capture(env, msus, seed, attack_share=share)
    files = [open(os.path.join(out, "mixA.txt"), "w"), open(os.path.join(out, "mixB.txt"), "w")]
    n = [[0, 0], [0, 0]]
    for i, f in enumerate(frames):
        if is_fragment(f):
            continue
        w = sctp_walk(f)
        if w is None:
            continue
        k = 0
        for (t, o, ln) in w["chunks"]:
            if t != 0:
                continue
            lab = labels.get((i, k))
            k += 1
            if ln <= 24 or (f[o + 1] & 3) != 3 or f[o + 12:o + 16] != b"\0\0\0\3":
                continue
            if f[o + 18] != 1 or f[o + 19] != 1:
                continue  # M3UA management (ASPUP, ...): the peers do their own
            drop = lab is not None and lab["expect"] == "drop"
            side = side_of(f)
            files[side].write("%s %s\n" % ("drop" if drop else "allow", f[o + 16:o + ln].hex()))
            n[side][drop] += 1
    for fl in files:
        fl.close()
    print("mix: side A %d allowed %d blocked, side B %d allowed %d blocked" %
          (n[0][0], n[0][1], n[1][0], n[1][1]))
finally:
    env.cleanup()
