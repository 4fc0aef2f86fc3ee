#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Inline, no image published yet, --no-image pass: everything passes, byte for
byte, in order, in both directions; --non-sctp drop removes exactly the non-SCTP frames;
--default drop takes every MSU out (packets left empty are dropped)."""
from dptest import *

require_dataplane()
env = Env("pass")
try:
    probe_dpdk(env)
    fa = small_capture(200, seed=7)
    # B -> A direction: the same traffic mirrored (addresses swapped)
    fb = small_capture(120, seed=8)
    inA, inB = env.path("inA.pcap"), env.path("inB.pcap")
    pcap_write(inA, fa)
    pcap_write(inB, fb)

    def run(tag, extra):
        outA, outB = env.path("outA-%s.pcap" % tag), env.path("outB-%s.pcap" % tag)
        vd = ["net_pcap0,rx_pcap=%s,tx_pcap=%s" % (inA, outA),
              "net_pcap1,rx_pcap=%s,tx_pcap=%s" % (inB, outB)]
        # --no-image pass: the default is drop since issue 13 (fail closed)
        p = run_dataplane(env, vd, ["--mode", "inline", "--ports", "net_pcap0:net_pcap1",
                                    "--exit-on-idle", "500", "--no-image", "pass"] + extra)
        return p, [f for _, _, f in pcap_read(outB)[0]], [f for _, _, f in pcap_read(outA)[0]]

    # 1. default pass: identical
    p, ab, ba = run("pass", [])
    c = counters(p.stdout)
    if ab != fa:
        fail("A->B output differs from the input (%d vs %d frames)" % (len(ab), len(fa)))
    if ba != fb:
        fail("B->A output differs from the input (%d vs %d frames)" % (len(ba), len(fb)))
    if c["rx_pkts"] != len(fa) + len(fb) or c["tx_pkts"] != len(fa) + len(fb):
        fail("counters rx %d tx %d, expected %d" % (c["rx_pkts"], c["tx_pkts"], len(fa) + len(fb)))
    if c["msus"] != 320 or c["allowed"] != 320 or c["non_sctp"] != 2:
        fail("counters msus %d allowed %d non_sctp %d, expected 320/320/2" % (c["msus"], c["allowed"], c["non_sctp"]))
    print("default pass: %d + %d frames forwarded byte for byte" % (len(ab), len(ba)))

    # 2. --non-sctp drop: exactly the ARP frames are missing
    p, ab, ba = run("nonsctp", ["--non-sctp", "drop"])
    want = [f for f in fa if sctp_walk(f) is not None]
    if ab != want:
        fail("--non-sctp drop: A->B output is not the SCTP frames of the input")
    print("--non-sctp drop: %d non-SCTP frames removed, the rest untouched" % (len(fa) - len(want)))

    # 3. --default drop, no repair: every MSU's chunk taken out, packets left empty dropped
    p, ab, ba = run("drop", ["--default", "drop", "--no-repair"])
    c = counters(p.stdout)
    for f in ab + ba:
        if data_chunks(f):
            fail("--default drop --no-repair: a DATA chunk was forwarded")
    if c["dropped"] != 320 or c["chunks_removed"] != 320:
        fail("--default drop: dropped %d chunks_removed %d, expected 320" % (c["dropped"], c["chunks_removed"]))
    if len(ab) != 1 or len(ba) != 1:
        fail("--default drop: expected only the ARP frame on each side, got %d and %d" % (len(ab), len(ba)))
    print("--default drop --no-repair: all 320 MSUs removed, %d packets dropped" % c["pkts_dropped"])

    # 4. --default drop with repair (when built): no M3UA DATA message gets through; the
    # enforcer may keep a packet of an untracked association with the chunk neutralised
    # (M3UA BEAT in place, same TSN) instead of cutting it.
    p, ab, ba = run("drop-rp", ["--default", "drop"])
    for f in ab + ba:
        for (_, tsn, sid, ssn, payload) in (data_chunks(f) or []):
            if payload[2:4] == b"\x01\x01":
                fail("--default drop: an M3UA DATA message was forwarded")
    print("--default drop (repair): no M3UA DATA forwarded, %d + %d frames out" % (len(ab), len(ba)))
    # 5. two workers (two lcores mapped onto the CPUs there are), two queues per port: each
    # worker forwards its own queue pair, in order
    if os.cpu_count() and os.cpu_count() >= 2:
        q = [env.path("q%d.pcap" % i) for i in range(4)]
        pcap_write(q[0], fa[:100])
        pcap_write(q[1], fa[100:])
        pcap_write(q[2], fb[:50])
        pcap_write(q[3], fb[50:])
        o = [env.path("o%d.pcap" % i) for i in range(4)]
        vd = ["net_pcap0,rx_pcap=%s,rx_pcap=%s,tx_pcap=%s,tx_pcap=%s" % (q[0], q[1], o[0], o[1]),
              "net_pcap1,rx_pcap=%s,rx_pcap=%s,tx_pcap=%s,tx_pcap=%s" % (q[2], q[3], o[2], o[3])]
        p = run_dataplane(env, vd, ["--mode", "inline", "--ports", "0:1", "--exit-on-idle", "500",
                                    "--no-image", "pass"],
                          lcores=None)
        out = [[f for _, _, f in pcap_read(x)[0]] for x in o]
        if out[2] != fa[:100] or out[3] != fa[100:] or out[0] != fb[:50] or out[1] != fb[50:]:
            fail("two workers: a queue's output differs from its input")
        w = [counters(p.stdout, "worker %d" % i) for i in range(2)]
        if w[0]["rx_pkts"] != 150 or w[1]["rx_pkts"] != len(fa) + len(fb) - 150:
            fail("two workers: per-worker rx %d/%d" % (w[0]["rx_pkts"], w[1]["rx_pkts"]))
        print("two workers: each forwarded its own queues in order (%d and %d packets)"
              % (w[0]["rx_pkts"], w[1]["rx_pkts"]))
    print("PASS")
finally:
    env.cleanup()
