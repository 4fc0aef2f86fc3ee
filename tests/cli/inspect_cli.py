#!/usr/bin/python3
"""sigwallctl inspect as an operator meets it: link types, pcapng, bad files.

usage: inspect_cli.py SIGWALLCTL SRCDIR
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ctl, src = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from sigtran import write_pcap  # noqa: E402

VECTORS = os.path.join(src, "tests", "fuzz", "corpus", "pcap", "vectors.pcap")
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def run(*args):
    return subprocess.run([ctl, "inspect"] + list(args), capture_output=True, text=True)


def read_frames(path):
    data = open(path, "rb").read()
    off = 24
    frames = []
    while off < len(data):
        _, _, incl, _ = struct.unpack_from("<IIII", data, off)
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def strip_ip_fields(line):
    r = json.loads(line)
    return json.dumps(r, sort_keys=True)


tmp = tempfile.mkdtemp()
try:
    base = run("--json", VECTORS)
    check(base.returncode == 0 and len(base.stdout.splitlines()) >= 14,
          "vectors.pcap decodes (%d records)" % len(base.stdout.splitlines()))
    frames = read_frames(VECTORS)

    # The same frames under other link types decode to the same records.
    eth_payloads = []
    for f in frames:
        off, etype = 12, struct.unpack_from(">H", f, 12)[0]
        while etype in (0x8100, 0x88A8):
            off += 4
            etype = struct.unpack_from(">H", f, off)[0]
        eth_payloads.append((etype, f[off + 2:]))
    sll = [struct.pack(">HHH8sH", 0, 1, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00", et) + p
           for et, p in eth_payloads]
    sll2 = [struct.pack(">HHIHBB8s", et, 0, 1, 1, 0, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00") + p
            for et, p in eth_payloads]
    raw = [p for _, p in eth_payloads]
    for name, fr, lt in (("sll", sll, 113), ("sll2", sll2, 276), ("raw", raw, 101)):
        path = os.path.join(tmp, name + ".pcap")
        write_pcap(path, fr, lt)
        r = run("--json", path)
        check(r.returncode == 0 and r.stdout == base.stdout,
              "link type %s (%d) gives the same records as Ethernet" % (name, lt))

    # pcapng, when editcap is there to write it.
    if shutil.which("editcap"):
        ng = os.path.join(tmp, "v.pcapng")
        subprocess.run(["editcap", "-F", "pcapng", VECTORS, ng], check=True)
        r = run("--json", ng)
        check(r.returncode == 0 and r.stdout == base.stdout, "pcapng gives the same records")

    # A missing file: one line, exit 2.
    r = run(os.path.join(tmp, "nope.pcap"))
    check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "nope.pcap" in r.stderr,
          "missing file: exit 2 and one line naming it (%r)" % r.stderr.strip())

    # Not a capture: exit 2 and a clear line.
    junk = os.path.join(tmp, "junk.pcap")
    open(junk, "wb").write(b"this is not a capture file at all\n" * 4)
    r = run(junk)
    check(r.returncode == 2 and "junk.pcap" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
          "garbage file: exit 2 and one line (%r)" % r.stderr.strip())

    # An unsupported link type: exit 2 naming it.
    usb = os.path.join(tmp, "usb.pcap")
    write_pcap(usb, frames[:1], 189)
    r = run(usb)
    check(r.returncode == 2 and "unsupported link type" in r.stderr,
          "unsupported link type: exit 2 (%r)" % r.stderr.strip())

    # A truncated capture: the records before the cut are printed, then an error naming the file
    # and the frame, exit 1.
    data = open(VECTORS, "rb").read()
    cut = os.path.join(tmp, "cut.pcap")
    open(cut, "wb").write(data[:len(data) - 40])
    r = run("--json", cut)
    n = len(r.stdout.splitlines())
    last = "frame %d" % len(frames)  # the cut lands in the last frame of the vectors pcap
    check(r.returncode == 1 and n >= 12 and "cut.pcap" in r.stderr and last in r.stderr,
          "truncated capture: %d records, then %r, exit %d" % (n, r.stderr.strip(), r.returncode))

    # Usage errors.
    r = run("--rules", "x")
    check(r.returncode == 2, "usage error: exit 2")
    r = subprocess.run([ctl, "frobnicate"], capture_output=True, text=True)
    check(r.returncode == 2 and "unknown command" in r.stderr, "unknown command: exit 2")

    # --all lists packets without MSUs; --summary counts every layer.
    r = run("--all", VECTORS)
    check(r.returncode == 0 and "ip_fragment" in r.stdout, "--all lists the IP fragment")
    r = run("--summary", VECTORS)
    check(r.returncode == 0 and "map invokes:" in r.stdout and "anyTimeInterrogation 1" in r.stdout,
          "--summary counts MAP invokes")
finally:
    shutil.rmtree(tmp)

print("%d failed" % failures)
sys.exit(1 if failures else 0)
