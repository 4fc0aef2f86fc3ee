#!/usr/bin/python3
"""The README's first command from a clean clone: `git clone` of the source tree into a temporary
directory, then scripts/demo.sh there (installed packages are reused; the clone builds what the
demo runs). Asserts the exit status and that every stage decoded or judged MSUs: stage 3's
decoded MSUs, stage 4's judged MSUs, stage 5's MSUs per generation (dropped by generation 1,
alerted on by generation 2 after the live reload).

Self-check: the same stage 5 with the mbuf pool left at its fixed default (issue 19: net_pcap's
infinite_rx could not preload the capture and the dataplane judged nothing, yet the demo said
exit 0) must now fail with exit 1.

The clone is of the committed HEAD: uncommitted changes of the source tree are not in it.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("SW_SRC", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    if shutil.which("git") is None:
        skip("git is not installed")
    if subprocess.run(["git", "-C", SRC, "rev-parse", "HEAD"], capture_output=True).returncode:
        skip("%s is not a git checkout: nothing to clone" % SRC)
    tmp = tempfile.mkdtemp(prefix="sw-demo-")
    pid = os.getpid()
    env = dict(os.environ)
    env["SW_DEMO_INSTANCE"] = "demot%d" % pid
    env["SW_DEMO_PREFIX"] = "sw-demot%d" % pid
    env["SW_DEMO_METRICS"] = "127.0.0.1:%d" % (20000 + pid % 20000)
    for k in ("MESON_TEST_ITERATION", "MALLOC_PERTURB_", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
        env.pop(k, None)
    try:
        clone = os.path.join(tmp, "sigwall")
        subprocess.run(["git", "clone", "-q", SRC, clone], check=True)
        head = subprocess.run(["git", "-C", clone, "log", "-1", "--format=%h %s"],
                              capture_output=True, text=True).stdout.strip()
        print("clone of %s at %s" % (SRC, head))
        p = subprocess.run(["scripts/demo.sh"], cwd=clone, env=env, capture_output=True,
                           text=True, timeout=420)
        out = p.stdout + p.stderr
        print(out[-6000:])
        if p.returncode != 0:
            fail("scripts/demo.sh exited %d" % p.returncode)
        m = re.search(r"demo: stage 3 decoded (\d+) MSUs, stage 4 judged (\d+)", out)
        if m is None:
            fail("no stage 3/4 summary line")
        decoded, judged = int(m.group(1)), int(m.group(2))
        m = re.search(r"stage 5: generation 1 judged (\d+) MSUs \((\d+) dropped\), generation 2 "
                      r"judged (\d+) MSUs \((\d+) alerted\)", out)
        if m is None:
            fail("no stage 5 summary line")
        g1, d1, g2, a2 = (int(x) for x in m.groups())
        print("stage 3 decoded %d, stage 4 judged %d, stage 5 generation 1 %d (%d dropped), "
              "generation 2 %d (%d alerted)" % (decoded, judged, g1, d1, g2, a2))
        for what, n in (("stage 3 decoded", decoded), ("stage 4 judged", judged),
                        ("generation 1 judged", g1), ("generation 1 dropped", d1),
                        ("generation 2 judged", g2), ("generation 2 alerted", a2)):
            if n <= 0:
                fail("%s %d MSUs" % (what, n))
        # Per-rule table with both generations.
        if not re.search(r"^\s+fs11-cat1\s+\d+\s+\d+$", out, re.M):
            fail("stage 5 printed no per-rule row for fs11-cat1")

        # Self-check: the pool at its old fixed size must make stage 5 fail loudly.
        app = os.path.join(clone, "scripts", "demo_appliance.py")
        text = open(app).read()
        # (The dataplane sizes its pool by itself now: the self-check forces the old size.)
        mut = text.replace('"--mbufs", str(mbufs)]', '"--mbufs", "8191"]')
        if mut == text:
            fail("self-check: could not set --mbufs 8191 in demo_appliance.py")
        open(app, "w").write(mut)
        q = subprocess.run(["/usr/bin/python3", app, "build/main", "build/demo/traffic.pcap",
                            "build/demo-mut", "2"], cwd=clone, env=env, capture_output=True,
                           text=True, timeout=120)
        qout = q.stdout + q.stderr
        if q.returncode != 1 or "stage 5 FAILED" not in qout:
            print(qout[-3000:])
            fail("self-check: stage 5 with the fixed 8,191-mbuf pool exited %d, not 1" %
                 q.returncode)
        print("self-check: with --mbufs 8191 stage 5 fails (exit 1): %s" %
              [ln for ln in qout.splitlines() if "FAILED" in ln or "setup failed" in ln][:2])
        print("PASS")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree("/var/run/dpdk/" + env["SW_DEMO_PREFIX"], ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
