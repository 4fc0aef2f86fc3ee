# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of the dataplane integration tests: start/stop sigwall-dataplane on DPDK
virtual devices, read/write pcap files, walk SCTP chunks, build a small SIGTRAN capture
when sigwall-gen is not built, and drive the test control plane (sw-itest).

Every test is started and stopped by itself, uses a unique --file-prefix and shm
instance, and exits 77 with a message when DPDK cannot start here."""

import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

SKIP = 77

BUILD = os.environ.get("SW_BUILD", "")
SRC = os.environ.get("SW_SRC", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


def tool(env, rel):
    p = os.environ.get(env)
    if p:
        return p
    if BUILD:
        return os.path.join(BUILD, rel)
    return None


DATAPLANE = tool("SW_DATAPLANE", "dataplane/app/sigwall-dataplane")
ITEST = tool("SW_ITEST", "tests/integration/sw-itest")
GEN = tool("SW_GEN", "bench/gen/sigwall-gen")
CTL = tool("SW_SIGWALLCTL", "control/sigwallctl")


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(SKIP)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def free_port():
    """A loopback TCP port the kernel says is free now. Pid-based ports met each other in CI:
    20000 + pid % 20000 of one test was 20000 + (pid + 7) % 20000 of another started seven pids
    later, and the second sigwall-control could not bind its metrics port and exited."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def have(path):
    return path is not None and os.path.isfile(path) and os.access(path, os.X_OK)


class Env:
    """A temporary directory and a unique name for one test run."""

    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="sw-it-%s-" % name)
        self.instance = "it%d%s" % (os.getpid(), re.sub(r"[^A-Za-z0-9]", "", name))[:20]
        self.prefix = self.instance
        self.keep = os.environ.get("SW_KEEP") == "1"

    def path(self, f):
        return os.path.join(self.dir, f)

    def cleanup(self):
        if have(ITEST):
            subprocess.run([ITEST, "unlink", self.instance], check=False)
        for kind in ("image", "stats"):
            try:
                os.unlink("/dev/shm/sigwall.%s.%s" % (self.instance, kind))
            except OSError:
                pass
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
            shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# pcap

def pcap_read(path):
    """[(ts_sec, ts_usec, bytes)], linktype"""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return [], 1
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = "<"
    else:
        e = ">"
    linktype = struct.unpack(e + "I", data[20:24])[0]
    off = 24
    out = []
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        out.append((sec, usec, data[off:off + incl]))
        off += incl
    return out, linktype


def pcap_write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(fr), len(fr)))
            f.write(fr)


# ------------------------------------------------------------------------------------------
# SCTP walk (Ethernet, VLAN, IPv4/IPv6)

def sctp_walk(frame):
    """None if not SCTP, else dict(l3, l4, end, ver, src, dst, sport, dport, vtag, chunks=[(type, off, len)])"""
    off = 12
    et = struct.unpack(">H", frame[off:off + 2])[0]
    off += 2
    while et in (0x8100, 0x88a8) and off + 4 <= len(frame):
        et = struct.unpack(">H", frame[off + 2:off + 4])[0]
        off += 4
    if et == 0x0800:
        ihl = (frame[off] & 0xf) * 4
        tot = struct.unpack(">H", frame[off + 2:off + 4])[0]
        if frame[off + 9] != 132 or (struct.unpack(">H", frame[off + 6:off + 8])[0] & 0x3fff):
            return None
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        l4, end, ver = off + ihl, off + tot, 4
    elif et == 0x86dd:
        plen = struct.unpack(">H", frame[off + 4:off + 6])[0]
        if frame[off + 6] != 132:
            return None
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        l4, end, ver = off + 40, off + 40 + plen, 6
    else:
        return None
    sport, dport, vtag = struct.unpack(">HHI", frame[l4:l4 + 8])
    chunks = []
    c = l4 + 12
    while c + 4 <= end:
        t = frame[c]
        ln = struct.unpack(">H", frame[c + 2:c + 4])[0]
        if ln < 4 or c + ln > end:
            break
        chunks.append((t, c, ln))
        c += (ln + 3) & ~3
    return dict(l3=off, l4=l4, end=end, ver=ver, src=src, dst=dst, sport=sport, dport=dport,
                vtag=vtag, chunks=chunks)


def data_chunks(frame):
    """[(chunk_index, tsn, sid, ssn, payload)] of DATA chunks, None if not SCTP."""
    w = sctp_walk(frame)
    if w is None:
        return None
    out = []
    for i, (t, o, ln) in enumerate(w["chunks"]):
        if t == 0 and ln >= 16:
            tsn, sid, ssn, ppid = struct.unpack(">IHHI", frame[o + 4:o + 16])
            out.append((i, tsn, sid, ssn, frame[o + 16:o + ln]))
    return out


def assoc_key(frame):
    w = sctp_walk(frame)
    if w is None:
        return None
    return (w["src"], w["dst"], w["sport"], w["dport"])


# ------------------------------------------------------------------------------------------
# A small SIGTRAN capture when sigwall-gen is not there (M3UA/SCCP UDT/TCAP Begin/MAP invoke)

def _ber(tag, content):
    n = len(content)
    if n < 128:
        return bytes([tag, n]) + content
    if n < 256:
        return bytes([tag, 0x81, n]) + content
    return bytes([tag, 0x82, n >> 8, n & 0xff]) + content


def _tbcd(digits):
    d = [int(x) for x in digits]
    if len(d) % 2:
        d.append(0xf)
    return bytes(d[i] | (d[i + 1] << 4) for i in range(0, len(d), 2))


def _sccp_addr(gt, ssn):
    # Q.713 3.4: AI = route on GT, GTI 4, SSN present; TT 0, NP E.164 + ES odd/even, NAI intl
    es = 1 if len(gt) % 2 else 2
    return bytes([0x12, ssn, 0x00, 0x10 | es, 0x04]) + _tbcd(gt)


def map_msu(opcode, cgpa, cdpa, imsi, otid, opc=100, dpc=200, sls=0):
    param = _ber(0x30, _ber(0x04, _tbcd(imsi)))
    invoke = _ber(0xa1, _ber(0x02, b"\x01") + _ber(0x02, bytes([opcode])) + param)
    tcap = _ber(0x62, _ber(0x48, struct.pack(">I", otid)) + _ber(0x6c, invoke))
    a_cd = _sccp_addr(cdpa, 6 if opcode != 45 else 6)
    a_cg = _sccp_addr(cgpa, 7)
    # UDT: type, class, 3 pointers, then cdpa, cgpa, data (Q.713 4.10)
    p1 = 3
    p2 = 2 + 1 + len(a_cd)
    p3 = 1 + 1 + len(a_cd) + 1 + len(a_cg)
    sccp = bytes([0x09, 0x80, p1, p2, p3, len(a_cd)]) + a_cd + bytes([len(a_cg)]) + a_cg + \
        bytes([len(tcap)]) + tcap
    # M3UA DATA (RFC 4666 3.3.1): Protocol Data with OPC, DPC, SI=3, NI=2, MP=0, SLS
    pd = struct.pack(">IIBBBB", opc, dpc, 3, 2, 0, sls) + sccp
    plen = 4 + len(pd)
    param = struct.pack(">HH", 0x0210, plen) + pd + b"\x00" * ((4 - plen % 4) % 4)
    return struct.pack(">BBBBI", 1, 0, 1, 1, 8 + len(param)) + param


def _crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 & -(crc & 1))
    return crc ^ 0xffffffff


def sctp_frame(src, dst, sport, dport, vtag, chunks, smac=b"\x02\0\0\0\0\x01", dmac=b"\x02\0\0\0\0\x02"):
    body = b""
    for ch in chunks:
        body += ch + b"\x00" * ((4 - len(ch) % 4) % 4)
    sctp = struct.pack(">HHII", sport, dport, vtag, 0) + body
    crc = _crc32c(sctp)
    sctp = sctp[:8] + struct.pack("<I", crc) + sctp[12:]
    tot = 20 + len(sctp)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, tot, 0, 0x4000, 64, 132, 0, src, dst)
    s = sum(struct.unpack(">10H", ip))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    ip = ip[:10] + struct.pack(">H", ~s & 0xffff) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + sctp


def data_chunk(tsn, sid, ssn, payload, ppid=3):
    return struct.pack(">BBHIHHI", 0, 3, 16 + len(payload), tsn, sid, ssn, ppid) + payload


def small_capture(n_msus, seed=1, bundle_every=5):
    """Frames A->B of two associations; some packets bundle two DATA chunks; one ARP."""
    import random
    r = random.Random(seed)
    ops = [2, 56, 45, 71, 70, 46, 22, 59]
    frames = []
    tsn = {0: 1000, 1: 5000}
    ssn = {0: 0, 1: 0}
    i = 0
    while i < n_msus:
        a = r.randrange(2)
        k = 2 if (i % bundle_every == bundle_every - 1 and i + 1 < n_msus) else 1
        chunks = []
        for _ in range(k):
            op = r.choice(ops)
            msu = map_msu(op, "4179%07d" % r.randrange(10 ** 7), "3367%07d" % r.randrange(10 ** 7),
                          "20801%010d" % r.randrange(10 ** 10), 0x1000 + i)
            chunks.append(data_chunk(tsn[a], 1, ssn[a], msu))
            tsn[a] += 1
            ssn[a] = (ssn[a] + 1) & 0xffff
            i += 1
        src = bytes([10, 0, a, 1])
        dst = bytes([10, 1, a, 1])
        frames.append(sctp_frame(src, dst, 2905, 2905, 0x11110000 + a, chunks))
        if i == 3:
            # ARP request: not SCTP
            frames.append(b"\xff" * 6 + b"\x02\0\0\0\0\x01" + b"\x08\x06" +
                          bytes.fromhex("0001080006040001020000000001") + bytes([10, 0, 0, 1]) +
                          b"\0" * 6 + bytes([10, 0, 0, 2]) + b"\0" * 18)
    return frames


# ------------------------------------------------------------------------------------------
# running the dataplane

def eal_args(env, vdevs, lcores="0-1"):
    # lcores None: a main and two workers mapped onto CPUs 0 and 1 (works on two CPUs)
    a = (["-l", lcores] if lcores else ["--lcores", "0@0,1@1,2@1"]) + ["--no-huge", "-m", "256", "--no-pci", "--file-prefix", env.prefix,
         "--log-level", "lib.eal:error"]
    for v in vdevs:
        a += ["--vdev", v]
    return a


def run_dataplane(env, vdevs, app_args, timeout=60, lcores="0-1", check=True):
    cmd = [DATAPLANE] + eal_args(env, vdevs, lcores) + ["--"] + app_args + ["--instance", env.instance]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, text=True)
    if check and p.returncode != 0:
        if "EAL" in p.stderr and p.returncode in (1, 2) and "initialisation failed" in p.stderr:
            skip("DPDK cannot start here: " + p.stderr.strip().splitlines()[-1])
        fail("sigwall-dataplane exited %d\nstdout:\n%s\nstderr:\n%s" % (p.returncode, p.stdout, p.stderr))
    return p


def start_dataplane(env, vdevs, app_args, lcores="0-1"):
    cmd = [DATAPLANE] + eal_args(env, vdevs, lcores) + ["--"] + app_args + ["--instance", env.instance]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def counters(stdout, who="total"):
    """Parse the final 'total: key value ...' line."""
    for line in stdout.splitlines():
        if line.startswith(who + ":"):
            toks = line[len(who) + 1:].split()
            return {toks[i]: int(toks[i + 1]) for i in range(0, len(toks) - 1, 2)}
    fail("no '%s:' counters line in the dataplane output:\n%s" % (who, stdout))


def require_dataplane():
    if not have(DATAPLANE):
        skip("sigwall-dataplane is not built (needs libdpdk-dev)")
    if not os.path.isdir("/usr/lib/x86_64-linux-gnu/dpdk") and not os.environ.get("SW_FORCE"):
        pass


def probe_dpdk(env):
    """Start the dataplane on net_null for a moment; skip the test if DPDK cannot run here."""
    p = subprocess.run([DATAPLANE] + eal_args(env, ["net_null0", "net_null1"]) +
                       ["--", "--mode", "monitor", "--ports", "0:1", "--instance", env.instance,
                        "--max-packets", "1000"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    if p.returncode != 0:
        env.cleanup()
        skip("DPDK cannot start here (exit %d): %s" % (p.returncode, (p.stderr.strip().splitlines() or ["?"])[-1]))


def itest(*args, check=True, timeout=60):
    p = subprocess.run([ITEST] + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    if check and p.returncode != 0:
        fail("sw-itest %s failed (%d): %s%s" % (" ".join(map(str, args)), p.returncode, p.stdout, p.stderr))
    return p


def events(env):
    p = itest("events", env.instance)
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


# ------------------------------------------------------------------------------------------
# labelled traffic from sigwall-gen, split by side (remote -> port A, home -> port B)

# The shipped policy without its state rules: each side's capture is replayed on its own port,
# so an answer may reach the workers before the message it answers (issue 15's state rules
# need causal order; tests/state/dp_state.py replays in order).
RULES = os.environ.get("SW_RULES", os.path.join(SRC, "patterns", "stateless.conf"))
SITE = os.environ.get("SW_SITE", os.path.join(SRC, "patterns", "site.example.conf"))


def require_policy_tools():
    if not have(GEN):
        skip("sigwall-gen is not built")
    if not have(ITEST):
        skip("sw-itest is not built (needs the policy compiler, policy and shm libraries)")
    for f in (RULES, SITE):
        if not os.path.isfile(f):
            skip("%s is missing" % f)


def is_fragment(frame):
    off = 12
    et = struct.unpack(">H", frame[off:off + 2])[0]
    off += 2
    while et in (0x8100, 0x88a8):
        et = struct.unpack(">H", frame[off + 2:off + 4])[0]
        off += 4
    if et == 0x0800:
        return (struct.unpack(">H", frame[off + 6:off + 8])[0] & 0x3fff) != 0
    if et == 0x86dd:
        return frame[off + 6] == 44
    return False


def gen_capture(env, msus, seed, attack_share="0.1", extra=()):
    pc, lb = env.path("gen.pcap"), env.path("gen.jsonl")
    p = subprocess.run([GEN, "--profile", "roaming", "--site", SITE, "--msus", str(msus), "--seed", str(seed),
                        "-o", pc, "--labels", lb, "--attack-share", attack_share] + list(extra),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    if p.returncode != 0:
        fail("sigwall-gen failed: " + p.stderr)
    frames = [f for _, _, f in pcap_read(pc)[0]]
    labels = {}
    for line in open(lb):
        j = json.loads(line)
        # frame numbers are 1-based (as in Wireshark); chunk = index among the DATA chunks
        labels[(j["frame"] - 1, j["chunk"])] = j
    # A piece held for reassembly (dataplane/reasm, issue 14) passes; its message's verdict
    # lands on the piece that completes it (tests/policy/labels_check.py does the same). The
    # pieces are the ones `sigwallctl inspect` holds with the same policy: expected to pass.
    for k in reasm_pieces(pc)[0]:
        if k in labels:
            labels[k] = dict(labels[k], expect="allow", pending=True)
    return frames, labels, pc


def reasm_pieces(pc):
    """(pending, pieces): the (0-based frame, chunk) keys `sigwallctl inspect` holds for
    reassembly with RULES/SITE, and the 0-based frames of every piece of a reassembled message
    (held or completing)."""
    p = subprocess.run([CTL, "inspect", "--json", "--all", "--rules", RULES, "--site", SITE, pc],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    if p.returncode != 0:
        fail("sigwallctl inspect %s: %s" % (pc, p.stderr))
    pending, pieces = set(), set()
    for line in p.stdout.splitlines():
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        st = r.get("reasm", {}).get("state")
        if st in ("pending", "complete", "known"):
            pieces.add(r["frame"] - 1)
        if st == "pending":
            pending.add((r["frame"] - 1, r.get("chunk", 0)))
    return pending, pieces


def side_of(frame):
    """sigwall-gen's MACs are 02:53:57:SIDE:00:ASSOC; SIDE 1 is the remote (outside) end."""
    return 0 if frame[9] == 1 else 1


def split_sides(env, frames):
    """Write the remote side's frames to inA.pcap and the home side's to inB.pcap.
    Returns ([idx of side A frames], [idx of side B frames])."""
    idx = ([], [])
    for i, f in enumerate(frames):
        idx[side_of(f)].append(i)
    pcap_write(env.path("inA.pcap"), [frames[i] for i in idx[0]])
    pcap_write(env.path("inB.pcap"), [frames[i] for i in idx[1]])
    return idx


def two_port_vdevs(env, tag, infinite=False):
    inf = ",infinite_rx=1" if infinite else ""
    return ["net_pcap0,rx_pcap=%s,tx_pcap=%s%s" % (env.path("inA.pcap"), env.path("outA-%s.pcap" % tag), inf),
            "net_pcap1,rx_pcap=%s,tx_pcap=%s%s" % (env.path("inB.pcap"), env.path("outB-%s.pcap" % tag), inf)]


def crc_ok(frame):
    w = sctp_walk(frame)
    if w is None:
        return True
    sctp = bytearray(frame[w["l4"]:w["end"]])
    want = struct.unpack("<I", bytes(sctp[8:12]))[0]
    sctp[8:12] = b"\0\0\0\0"
    return _crc32c(bytes(sctp)) == want


def ipv4_ok(frame):
    w = sctp_walk(frame)
    if w is None or w["ver"] != 4:
        return True
    h = frame[w["l3"]:w["l4"]]
    s = sum(struct.unpack(">%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff and struct.unpack(">H", frame[w["l3"] + 2:w["l3"] + 4])[0] == w["end"] - w["l3"]


def _l3_off(frame):
    off, et = 14, struct.unpack(">H", frame[12:14])[0]
    while et in (0x8100, 0x88a8):
        et = struct.unpack(">H", frame[off + 2:off + 4])[0]
        off += 4
    return off, et


def _ipv4_csum(h):
    s = sum(struct.unpack(">%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip_defrag(frames):
    """reasm (issue 14 D1): IP fragments joined as RFC 791 3.2 / RFC 8200 4.5 (and the
    dataplane's rte_ip_frag) join them. Returns {index of the fragment that completes a datagram:
    the rebuilt frame (first fragment's link header; IPv4: its header with the total length,
    DF only and the checksum; IPv6: no fragment header)}, and {index of every fragment of those:
    index of the completing one}."""
    parts, done, member = {}, {}, {}
    for i, f in enumerate(frames):
        if not is_fragment(f):
            continue
        off, et = _l3_off(f)
        if et == 0x0800:
            hl = (f[off] & 15) * 4
            tot, fl = struct.unpack(">H", f[off + 2:off + 4])[0], struct.unpack(">H", f[off + 6:off + 8])[0]
            key = (4, f[off + 12:off + 20], f[off + 4:off + 6])
            ofs, more, data, hdr = (fl & 0x1fff) * 8, bool(fl & 0x2000), f[off + hl:off + tot], f[:off + hl]
        else:
            plen = struct.unpack(">H", f[off + 4:off + 6])[0]
            fh = f[off + 40:off + 48]
            fo = struct.unpack(">H", fh[2:4])[0]
            key = (6, f[off + 8:off + 40], fh[4:8])
            ofs, more, data = fo & 0xfff8, bool(fo & 1), f[off + 48:off + 40 + plen]
            hdr = f[:off + 6] + bytes([fh[0]]) + f[off + 7:off + 40]
        p = parts.setdefault(key, {"pieces": {}, "hdr": None, "off": off, "end": None, "idx": []})
        p["pieces"][ofs] = data
        p["idx"].append(i)
        if ofs == 0:
            p["hdr"] = hdr
        if not more:
            p["end"] = ofs + len(data)
        if p["hdr"] is None or p["end"] is None:
            continue
        body, pos = b"", 0
        while pos in p["pieces"] and pos < p["end"]:
            body += p["pieces"][pos]
            pos += len(p["pieces"][pos])
        if pos != p["end"]:
            continue
        h, o = bytearray(p["hdr"]), p["off"]
        if key[0] == 4:
            hl = len(h) - o
            h[o + 2:o + 4] = struct.pack(">H", hl + len(body))
            h[o + 6:o + 8] = struct.pack(">H", struct.unpack(">H", h[o + 6:o + 8])[0] & 0x4000)
            h[o + 10:o + 12] = b"\0\0"
            h[o + 10:o + 12] = struct.pack(">H", _ipv4_csum(bytes(h[o:o + hl])))
        else:
            h[o + 4:o + 6] = struct.pack(">H", len(body))
        done[i] = bytes(h) + body
        for j in p["idx"]:
            member[j] = i
        del parts[key]
    return done, member
