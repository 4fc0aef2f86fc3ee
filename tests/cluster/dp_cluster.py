#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A mated pair through sigwall-dataplane (issue 16): two dataplane instances A and B (inline,
shipped policy, net_pcap), each with its sigwall-cluster, one redis-server on a pid-based
loopback port. A TC-BEGIN from inside crosses A; its TC-END from outside crosses B:

1. B forwards the End (the dialogue A learned reached B's state object through Redis), and drops
   an End answering nothing (state-unsolicited-dialogue);
2. self-check: an instance C with the same policy but no cluster drops the same kind of End (the
   test can fail: what B forwarded it knew only through replication).

Skipped (77) when redis-server is missing or DPDK cannot start here.
"""
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from dptest import *  # noqa: E402,F401
from dialogue_frames import begin_inside, end_outside  # noqa: E402

CLUSTER = tool("SW_CLUSTER", "control/cluster/sigwall-cluster")
RULES_STATE = os.path.join(SRC, "patterns", "default.conf")


def die_with_parent():
    """preexec_fn: SIGKILL this child when the test dies (even by SIGKILL)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port():
    port = 20000 + os.getpid() % 12000  # below the kernel's ephemeral ports (32768-60999)
    for _ in range(200):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            s.close()
            return port
        except OSError:
            port = 20000 + (port - 20000 + 97) % 12000
        finally:
            s.close()
    fail("no free loopback port")


def run(env, instance, tag, port_frames):
    """port_frames: {port: [frames]}: one queue per port; returns (stdout, {port: out frames})."""
    q = {p: env.path("%s-in%d.pcap" % (tag, p)) for p in (0, 1)}
    o = {p: env.path("%s-out%d.pcap" % (tag, p)) for p in (0, 1)}
    for p in (0, 1):
        pcap_write(q[p], port_frames.get(p, []))
    cmd = [DATAPLANE, "--lcores", "0@0,1@1", "--no-huge", "-m", "256", "--no-pci",
           "--file-prefix", env.prefix + tag, "--log-level", "lib.eal:error"]
    for p in (0, 1):
        cmd += ["--vdev", "net_pcap%d,rx_pcap=%s,tx_pcap=%s" % (p, q[p], o[p])]
    cmd += ["--", "--mode", "inline", "--ports", "0:1", "--exit-on-idle", "700", "--no-repair",
            "--instance", instance]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=90)
    shutil.rmtree("/var/run/dpdk/" + env.prefix + tag, ignore_errors=True)
    if p.returncode != 0:
        fail("dataplane %s exited %d: %s" % (tag, p.returncode, p.stderr[-800:]))
    return p.stdout, {k: [f for _, _, f in pcap_read(o[k])[0]] for k in o}


def status(env, instance):
    try:
        with open(os.path.join(env.dir, instance + ".cluster.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def wait(what, cond, seconds=15):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return
        time.sleep(0.1)
    fail("timed out waiting for " + what)


# SIGTERM (a harness stopping the test by its pid) runs the finally below, which stops the
# redis-server and the sigwall-cluster processes (by default Python dies without it).
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
require_dataplane()
require_policy_tools()
if not have(CLUSTER):
    skip("sigwall-cluster is not built (no hiredis)")
redis_bin = shutil.which("redis-server")
if redis_bin is None:
    skip("redis-server not installed (scripts/deps.sh installs it)")
if not os.cpu_count() or os.cpu_count() < 2:
    skip("two CPUs needed")
env = Env("cluster")
inst = {k: (env.instance + k)[:32] for k in "ABC"}
procs = []
try:
    probe_dpdk(env)
    os.environ["SIGWALL_RUNDIR"] = env.dir
    for k in "ABC":
        itest("publish", inst[k], RULES_STATE, SITE, 1)
    port = free_port()
    procs.append(subprocess.Popen([redis_bin, "--port", str(port), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no", "--dir", env.dir],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  preexec_fn=die_with_parent))
    wait("redis-server", lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"],
                                                stdout=subprocess.PIPE, text=True).stdout.strip()
         == "PONG")
    for k in "AB":
        procs.append(subprocess.Popen([CLUSTER, "--instance", inst[k], "--redis",
                                       "127.0.0.1:%d" % port, "--group", "g%d" % os.getpid(),
                                       "--member", k.lower()],
                                      stdout=subprocess.DEVNULL,
                                      stderr=open(env.path(k + ".log"), "w"),
                                      preexec_fn=die_with_parent))
    for k in "AB":
        wait("member %s ready" % k,
             lambda k=k: (status(env, inst[k]) or {}).get("self", {}).get("ready") is True)
    # The dataplanes open the state objects sigwall-cluster created (default sizes, as the
    # shipped site file has no site.state): reused, and they find the delta rings.
    b1, e1, e_bad = begin_inside(0x0a0b0c01, 1), end_outside(0x0a0b0c01, 10), \
        end_outside(0x0d0e0f01, 11)
    so, out = run(env, inst["A"], "a", {1: [b1]})
    print("\n".join(l for l in so.splitlines() if "state" in l))
    if "state replicated" not in so:
        fail("dataplane A did not attach to the delta rings of its sigwall-cluster")
    if out[0] != [b1]:
        fail("A did not forward the Begin from inside")
    wait("B applied A's dialogue",
         lambda: (status(env, inst["B"]) or {}).get("self", {}).get("applied", 0) >= 1)
    so, out = run(env, inst["B"], "b", {0: [e1, e_bad]})
    print("\n".join(l for l in so.splitlines() if "state" in l))
    if e1 not in out[1]:
        fail("B dropped the End of a Begin that crossed A")
    if e_bad in out[1]:
        fail("B forwarded an End answering nothing")
    print("PASS: the Begin crossed A, its End crossed B and was forwarded; an unsolicited End "
          "was dropped")
    sa = status(env, inst["A"])["self"]
    sb = status(env, inst["B"])["self"]
    print("A sent %d, B applied %d, lag p50 %.0f us p99 %.0f us" %
          (sa["sent"], sb["applied"], sb["lag_p50_us"], sb["lag_p99_us"]))
    so, out = run(env, inst["C"], "c", {0: [end_outside(0x0a0b0c01, 20)]})
    if "state replicated" in so or out[1]:
        fail("self-check: an instance without cluster forwarded the End (or found rings)")
    print("PASS: self-check: without a cluster the same End is dropped")
finally:
    for p in reversed(procs):
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for k in "ABC":
        for kind in ("state", "deltas"):
            try:
                os.unlink("/dev/shm/sigwall.%s.%s" % (inst[k], kind))
            except OSError:
                pass
        if have(ITEST):
            subprocess.run([ITEST, "unlink", inst[k]], check=False)
    env.cleanup()
