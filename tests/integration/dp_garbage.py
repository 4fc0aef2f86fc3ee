#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bad packets never stop a worker: 3000 mutated frames (truncated at random points, random
bytes flipped, chunk lengths and IP lengths corrupted, random garbage) go through inline mode
with the shipped policy (or the default action when the policy tools are not built). Every frame
is received and judged; the process exits cleanly; every frame that leaves is either untouched or
a well-formed rewrite (valid CRC32c and IP length); malformations are counted by reason; with
the shipped policy (malformed = drop) most of them are dropped."""
import random

from dptest import *

require_dataplane()
env = Env("garbage")
try:
    probe_dpdk(env)
    r = random.Random(99)
    base = small_capture(400, seed=5, bundle_every=3)
    frames = []
    for i in range(3000):
        f = bytearray(r.choice(base))
        k = r.randrange(6)
        if k == 0:
            f = f[:r.randrange(14, len(f))]                       # truncated anywhere
        elif k == 1:
            for _ in range(r.randrange(1, 8)):                    # random bytes flipped
                j = r.randrange(14, len(f))
                f[j] ^= 1 << r.randrange(8)
        elif k == 2:
            w = sctp_walk(bytes(f))                               # chunk length corrupted
            if w and w["chunks"]:
                t, o, ln = r.choice(w["chunks"])
                f[o + 2:o + 4] = struct.pack(">H", r.choice([0, 1, 3, ln + 4, 0xffff, r.randrange(65536)]))
        elif k == 3:
            f[16:18] = struct.pack(">H", r.randrange(65536))      # IPv4 total length
        elif k == 4:
            f = f[:14] + bytes(r.randrange(256) for _ in range(r.randrange(1, 200)))
        else:
            j = r.randrange(34, len(f))                           # inside SCTP/M3UA/SCCP/TCAP
            f[j] = r.randrange(256)
        if len(f) < 60:
            f += bytes(60 - len(f))
        frames.append(bytes(f))
    pcap_write(env.path("inA.pcap"), frames)
    pcap_write(env.path("inB.pcap"), frames[::-1])
    if have(ITEST) and os.path.isfile(RULES):
        itest("publish", env.instance, RULES, SITE, 1)
        what = "shipped policy"
    else:
        what = "default action (policy tools not built)"
    for extra in ([], ["--no-repair"]):
        p = run_dataplane(env, two_port_vdevs(env, "g%d" % len(extra)),
                          ["--mode", "inline", "--ports", "0:1", "--exit-on-idle", "700"] + extra)
        c = counters(p.stdout)
        if c["rx_pkts"] != 2 * len(frames):
            fail("rx_pkts %d of %d frames" % (c["rx_pkts"], 2 * len(frames)))
        outs = [f for o in ("outA-g%d.pcap" % len(extra), "outB-g%d.pcap" % len(extra))
                for _, _, f in pcap_read(env.path(o))[0]]
        inset = set(frames)
        rewritten = 0
        for f in outs:
            if f in inset:
                continue
            rewritten += 1
            # the CRC32c is recomputed for every rewrite; the IPv4 header is rewritten only
            # when the length changes (a flipped TTL keeps its bad checksum, as on a router
            # that does not check it)
            w = sctp_walk(f)
            if w is None or not crc_ok(f) or (w["ver"] == 4 and struct.unpack(">H", f[w["l3"] + 2:w["l3"] + 4])[0] != w["end"] - w["l3"]):
                fail("a rewritten frame has a bad CRC32c or IP length: %s" % f.hex())
        mal = [l for l in p.stdout.splitlines() if l.startswith("malformed ")]
        print("%s%s: %d frames in, %d out (%d rewritten), malformed %d; %s"
              % (what, " --no-repair" if extra else "", c["rx_pkts"], len(outs), rewritten,
                 c["malformed"], mal[0][:160] if mal else ""))
        if c["malformed"] == 0:
            fail("no malformation counted over 6000 mutated frames")
        if what.startswith("shipped") and len(outs) > c["rx_pkts"] - c["malformed"] + c["msus"]:
            fail("%d frames out although %d of %d were malformed and the policy drops them"
                 % (len(outs), c["malformed"], c["rx_pkts"]))
    print("PASS")
finally:
    env.cleanup()
