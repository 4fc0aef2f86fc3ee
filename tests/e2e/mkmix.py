#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Labelled MAP traffic for the end-to-end peers: run sigwall-gen (roaming profile, shipped site),
take every complete M3UA DATA chunk of the capture with its label, and write one file per side:
    mixA.txt  the remote side's messages (the client in namespace A sends them into port A)
    mixB.txt  the home side's messages (the server in namespace B sends them into port B)
one line per message: 'allow HEX' or 'drop HEX' (the verdict the shipped policy must give), or
'maybe HEX G' for a piece of segmented attack G (any may pass or be neutralized, never all).
usage: mkmix.py OUTDIR MSUS SEED ATTACK_SHARE [runs]   (SW_BUILD: the build directory)
'runs': side A's messages are rearranged into attack bursts (runs of up to 40 blocked messages
between runs of allowed ones, ending with blocked ones), issue 12's stall pattern: the sender's
window fills with removed chunks that only the appliance can acknowledge."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import Env, gen_capture, is_fragment, sctp_walk, side_of  # noqa: E402

out, msus, seed, share = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
runs = len(sys.argv) > 5 and sys.argv[5] == "runs"
env = Env("e2emix")
try:
    frames, labels, _ = gen_capture(env, msus, seed, attack_share=share)
    lines = [[], []]
    n = [[0, 0], [0, 0]]
    cur, ngroups = [None, None], [0]  # the segmented attack being written per side
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
            # the segments of a segmented attack stay together and in order in 'runs' (issue 14:
            # the last one is dropped, the ones before pass; moved apart, another one would be last)
            held = lab is not None and lab["label"] == "evasion-xudt-segmented"
            # A piece held for reassembly passes, but a retransmission of it after the message was
            # judged gets the message's verdict (neutralized: a BEAT in its place), and the piece
            # that completes the message, whichever reordering makes it, is the one dropped.
            # So every piece of a segmented attack is 'maybe HEX G' (G: the attack), and the
            # receiver checks that it never holds all pieces of one G.
            if held:
                # the generator writes an attack's segments one after the other, the last one
                # labelled drop (the ones before are held: allow): that one closes the group
                if cur[side] is None:
                    cur[side] = ngroups[0]
                    ngroups[0] += 1
                lines[side].append("maybe %s %d \n" % (f[o + 16:o + ln].hex(), cur[side]))
                if drop:
                    cur[side] = None
            else:
                lines[side].append("%s %s\n" % ("drop" if drop else "allow", f[o + 16:o + ln].hex()))
            n[side][drop] += 1
    if runs:
        allow = [x for x in lines[0] if x.startswith("allow") and not x.endswith(" \n")]
        drop = [x for x in lines[0] if x.startswith("drop") or x.endswith(" \n")]
        lines[0] = []
        while allow or drop:
            lines[0] += allow[:15]
            del allow[:15]
            lines[0] += drop[:40]
            del drop[:40]
    for side, name in ((0, "mixA.txt"), (1, "mixB.txt")):
        with open(os.path.join(out, name), "w") as fl:
            fl.writelines(x.replace(" \n", "\n") for x in lines[side])
    print("mix: side A %d allowed %d blocked, side B %d allowed %d blocked" %
          (n[0][0], n[0][1], n[1][0], n[1][1]))
finally:
    env.cleanup()
