#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""reasm (issue 14 D1): IP fragments through sigwall-dataplane (inline, net_pcap, shipped
stateless policy, --no-repair so that the output is exact). A labelled sigwall-gen capture
(IPv4, then IPv6) with a quarter of its frames cut into fragments of at most MTU octets, half of
them out of order:
  - every datagram leaves as the no-fragment run says it should: unchanged, with its dropped
    chunks taken out (CRC32c, IPv4 checksum valid), or not at all; fragmented legit messages are
    allowed and fragmented attacks dropped (both must occur);
  - an unchanged datagram leaves as exactly the fragments a router makes of it at that size,
    in order (re-fragmented with rte_ipv4/ipv6_fragment_packet to the size it came in with;
    IPv6 to at least 1,280 octets, RFC 8200 5, so these small IPv6 datagrams leave whole);
  - no fragment leaves longer than it came, no reassembly failure is counted.
IPv6 above 1,280 octets (run_large_v6): bundled datagrams of 2.7-4 kB cut at 1,300/1,400/1,500
leave as exactly those fragments; one with an attack chunk leaves without it, cut to its size.
Bad input: overlapping fragments, a conflicting copy of a fragment and a flood of random
identifications through a 64-entry table: each counted under its reason, none leaves (the
shipped policy drops malformed traffic from outside; a datagram that finds the table full is
refused: fail closed).
"""
import collections
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import *  # noqa: E402,F403
from dptest import _crc32c  # noqa: E402
import ipfragcap  # noqa: E402

MTU = {4: 160, 6: 200}


def chunk_bytes(f):
    w = sctp_walk(f)
    return tuple(f[o:o + ln] for (t, o, ln) in w["chunks"])


def mal_counts(stdout):
    out = {}
    for line in stdout.splitlines():
        if line.startswith("malformed "):
            for part in line.split(", "):
                _, name, n = part.split()
                out[name] = int(n)
    return out


def expected_side(frames, labels, idx):
    """[(index, frame or None if gone, changed)] for the frames of one side."""
    out = []
    for i in idx:
        f = frames[i]
        if is_fragment(f):
            continue  # the generator's own fragmented attacks: dropped
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
        out.append((i, (tuple(keep) if keep else None) if dropped else f, dropped))
    return out


def run_capture(ver):
    env = Env("ipfrag%d" % ver)
    try:
        probe_dpdk(env)
        frames0, labels, _ = gen_capture(env, 1500, seed=40 + ver, extra=["--ipv6"] if ver == 6 else [])
        frames, cut, base = ipfragcap.cut_capture(frames0, MTU[ver], 4, seed=ver,
                                                  skip=lambda i: is_fragment(frames0[i]))
        where = {}  # new index -> original index
        for i, ns in cut.items():
            for n in ns:
                where[n] = i
        side_frames = ([], [])
        for n, f in enumerate(frames):
            side_frames[side_of(f)].append(f)
        pcap_write(env.path("inA.pcap"), side_frames[0])
        pcap_write(env.path("inB.pcap"), side_frames[1])
        itest("publish", env.instance, RULES, SITE, 1)
        p = run_dataplane(env, two_port_vdevs(env, "nr"), ["--mode", "inline", "--ports", "0:1",
                                                           "--no-repair", "--exit-on-idle", "700"])
        print("IPv%d: %s" % (ver, "; ".join(l for l in p.stdout.splitlines() if "ipfrag" in l)))
        c = counters(p.stdout)
        if c["rx_pkts"] != len(frames):
            fail("IPv%d: rx_pkts %d, the capture has %d frames" % (ver, c["rx_pkts"], len(frames)))
        mal = mal_counts(p.stdout)
        bad = {k: v for k, v in mal.items() if k.startswith("ip_reasm") or k == "ip_fragment"}
        if bad:
            fail("IPv%d: reassembly failures counted on clean fragments: %s" % (ver, bad))
        legit = attack = 0
        for i in cut:
            labs = [l for (j, k), l in labels.items() if j == i]
            legit += any(l["expect"] == "allow" for l in labs)
            attack += any(l["expect"] == "drop" for l in labs)
        if legit == 0 or attack == 0:
            fail("IPv%d: the capture must hold fragmented legit (%d) and attack (%d) messages" % (ver, legit, attack))
        sides = ([], [])
        for i, f in enumerate(base):
            sides[side_of(f)].append(i)
        for side, outname in ((0, "outB-nr.pcap"), (1, "outA-nr.pcap")):
            got = [f for _, _, f in pcap_read(env.path(outname))[0]]
            rebuilt, member = ip_defrag(got)
            for f in got:
                if is_fragment(f) and ipfragcap.ip_len(f) > MTU[ver]:
                    fail("IPv%d: a fragment of %d octets left (came in at most %d)" % (ver, ipfragcap.ip_len(f), MTU[ver]))
            views = [f for j, f in enumerate(got) if not is_fragment(f)] + list(rebuilt.values())
            if len(member) != sum(1 for f in got if is_fragment(f)):
                fail("IPv%d side %s: fragments left that do not form a datagram" % (ver, "AB"[side]))
            want_frames, want_chunks = collections.Counter(), collections.Counter()
            for (i, e, changed) in expected_side(base, labels, sides[side]):
                if e is None:
                    continue
                if changed:
                    want_chunks[e] += 1
                else:
                    want_frames[e] += 1
            for v in views:
                if want_frames[v] > 0:
                    want_frames[v] -= 1
                    continue
                c = chunk_bytes(v)
                if want_chunks[c] > 0 and crc_ok(v) and ipv4_ok(v):
                    want_chunks[c] -= 1
                    continue
                fail("IPv%d side %s: a datagram left that the labels do not expect (or with a bad CRC/checksum)" % (ver, "AB"[side]))
            left = sum(want_frames.values()) + sum(want_chunks.values())
            if left:
                fail("IPv%d side %s: %d expected datagrams did not leave" % (ver, "AB"[side], left))
            # unchanged cut datagrams: exactly a router's fragments, byte for byte
            gotfr = collections.Counter(f for f in got if is_fragment(f))
            exact = 0
            whole = 0
            for (i, e, changed) in expected_side(base, labels, sides[side]):
                if e is None or changed or i not in cut:
                    continue
                if ver == 6 and ipfragcap.ip_len(e) <= 1280:
                    # IPv6 is cut to at least its minimum MTU (RFC 8200 5): it leaves whole
                    if e not in got:
                        fail("IPv6 side %s: frame %d (%d octets) did not leave whole" % ("AB"[side], i + 1, len(e)))
                    whole += 1
                    continue
                ident = ipfragcap.ident_of(base[i]) if ver == 4 else 0x5a000000 + i
                for fr in ipfragcap.fragment(e, MTU[ver], ident):
                    if gotfr[fr] == 0:
                        fail("IPv%d side %s: frame %d was not re-fragmented as it came in" % (ver, "AB"[side], i + 1))
                    gotfr[fr] -= 1
                exact += 1
            print("IPv%d side %s -> %s: %d datagrams as expected, %d fragmented ones re-fragmented "
                  "byte-exact, %d left whole (IPv6 <= 1280 octets)" % (ver, "AB"[side], "BA"[side], len(views), exact, whole))
            if ver == 4 and exact == 0:
                fail("IPv4 side %s: no datagram re-fragmented" % "AB"[side])
        print("IPv%d: %d frames cut (%d legit, %d attack messages)" % (ver, len(cut), legit, attack))
    finally:
        env.cleanup()


def bundle(frame, chunks):
    """frame (SCTP over IPv6) with its chunks replaced by chunks (RFC 9260 6.10 bundling, each
    padded to 4 octets), the payload length and CRC32c set again."""
    w = sctp_walk(frame)
    body = b"".join(c + b"\0" * ((4 - len(c) % 4) % 4) for c in chunks)
    sctp = bytearray(frame[w["l4"]:w["l4"] + 12] + body)
    sctp[8:12] = b"\0\0\0\0"
    sctp[8:12] = struct.pack("<I", _crc32c(bytes(sctp)))
    h = bytearray(frame[:w["l4"]])
    h[w["l3"] + 4:w["l3"] + 6] = struct.pack(">H", len(sctp))
    return bytes(h) + bytes(sctp)


def run_large_v6():
    """IPv6 datagrams above the minimum MTU (RFC 8200 5: 1,280): sigwall-gen's legit messages of
    one association bundled into datagrams of about 2,600-4,000 octets, cut at 1,300, 1,400 and
    1,500 octets (the first in reverse order): each leaves cut exactly as it came in (the same
    fragments, byte for byte), not whole and not at 1,280. One datagram also carries an attack
    chunk: it leaves without it, cut to its first fragment's size."""
    env = Env("ipfrag6big")
    try:
        probe_dpdk(env)
        frames, labels, _ = gen_capture(env, 1500, seed=61, extra=["--ipv6"])
        groups = collections.defaultdict(lambda: {"allow": [], "drop": []})
        for i, f in enumerate(frames):
            if side_of(f) != 0 or is_fragment(f):
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
                if lab is not None and lab["expect"] in ("allow", "drop") and not lab.get("pending"):
                    groups[assoc_key(f) + (w["vtag"],)][lab["expect"]].append((i, f[o:o + ln]))
        key = max((g for g in groups if groups[g]["drop"]), key=lambda g: len(groups[g]["allow"]),
                  default=None)
        if key is None or len(groups[key]["allow"]) < 60:
            fail("IPv6 large: no association from outside with 60 legit and an attack chunk")
        legit, attack = groups[key]["allow"], groups[key]["drop"]
        tmpl = frames[legit[0][0]]
        plans = [(1300, 2600, True, False), (1400, 3200, False, False), (1500, 4000, False, False),
                 (1400, 3000, False, True)]
        seq, want_exact, want_changed, pos = [], [], [], 0
        for n, (mtu, size, rev, with_attack) in enumerate(plans):
            chunks = [attack[0][1]] if with_attack else []
            while len(bundle(tmpl, chunks)) - 14 < size:
                if pos == len(legit):
                    fail("IPv6 large: too few legit chunks")
                chunks.append(legit[pos][1])
                pos += 1
            d = bundle(tmpl, chunks)
            ident = 0x6b000000 + n
            fr = ipfragcap.fragment(d, mtu, ident)
            if len(fr) < 2 or max(ipfragcap.ip_len(x) for x in fr) > mtu:
                fail("IPv6 large: bad cut of %d octets at %d" % (len(d), mtu))
            seq += list(reversed(fr)) if rev else fr
            if with_attack:
                want_changed.append((bundle(tmpl, chunks[1:]), ipfragcap.ip_len(fr[0])))
            else:
                want_exact.append((d, fr, mtu))
        pcap_write(env.path("inA.pcap"), seq)
        pcap_write(env.path("inB.pcap"), [])
        itest("publish", env.instance, RULES, SITE, 1)
        p = run_dataplane(env, two_port_vdevs(env, "big"), ["--mode", "inline", "--ports", "0:1",
                                                            "--no-repair", "--exit-on-idle", "700"])
        print("IPv6 large: %s" % "; ".join(l for l in p.stdout.splitlines() if "ipfrag" in l))
        got = [f for _, _, f in pcap_read(env.path("outB-big.pcap"))[0]]
        gotfr = collections.Counter(got)
        for d, fr, mtu in want_exact:
            for x in fr:
                if gotfr[x] == 0:
                    fail("IPv6 large: the %d-octet datagram cut at %d did not leave as it came "
                         "(%d fragments expected)" % (ipfragcap.ip_len(d), mtu, len(fr)))
                gotfr[x] -= 1
            if d in got:
                fail("IPv6 large: a datagram of %d octets left whole" % ipfragcap.ip_len(d))
        rest = [x for x in got if gotfr[x] > 0]
        rebuilt, member = ip_defrag(rest)
        for d, first in want_changed:
            if d not in rebuilt.values():
                fail("IPv6 large: the datagram with the attack did not leave without it")
            for i, c in member.items():
                if ipfragcap.ip_len(rest[i]) > first:
                    fail("IPv6 large: a fragment of %d octets left (came in at %d)" %
                         (ipfragcap.ip_len(rest[i]), first))
        if len(member) != len(rest) or len(rebuilt) != len(want_changed):
            fail("IPv6 large: %d unexpected frames left" % (len(rest) - len(member)))
        print("PASS IPv6 large: %d datagrams of %s octets left cut as they came in (%s), the one "
              "with an attack chunk without it" %
              (len(want_exact), "/".join(str(ipfragcap.ip_len(d)) for d, _, _ in want_exact),
               "/".join(str(m) for _, _, m in want_exact)))
    finally:
        env.cleanup()


def run_bad():
    env = Env("ipfragbad")
    try:
        probe_dpdk(env)
        frames, labels, _ = gen_capture(env, 300, seed=47, attack_share="0")
        legit = [f for i, f in enumerate(frames)
                 if side_of(f) == 0 and not is_fragment(f) and ipfragcap.ip_len(f) > 200
                 and data_chunks(f)]
        if len(legit) < 4:
            fail("the capture has too few long legit frames")
        a, b, c, d = legit[:4]
        seq = []
        # overlap: [0,96) and [88,..) cover octets 88..95 twice (RFC 5722's rule; rte_ip_frag
        # refuses it: the pieces do not join end to start)
        n = ipfragcap.ip_len(a) - 20
        seq += ipfragcap.fragment(a, 0, 101, pieces=[(0, 96), (88, n - 88)])
        # conflict: the middle fragment twice, the copy with other octets
        fr = ipfragcap.fragment(b, 100, 102)
        evil = bytearray(fr[1])
        evil[-1] ^= 0xff
        seq += [fr[0], fr[1], bytes(evil)] + fr[2:]
        # flood: 2,000 first fragments with random identifications (never completed)
        rnd = random.Random(7)
        for ident in rnd.sample(range(1000, 65536), 2000):
            seq.append(ipfragcap.fragment(c, 100, ident)[0])
        # a legit datagram after the flood (its table slots are full: ip_reasm_full)
        seq += ipfragcap.fragment(d, 100, 999)
        pcap_write(env.path("inA.pcap"), seq)
        pcap_write(env.path("inB.pcap"), [])
        itest("publish", env.instance, RULES, SITE, 1)
        p = run_dataplane(env, two_port_vdevs(env, "bad"), ["--mode", "inline", "--ports", "0:1",
                                                            "--ip-frag-entries", "64",
                                                            "--exit-on-idle", "700"])
        mal = mal_counts(p.stdout)
        print("malformed:", mal)
        print([l for l in p.stdout.splitlines() if "ipfrag" in l])
        if mal.get("ip_reasm_overlap", 0) != 2:
            fail("overlap and conflict: ip_reasm_overlap %d, want 2" % mal.get("ip_reasm_overlap", 0))
        if mal.get("ip_reasm_full", 0) < 1000:
            fail("flood of 2,000 identifications through 64 entries: ip_reasm_full %d" % mal.get("ip_reasm_full", 0))
        got = [f for _, _, f in pcap_read(env.path("outB-bad.pcap"))[0]]
        if got:
            fail("%d frames left: failed fragments from outside must be dropped" % len(got))
        print("PASS bad input: overlap/conflict %d, full %d, nothing left" % (mal["ip_reasm_overlap"], mal["ip_reasm_full"]))
    finally:
        env.cleanup()


require_dataplane()
require_policy_tools()
run_capture(4)
run_capture(6)
run_large_v6()
run_bad()
print("PASS")
