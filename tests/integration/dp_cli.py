#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bad input: a one-line error saying what to do, exit 2 (issue 5, "Bad input"); --help and
--version exit 0 on stdout; a runtime failure (memory, a queue the pool cannot fill) is exit 1,
not 2 (issue 19: the dataplane exited 2 on runtime failures)."""
import subprocess
import sys

from dptest import *

require_dataplane()
env = Env("cli")
try:
    probe_dpdk(env)
    pc = env.path("e.pcap")
    pcap_write(pc, [])
    vd = ["net_pcap0,rx_pcap=%s,tx_pcap=%s" % (pc, env.path("o0.pcap")),
          "net_pcap1,rx_pcap=%s,tx_pcap=%s" % (pc, env.path("o1.pcap"))]
    base = ["-l", "0-1", "--no-huge", "-m", "256", "--no-pci", "--file-prefix", env.prefix,
            "--log-level", "lib.eal:error"]
    vdev = []
    for v in vd:
        vdev += ["--vdev", v]
    cases = [
        ("no app options", base + vdev, "after '--'"),
        ("missing --mode", base + vdev + ["--", "--ports", "0:1"], "--mode"),
        ("bad --mode", base + vdev + ["--", "--mode", "bridge", "--ports", "0:1"], "inline or monitor"),
        ("missing --ports", base + vdev + ["--", "--mode", "inline"], "--ports"),
        ("inline with one port", base + vdev + ["--", "--mode", "inline", "--ports", "0"], "two ports"),
        ("bad --non-sctp", base + vdev + ["--", "--mode", "inline", "--ports", "0:1", "--non-sctp", "x"], "pass or drop"),
        ("bad --burst", base + vdev + ["--", "--mode", "inline", "--ports", "0:1", "--burst", "0"], "--burst"),
        ("unknown option", base + vdev + ["--", "--mode", "inline", "--ports", "0:1", "--frobnicate"], "unknown"),
        ("bad instance", base + vdev + ["--", "--mode", "inline", "--ports", "0:1", "--instance", "a/b"], "--instance"),
        ("nonexistent port id", base + vdev + ["--", "--mode", "inline", "--ports", "0:7"], "does not exist"),
        ("nonexistent port name", base + vdev + ["--", "--mode", "inline", "--ports", "net_pcap0:eth9"], "does not exist"),
        ("same port twice", base + vdev + ["--", "--mode", "inline", "--ports", "1:1"], "same port"),
        ("too few lcores", ["-l", "0"] + base[2:] + vdev + ["--", "--mode", "inline", "--ports", "0:1"], "-l 0-1"),
        ("no hugepages, no --no-huge", ["-l", "0-1", "-m", "256", "--no-pci", "--file-prefix", env.prefix] + vdev +
         ["--", "--mode", "inline", "--ports", "0:1"], "hugepages"),
        ("bad EAL option", base + ["--vdev", "net_nosuchdriver0"] + ["--", "--mode", "inline", "--ports", "0:1"], "EAL"),
    ]
    hp = 0
    for line in open("/proc/meminfo"):
        if line.startswith("HugePages_Total:"):
            hp = int(line.split()[1])
    bad = []
    for name, args, want in cases:
        if name.startswith("no hugepages") and hp != 0:
            print("skip case '%s': this machine has hugepages" % name)
            continue
        p = subprocess.run([DATAPLANE] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        ours = [l for l in p.stderr.splitlines() if l.startswith("sigwall-dataplane:")]
        ok = p.returncode == 2 and len(ours) == 1 and want in ours[0]
        print("%-28s exit %d  %s" % (name, p.returncode, ours[0] if ours else p.stderr.strip()[-200:]))
        if not ok:
            bad.append(name)
    # --help and --version, with or without EAL options and '--'
    for args in (["--help"], ["--version"], ["--", "--help"], ["--", "--version"],
                 base + ["--", "--version"]):
        p = subprocess.run([DATAPLANE] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=60)
        want = "usage: sigwall-dataplane" if "--help" in args else "sigwall-dataplane "
        ok = p.returncode == 0 and p.stdout.startswith(want) and p.stderr == ""
        print("%-28s exit %d  %s" % (" ".join(args[-2:]), p.returncode, p.stdout.splitlines()[0] if p.stdout else p.stderr.strip()))
        if not ok:
            bad.append(" ".join(args))
    # runtime failures: exit 1, one line
    big = [env.path("big.pcap")]
    pcap_write(big[0], small_capture(3000))
    runtime = [
        ("mbuf pool beyond -m 256", base + vdev + ["--", "--mode", "inline", "--ports", "0:1", "--mbufs", "2000000"],
         "cannot create a pool"),
        ("queue the pool cannot fill", base + ["--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % big[0]] +
         ["--", "--mode", "monitor", "--ports", "0", "--mbufs", "1024"], "RX queue 0 setup failed"),
    ]
    for name, args, want in runtime:
        p = subprocess.run([DATAPLANE] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        ours = [l for l in p.stderr.splitlines() if l.startswith("sigwall-dataplane:") and want in l]
        ok = p.returncode == 1 and len(ours) == 1
        print("%-28s exit %d  %s" % (name, p.returncode, ours[0] if ours else p.stderr.strip()[-200:]))
        if not ok:
            bad.append(name)
    if bad:
        fail("wrong handling of: " + ", ".join(bad))
    print("PASS: %d bad-input cases exit 2 with one line, --help/--version exit 0, %d runtime "
          "failures exit 1" % (len(cases), len(runtime)))
finally:
    env.cleanup()
