#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""reasm (issue 14 D1): `sigwallctl inspect` joins IP fragments as the dataplane does, checked
against tshark, which reassembles IP (ip.defragment, ipv6.defragment), on sigwall-gen captures
(IPv4, IPv6) with about a quarter of the frames cut into fragments, half of them out of order:
  - inspect judges each cut datagram once, on the frame that completes it, exactly the frames
    where tshark shows a reassembled datagram, with the same MAP operation codes;
  - no fragment is judged on its own (no ip_fragment, no ip_reasm_* record);
  - the verdicts of the cut capture equal those of the capture before cutting (the shipped
    policy judges the content, not the cutting);
and a datagram whose second half comes after the timeout is never judged whole.
usage: ipfrag_oracle.py SIGWALLCTL SIGWALL-GEN SRCDIR
"""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import pcap_read, pcap_write, is_fragment  # noqa: E402
import ipfragcap  # noqa: E402

CTL, GEN, SRC = sys.argv[1:4]
RULES = os.path.join(SRC, "patterns", "stateless.conf")
SITE = os.path.join(SRC, "patterns", "site.example.conf")
TSHARK = shutil.which("tshark")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def inspect(pc):
    p = subprocess.run([CTL, "inspect", "--json", "--rules", RULES, "--site", SITE, pc],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    if p.returncode != 0:
        fail("inspect %s: %s" % (pc, p.stderr))
    return [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]


def opcodes(r):
    # tshark's gsm_old.localValue: the operation of an invoke and of a returnResult
    return [c.get("opcode") for c in r.get("tcap", {}).get("components", [])
            if c.get("type") in ("invoke", "returnResult", "returnResultLast")
            and c.get("opcode") is not None]


def pcap_write_ts(path, frames, ts):
    import struct
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for fr, t in zip(frames, ts):
            f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(fr), len(fr)))
            f.write(fr)


def run(ver, tmp):
    pc0 = os.path.join(tmp, "gen%d.pcap" % ver)
    args = [GEN, "--profile", "roaming", "--site", SITE, "--msus", "800", "--seed", str(60 + ver),
            "-o", pc0, "--labels", os.path.join(tmp, "l.jsonl"), "--attack-share", "0.1"] + (["--ipv6"] if ver == 6 else [])
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, timeout=120)
    frames0 = [f for _, _, f in pcap_read(pc0)[0]]
    frames, cut, base = ipfragcap.cut_capture(frames0, 160 if ver == 4 else 200, 4, seed=ver,
                                              skip=lambda i: is_fragment(frames0[i]))
    pc_base, pc_cut = os.path.join(tmp, "base%d.pcap" % ver), os.path.join(tmp, "cut%d.pcap" % ver)
    pcap_write(pc_base, base)
    pcap_write(pc_cut, frames)
    last = {max(ns) + 1: i for i, ns in cut.items()}
    rec = inspect(pc_cut)
    recs = collections.defaultdict(list)
    for r in rec:
        recs[r["frame"]].append(r)
        reason = (r.get("error") or {}).get("reason", "")
        if reason == "ip_fragment" or reason.startswith("ip_reasm"):
            fail("IPv%d frame %d: a fragment judged on its own (%s)" % (ver, r["frame"], reason))
    # the frame completing each cut datagram is the last of its fragments in the capture
    for fno, i in last.items():
        if fno not in recs:
            fail("IPv%d: no record on frame %d, which completes original frame %d" % (ver, fno, i + 1))
    cutframes = {n + 1 for ns in cut.values() for n in ns}
    stray = [f for f in recs if f in cutframes and f not in last]
    if stray:
        fail("IPv%d: records on fragments that complete nothing: %s" % (ver, stray[:5]))
    # oracle: tshark's reassembled datagrams, where and with which operations
    if TSHARK is None:
        print("SKIP tshark part: tshark is not installed")
    else:
        field = "ip.reassembled.length" if ver == 4 else "ipv6.reassembled.length"
        t = subprocess.run([TSHARK, "-r", pc_cut, "-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE",
                            "-Y", field, "-T", "fields", "-E", "separator=;", "-e", "frame.number",
                            "-e", "gsm_old.localValue"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=300)
        ts = {}
        for line in t.stdout.splitlines():
            fno, ops = line.split(";")
            ts[int(fno)] = sorted(int(x) for x in ops.split(",") if x)
        # inspect's: the fragments it judged (the cut datagrams and the generator's own)
        mine = {f for f in recs if is_fragment(frames[f - 1])}
        if set(ts) != mine or not set(last) <= mine:
            fail("IPv%d: tshark reassembles on %d frames, inspect on %d; differ e.g. %s" % (
                ver, len(ts), len(mine), sorted(set(ts) ^ mine)[:5]))
        for fno, ops in ts.items():
            if any(r.get("error") for r in recs[fno]):
                continue  # a malformed message (the generator's): sigwall stops decoding there
            mine = sorted(o for r in recs[fno] for o in opcodes(r))
            if mine != ops:
                fail("IPv%d frame %d: tshark sees operations %s, inspect %s" % (ver, fno, ops, mine))
        print("IPv%d: tshark and inspect agree on %d reassembled datagrams" % (ver, len(ts)))
    # the verdicts: the same as on the capture before cutting
    rb = inspect(pc_base)
    vb = collections.Counter((r["verdict"]["action"], r["verdict"]["rule"]) for r in rb)
    vc = collections.Counter((r["verdict"]["action"], r["verdict"]["rule"]) for r in rec)
    if vb != vc:
        fail("IPv%d: verdicts differ after cutting: %s" % (ver, (vb - vc) + (vc - vb)))
    drops = sum(1 for fno in last for r in recs[fno] if r["verdict"]["action"] == "drop")
    allows = sum(1 for fno in last for r in recs[fno] if r["verdict"]["action"] == "allow")
    if drops == 0 or allows == 0:
        fail("IPv%d: the cut datagrams must hold allowed (%d) and dropped (%d) messages" % (ver, allows, drops))
    print("IPv%d: %d datagrams cut (%d messages allowed, %d dropped), verdicts as uncut" % (ver, len(cut), allows, drops))
    return base, cut


def run_timeout(tmp, base, cut):
    """Three datagrams cut in two: the first whole, the second's halves 5 s apart (the default
    timeout is 3 s), the third whole again: the second is never judged."""
    i = [k for k in sorted(cut) if len(cut[k]) == 2][:3]
    if len(i) < 3:
        fail("too few datagrams cut in two")
    fr = [ipfragcap.fragment(base[k], 160, ipfragcap.ident_of(base[k])) for k in i]
    frames = fr[0] + fr[1][:1] + fr[1][1:] + fr[2]
    ts = [1.0, 1.0001, 2.0, 7.0, 7.5, 7.5001]
    pc = os.path.join(tmp, "late.pcap")
    pcap_write_ts(pc, frames, ts)
    rec = inspect(pc)
    judged = sorted({r["frame"] for r in rec})
    if judged != [2, 6]:
        fail("timeout: records on frames %s, want [2, 6] (frame 4 completes nothing: its first "
             "half timed out)" % judged)
    print("timeout in the middle: the late half is held, never judged whole")


tmp = tempfile.mkdtemp(prefix="sw-ipfrag-oracle-")
try:
    base4, cut4 = run(4, tmp)
    run(6, tmp)
    run_timeout(tmp, base4, cut4)
    print("PASS")
finally:
    if not os.environ.get("SW_KEEP"):
        shutil.rmtree(tmp, ignore_errors=True)
